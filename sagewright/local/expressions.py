"""Values of a definition: literals, ``Get`` (parameters, execution, step properties),
``Std:Join`` and ``Std:JsonGet``, resolved as SageMaker resolves them at run time."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class UnresolvedError(Exception):
    """A property of a step that has not run (or that run-local does not know)."""


@dataclass
class Resolver:
    parameters: dict[str, Any]
    execution_id: str
    #: step name -> property path (after ``Steps.<name>.``) -> value
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: ``Steps.<name>.PropertyFiles.<file>`` -> local JSON file
    property_files: dict[str, Path] = field(default_factory=dict)
    json_reader: Callable[[Path], Any] = field(
        default=lambda path: json.loads(path.read_text(encoding="utf-8"))
    )

    def value(self, item: Any) -> Any:
        """The run-time value of a definition value."""
        if isinstance(item, dict):
            if "Get" in item and len(item) == 1:
                return self.get(str(item["Get"]))
            if "Std:Join" in item:
                join = item["Std:Join"]
                return str(join["On"]).join(str(self.value(v)) for v in join["Values"])
            if "Std:JsonGet" in item:
                return self.json_get(item["Std:JsonGet"])
            return {k: self.value(v) for k, v in item.items()}
        if isinstance(item, list):
            return [self.value(v) for v in item]
        return item

    def get(self, path: str) -> Any:
        head, _, rest = path.partition(".")
        if head == "Parameters":
            if rest not in self.parameters:
                raise UnresolvedError(f"unknown parameter {rest}")
            return self.parameters[rest]
        if head == "Execution":
            if rest == "PipelineExecutionId":
                return self.execution_id
            if rest == "StartDateTime":
                return "1970-01-01T00:00:00Z"
            raise UnresolvedError(f"unknown execution variable {rest}")
        if head == "Steps":
            step, _, prop = rest.partition(".")
            known = self.properties.get(step)
            if known is None:
                raise UnresolvedError(f"step {step} has not run")
            if prop not in known:
                raise UnresolvedError(f"step {step} has no property {prop} in run-local")
            return known[prop]
        raise UnresolvedError(f"unknown reference {path}")

    def json_get(self, spec: dict[str, Any]) -> Any:
        """``Std:JsonGet``: a dotted / indexed path into a step's property file."""
        reference = spec["PropertyFile"]
        name = reference["Get"] if isinstance(reference, dict) else str(reference)
        path = self.property_files.get(name)
        if path is None or not path.is_file():
            raise UnresolvedError(f"property file {name} was not written")
        return json_path(self.json_reader(path), str(self.value(spec["Path"])))


def json_path(data: Any, path: str) -> Any:
    """``a.b[0].c`` into parsed JSON (the JsonGet path syntax)."""
    current = data
    for part in path.replace("]", "").replace("[", ".").split("."):
        if not part:
            continue
        if isinstance(current, list):
            current = current[int(part)]
        elif isinstance(current, dict) and part in current:
            current = current[part]
        else:
            raise UnresolvedError(f"JSON path {path}: no {part!r}")
    return current
