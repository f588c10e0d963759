"""Configs for a topology from pipeline values: defaults, given values, derived job types.

``missing_fields`` says which essential values are still unknown (what to ask);
``build_configs`` validates every node's config, optionally filling unknown essentials
with clearly recorded placeholder examples (for previews and tests).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from sagewright.errors import ConfigError
from sagewright.facts import PipelineValues
from sagewright.registry import Registry, default_registry
from sagewright.registry.config_base import StepConfig
from sagewright.registry.hyperparameters import (
    ModelHyperparameters,
    PyTorchHyperparameters,
    XGBoostHyperparameters,
)
from sagewright.registry.kinds import DATA_SOURCE_FIELDS
from sagewright.registry.schema import FieldDoc, describe_fields
from sagewright.registry.validation import check_across_nodes, config_error
from sagewright.registry.value_keys import rows
from sagewright.topology import Topology, qualifier_of, step_type_of

PLACEHOLDERS: dict[str, Any] = {
    "region": "us-east-1",  # the SDK needs a real region; the file's placeholder list marks it
    "role_arn": "arn:aws:iam::123456789012:role/SagewrightPlaceholderRole",
    "bucket": "sagewright-placeholder-bucket",
    "pipeline_name": "sagewright-placeholder",
}
PLACEHOLDER_BUCKET = "sagewright-placeholder"


def placeholder_value(node: str, path: str, example: Any) -> Any:
    """A value that says it is a placeholder; each node gets its own data location.

    Examples such as ``is_fraud`` look real and one shared example URI would make every
    job type read one dataset once filled in, so strings are marked and URIs name the node.
    """
    if path in PLACEHOLDERS:
        return PLACEHOLDERS[path]
    if not isinstance(example, str):
        return example
    if example.startswith("s3://"):
        name = example.rstrip("/").rsplit("/", 1)[-1] if example.endswith(".tar.gz") else ""
        return f"s3://{PLACEHOLDER_BUCKET}/{node}/{name}"
    if example.upper().startswith("SELECT "):
        return f"SELECT * FROM placeholder.{node.lower()}"
    return f"PLACEHOLDER_{path.rsplit('.', 1)[-1]}"


def same_source_warnings(configs: Mapping[str, StepConfig]) -> list[str]:
    """Warnings for data steps of different job types that read one source."""
    readers: dict[str, list[str]] = {}
    for node, cfg in configs.items():
        if cfg.step_type != "DataLoading":
            continue
        for field_name in DATA_SOURCE_FIELDS:
            source = getattr(cfg, field_name, None)
            if source:
                readers.setdefault(str(source).strip(), []).append(node)
                break
    return [
        f"{' and '.join(nodes)} read the same data ({source}): a model would be evaluated "
        "or calibrated on the data it was trained on; give each job type its own source"
        for source, nodes in readers.items()
        if len(nodes) > 1
    ]


@dataclass(frozen=True)
class MissingField:
    node: str
    path: str  # dotted field path; a one-of group is "a|b|c"
    scope: str  # "pipeline" (ask once) or "node"
    doc: FieldDoc


@dataclass
class Scaffold:
    configs: dict[str, StepConfig]
    placeholders: list[tuple[str, str]] = field(default_factory=list)  # (node, path)


def topology_framework(topology: Topology) -> str | None:
    """The framework the topology's step types name (PyTorch* / XGBoost*), if any."""
    types = {step_type_of(n) for n in topology.nodes}
    if any(t.startswith("PyTorch") for t in types):
        return "pytorch"
    if any(t.startswith("XGBoost") for t in types):
        return "xgboost"
    return None


def infer_framework(topology: Topology, values: PipelineValues) -> str:
    """The stated framework, else the topology's, else the one the hyperparameters fit."""
    stated = values.shared.get("framework")
    if stated:
        return str(stated)
    named = topology_framework(topology)
    if named:
        return named
    stated_names = set(values.hyperparameters)
    if stated_names and stated_names <= set(PyTorchHyperparameters.model_fields) - set(
        XGBoostHyperparameters.model_fields
    ) | set(ModelHyperparameters.model_fields):
        return "pytorch"
    return "xgboost"


