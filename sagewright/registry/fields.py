"""Field helpers that attach sagewright metadata (tier, scope, example) to Pydantic fields.

Tiers decide who provides a value:

* ``essential`` -- the user must say it (no safe default exists);
* ``default``   -- a sensible default exists; the user may override it;
* ``derived``   -- computed (from other fields or from the topology), never asked.

Scope ``pipeline`` marks fields that mean the same thing for every node of a pipeline
(region, bucket, label name ...): they are asked once and stored once.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined


class Tier(StrEnum):
    ESSENTIAL = "essential"
    DEFAULT = "default"
    DERIVED = "derived"


def _field(
    tier: Tier,
    default: Any,
    description: str,
    *,
    example: Any = None,
    pipeline: bool = False,
    when: str | None = None,
    one_of: str | None = None,
    default_factory: Any = None,
    cues: tuple[str, ...] = (),
    **kwargs: Any,
) -> Any:
    extra: dict[str, Any] = {"tier": str(tier), "scope": "pipeline" if pipeline else "node"}
    if cues:
        extra["cues"] = list(cues)  # words that name this field in a requirement
    if when:
        extra["when"] = when  # essential only when this other field is set
    if one_of:
        extra["one_of"] = one_of  # exactly one field of this group must be set
    examples = [example] if example is not None else None
    if default_factory is not None:
        return Field(
            default_factory=default_factory,
            description=description,
            examples=examples,
            json_schema_extra=extra,
            **kwargs,
        )
    return Field(
        default, description=description, examples=examples, json_schema_extra=extra, **kwargs
    )


def essential(description: str, *, example: Any, **kwargs: Any) -> Any:
    """A value only the user can give. Conditional ones (``when``/``one_of``) default to None."""
    conditional = kwargs.get("when") or kwargs.get("one_of")
    default = None if conditional else PydanticUndefined
    return _field(Tier.ESSENTIAL, default, description, example=example, **kwargs)


def default(value: Any, description: str, **kwargs: Any) -> Any:
    if isinstance(value, list | dict):
        snapshot = value.copy()
        return _field(
            Tier.DEFAULT, None, description, default_factory=lambda: snapshot.copy(), **kwargs
        )
    return _field(Tier.DEFAULT, value, description, **kwargs)


def derived(description: str, value: Any = PydanticUndefined, **kwargs: Any) -> Any:
    """A value set from the topology (e.g. the node's job type), never asked."""
    return _field(Tier.DERIVED, value, description, **kwargs)


def _extra(info: FieldInfo) -> dict[str, Any]:
    extra = info.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def field_tier(model: type[BaseModel], name: str) -> Tier:
    if name in model.model_computed_fields:
        return Tier.DERIVED
    return Tier(str(_extra(model.model_fields[name]).get("tier", Tier.DEFAULT)))


def field_meta(model: type[BaseModel], name: str) -> dict[str, Any]:
    """Tier, scope, condition and group of one field, as plain data."""
    if name in model.model_computed_fields:
        return {"tier": str(Tier.DERIVED), "scope": "node"}
    return dict(_extra(model.model_fields[name]))


def field_cues(model: type[BaseModel], name: str) -> tuple[str, ...]:
    """The words that name a field in a requirement ("max features", "top k")."""
    return tuple(field_meta(model, name).get("cues", ()))


def is_pipeline_scoped(model: type[BaseModel], name: str) -> bool:
    return field_meta(model, name).get("scope") == "pipeline"
