"""All configs of a pipeline in one JSON file.

Layout (``format_version`` 1)::

    {"format_version": 1,
     "nodes":    {"NODE": {"step_type": "PyTorchModel", "config_class": "PyTorchModelConfig"}},
     "shared":   {field: value, ...},            # same value in every config that has the field
     "specific": {"NODE": {field: value, ...}},  # everything else, per node
     "placeholders": [["NODE", "field.path", value], ...],   # optional, see below
     "allow_placeholders": true,                              # optional
     "written_by_sagewright": "<sha256>"}                     # optional, see below

Derived (computed) fields are not stored: they are recomputed on load.

``placeholders`` lists the values ``sagewright init-config`` invented for essential fields
nobody stated (an example bucket, role, query ...). An entry counts as resolved once its
field holds another value, or when the entry is deleted; ``assemble`` refuses a file with
unresolved placeholders unless the file (or the command) allows them.

``written_by_sagewright`` (``init-config`` writes it) is the SHA-256 of the rest of the
document: a file whose content no longer matches was edited by hand, and ``init-config``
replaces it only with ``--force``, naming the fields that would change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sagewright import jsonio
from sagewright.errors import ConfigError, UnknownStepError
from sagewright.folders import OutDirError, json_diff, listed_names, os_reason, sha256
from sagewright.registry import Registry, default_registry
from sagewright.registry.config_base import StepConfig
from sagewright.registry.validation import check_across_nodes, config_error
from sagewright.topology import Topology, step_type_of

FORMAT_VERSION = 1
STAMP = "written_by_sagewright"
_MISSING = object()


def dump_configs(
    configs: Mapping[str, StepConfig],
    *,
    placeholders: Iterable[tuple[str, str]] = (),
    allow_placeholders: bool = False,
) -> dict[str, Any]:
    """The file's JSON object; ``placeholders`` are ``(node, field path)`` pairs."""
    stored = {node: cfg.stored_fields() for node, cfg in configs.items()}
    values: dict[str, list[Any]] = {}
    for data in stored.values():
        for key, value in data.items():
            values.setdefault(key, []).append(value)
    shared = {
        key: vals[0]
        for key, vals in values.items()
        if len(stored) > 1 and len(vals) > 1 and all(v == vals[0] for v in vals)
    }
    document: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "nodes": {
            node: {"step_type": cfg.step_type, "config_class": type(cfg).__name__}
            for node, cfg in configs.items()
        },
        "shared": shared,
        "specific": {
            node: {k: v for k, v in data.items() if shared.get(k, _MISSING) != v}
            for node, data in stored.items()
        },
    }
    marked = [[node, path, _get_path(stored[node], path)] for node, path in placeholders]
    if marked:
        document["placeholders"] = marked
    if allow_placeholders:
        document["allow_placeholders"] = True
    return document


