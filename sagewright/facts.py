"""Canonical fact keys (the step catalogue's) and the config fields that carry them.

The keys stated by their own name, and the fields they fill, are the rows of
:data:`sagewright.registry.value_keys.VALUE_KEYS` marked ``fact`` (region, label_name,
training.instance_type, gate.threshold, tuning.max_jobs, data.JOBTYPE.s3_uri ...). Besides:

=============================  ==================================================================
fact key                       config field(s)
=============================  ==================================================================
hyperparameters.NAME           ``hyperparameters.NAME`` of the training / tuning config
                               (``lambda`` -> ``reg_lambda``, ``alpha`` -> ``reg_alpha``)
tuning.ranges.NAME             ``ranges.NAME`` of the HyperparameterTuning config, ``[low, high]``
config.NODE.FIELD              any other field of one node (the path ``config-schema`` prints)
=============================  ==================================================================
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sagewright.registry.config_base import StepConfig
from sagewright.registry.frameworks import HYPERPARAMETER_ALIASES
from sagewright.registry.hyperparameters import DATA_DESCRIPTION_FIELDS
from sagewright.registry.value_keys import ValueKey, named, rows

RANGES_PREFIX = "tuning.ranges."


@dataclass
class PipelineValues:
    """Values for a pipeline's configs, before they are validated.

    ``shared``: pipeline-wide field name -> value (region, label_name, framework ...);
    ``data``: job type -> {source field: value}; ``hyperparameters``: name -> value;
    ``gate``: QualityGate field -> value; ``steps``: step type -> field -> value (every node
    of that type); ``per_node``: node -> field -> value (overrides).
    """

    shared: dict[str, Any] = field(default_factory=dict)
    data: dict[str, dict[str, Any]] = field(default_factory=dict)
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    gate: dict[str, Any] = field(default_factory=dict)
    per_node: dict[str, dict[str, Any]] = field(default_factory=dict)
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_facts(cls, facts: Mapping[str, Any]) -> PipelineValues:
        values = cls()
        for key, value in facts.items():
            values.set_fact(key, value)
        return values

    def slot(self, row: ValueKey, *, write: bool = True) -> dict[str, Any]:
        """Where the value of a named key is kept, by its row's scope."""
        if row.scope == "pipeline":
            return self.shared
        if row.scope == "gate":
            return self.gate
        model = str(row.model)
        return self.steps.setdefault(model, {}) if write else self.steps.get(model, {})

    def value_of(self, row: ValueKey) -> Any:
        return self.slot(row, write=False).get(row.field)

    def of_step(self, step_type: str, job_type: str | None) -> dict[str, Any]:
        """What is kept for a node of ``step_type``: its job type's data, gate, step settings."""
        out: dict[str, Any] = {}
        if any(row.model == step_type for row in rows("data")):
            out.update(self.data.get(job_type or "", {}))
        if any(row.model == step_type for row in rows("gate")):
            out.update(self.gate)
        return out | self.steps.get(step_type, {})

    def set_fact(self, key: str, value: Any) -> None:
        row = named(key)
        if row is not None and row.fact:
            self.slot(row)[row.field] = value
        elif key.startswith(RANGES_PREFIX):
            tuning = self.steps.setdefault("HyperparameterTuning", {})
            tuning.setdefault("ranges", {})[key.removeprefix(RANGES_PREFIX)] = range_of(value)
        elif key.startswith("hyperparameters."):
            name = key.removeprefix("hyperparameters.")
            self.hyperparameters[HYPERPARAMETER_ALIASES.get(name, name)] = value
        elif key.startswith("data.") and key.count(".") == 2:
            _, job_type, source = key.split(".")
            self.data.setdefault(job_type, {})[source] = value
        elif key.startswith("config.") and key.count(".") >= 2:
            _, node, path = key.split(".", 2)
            self.per_node.setdefault(node, {})[path] = value
        else:
            raise KeyError(f"unknown fact key '{key}'")

    def facts(self) -> dict[str, Any]:
        return self.keyed()

    def keyed(self, *, facts_only: bool = True) -> dict[str, Any]:
        """Every value under its canonical fact key; with ``facts_only=False`` every value under
        the key it is stated by (``framework`` too, ``reg_lambda`` as such, ``NODE.PATH``)."""
        out = {
            row.key: self.value_of(row)
            for row in rows("pipeline", "gate", "step")
            if (row.fact or not facts_only) and self.value_of(row) is not None
        }
        said = {v: k for k, v in HYPERPARAMETER_ALIASES.items()} if facts_only else {}
        out |= {f"hyperparameters.{said.get(n, n)}": v for n, v in self.hyperparameters.items()}
        out |= {f"data.{job}.{f}": v for job, kept in self.data.items() for f, v in kept.items()}
        ranges = self.steps.get("HyperparameterTuning", {}).get("ranges", {})
        out |= {RANGES_PREFIX + name: bounds_of(spec) for name, spec in ranges.items()}
        node_prefix = "config." if facts_only else ""
        for node, fields in self.per_node.items():
            out |= {f"{node_prefix}{node}.{path}": value for path, value in fields.items()}
        return out


