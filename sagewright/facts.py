"""Canonical fact keys (the step catalogue's) and the config fields that carry them.

=============================  ==================================================================
fact key                       config field(s)
=============================  ==================================================================
region, bucket, role_arn,      the same-named field of every config (pipeline-wide)
pipeline_name
label_name, id_name            ``label_name`` / ``id_name`` of preprocessing, evaluation and
                               payload configs, and ``hyperparameters.label_name`` / ``.id_name``
                               of training and tuning configs
data.JOBTYPE.s3_uri            ``s3_uri`` of the DataLoading node whose job type is JOBTYPE
data.JOBTYPE.athena_query      ``athena_query`` of that node
data.JOBTYPE.redshift_query    ``redshift_query`` of that node
training.instance_type         ``training_instance_type`` of training and tuning configs
processing.instance_type       ``processing_instance_type`` of every Processing config
hyperparameters.NAME           ``hyperparameters.NAME`` of the training / tuning config
                               (``lambda`` -> ``reg_lambda``, ``alpha`` -> ``reg_alpha``)
existing_model_uri             ``existing_model_uri`` of model-reading configs
gate.metric, gate.threshold,   ``metric`` / ``threshold`` / ``comparison`` of the QualityGate config
gate.comparison
training.instance_count        ``training_instance_count`` of training and tuning configs
tuning.NAME                    ``NAME`` of the HyperparameterTuning config (max_jobs,
                               max_parallel_jobs, strategy, objective_metric, objective_type)
tuning.ranges.NAME             ``ranges.NAME`` of that config, as ``[low, high]``
registration.model_package_    ``model_package_group_name`` / ``approval_status`` of
group, .approval_status        ModelRegistration
calibration.method             ``method`` of ModelCalibration
data.JOBTYPE.athena_database,  the same-named field of that DataLoading node
data.JOBTYPE.athena_workgroup
config.NODE.FIELD              any other field of one node (the path ``config-schema`` prints)
=============================  ==================================================================
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sagewright.registry.config_base import StepConfig
from sagewright.registry.frameworks import HYPERPARAMETER_ALIASES
from sagewright.registry.kinds import DATA_SOURCE_FIELDS

PIPELINE_FACTS = {
    "region": "region",
    "bucket": "bucket",
    "role_arn": "role_arn",
    "pipeline_name": "pipeline_name",
    "label_name": "label_name",
    "id_name": "id_name",
    "training.instance_type": "training_instance_type",
    "processing.instance_type": "processing_instance_type",
    "existing_model_uri": "existing_model_uri",
    "training.instance_count": "training_instance_count",
}
GATE_FACTS = {
    "gate.metric": "metric",
    "gate.threshold": "threshold",
    "gate.comparison": "comparison",
}
# Fact key -> (step type, field): values that belong to every node of one step type.
STEP_FACTS = {
    "tuning.max_jobs": ("HyperparameterTuning", "max_jobs"),
    "tuning.max_parallel_jobs": ("HyperparameterTuning", "max_parallel_jobs"),
    "tuning.strategy": ("HyperparameterTuning", "strategy"),
    "tuning.objective_metric": ("HyperparameterTuning", "objective_metric"),
    "tuning.objective_type": ("HyperparameterTuning", "objective_type"),
    "registration.model_package_group": ("ModelRegistration", "model_package_group_name"),
    "registration.approval_status": ("ModelRegistration", "approval_status"),
    "calibration.method": ("ModelCalibration", "method"),
}
RANGES_PREFIX = "tuning.ranges."
DATA_FACT_FIELDS = (*DATA_SOURCE_FIELDS, "athena_database", "athena_workgroup")
# Data-description fields that live inside ``hyperparameters`` on training configs but at top
# level elsewhere (lifted to the top when read back).
LIFTED_SCHEMA_FIELDS = (
    "label_name",
    "id_name",
    "cat_field_list",
    "tab_field_list",
    "full_field_list",
)


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

    def set_fact(self, key: str, value: Any) -> None:
        if key in PIPELINE_FACTS:
            self.shared[PIPELINE_FACTS[key]] = value
        elif key in GATE_FACTS:
            self.gate[GATE_FACTS[key]] = value
        elif key in STEP_FACTS:
            step_type, name = STEP_FACTS[key]
            self.steps.setdefault(step_type, {})[name] = value
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
        out: dict[str, Any] = {}
        for key, name in PIPELINE_FACTS.items():
            if self.shared.get(name) is not None:
                out[key] = self.shared[name]
        for key, name in GATE_FACTS.items():
            if self.gate.get(name) is not None:
                out[key] = self.gate[name]
        reverse = {v: k for k, v in HYPERPARAMETER_ALIASES.items()}
        for name, value in self.hyperparameters.items():
            out[f"hyperparameters.{reverse.get(name, name)}"] = value
        for job_type, sources in self.data.items():
            for source, value in sources.items():
                out[f"data.{job_type}.{source}"] = value
        for key, (step_type, name) in STEP_FACTS.items():
            if self.steps.get(step_type, {}).get(name) is not None:
                out[key] = self.steps[step_type][name]
        for name, spec in self.steps.get("HyperparameterTuning", {}).get("ranges", {}).items():
            out[RANGES_PREFIX + name] = bounds_of(spec)
        for node, fields in self.per_node.items():
            for path, value in fields.items():
                out[f"config.{node}.{path}"] = value
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
        for key, name in PIPELINE_FACTS.items():
            if name in given:
                facts.setdefault(key, given[name])
        if cfg.step_type == "QualityGate":
            for key, name in GATE_FACTS.items():
                if name in given:
                    facts.setdefault(key, given[name])
        if cfg.step_type == "DataLoading":
            for source in DATA_FACT_FIELDS:
                if given.get(source):
                    facts.setdefault(f"data.{given['job_type']}.{source}", given[source])
        for key, (step_type, name) in STEP_FACTS.items():
            if cfg.step_type == step_type and name in given:
                facts.setdefault(key, given[name])
        if cfg.step_type == "HyperparameterTuning":
            for name, spec in (given.get("ranges") or {}).items():
                facts.setdefault(RANGES_PREFIX + name, bounds_of(spec))
        reverse = {v: k for k, v in HYPERPARAMETER_ALIASES.items()}
        for name, value in given.get("hyperparameters", {}).items():
            if name not in LIFTED_SCHEMA_FIELDS and name != "framework":
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
        for name in LIFTED_SCHEMA_FIELDS:
            if name in own:
                given.setdefault(name, own[name])
    return given