def save_configs(
    configs: Mapping[str, StepConfig],
    path: str | Path,
    *,
    placeholders: Iterable[tuple[str, str]] = (),
    allow_placeholders: bool = False,
    protect_edits: bool = False,
    force: bool = False,
) -> Path:
    """Write the config file; with ``protect_edits``, a hand-edited file needs ``force``."""
    target = Path(path)
    data = dump_configs(configs, placeholders=placeholders, allow_placeholders=allow_placeholders)
    if protect_edits:
        data[STAMP] = _stamp_of(data)
        if not force:
            _refuse_edited(target, data)
    text = json.dumps(data, indent=2, sort_keys=False) + "\n"
    tmp = target.with_name(target.name + ".tmp")
    try:
        if target.is_dir():
            raise IsADirectoryError(21, "is a folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        if tmp.is_file():
            tmp.unlink()
        raise ConfigError(
            f"{target}: cannot write the config file: {os_reason(exc)}",
            hint="give --out a file path whose parents are folders you can write to",
            code="unwritable_out",
            where=str(target),
        ) from None
    return target


def _stamp_of(document: Mapping[str, Any]) -> str:
    body = {k: v for k, v in document.items() if k != STAMP}
    return sha256(json.dumps(body, sort_keys=True).encode("utf-8"))


def _refuse_edited(target: Path, new: dict[str, Any]) -> None:
    """Raise when ``target`` exists and is not an unedited file sagewright stamped."""
    if target.is_dir() or (not target.exists() and not target.is_symlink()):
        return  # a folder fails as unwritable when written
    try:
        old = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        old = None
    if isinstance(old, dict) and old.get(STAMP) == _stamp_of(old):
        return
    if not isinstance(old, dict) or STAMP not in old:
        what = "was not written by sagewright init-config"
    else:
        changed = json_diff(
            {k: v for k, v in old.items() if k != STAMP},
            {k: v for k, v in new.items() if k != STAMP},
        )
        what = "was edited by hand; replacing it would change " + (
            listed_names(changed) or "its formatting"
        )
    raise OutDirError(
        f"{target}: {what}",
        hint="keep it by writing to another --out file, or replace it with --force",
        code="edited_output",
    )


def load_configs(
    source: str | Path | Mapping[str, Any],
    *,
    topology: Topology | None = None,
    registry: Registry | None = None,
) -> dict[str, StepConfig]:
    """Load configs; with ``topology``, every node must have one. Errors name file and node."""
    where, data = _read(source)
    return _configs_from(where, data, topology, registry)


def _configs_from(
    where: str, data: dict[str, Any], topology: Topology | None, registry: Registry | None
) -> dict[str, StepConfig]:
    reg = registry or default_registry()
    _check_header(data, where)
    nodes: dict[str, Any] = data["nodes"]
    shared: dict[str, Any] = data.get("shared", {})
    specific: dict[str, Any] = data.get("specific", {})
    if not isinstance(shared, dict) or not isinstance(specific, dict):
        raise ConfigError(
            f"{where}: 'shared' and 'specific' must be JSON objects",
            code="malformed_config",
            where=where,
        )
    for node in specific:
        if node not in nodes:
            raise ConfigError(
                f"{where}: node '{node}' has values but no entry in 'nodes'",
                hint=f'add "{node}": {{"step_type": ..., "config_class": ...}} to "nodes"',
                code="node_without_config",
                where=f"{where}:{node}",
            )
    configs = {
        node: _load_node(node, entry, shared, specific, reg, where) for node, entry in nodes.items()
    }
    known = {name for cfg in configs.values() for name in type(cfg).model_fields}
    unknown = sorted(set(shared) - known)
    if unknown:
        raise ConfigError(
            f"{where}: 'shared' holds {', '.join(map(repr, unknown))}, not a field of any node",
            hint="check the spelling; `sagewright config-schema STEP` lists the fields",
            code="unknown_field",
            where=f"{where}:shared.{unknown[0]}",
        )
    if topology is not None:
        for node in topology.nodes:
            if node not in configs:
                raise ConfigError(
                    f"{where}: node '{node}' of the topology has no config",
                    hint="run `sagewright init-config` for the topology, or add the node",
                    code="node_without_config",
                    where=f"{where}:{node}",
                )
    check_across_nodes(configs, where)
    return configs


@dataclass(frozen=True)
class Placeholder:
    """A value ``init-config`` invented for an essential field nobody stated."""

    node: str
    path: str  # dotted field path, e.g. "role_arn" or "hyperparameters.label_name"
    value: Any

    def __str__(self) -> str:
        return f"{self.node}.{self.path}"


@dataclass(frozen=True)
class ConfigFile:
    """A loaded config file: the configs plus its placeholder bookkeeping."""

    configs: dict[str, StepConfig]
    placeholders: tuple[Placeholder, ...] = ()
    allow_placeholders: bool = False
    where: str = "configs"

    def unresolved(self) -> list[Placeholder]:
        """Placeholders whose field still holds the invented value."""
        return [
            p
            for p in self.placeholders
            if p.node in self.configs
            and _get_path(self.configs[p.node].stored_fields(), p.path) == p.value
        ]

    def require_resolved(self, *, allow: bool = False) -> None:
        """Raise unless every placeholder was replaced (or the file or caller allows them)."""
        left = [] if allow or self.allow_placeholders else self.unresolved()
        if left:
            names = ", ".join(sorted({p.path for p in left}))
            raise ConfigError(
                f"{self.where}: {len(left)} placeholder value(s) still unresolved: {names} "
                f"(first at node '{left[0].node}')",
                hint="replace them with real values (or delete their 'placeholders' entries), "
                "or pass --allow-placeholders",
                code="unresolved_placeholders",
                where=f"{self.where}:{left[0]}",
            )


def load_config_file(
    source: str | Path | Mapping[str, Any],
    *,
    topology: Topology | None = None,
    registry: Registry | None = None,
) -> ConfigFile:
    """Like :func:`load_configs`, keeping the ``placeholders`` and ``allow_placeholders`` keys."""
    where, data = _read(source)
    configs = _configs_from(where, data, topology, registry)
    raw = data.get("placeholders", [])
    if not isinstance(raw, list) or not all(
        isinstance(p, list) and len(p) == 3 and isinstance(p[0], str) and isinstance(p[1], str)
        for p in raw
    ):
        raise ConfigError(
            f"{where}: 'placeholders' must be a list of [node, field, value] entries",
            code="malformed_config",
            where=where,
        )
    allow = data.get("allow_placeholders", False)
    if not isinstance(allow, bool):
        raise ConfigError(
            f"{where}: 'allow_placeholders' must be true or false",
            code="malformed_config",
            where=where,
        )
    marked = tuple(Placeholder(node, path, value) for node, path, value in raw)
    return ConfigFile(configs, marked, allow, where)


def _get_path(data: Mapping[str, Any], path: str) -> Any:
    current: Any = data
    for part in path.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return current


def _read(source: str | Path | Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    if isinstance(source, Mapping):
        return "configs", dict(source)
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: file not found", code="file_not_found", where=str(path)
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path}: cannot read file: {exc}", code="unreadable_file", where=str(path)
        ) from None
    try:
        data = jsonio.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            code="malformed_json",
            where=str(path),
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a JSON object", code="malformed_config", where=str(path)
        )
    return str(path), data