def range_of(value: Any) -> Any:
    """``[low, high]`` as a tuning range (integer when both ends are integers)."""
    if isinstance(value, (list, tuple)) and len(value) == 2:
        low, high = value
        kind = "integer" if all(isinstance(v, int) for v in value) else "continuous"
        return {"type": kind, "min_value": low, "max_value": high}
    return value


def bounds_of(spec: Any) -> Any:
    """A tuning range back as ``[low, high]`` (categorical ranges as their values)."""
    data = spec if isinstance(spec, Mapping) else getattr(spec, "model_dump", lambda: spec)()
    if not isinstance(data, Mapping):
        return data
    if data.get("type") == "categorical":
        return list(data.get("values", []))
    low, high = data.get("min_value"), data.get("max_value")
    if data.get("type") == "integer":
        return [int(low), int(high)] if low is not None and high is not None else [low, high]
    return [low, high]


def facts_from_configs(
    configs: Mapping[str, StepConfig], *, placeholders: Collection[tuple[str, str]] = ()
) -> dict[str, Any]:
    """Read canonical facts back from filled configs.

    Only values that were given (``model_fields_set``) count, so defaults are never
    reported as stated facts; ``placeholders`` ((node, field) pairs) are left out too.
    """
    facts: dict[str, Any] = {}
    for node, cfg in configs.items():
        given = _given_fields(cfg, node, set(placeholders))
        for row in rows("pipeline", "gate", "step", "data"):
            mine = row.scope == "pipeline" or cfg.step_type == row.model
            if not (row.fact and mine and row.field in given):
                continue
            if row.scope != "data":
                facts.setdefault(row.key, given[row.field])
            elif given[row.field]:
                facts.setdefault(f"data.{given['job_type']}.{row.field}", given[row.field])
        if cfg.step_type == "HyperparameterTuning":
            for name, spec in (given.get("ranges") or {}).items():
                facts.setdefault(RANGES_PREFIX + name, bounds_of(spec))
        reverse = {v: k for k, v in HYPERPARAMETER_ALIASES.items()}
        for name, value in given.get("hyperparameters", {}).items():
            if name not in DATA_DESCRIPTION_FIELDS and name != "framework":
                facts.setdefault(f"hyperparameters.{reverse.get(name, name)}", value)
    return facts


def _given_fields(cfg: StepConfig, node: str, placeholders: set[tuple[str, str]]) -> dict[str, Any]:
    """Explicitly given values; nested schema fields of hyperparameters lifted to top level."""
    data = cfg.stored_fields()
    given = {k: data[k] for k in cfg.model_fields_set if (node, k) not in placeholders}
    hyper = getattr(cfg, "hyperparameters", None)
    if hyper is not None and "hyperparameters" in given:
        own = {
            k: data["hyperparameters"][k]
            for k in hyper.model_fields_set
            if (node, f"hyperparameters.{k}") not in placeholders
        }
        given["hyperparameters"] = own
        for name in DATA_DESCRIPTION_FIELDS:
            if name in own:
                given.setdefault(name, own[name])
    return given
