"""Field documentation read from config classes: the one source for CLI docs and questions."""

from __future__ import annotations

import types
from dataclasses import asdict, dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from sagewright.registry.fields import Tier, field_meta


@dataclass(frozen=True)
class FieldDoc:
    path: str  # dotted, e.g. "hyperparameters.max_depth"
    tier: str
    type: str
    description: str
    default: Any
    required: bool
    example: Any = None
    scope: str = "node"
    when: str | None = None
    one_of: str | None = None
    variant: str | None = None  # for union-typed nested models, e.g. "xgboost"
    constraints: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def describe_fields(model: type[BaseModel], prefix: str = "") -> list[FieldDoc]:
    """Every field of ``model`` (nested models expanded), computed fields as derived."""
    docs: list[FieldDoc] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        nested = _nested_models(info.annotation)
        if nested:
            for sub in nested:
                variant = _variant(sub) if len(nested) > 1 else None
                for doc in describe_fields(sub, f"{path}."):
                    docs.append(_with_variant(doc, variant))
            continue
        meta = field_meta(model, name)
        default = info.get_default(call_default_factory=True)
        docs.append(
            FieldDoc(
                path=path,
                tier=str(meta.get("tier", Tier.DEFAULT)),
                type=type_name(info.annotation),
                description=info.description or "",
                default=None if default is PydanticUndefined else default,
                required=info.is_required(),
                example=info.examples[0] if info.examples else None,
                scope=str(meta.get("scope", "node")),
                when=meta.get("when"),
                one_of=meta.get("one_of"),
                constraints=_constraints(info.metadata),
            )
        )
    for name, computed in model.model_computed_fields.items():
        docs.append(
            FieldDoc(
                path=f"{prefix}{name}",
                tier=str(Tier.DERIVED),
                type=type_name(computed.return_type),
                description=computed.description or (computed.wrapped_property.__doc__ or ""),
                default=None,
                required=False,
            )
        )
    return docs


def _with_variant(doc: FieldDoc, variant: str | None) -> FieldDoc:
    if variant is None:
        return doc
    return FieldDoc(**{**asdict(doc), "variant": variant})


def _variant(model: type[BaseModel]) -> str | None:
    field = model.model_fields.get("framework")
    return str(field.default) if field is not None else model.__name__


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    args = _flatten(annotation)
    models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
    return models if models and len(models) == len([a for a in args if a is not type(None)]) else []


def _flatten(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _flatten(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [x for arg in get_args(annotation) for x in _flatten(arg)]
    return [annotation]


def type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is Annotated:
        return type_name(get_args(annotation)[0])
    if origin is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(annotation))
    if origin in (Union, types.UnionType):
        parts = [type_name(a) for a in get_args(annotation) if a is not type(None)]
        optional = type(None) in get_args(annotation)
        return " | ".join(parts) + (" (optional)" if optional else "")
    if origin is not None:
        inner = ", ".join(type_name(a) for a in get_args(annotation))
        return f"{getattr(origin, '__name__', str(origin))}[{inner}]"
    return getattr(annotation, "__name__", str(annotation))


def _constraints(metadata: list[Any]) -> str:
    parts = []
    for item in metadata:
        for attr in ("gt", "ge", "lt", "le", "min_length", "max_length", "pattern"):
            value = getattr(item, attr, None)
            if value is not None:
                parts.append(f"{attr}={value}")
    return ", ".join(parts)
