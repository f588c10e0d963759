"""Questions from config schemas: what the user still has to say for a topology.

Questions come only from field metadata (:func:`sagewright.registry.schema.describe_fields`)
and :func:`sagewright.scaffold.missing_fields`, so they are deterministic and never name a
field that does not exist. Derived fields are never asked; default-tier fields only when a
stated value was rejected or contradicted.

Order (stable):

1. contradictions to resolve (``kind="conflict"``), in the order below;
2. pipeline-wide fields, asked once for the whole pipeline, in the ``order`` of their
   :data:`~sagewright.registry.value_keys.VALUE_KEYS` rows (the others after these, by key);
3. per-node fields, nodes in topological order (ties in the topology's own order); a
   DataLoading node's one-of source group is ONE question ``data.JOBTYPE.source``;
4. stated values that were rejected and are not already covered (``kind="invalid"``).

Keys: pipeline fields use their fact key (``region``, ``label_name``,
``training.instance_type``); data nodes ``data.JOBTYPE.FIELD`` (``data.calibration.source``);
the QualityGate ``gate.FIELD``; any other node ``NODE.PATH``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from sagewright.agents.extract_fields import HYPERPARAMETER_CLASSES, hyperparameter_field, target_of
from sagewright.agents.extract_result import Conflict, Rejected
from sagewright.dag import CycleError
from sagewright.facts import RANGES_PREFIX, PipelineValues
from sagewright.registry import PortMode, Registry, default_registry
from sagewright.registry.kinds import DATA_SOURCE_FIELDS
from sagewright.registry.schema import FieldDoc, describe_fields
from sagewright.registry.value_keys import answer_format, named, pipeline_row, question_order
from sagewright.scaffold import MissingField, infer_framework, missing_fields
from sagewright.topology import Topology, qualifier_of, step_type_of

#: The built-in pipeline question order (the rows' ``order``, read when this module loads).
PIPELINE_ORDER: tuple[str, ...] = tuple(question_order())
SOURCE_KEY_SUFFIX = "source"

QuestionKind = Literal["missing", "conflict", "invalid"]


@dataclass(frozen=True)
class Question:
    """One thing to ask. ``fields`` are the config field paths the answer fills, as
    ``NODE.PATH`` for node questions and the bare path for pipeline-wide ones."""

    key: str
    text: str
    scope: Literal["pipeline", "node"]
    fields: tuple[str, ...]
    nodes: tuple[str, ...]
    description: str
    type: str
    format: str
    example: Any = None
    default: Any = None
    has_default: bool = False
    choices: tuple[str, ...] = ()
    kind: QuestionKind = "missing"
    problem: str = ""  # the validation message or contradiction being re-asked


def node_order(topology: Topology) -> list[str]:
    """Topological order; ties keep the topology's own order. Cyclic input keeps list order."""
    try:
        return topology.build_order()
    except CycleError:
        return topology.nodes


def model_from_config_nodes(topology: Topology, registry: Registry | None = None) -> list[str]:
    """Nodes whose model must come from ``existing_model_uri`` (no parent produces it)."""
    reg = registry or default_registry()
    nodes = []
    for node, parents in topology.parents.items():
        spec = reg.get(step_type_of(node))
        for port in spec.inputs:
            if port.mode is not PortMode.OR_CONFIG:
                continue
            fed = any(
                port.kind in reg.get(step_type_of(p)).produced_kinds
                for p in parents
                if p in topology.parents
            )
            if not fed:
                nodes.append(node)
    return nodes


def pipeline_key(path: str) -> str:
    """Key of a pipeline-scoped field path (``hyperparameters.label_name`` -> ``label_name``)."""
    name = path.rsplit(".", 1)[-1]
    row = pipeline_row(name)
    return row.key if row is not None else name


def node_key(node: str, path: str) -> str:
    """Key of a node-scoped field (or one-of group ``a|b|c``) of ``node``."""
    step_type, job_type = step_type_of(node), qualifier_of(node)
    if step_type == "DataLoading" and job_type:
        name = SOURCE_KEY_SUFFIX if "|" in path else path
        return f"data.{job_type}.{name}"
    if step_type == "QualityGate" and node == "QualityGate":
        return f"gate.{path}"
    return f"{node}.{path}"


def key_of_value(key: str) -> str:
    """The question key a stated value key is asked under (data sources share one)."""
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "data" and parts[2] in DATA_SOURCE_FIELDS:
        return f"data.{parts[1]}.{SOURCE_KEY_SUFFIX}"
    return key


