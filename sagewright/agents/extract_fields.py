"""Value keys: where a stated value goes in :class:`PipelineValues` and how it is validated.

A *key* names one value the user can state. It is a canonical fact key of
:mod:`sagewright.facts` (``region``, ``data.training.s3_uri``, ``hyperparameters.max_depth``,
``gate.threshold`` ...) or one of a few extra keys that are not facts but still stated:

=================================  ==========================================================
extra key                          meaning
=================================  ==========================================================
``framework``                      xgboost / pytorch, when the topology does not say it
``cat_field_list``,                pipeline-wide feature column lists
``tab_field_list``
``categories``                     declared values of each categorical column (a defaults
                                   file or an answer sets it; preprocessing codes them alike)
``gate.comparison``                ``>=``, ``>``, ``<=``, ``<`` of the QualityGate
``data.JOBTYPE.redshift_cluster_id``  the Redshift cluster of that job type's DataLoading
``NODE.PATH``                      any other field of one node (``BatchTransform_inference.
                                   transform_instance_type``), stored in ``per_node``
=================================  ==========================================================

Every value is checked against the Pydantic type (with its constraints) of the config field
it lands in, one field at a time; rules spanning fields are checked when configs are built.
"""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from sagewright.facts import (
    GATE_FACTS,
    PIPELINE_FACTS,
    RANGES_PREFIX,
    STEP_FACTS,
    PipelineValues,
)
from sagewright.registry import JOB_TYPES, Registry, default_registry
from sagewright.registry.config_base import (
    BaseConfig,
    ExistingModelConfig,
    FrameworkConfig,
    ProcessingConfig,
    TrainingConfig,
)
from sagewright.registry.frameworks import HYPERPARAMETER_ALIASES
from sagewright.registry.hyperparameters import (
    DATA_DESCRIPTION_FIELDS,
    ModelHyperparameters,
    PyTorchHyperparameters,
    XGBoostHyperparameters,
)
from sagewright.registry.kinds import DATA_SOURCE_FIELDS
from sagewright.registry.validation import field_problems
from sagewright.topology import step_type_of

DATA_FIELDS = (
    *DATA_SOURCE_FIELDS,
    "redshift_cluster_id",
    "athena_database",
    "athena_workgroup",
    "redshift_database",
)
HYPERPARAMETER_CLASSES: dict[str, type[ModelHyperparameters]] = {
    "xgboost": XGBoostHyperparameters,
    "pytorch": PyTorchHyperparameters,
}
# Fields of the hyperparameter classes that are not training knobs.
NOT_KNOBS = DATA_DESCRIPTION_FIELDS | {"framework"}

#: Pipeline-wide key -> (model class, or the step type whose config holds it; field name).
SHARED_TARGETS: dict[str, tuple[type[BaseModel] | str, str]] = {
    "region": (BaseConfig, "region"),
    "role_arn": (BaseConfig, "role_arn"),
    "bucket": (BaseConfig, "bucket"),
    "pipeline_name": (BaseConfig, "pipeline_name"),
    "label_name": (ModelHyperparameters, "label_name"),
    "id_name": (ModelHyperparameters, "id_name"),
    "cat_field_list": (ModelHyperparameters, "cat_field_list"),
    "tab_field_list": (ModelHyperparameters, "tab_field_list"),
    "categories": ("TabularPreprocessing", "categories"),
    "training.instance_type": (TrainingConfig, "training_instance_type"),
    "training.instance_count": (TrainingConfig, "training_instance_count"),
    "processing.instance_type": (ProcessingConfig, "processing_instance_type"),
    "existing_model_uri": (ExistingModelConfig, "existing_model_uri"),
    "framework": (FrameworkConfig, "framework"),
}
_GATE_TARGETS = {
    "gate.metric": "metric",
    "gate.threshold": "threshold",
    "gate.comparison": "comparison",
}
NODE_KEY = re.compile(r"^(?P<node>[A-Z][A-Za-z0-9]*(?:_[a-z0-9]+)?)\.(?P<path>[a-z_][a-z0-9_.]*)$")


