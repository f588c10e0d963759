"""The output folder of a generated pipeline, written atomically.

``topology.json``, ``config.json`` (the one-file configs), ``pipeline.json`` (the SageMaker
definition), ``pipeline.mmd`` (Mermaid DAG) and ``README.md`` (steps, and every value with
where it came from: stated, answered, defaults file, default).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sagewright.agents.reasons import Reason
from sagewright.config_file import save_configs
from sagewright.folders import write_folder
from sagewright.registry import default_registry
from sagewright.registry.config_base import StepConfig
from sagewright.render import mermaid_block, to_mermaid
from sagewright.topology import Topology, step_type_of


def write_output_folder(
    out_dir: Path,
    files: Mapping[str, str],
    *,
    force: bool = False,
    meta: Mapping[str, Any] | None = None,
) -> Path:
    """Write the five files atomically; only an empty folder or an earlier output is replaced.

    An earlier output with files edited by hand is replaced only with ``force``.
    """
    return write_folder(out_dir, files, kind="generate", force=force, meta=meta)


def render_outputs(
    *,
    requirement: str,
    topology: Topology,
    configs: Mapping[str, StepConfig],
    definition: str,
    sources: Mapping[str, str],
    existing_model: bool,
    notes: list[str] | None = None,
    reasons: Mapping[str, Reason] | None = None,
) -> dict[str, str]:
    """The five files' contents; ``sources`` maps ``node.path`` to where its value came from."""
    with tempfile.TemporaryDirectory() as tmp:
        config_text = save_configs(configs, Path(tmp) / "config.json").read_text()
    picture = to_mermaid(topology, existing_model=existing_model)
    return {
        "topology.json": json.dumps(topology.to_dict(), indent=2) + "\n",
        "config.json": config_text,
        "pipeline.json": definition if definition.endswith("\n") else definition + "\n",
        "pipeline.mmd": picture,
        "README.md": readme(
            requirement,
            topology,
            configs,
            sources,
            notes or [],
            picture=picture,
            reasons=reasons,
        ),
    }


def readme(
    requirement: str,
    topology: Topology,
    configs: Mapping[str, StepConfig],
    sources: Mapping[str, str],
    notes: list[str],
    *,
    picture: str,
    reasons: Mapping[str, Reason] | None = None,
) -> str:
    """``sources`` maps ``node.path`` to where its value came from; the rest are defaults;
    ``picture`` is the Mermaid flowchart (also written as ``pipeline.mmd``)."""
    registry = default_registry()
    lines = ["# Generated SageMaker pipeline", "", "## Requirement", ""]
    lines += [f"> {line}" if line else ">" for line in requirement.strip().splitlines()]
    lines += ["", "## Steps", "", "| node | step type | parents | purpose |", "|---|---|---|---|"]
    for node, parents in topology.parents.items():
        spec = registry.get(step_type_of(node))
        lines.append(
            f"| `{node}` | {spec.name} | {', '.join(parents) or '—'} | {spec.description} |"
        )
    if reasons:
        lines += ["", "## Why each step is there", ""]
        lines += [
            f"- `{node}`: {_why(reasons[node])}" for node in topology.parents if node in reasons
        ]
    lines += [
        "",
        "## DAG",
        "",
        "Nodes grouped by stage; edges labelled by the data kind they carry.",
    ]
    lines += ["", mermaid_block(picture)]
    lines += ["The same DAG is in `pipeline.mmd`; the definition is `pipeline.json`.", ""]
    lines += ["## Values used", "", "| field | value | source | nodes |", "|---|---|---|---|"]
    rows: dict[tuple[str, str, str], list[str]] = {}
    for node, cfg in configs.items():
        for path, value in field_items(cfg.stored_fields()):
            source = sources.get(f"{node}.{path}")
            if source is None:
                continue
            shown = value if isinstance(value, str) else json.dumps(value)
            rows.setdefault((path, shown, source), []).append(node)
    for (path, shown, source), nodes in rows.items():
        where = "all that have it" if len(nodes) > 2 else ", ".join(f"`{n}`" for n in nodes)
        lines.append(f"| `{path}` | `{shown}` | {source} | {where} |")
    lines += ["", "Every other field has its default; `config.json` holds every value.", ""]
    if notes:
        lines += ["## Notes", ""] + [f"- {note}" for note in notes] + [""]
    return "\n".join(lines)


def _why(reason: Reason) -> str:
    """A reason as Markdown: the requirement's words quoted, or the node and input it feeds."""
    if reason.needed_by and reason.input:
        return f"needed by `{reason.needed_by}`'s input `{reason.input}`"
    if reason.quote is not None:
        words = " ".join(reason.quote.split()).replace("`", "'")
        return f"the requirement says “{words}” (characters {reason.start}–{reason.end})"
    return reason.text


def field_items(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, dict) and value and key == "hyperparameters":
            items += field_items(value, f"{prefix}{key}.")
        else:
            items.append((f"{prefix}{key}", value))
    return items