def questions_for(
    topology: Topology,
    values: PipelineValues,
    *,
    conflicts: Sequence[Conflict] = (),
    rejected: Sequence[Rejected] = (),
    registry: Registry | None = None,
) -> list[Question]:
    """Every question still open for ``topology`` given ``values``, in the documented order."""
    reg = registry or default_registry()
    missing = missing_fields(topology, values, registry=reg)
    conflict_keys = {key_of_value(c.key) for c in conflicts}
    framework = infer_framework(topology, values)

    pipeline: dict[str, list[MissingField]] = {}
    per_node: dict[str, list[MissingField]] = {}
    for item in missing:
        if item.scope == "pipeline":
            pipeline.setdefault(pipeline_key(item.path), []).append(item)
        else:
            per_node.setdefault(item.node, []).append(item)
    model_nodes = model_from_config_nodes(topology, reg)
    if model_nodes and not values.shared.get("existing_model_uri"):
        cls = reg.get(step_type_of(model_nodes[0])).config_class
        doc = _doc(cls, "existing_model_uri")
        pipeline["existing_model_uri"] = [
            MissingField(n, "existing_model_uri", "pipeline", doc) for n in model_nodes
        ]

    asked: list[Question] = []
    for key in _in_pipeline_order(pipeline):
        if key not in conflict_keys:
            # existing_model_uri has a default (none) but this topology cannot do without it
            required = key == "existing_model_uri"
            asked.append(_pipeline_question(key, pipeline[key], required=required))
    for node in node_order(topology):
        for item in per_node.get(node, []):
            question = _node_question(node, item)
            if question.key not in conflict_keys:
                asked.append(question)

    problems = {key_of_value(r.key): r for r in rejected if r.key}
    out = [_conflict_question(c, topology, values, framework, reg) for c in _sorted(conflicts)]
    for question in asked:
        problem = problems.pop(question.key, None)
        if problem is not None:
            question = replace(question, kind="invalid", problem=_rejected_text(problem))
            question = replace(question, text=f"{question.problem} {question.text}")
        out.append(question)
    for problem in problems.values():
        if key_of_value(problem.key) not in conflict_keys:
            out.append(_invalid_question(problem, topology, values, framework, reg))
    return out


def _in_pipeline_order(keys: Iterable[str]) -> list[str]:
    order = question_order()
    return [k for k in order if k in keys] + sorted(k for k in keys if k not in order)


def _sorted(conflicts: Sequence[Conflict]) -> list[Conflict]:
    rank = {k: i for i, k in enumerate(question_order())}
    return sorted(conflicts, key=lambda c: (rank.get(c.key, len(rank)), c.key))


def _pipeline_question(key: str, items: list[MissingField], *, required: bool = False) -> Question:
    doc = items[0].doc
    nodes = tuple(dict.fromkeys(m.node for m in items))
    fields = tuple(dict.fromkeys(m.path for m in items))
    row = named(key)
    ask = row.question if row is not None and row.question else ""
    ask = ask or f"What should {key.replace('_', ' ')} be for the whole pipeline?"
    return _question(key, ask, "pipeline", fields, nodes, doc, required=required)


def _node_question(node: str, item: MissingField) -> Question:
    key = node_key(node, item.path)
    doc = item.doc
    if "|" in item.path:
        job_type = qualifier_of(node) or "input"
        paths = item.path.split("|")
        fmt = (
            "s3://bucket/prefix/ (CSV or Parquet shards), "
            "or SQL text and its engine (Athena or Redshift)"
        )
        ask = (
            f"Where does the {job_type} data come from: S3 URI or Athena/Redshift SQL? "
            f"(step {node}) Purpose: the dataset this step loads. Format: {fmt}."
        )
        fields = tuple(f"{node}.{p}" for p in paths)
        return Question(
            key=key,
            text=f"{ask} Example: {doc.example}.",
            scope="node",
            fields=fields,
            nodes=(node,),
            description=" / ".join(d for d in _group_descriptions(paths)),
            type="S3 URI | SQL query",
            format=fmt,
            example=doc.example,
            choices=tuple(paths),
        )
    ask = f"Step {node}: what should `{item.path}` be?"
    return _question(key, ask, "node", (f"{node}.{item.path}",), (node,), doc)


def _question(
    key: str,
    ask: str,
    scope: Literal["pipeline", "node"],
    fields: tuple[str, ...],
    nodes: tuple[str, ...],
    doc: FieldDoc,
    *,
    required: bool = False,
) -> Question:
    name = doc.path.rsplit(".", 1)[-1]
    fmt = answer_format(name) or _type_format(doc)
    choices = _choices(doc)
    has_default = doc.tier != "essential" and not required
    parts = [ask]
    if doc.description:
        parts.append(f"Purpose: {doc.description}")
    if scope == "pipeline":
        parts.append("Asked once for the whole pipeline.")
    parts.append(f"Format: {fmt}.")
    if doc.example is not None:
        parts.append(f"Example: {_show(doc.example)}.")
    if has_default:
        parts.append(f"Default: {_show(doc.default) if doc.default is not None else 'none'}.")
    return Question(
        key=key,
        text=" ".join(parts),
        scope=scope,
        fields=fields,
        nodes=nodes,
        description=doc.description,
        type=doc.type,
        format=fmt,
        example=doc.example,
        default=doc.default,
        has_default=has_default,
        choices=choices,
    )


