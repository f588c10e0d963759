"""The LLM extraction backend: a schema derived from the topology's config fields.

* The reply schema (strict JSON) is built from the configs of the planned topology: one
  nullable property per stateable field (descriptions from the field metadata), data sources
  with ``job_type`` an enum of the topology's job types, hyperparameters with ``name`` an enum
  of the framework's fields, and ``conflicts``. The prompt is ``prompts/extractor_v1.md``.
* A reply that is not JSON, or JSON that violates the schema, goes back to the model ONCE
  with the problems listed (:data:`REPAIR_ROUNDS`); if the repaired reply still fails,
  :class:`~sagewright.agents.llm.LLMMalformedOutputError` (code ``llm_malformed``) is raised.
  :func:`sagewright.agents.extractor.extract` then falls back to the offline extractor
  (``Extraction.fallback == "llm_malformed"``) unless called with ``fallback=False``.
* Nothing is taken on trust: every value must appear in the requirement (numbers compared
  as numbers, 88% = 0.88), else it is dropped with a note; every value is validated by its
  field's Pydantic type like the offline backend's (same :class:`Collector`).
* Nothing here logs the prompt, the requirement or the reply.
"""

from __future__ import annotations

import json
import re
import time
from decimal import Decimal, InvalidOperation
from typing import Any

from sagewright.agents.extract_fields import hyperparameter_names
from sagewright.agents.extract_result import Collector, Extraction
from sagewright.agents.llm import (
    ECHO_CHARS,
    Attempt,
    LLMMalformedOutputError,
    ModelSettings,
    StructuredCaller,
    Usage,
    chat_model,
    prompt_template,
    wrap_requirement,
)
from sagewright.agents.offline_extractor import FRAMEWORK_WORDS, finish_extraction
from sagewright.agents.text.metrics import METRIC, normal_metric
from sagewright.agents.text.numbers import NUMBER, words_to_digits
from sagewright.registry import Registry, default_registry
from sagewright.registry.kinds import DATA_SOURCE_FIELDS
from sagewright.registry.schema import FieldDoc, describe_fields
from sagewright.registry.value_keys import ValueKey, rows
from sagewright.scaffold import topology_framework
from sagewright.topology import Topology, qualifier_of, step_type_of

PROMPT_VERSION = "extractor_v1"
SCHEMA_NAME = "StatedValues"
REPAIR_ROUNDS = 1

# ---------------------------------------------------------------------------------- schema


def _topology_docs(topology: Topology, registry: Registry) -> dict[str, FieldDoc]:
    """Field name -> its doc, over every config of the topology (nested ones by last name)."""
    docs: dict[str, FieldDoc] = {}
    for node in topology.nodes:
        for doc in describe_fields(registry.get(step_type_of(node)).config_class):
            if doc.tier != "derived":
                docs.setdefault(doc.path.rsplit(".", 1)[-1], doc)
    return docs


def properties() -> dict[str, ValueKey]:
    """The value-key rows the reply schema asks for, by schema property name."""
    return {row.prop: row for row in rows() if row.llm}


def schema_properties(topology: Topology, registry: Registry) -> dict[str, FieldDoc]:
    """The stateable fields of this topology, by schema property name."""
    docs = _topology_docs(topology, registry)
    decided = topology_framework(topology) is not None
    out: dict[str, FieldDoc] = {}
    for prop, row in properties().items():
        if row.field not in docs or (prop == "framework" and decided):
            continue
        if row.scope == "gate" and not _has(topology, "QualityGate"):
            continue
        out[prop] = docs[row.field]
    return out


def extraction_schema(topology: Topology, framework: str, registry: Registry) -> dict[str, Any]:
    """Strict JSON schema of a reply for ``topology`` (see the module notes)."""
    props = schema_properties(topology, registry)
    rows_by_prop = properties()
    values: dict[str, Any] = {}
    for prop, doc in props.items():
        values[prop] = _nullable(rows_by_prop[prop], doc)
    schema_props: dict[str, Any] = {"values": _object(values)}
    job_types = _job_types(topology)
    if job_types:
        item = _object(
            {
                "job_type": {"type": "string", "enum": job_types},
                "source": {"type": "string", "enum": list(DATA_SOURCE_FIELDS)},
                "value": {"type": "string"},
            }
        )
        schema_props["data"] = {"type": "array", "items": item}
    names = hyperparameter_names(framework) if _trains(topology, registry) else []
    if names:
        item = _object({"name": {"type": "string", "enum": names}, "value": {"type": "string"}})
        schema_props["hyperparameters"] = {"type": "array", "items": item}
    conflict_keys = sorted(
        {rows_by_prop[p].key for p in props if rows_by_prop[p].scope != "data"}
        | {f"data.{j}.{s}" for j in job_types for s in DATA_SOURCE_FIELDS}
        | {f"hyperparameters.{n}" for n in names}
    )
    conflict = _object(
        {
            "key": {"type": "string", "enum": conflict_keys},
            "values": {"type": "array", "items": {"type": "string"}},
        }
    )
    schema_props["conflicts"] = {"type": "array", "items": conflict}
    return _object(schema_props)


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _nullable(row: ValueKey, doc: FieldDoc) -> dict[str, Any]:
    description = doc.description + (f" Example: {doc.example}." if doc.example else "")
    if row.llm == "number":
        return {"type": ["number", "null"], "description": description}
    if doc.type.startswith("one of "):
        choices = [c.strip() for c in doc.type.removeprefix("one of ").split(",")]
        return {"type": ["string", "null"], "enum": [*choices, None], "description": description}
    return {"type": ["string", "null"], "description": description}