class KeyRejected(ValueError):
    """A value that its field does not accept; ``message`` is the validation message."""

    def __init__(self, key: str, value: Any, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.value = value
        self.message = message


def hyperparameter_field(name: str) -> str:
    """The config field of a hyperparameter name (``lambda`` -> ``reg_lambda``)."""
    return HYPERPARAMETER_ALIASES.get(name, name)


def hyperparameter_names(framework: str) -> list[str]:
    """Training knobs of a framework (input-schema fields and derived ones left out)."""
    cls = HYPERPARAMETER_CLASSES[framework]
    return [n for n in cls.model_fields if n not in NOT_KNOBS]


def is_known_key(key: str, framework: str) -> bool:
    try:
        _target(key, framework)
    except KeyError:
        return False
    return True


def validate_key(
    key: str, value: Any, *, framework: str = "xgboost", registry: Registry | None = None
) -> Any:
    """The value as its field's Pydantic type accepts it (``"6"`` -> ``6``), else KeyRejected."""
    model, name = _target(key, framework, registry)
    adapter = _adapter(model, name)
    try:
        clean = adapter.validate_python(value)
    except ValidationError as exc:
        problems = field_problems(exc)
        message = "; ".join(p.message for p in problems) or str(exc)
        raise KeyRejected(key, value, message) from None
    if key.startswith(RANGES_PREFIX):
        if clean[0] >= clean[1]:
            raise KeyRejected(key, value, "a range needs its low end below its high end")
        return list(clean)
    return clean


def shared_target(key: str, registry: Registry | None = None) -> tuple[type[BaseModel], str]:
    """The model and field of a pipeline-wide key of :data:`SHARED_TARGETS`."""
    model, name = SHARED_TARGETS[key]
    if isinstance(model, str):
        return (registry or default_registry()).get(model).config_class, name
    return model, name


def _target(
    key: str, framework: str, registry: Registry | None = None
) -> tuple[type[BaseModel], str]:
    reg = registry or default_registry()
    if key in SHARED_TARGETS:
        return shared_target(key, reg)
    if key in _GATE_TARGETS:
        return reg.get("QualityGate").config_class, _GATE_TARGETS[key]
    if key in STEP_FACTS:
        step_type, name = STEP_FACTS[key]
        return reg.get(step_type).config_class, name
    if key.startswith(RANGES_PREFIX):
        return _RangeBounds, "bounds"
    if key.startswith("config."):
        key = key.removeprefix("config.")
    if key.startswith("hyperparameters."):
        name = hyperparameter_field(key.removeprefix("hyperparameters."))
        cls = HYPERPARAMETER_CLASSES.get(framework, XGBoostHyperparameters)
        if name in cls.model_fields and name not in NOT_KNOBS:
            return cls, name
        raise KeyError(key)
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "data" and parts[1] in JOB_TYPES and parts[2] in DATA_FIELDS:
        return reg.get("DataLoading").config_class, parts[2]
    match = NODE_KEY.fullmatch(key)
    if match and step_type_of(match["node"]) in reg:
        config = reg.get(step_type_of(match["node"])).config_class
        return _nested_target(config, match["path"], framework, key)
    raise KeyError(key)


class _RangeBounds(BaseModel):
    """A tuning range as stated: low below high."""

    bounds: tuple[int, int] | tuple[float, float]


def _nested_target(
    cls: type[BaseModel], path: str, framework: str, key: str
) -> tuple[type[BaseModel], str]:
    head, _, rest = path.partition(".")
    if head not in cls.model_fields:
        raise KeyError(key)
    if not rest:
        return cls, head
    if head == "hyperparameters":
        return _nested_target(HYPERPARAMETER_CLASSES[framework], rest, framework, key)
    raise KeyError(key)


@functools.cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    info = model.model_fields[name]
    annotation: Any = info.annotation
    if info.metadata:
        annotation = Annotated[(annotation, *info.metadata)]  # keep ge/le/pattern constraints
    return TypeAdapter(annotation)


def read_key(values: PipelineValues, key: str) -> Any:
    """The value stored under ``key``, or None."""
    if key in PIPELINE_FACTS:
        return values.shared.get(PIPELINE_FACTS[key])
    if key in SHARED_TARGETS:
        return values.shared.get(key)
    if key in _GATE_TARGETS:
        return values.gate.get(_GATE_TARGETS[key])
    if key in STEP_FACTS or key.startswith(RANGES_PREFIX):
        return values.facts().get(key)
    key = key.removeprefix("config.")
    if key.startswith("hyperparameters."):
        return values.hyperparameters.get(
            hyperparameter_field(key.removeprefix("hyperparameters."))
        )
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "data":
        return values.data.get(parts[1], {}).get(parts[2])
    match = NODE_KEY.fullmatch(key)
    if match:
        return values.per_node.get(match["node"], {}).get(match["path"])
    return None


def apply_key(values: PipelineValues, key: str, value: Any) -> None:
    """Store an already validated value; a data source replaces that job type's other sources."""
    key = key.removeprefix("config.")
    if (
        key in PIPELINE_FACTS
        or key.startswith(("hyperparameters.", RANGES_PREFIX))
        or key in GATE_FACTS
        or key in STEP_FACTS
    ):
        values.set_fact(key, value)
    elif key in SHARED_TARGETS:
        values.shared[key] = value
    elif key in _GATE_TARGETS:
        values.gate[_GATE_TARGETS[key]] = value
    elif key.startswith("data.") and key.count(".") == 2:
        _, job_type, name = key.split(".")
        sources = values.data.setdefault(job_type, {})
        if name in DATA_SOURCE_FIELDS:
            for other in DATA_SOURCE_FIELDS:
                sources.pop(other, None)
        sources[name] = value
    else:
        match = NODE_KEY.fullmatch(key)
        if not match:
            raise KeyError(key)
        values.per_node.setdefault(match["node"], {})[match["path"]] = value


def clear_key(values: PipelineValues, key: str) -> None:
    """Forget the value under ``key`` (so its default, or a question, applies)."""
    key = key.removeprefix("config.")
    if key in PIPELINE_FACTS:
        values.shared.pop(PIPELINE_FACTS[key], None)
    elif key in STEP_FACTS:
        step_type, name = STEP_FACTS[key]
        values.steps.get(step_type, {}).pop(name, None)
    elif key.startswith(RANGES_PREFIX):
        tuning = values.steps.get("HyperparameterTuning", {})
        tuning.get("ranges", {}).pop(key.removeprefix(RANGES_PREFIX), None)
    elif key in SHARED_TARGETS:
        values.shared.pop(key, None)
    elif key in _GATE_TARGETS:
        values.gate.pop(_GATE_TARGETS[key], None)
    elif key.startswith("hyperparameters."):
        values.hyperparameters.pop(hyperparameter_field(key.removeprefix("hyperparameters.")), None)
    elif key.startswith("data.") and key.count(".") == 2:
        _, job_type, name = key.split(".")
        values.data.get(job_type, {}).pop(name, None)
    else:
        match = NODE_KEY.fullmatch(key)
        if match:
            values.per_node.get(match["node"], {}).pop(match["path"], None)


def stated_keys(values: PipelineValues) -> dict[str, Any]:
    """Every key that holds a value, extra keys included."""
    out: dict[str, Any] = {}
    for key in SHARED_TARGETS:
        if read_key(values, key) is not None:
            out[key] = read_key(values, key)
    for key in _GATE_TARGETS:
        if read_key(values, key) is not None:
            out[key] = read_key(values, key)
    for name, value in values.hyperparameters.items():
        out[f"hyperparameters.{name}"] = value
    for key, value in values.facts().items():
        if key in STEP_FACTS or key.startswith(RANGES_PREFIX):
            out[key] = value
    for job_type, fields in values.data.items():
        for name, value in fields.items():
            out[f"data.{job_type}.{name}"] = value
    for node, fields in values.per_node.items():
        for path, value in fields.items():
            out[f"{node}.{path}"] = value
    return out


def key_for_config_path(path: str, node: str) -> str | None:
    """The key a config field path of ``node`` is stated under (used to map build errors)."""
    name = path.split(".")[-1]
    reverse = {field: key for key, field in PIPELINE_FACTS.items()}
    if name in reverse:
        return reverse[name]
    if name in SHARED_TARGETS:
        return name
    if path.startswith("hyperparameters."):
        return f"hyperparameters.{name}"
    if step_type_of(node) == "QualityGate":
        reverse_gate = {field: key for key, field in _GATE_TARGETS.items()}
        return reverse_gate.get(name)
    for key, (step_type, field_name) in STEP_FACTS.items():
        if step_type == step_type_of(node) and path == field_name:
            return key
    if step_type_of(node) == "HyperparameterTuning" and path.startswith("ranges."):
        return RANGES_PREFIX + path.split(".")[1]
    if step_type_of(node) == "DataLoading" and name in DATA_FIELDS and "_" in node:
        return f"data.{node.split('_', 1)[1]}.{name}"
    return None