def _conflict_question(
    conflict: Conflict,
    topology: Topology,
    values: PipelineValues,
    framework: str,
    registry: Registry,
) -> Question:
    base = question_for_key(key_of_value(conflict.key), topology, values, framework, registry)
    shown = " or ".join(repr(v) for v in conflict.values)
    problem = f"The requirement states different values for {conflict.key}: {shown}."
    return replace(
        base,
        kind="conflict",
        problem=problem,
        text=f"{problem} Which one is right? {base.text}",
        choices=tuple(str(v) for v in conflict.values),
    )


def _invalid_question(
    rejected: Rejected,
    topology: Topology,
    values: PipelineValues,
    framework: str,
    registry: Registry,
) -> Question:
    base = question_for_key(key_of_value(rejected.key), topology, values, framework, registry)
    problem = _rejected_text(rejected)
    return replace(base, kind="invalid", problem=problem, text=f"{problem} {base.text}")


def _rejected_text(rejected: Rejected) -> str:
    return f"The value {rejected.value!r} for {rejected.key} is not valid: {rejected.message}."


def question_for_key(
    key: str, topology: Topology, values: PipelineValues, framework: str, registry: Registry
) -> Question:
    """A question for any key (conflicts and rejected values may name default-tier fields)."""
    row = named(key)
    step_field = (str(row.model), row.field) if row is not None and row.scope == "step" else None
    if key.startswith(RANGES_PREFIX):
        step_field = ("HyperparameterTuning", "ranges")
    if step_field is not None:
        step_type, name = step_field
        node = next((n for n in topology.nodes if step_type_of(n) == step_type), step_type)
        doc = _doc(registry.get(step_type).config_class, name)
        return replace(_node_question(node, MissingField(node, name, "node", doc)), key=key)
    key = key.removeprefix("config.")
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "data":
        node = f"DataLoading_{parts[1]}"
        if parts[2] == SOURCE_KEY_SUFFIX:
            doc = _doc(registry.get("DataLoading").config_class, "s3_uri")
            return _node_question(
                node, MissingField(node, "|".join(DATA_SOURCE_FIELDS), "node", doc)
            )
        doc = _doc(registry.get("DataLoading").config_class, parts[2])
        return _node_question(node, MissingField(node, parts[2], "node", doc))
    if parts[0] == "gate" and len(parts) == 2:
        doc = _doc(registry.get("QualityGate").config_class, parts[1])
        return _node_question("QualityGate", MissingField("QualityGate", parts[1], "node", doc))
    if parts[0] == "hyperparameters" and len(parts) == 2:
        name = hyperparameter_field(parts[1])
        cls = HYPERPARAMETER_CLASSES.get(framework, HYPERPARAMETER_CLASSES["xgboost"])
        if name not in cls.model_fields:  # a value read for the other framework's field
            cls = next((c for c in HYPERPARAMETER_CLASSES.values() if name in c.model_fields), cls)
        doc = _doc(cls, name)
        trainers = [n for n in topology.nodes if _has_hyperparameters(n, registry)] or ["training"]
        node = trainers[0]
        question = _node_question(node, MissingField(node, f"hyperparameters.{name}", "node", doc))
        return replace(question, key=key)
    if parts[0][:1].isupper():
        node, _, path = key.partition(".")
        doc = _doc(registry.get(step_type_of(node)).config_class, path)
        return _node_question(node, MissingField(node, path, "node", doc))
    doc = _pipeline_doc(key, topology, registry)
    nodes = [n for n in topology.nodes if _has_field(n, doc.path, registry)]
    items = [MissingField(n, doc.path, "pipeline", doc) for n in nodes] or [
        MissingField("", doc.path, "pipeline", doc)
    ]
    return _pipeline_question(key, items)


def _pipeline_doc(key: str, topology: Topology, registry: Registry) -> FieldDoc:
    row = named(key)
    name = row.field if row is not None else key
    for node in topology.nodes:
        for doc in describe_fields(registry.get(step_type_of(node)).config_class):
            if doc.path.rsplit(".", 1)[-1] == name and doc.scope == "pipeline":
                return doc
    if row is None:
        raise KeyError(key)
    model, field_name = target_of(row, registry)
    return _doc(model, field_name)


def _has_field(node: str, path: str, registry: Registry) -> bool:
    docs = describe_fields(registry.get(step_type_of(node)).config_class)
    return any(d.path == path for d in docs)


def _has_hyperparameters(node: str, registry: Registry) -> bool:
    return "hyperparameters" in registry.get(step_type_of(node)).config_class.model_fields


def _doc(model: Any, path: str) -> FieldDoc:
    for doc in describe_fields(model):
        if doc.path == path:
            return doc
    raise KeyError(f"{model.__name__} has no field '{path}'")


def _group_descriptions(paths: list[str]) -> list[str]:
    data_loading = default_registry().get("DataLoading").config_class
    return [_doc(data_loading, p).description for p in paths]


def _choices(doc: FieldDoc) -> tuple[str, ...]:
    if doc.type.startswith("one of "):
        return tuple(s.strip() for s in doc.type.removeprefix("one of ").split(","))
    return ()


def _type_format(doc: FieldDoc) -> str:
    text = doc.type.replace(" (optional)", "")
    if doc.constraints:
        text += f" ({doc.constraints})"
    return text


def _show(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)