def _job_types(topology: Topology) -> list[str]:
    jobs = [qualifier_of(n) for n in topology.nodes if step_type_of(n) == "DataLoading"]
    return list(dict.fromkeys(j for j in jobs if j))


def _trains(topology: Topology, registry: Registry) -> bool:
    return any(
        "hyperparameters" in registry.get(step_type_of(n)).config_class.model_fields
        for n in topology.nodes
    )


def _has(topology: Topology, step_type: str) -> bool:
    return any(step_type_of(n) == step_type for n in topology.nodes)


def schema_problems(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Where ``value`` breaks ``schema`` (the subset of JSON Schema the reply schema uses)."""
    problems: list[str] = []
    types = schema.get("type")
    allowed = [types] if isinstance(types, str) else list(types or [])
    if allowed and not any(_is_type(value, t) for t in allowed):
        return [f"{path}: expected {' or '.join(allowed)}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        shown = ", ".join(json.dumps(v) for v in schema["enum"][:12])
        problems.append(f"{path}: {json.dumps(value)} is not one of {shown}")
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{path}: missing required property '{name}'")
        if schema.get("additionalProperties") is False:
            for name in value:
                if name not in props:
                    problems.append(f"{path}: unknown property '{name}'")
        for name, sub in props.items():
            if name in value:
                problems.extend(schema_problems(value[name], sub, f"{path}.{name}"))
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            problems.extend(schema_problems(item, schema["items"], f"{path}[{i}]"))
    return problems


def _is_type(value: Any, name: str) -> bool:
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name in ("number", "integer"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return ok and (name == "number" or float(value).is_integer())
    expected = {"string": str, "object": dict, "array": list}[name]
    return isinstance(value, expected)


# ---------------------------------------------------------------------------------- prompt


def render_prompt(
    topology: Topology, framework: str, registry: Registry, *, version: str = PROMPT_VERSION
) -> str:
    template = prompt_template(version, "extractor")
    props = schema_properties(topology, registry)
    fields = "\n".join(
        f"- `{prop}`: {doc.description}" + (f" (e.g. `{doc.example}`)" if doc.example else "")
        for prop, doc in props.items()
    )
    names = hyperparameter_names(framework) if _trains(topology, registry) else []
    return template.substitute(
        nodes=", ".join(f"`{n}`" for n in topology.nodes),
        fields=fields,
        job_types=", ".join(f"`{j}`" for j in _job_types(topology)) or "(none: no data steps)",
        hyperparameters=", ".join(f"`{n}`" for n in names) or "(none: no training step)",
        schema_name=SCHEMA_NAME,
    )


def _wrap(requirement: str) -> str:
    return wrap_requirement("Copy the values this requirement states.", requirement)


# ---------------------------------------------------------------------------------- calls


def extract_with_llm(
    requirement: str,
    topology: Topology,
    settings: ModelSettings,
    *,
    usage: Usage,
    registry: Registry | None = None,
    llm: Any = None,
    sleep: Any = time.sleep,
    calls: list[Attempt] | None = None,
) -> Extraction:
    """Ask the model, check the reply against the schema (one repair), ground and validate.

    Raises ``LLMMalformedOutputError`` when the repaired reply is still not schema-valid JSON,
    and the other typed ``LLMError``s of :class:`~sagewright.agents.llm.StructuredCaller`.
    Every call is appended to ``calls`` as it happens.
    """
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    reg = registry or default_registry()
    framework = topology_framework(topology) or _stated_framework(requirement)
    schema = extraction_schema(topology, framework, reg)
    model = llm if llm is not None else chat_model(settings)
    caller = StructuredCaller(
        model,
        settings,
        usage,
        stage="extract",
        max_tokens=extract_max_tokens(schema),
        sleep=sleep,
    )
    if calls is not None:
        caller.attempts = calls
    messages: list[Any] = [
        SystemMessage(render_prompt(topology, framework, reg)),
        HumanMessage(_wrap(requirement)),
    ]
    parsed: dict[str, Any] | None = None
    for attempt in range(REPAIR_ROUNDS + 1):
        try:
            reply = caller.call(messages, schema=schema, name=SCHEMA_NAME)
        except LLMMalformedOutputError as exc:
            if attempt == REPAIR_ROUNDS or exc.repeated:
                raise LLMMalformedOutputError(
                    f"the model's reply is still not JSON after {REPAIR_ROUNDS} repair round "
                    f"({exc.message})",
                    raw=exc.raw,
                    hint="use a model with structured output, or the offline extractor",
                ) from None
            feedback = _repair([exc.feedback or "not JSON"])
            caller.attempts[-1].feedback = [feedback]
            messages += [AIMessage(exc.raw[:ECHO_CHARS] or "(empty)"), HumanMessage(feedback)]
            continue
        problems = schema_problems(reply.parsed, schema)
        if not problems:
            parsed = reply.parsed
            break
        caller.attempts[-1].rejected = reply.raw_text[:ECHO_CHARS]
        caller.attempts[-1].feedback = problems[:20]
        if attempt == REPAIR_ROUNDS:
            raise LLMMalformedOutputError(
                f"the model's reply violates the {SCHEMA_NAME} schema after {REPAIR_ROUNDS} "
                f"repair round: {'; '.join(problems[:3])}",
                raw=reply.raw_text,
                hint="use a model with strict structured output, or the offline extractor",
            )
        messages += [AIMessage(reply.raw_text[:ECHO_CHARS]), HumanMessage(_repair(problems))]
    assert parsed is not None
    result = _to_extraction(parsed, requirement, topology, framework, settings, usage, reg)
    result.llm_attempts, result.structured_output_mode = caller.attempts, caller.mode
    return result


def extract_max_tokens(schema: dict[str, Any]) -> int:
    """Room for a reply to ``schema``: ~40 tokens per property it can fill, and a margin."""
    return 40 * json.dumps(schema).count('"type"') + 400


def _repair(problems: list[str]) -> str:
    listed = "\n".join(f"- {p}" for p in problems[:20])
    return (
        f"Your reply does not match the {SCHEMA_NAME} JSON schema:\n{listed}\n"
        "Reply again with only the corrected JSON object."
    )


def _stated_framework(text: str) -> str:
    named = [fw for fw, pattern in FRAMEWORK_WORDS.items() if pattern.search(text)]
    return named[0] if len(named) == 1 else "xgboost"


def _to_extraction(
    parsed: dict[str, Any],
    requirement: str,
    topology: Topology,
    framework: str,
    settings: ModelSettings,
    usage: Usage,
    registry: Registry,
) -> Extraction:
    collector = Collector(framework, registry)
    grounding = _Grounding(requirement)
    rows_by_prop = properties()
    for prop, value in parsed.get("values", {}).items():
        row = rows_by_prop[prop]
        if value is None or row.scope == "data" or (prop == "gate_comparison" and value == ">="):
            continue  # ">=" is the default: restating it is not a stated value
        if grounding.check(prop, value, collector):
            collector.add(row.key, value, "llm")
    redshift_jobs = []
    for item in parsed.get("data", []):
        key = f"data.{item['job_type']}.{item['source']}"
        if grounding.check("data", item["value"], collector):
            collector.add(key, item["value"].strip().strip("`"), "llm")
            if item["source"] == "redshift_query":
                redshift_jobs.append(item["job_type"])
    cluster = parsed.get("values", {}).get("redshift_cluster_id")
    if cluster and grounding.check("redshift_cluster_id", cluster, collector):
        for job in redshift_jobs:
            collector.add(f"data.{job}.redshift_cluster_id", cluster, "llm")
    for item in parsed.get("hyperparameters", []):
        if grounding.check("hyperparameter", item["value"], collector):
            collector.add(f"hyperparameters.{item['name']}", item["value"], "llm")
    for conflict in parsed.get("conflicts", []):
        for value in conflict["values"]:
            if grounding.check(conflict["key"], value, collector):
                collector.add(conflict["key"], value, "llm (conflict)")
    return finish_extraction(collector, topology, registry, backend=settings.model, usage=usage)


class _Grounding:
    """Is a value the model returned actually written in the requirement?"""

    def __init__(self, text: str) -> None:
        text = words_to_digits(text)
        self.text = " ".join(text.replace("`", " ").split()).lower()
        self.numbers: set[Decimal] = set()
        for match in re.finditer(rf"({NUMBER})\s*(%)?", text):
            number = _decimal(match.group(1))
            if number is not None:
                self.numbers.add(number)
                if match.group(2):
                    self.numbers.add(number / 100)
        self.metrics = {normal_metric(m.group()) for m in re.finditer(METRIC, text, re.I)}

    def check(self, what: str, value: Any, collector: Collector) -> bool:
        ok = self._written(what, value)
        if not ok:
            collector.notes.append(f"dropped {what}={value!r}: not written in the requirement")
        return ok

    def _written(self, what: str, value: Any) -> bool:
        if what == "gate_comparison":
            return True  # a reading of the wording ("at least"), not a copied value
        if what == "gate_metric":
            return str(value) in self.metrics
        if what == "framework":
            pattern = FRAMEWORK_WORDS.get(str(value).lower())
            return bool(pattern and pattern.search(self.text))
        number = _decimal(str(value)) if not isinstance(value, bool) else None
        if number is not None:
            return number in self.numbers
        text = " ".join(str(value).replace("`", " ").split()).lower().rstrip("/")
        return bool(text) and text in self.text


def _decimal(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