def _check_header(data: dict[str, Any], where: str) -> None:
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ConfigError(
            f"{where}: missing or non-integer 'format_version'",
            hint=f"this sagewright writes format_version {FORMAT_VERSION}",
            code="malformed_config",
            where=where,
        )
    if version < 1:
        raise ConfigError(
            f"{where}: format_version {version} does not exist (versions start at 1)",
            hint=f"this sagewright writes format_version {FORMAT_VERSION}",
            code="malformed_config",
            where=where,
        )
    if version > FORMAT_VERSION:
        raise ConfigError(
            f"{where}: format_version {version} is newer than this sagewright reads "
            f"({FORMAT_VERSION})",
            hint="upgrade sagewright to load this file",
            code="newer_format",
            where=where,
        )
    if not isinstance(data.get("nodes"), dict):
        raise ConfigError(
            f"{where}: missing 'nodes' object (node -> config class map)",
            code="malformed_config",
            where=where,
        )


def _load_node(
    node: str,
    entry: object,
    shared: dict[str, Any],
    specific: dict[str, Any],
    reg: Registry,
    where: str,
) -> StepConfig:
    here = f"{where}: node '{node}'"
    if not isinstance(entry, dict):
        raise ConfigError(
            f"{here}: entry must be an object with step_type and config_class",
            code="malformed_config",
            where=f"{where}:{node}",
        )
    step_type = entry.get("step_type", step_type_of(node))
    try:
        spec = reg.get(str(step_type))
    except UnknownStepError as exc:
        raise ConfigError(
            f"{here}: {exc.message}", hint=exc.hint, code="unknown_step", where=f"{where}:{node}"
        ) from None
    cls = spec.config_class
    if entry.get("config_class", cls.__name__) != cls.__name__:
        raise ConfigError(
            f"{here}: unknown config class '{entry.get('config_class')}' for step type {spec.name}",
            hint=f"{spec.name} uses {cls.__name__}",
            code="unknown_config_class",
            where=f"{where}:{node}",
        )
    own = specific.get(node, {})
    if not isinstance(own, dict):
        raise ConfigError(
            f"{here}: values must be a JSON object",
            code="malformed_config",
            where=f"{where}:{node}",
        )
    values = {k: v for k, v in shared.items() if k in cls.model_fields} | own
    try:
        return cls.model_validate(values)
    except ValidationError as exc:
        raise config_error(exc, here) from None
