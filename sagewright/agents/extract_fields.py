"""Value keys: where a stated value goes in :class:`PipelineValues` and how it is validated.

A *key* names one value the user can state: a row of
:data:`sagewright.registry.value_keys.VALUE_KEYS` (``region``, ``gate.threshold``,
``data.training.s3_uri``, ``framework``, ``categories`` ...), ``hyperparameters.NAME``,
``tuning.ranges.NAME``, or ``NODE.PATH`` (``config.NODE.PATH``) for any other field of one node
(``BatchTransform_inference.transform_instance_type``), stored in ``per_node``.

Every value is checked against the Pydantic type (with its constraints) of the config field
it lands in, one field at a time; rules spanning fields are checked when configs are built.
"""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from sagewright.facts import RANGES_PREFIX, PipelineValues, bounds_of, range_of
from sagewright.registry import JOB_TYPES, Registry, default_registry
from sagewright.registry.frameworks import HYPERPARAMETER_ALIASES
from sagewright.registry.hyperparameters import (
    DATA_DESCRIPTION_FIELDS,
    ModelHyperparameters,
    PyTorchHyperparameters,
    XGBoostHyperparameters,
)
from sagewright.registry.kinds import DATA_SOURCE_FIELDS
from sagewright.registry.validation import field_problems
from sagewright.registry.value_keys import ValueKey, data_fields, named, pipeline_row, rows
from sagewright.topology import step_type_of

HYPERPARAMETER_CLASSES: dict[str, type[ModelHyperparameters]] = {
    "xgboost": XGBoostHyperparameters,
    "pytorch": PyTorchHyperparameters,
}
# Fields of the hyperparameter classes that are not training knobs.
NOT_KNOBS = DATA_DESCRIPTION_FIELDS | {"framework"}
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


def target_of(row: ValueKey, registry: Registry | None = None) -> tuple[type[BaseModel], str]:
    """The model and field a row's value is validated by (a step type looked up)."""
    if isinstance(row.model, str):
        return (registry or default_registry()).get(row.model).config_class, row.field
    return row.model, row.field


def _target(
    key: str, framework: str, registry: Registry | None = None
) -> tuple[type[BaseModel], str]:
    reg = registry or default_registry()
    row = named(key)
    if row is not None:
        return target_of(row, reg)
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
    if (
        len(parts) == 3
        and parts[0] == "data"
        and parts[1] in JOB_TYPES
        and parts[2] in data_fields()
    ):
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


def _place(values: PipelineValues, key: str, *, write: bool = False) -> tuple[dict[str, Any], str]:
    """The dict that keeps ``key``'s value and its name in it (made when ``write``)."""
    key = key.removeprefix("config.")
    row = named(key)
    if row is not None:
        return values.slot(row, write=write), row.field

    def inner(parent: dict[str, Any], name: str) -> dict[str, Any]:
        child: dict[str, Any] = parent.setdefault(name, {}) if write else parent.get(name, {})
        return child

    parts = key.split(".")
    if key.startswith(RANGES_PREFIX):
        ranges = inner(inner(values.steps, "HyperparameterTuning"), "ranges")
        return ranges, key.removeprefix(RANGES_PREFIX)
    if key.startswith("hyperparameters."):
        return values.hyperparameters, hyperparameter_field(key.removeprefix("hyperparameters."))
    if len(parts) == 3 and parts[0] == "data":
        return inner(values.data, parts[1]), parts[2]
    match = NODE_KEY.fullmatch(key)
    if match is None:
        raise KeyError(key)
    return inner(values.per_node, match["node"]), match["path"]


def read_key(values: PipelineValues, key: str) -> Any:
    """The value stored under ``key``, or None."""
    key = key.removeprefix("config.")
    try:
        kept, name = _place(values, key)
    except KeyError:
        return None
    value = kept.get(name)
    return bounds_of(value) if value is not None and key.startswith(RANGES_PREFIX) else value


def apply_key(values: PipelineValues, key: str, value: Any) -> None:
    """Store an already validated value; a data source replaces that job type's other sources."""
    key = key.removeprefix("config.")
    kept, name = _place(values, key, write=True)
    if key.startswith("data.") and name in DATA_SOURCE_FIELDS:
        for other in DATA_SOURCE_FIELDS:
            kept.pop(other, None)
    kept[name] = range_of(value) if key.startswith(RANGES_PREFIX) else value


def clear_key(values: PipelineValues, key: str) -> None:
    """Forget the value under ``key`` (so its default, or a question, applies)."""
    try:
        kept, name = _place(values, key)
    except KeyError:
        return
    kept.pop(name, None)


def stated_keys(values: PipelineValues) -> dict[str, Any]:
    """Every key that holds a value, extra keys included."""
    return values.keyed(facts_only=False)


def key_for_config_path(path: str, node: str) -> str | None:
    """The key a config field path of ``node`` is stated under (used to map build errors)."""
    name = path.split(".")[-1]
    shared = pipeline_row(name)
    if shared is not None:
        return shared.key
    if path.startswith("hyperparameters."):
        return f"hyperparameters.{name}"
    step_type = step_type_of(node)
    for row in rows("gate", "step"):
        if row.model == step_type and row.field == (name if row.scope == "gate" else path):
            return row.key
    if step_type == "HyperparameterTuning" and path.startswith("ranges."):
        return RANGES_PREFIX + path.split(".")[1]
    if step_type == "DataLoading" and name in data_fields() and "_" in node:
        return f"data.{node.split('_', 1)[1]}.{name}"
    return None