def node_values(
    node: str, cls: type[StepConfig], topology: Topology, values: PipelineValues
) -> dict[str, Any]:
    """The raw (unvalidated) values for one node's config class."""
    fields = cls.model_fields
    raw: dict[str, Any] = {k: v for k, v in values.shared.items() if k in fields and v is not None}
    job_type = qualifier_of(node)
    if "job_type" in fields and job_type:
        raw["job_type"] = job_type
    if "framework" in fields:
        raw["framework"] = infer_framework(topology, values)
    raw.update(values.of_step(cls.step_type, job_type))
    if "hyperparameters" in fields:
        hyper = {
            row.field: values.shared[row.field]
            for row in rows("pipeline")
            if row.in_hyperparameters and values.shared.get(row.field) is not None
        }
        hyper.update(values.hyperparameters)
        if cls.step_type == "HyperparameterTuning":
            hyper["framework"] = infer_framework(topology, values)
        raw["hyperparameters"] = hyper
    for path, value in values.per_node.get(node, {}).items():
        _set_path(raw, path, value)
    return raw


def missing_fields(
    topology: Topology, values: PipelineValues, *, registry: Registry | None = None
) -> list[MissingField]:
    """Essential fields still unknown, node by node (pipeline-scoped ones repeat per node)."""
    reg = registry or default_registry()
    missing: list[MissingField] = []
    for node in topology.nodes:
        cls = reg.get(step_type_of(node)).config_class
        raw = node_values(node, cls, topology, values)
        missing.extend(_missing_in(node, cls, raw))
    return missing


def _missing_in(node: str, cls: type[StepConfig], raw: dict[str, Any]) -> list[MissingField]:
    docs = describe_fields(cls)
    hyper = raw.get("hyperparameters")
    variant = hyper.get("framework") if isinstance(hyper, dict) else None
    found: list[MissingField] = []
    groups: dict[str, list[FieldDoc]] = {}
    for doc in docs:
        if doc.tier != "essential" or (doc.variant and variant and doc.variant != variant):
            continue
        if doc.one_of:
            groups.setdefault(doc.one_of, []).append(doc)
            continue
        if _get_path(raw, doc.path) is not None:
            continue
        if doc.required or (doc.when and _condition_holds(doc.when, raw)):
            found.append(MissingField(node, doc.path, doc.scope, doc))
    for group in groups.values():
        if all(_get_path(raw, d.path) is None for d in group):
            path = "|".join(d.path for d in group)
            found.append(MissingField(node, path, group[0].scope, group[0]))
    unique: dict[str, MissingField] = {}
    for item in found:
        unique.setdefault(item.path, item)
    return list(unique.values())


def _condition_holds(condition: str, raw: dict[str, Any]) -> bool:
    if condition == "labeled":
        return raw.get("job_type") != "inference"
    return bool(_get_path(raw, condition))


def build_configs(
    topology: Topology,
    values: PipelineValues,
    *,
    allow_placeholders: bool = False,
    registry: Registry | None = None,
) -> Scaffold:
    """Validated configs for every node; unknown essentials raise unless placeholders allowed."""
    reg = registry or default_registry()
    configs: dict[str, StepConfig] = {}
    placeholders: list[tuple[str, str]] = []
    missing = missing_fields(topology, values, registry=reg)
    if missing and not allow_placeholders:
        names = sorted({m.path if m.scope == "pipeline" else f"{m.node}.{m.path}" for m in missing})
        raise ConfigError(
            "missing essential values: " + ", ".join(names),
            hint="state them in the requirement, answer the questions, or pass a defaults file",
            code="missing_fields",
            where=names[0],
        )
    by_node: dict[str, list[MissingField]] = {}
    for item in missing:
        by_node.setdefault(item.node, []).append(item)
    for node in topology.nodes:
        cls = reg.get(step_type_of(node)).config_class
        raw = node_values(node, cls, topology, values)
        plain = copy.deepcopy(raw)
        for item in by_node.get(node, []):
            path = item.path.split("|")[0]
            _set_path(raw, path, placeholder_value(node, path, item.doc.example))
            _set_path(plain, path, PLACEHOLDERS.get(path, item.doc.example))
            placeholders.append((node, path))
        try:
            configs[node] = cls.model_validate(raw)
        except ValidationError:
            try:  # a field whose type refuses the marked value: its example
                configs[node] = cls.model_validate(plain)
            except ValidationError as exc:
                raise config_error(exc, f"node '{node}'") from None
    check_across_nodes(configs, placeholders=placeholders)
    return Scaffold(configs, placeholders)


def _get_path(data: dict[str, Any], path: str) -> Any:
    current: Any = data
    for part in path.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current


def _set_path(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    current = data
    for part in parents:
        current = current.setdefault(part, {})
    current[last] = value
