"""The LLM planning backend: a registry-rendered prompt, a strict schema, checker-led repair.

* The prompt (``sagewright/prompts/planner_vN.md``) is rendered from the registry: step names,
  purpose, when to use / not, ports with kinds and modes. Only the wiring rules are template
  text, so a registered step is planned without editing any prompt.
* The reply schema is strict JSON with ``step_type`` an enum of the registered names; nodes
  come back as ``[{name, step_type, parents}]`` and become the parent-linked dict.
* Malformed replies and the checker's structured errors go back to the model, at most
  ``settings.repair_rounds`` rounds. What happens on refusals, 429s and timeouts is documented
  in :mod:`sagewright.agents.planner` (the caller decides about the offline fallback).
* Whatever the model replies, the returned topology never holds an unregistered step type.
  Nothing here logs the prompt, the requirement or the reply.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from sagewright.agents.llm import (
    ECHO_CHARS,
    Attempt,
    LLMMalformedOutputError,
    ModelSettings,
    StructuredCaller,
    Usage,
    chat_model,
    prompt_template,
    safe_note,
    wrap_requirement,
)
from sagewright.checker import check_topology
from sagewright.errors import TopologyIssue
from sagewright.registry import JOB_TYPES, DataKind, PortMode, Registry, StepSpec
from sagewright.topology import NODE_NAME, step_type_of

PROMPT_VERSION = "planner_v1"
SCHEMA_NAME = "PipelinePlan"
PORT_MODES = {
    PortMode.REQUIRED: "",
    PortMode.OPTIONAL: " (optional)",
    PortMode.OR_CONFIG: " (or config)",
}


# ---------------------------------------------------------------------------------------------
# prompt and schema, from the registry


def render_prompt(registry: Registry, *, version: str = PROMPT_VERSION) -> str:
    """The system prompt for ``version``, with the catalogue rendered from ``registry``."""
    template = prompt_template(version, "planner")
    kinds = "\n".join(_render_kind(kind, registry) for kind in DataKind)
    return template.substitute(
        step_names=", ".join(f"`{name}`" for name in registry.names()),
        kinds=kinds,
        steps="\n\n".join(_render_step(spec) for spec in registry),
        job_types=", ".join(f"`{j}`" for j in JOB_TYPES),
    )


def _render_kind(kind: DataKind, registry: Registry) -> str:
    made = [s.name for s in registry if kind in s.produced_kinds]
    read = [s.name for s in registry if kind in s.consumed_kinds]
    return (
        f"- `{kind}`: output of {', '.join(made) or 'no step'}; "
        f"input of {', '.join(read) or 'no step'}"
    )


def _render_step(spec: StepSpec) -> str:
    inputs = ", ".join(f"`{p.name}: {p.kind}`{PORT_MODES[p.mode]}" for p in spec.inputs)
    outputs = ", ".join(f"`{p.name}: {p.kind}`" for p in spec.outputs)
    flags = []
    if spec.job_typed:
        flags.append(f"job-typed: name it `{spec.name}_<job type>`")
    if spec.control:
        flags.append("control step: its out-edges guard children")
    lines = [
        f"### {spec.name}" + (f" ({'; '.join(flags)})" if flags else ""),
        f"- purpose: {spec.description}",
        f"- use when: {spec.when_to_use}",
        f"- not when: {spec.when_not_to_use}",
        f"- inputs: {inputs or 'none'}",
        f"- outputs: {outputs or 'none (control)'}",
    ]
    return "\n".join(lines)


def plan_schema(registry: Registry) -> dict[str, Any]:
    """Strict JSON schema of a plan; ``step_type`` is an enum of the registered names."""
    node = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "StepType or StepType_qualifier"},
            "step_type": {"type": "string", "enum": registry.names()},
            "parents": {"type": "array", "items": {"type": "string"}},
            "quote": {
                "type": "string",
                "description": "the requirement's exact words that ask for this node, or ''",
            },
        },
        "required": ["name", "step_type", "parents", "quote"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "nodes": {"type": "array", "items": node},
            "existing_model": {"type": "boolean"},
            "notes": {"type": "string"},
        },
        "required": ["nodes", "existing_model", "notes"],
        "additionalProperties": False,
    }


# ---------------------------------------------------------------------------------------------
# planning loop


@dataclass
class LLMPlanOutcome:
    topology: dict[str, list[str]]
    existing_model: bool
    errors: list[TopologyIssue]
    attempts: int
    notes: list[str] = field(default_factory=list)
    calls: list[Attempt] = field(default_factory=list)
    mode: str | None = None
    quotes: dict[str, str] = field(default_factory=dict)  # node -> the model's quote


def plan_max_tokens(registry: Registry, settings: ModelSettings) -> int:
    """Room for a plan as large as the catalogue allows (each job-typed step per job type)."""
    nodes = sum(len(JOB_TYPES) if spec.job_typed else 1 for spec in registry)
    return settings.tokens_per_node * nodes + 200  # + the notes and the JSON around the nodes


def plan_with_llm(
    requirement: str,
    settings: ModelSettings,
    *,
    registry: Registry,
    usage: Usage,
    llm: Any = None,
    sleep: Any = time.sleep,
    calls: list[Attempt] | None = None,
) -> LLMPlanOutcome:
    """Ask the model, check the reply, feed errors back; raise typed LLM errors.

    Raises ``LLMMalformedOutputError`` when no round gave parseable JSON, and the other
    ``LLMError``s of :class:`~sagewright.agents.llm.StructuredCaller` (refused, rate limited,
    timeout, unavailable). Every call is appended to ``calls`` as it happens, so a caller
    that falls back can still say what was tried.
    """
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    model = llm if llm is not None else chat_model(settings)
    caller = StructuredCaller(
        model,
        settings,
        usage,
        stage="plan",
        max_tokens=plan_max_tokens(registry, settings),
        sleep=sleep,
    )
    if calls is not None:
        caller.attempts = calls
    schema = plan_schema(registry)
    messages: list[Any] = [
        SystemMessage(render_prompt(registry)),
        HumanMessage(_wrap(requirement)),
    ]
    rounds = 1 + max(settings.repair_rounds, 0)
    last: LLMPlanOutcome | None = None
    for attempt in range(1, rounds + 1):
        try:
            reply = caller.call(messages, schema=schema, name=SCHEMA_NAME)
        except LLMMalformedOutputError as exc:
            if attempt == rounds or exc.repeated:
                if last is not None:
                    return last
                raise
            feedback = _malformed_feedback(exc.feedback)
            caller.attempts[-1].feedback = [feedback]
            messages += [AIMessage(exc.raw[:ECHO_CHARS] or "(empty)"), HumanMessage(feedback)]
            continue
        topology, existing, issues, notes = _read_reply(reply.parsed, registry)
        issues += list(check_topology(topology, existing_model=existing, registry=registry).issues)
        last = _finish(topology, existing, issues, attempt, notes, registry)
        last.calls, last.mode = caller.attempts, caller.mode
        last.quotes = _quotes(reply.parsed, last.topology)
        if not issues:
            return last
        caller.attempts[-1].rejected = reply.raw_text[:ECHO_CHARS]
        if attempt < rounds:
            caller.attempts[-1].feedback = [f"{i.code}: {i.message}" for i in issues[:20]]
            echo = reply.raw_text[:ECHO_CHARS]
            messages += [AIMessage(echo), HumanMessage(_repair_feedback(issues))]
    assert last is not None
    return last


def _wrap(requirement: str) -> str:
    return wrap_requirement("Plan the pipeline for this requirement.", requirement)


def _malformed_feedback(note: str = "") -> str:
    return (note + " " if note else "") + (
        "Your reply was not a JSON object matching the PipelinePlan schema. Reply again with "
        "only that JSON object: nodes (name, step_type, parents), existing_model, notes."
    )


def _repair_feedback(issues: list[TopologyIssue]) -> str:
    listed = json.dumps([issue.to_dict() for issue in issues[:20]], indent=1)
    return (
        "The plan has these problems (from the topology checker):\n"
        f"{listed}\n"
        "Fix every problem and reply with the complete corrected plan. Use only catalogue "
        "step types."
    )


def _read_reply(
    parsed: dict[str, Any], registry: Registry
) -> tuple[dict[str, list[str]], bool, list[TopologyIssue], list[str]]:
    """Schema-shaped JSON -> parent-linked dict, plus issues the checker cannot see."""
    issues: list[TopologyIssue] = []
    nodes = parsed.get("nodes")
    if not isinstance(nodes, list):
        issues.append(TopologyIssue("bad_reply", "'nodes' must be a list of nodes"))
        nodes = []
    topology: dict[str, list[str]] = {}
    for index, item in enumerate(nodes):
        if not isinstance(item, dict):
            issues.append(TopologyIssue("bad_reply", f"nodes[{index}] is not an object"))
            continue
        name, step_type, parents = item.get("name"), item.get("step_type"), item.get("parents")
        if not isinstance(name, str) or not name:
            issues.append(TopologyIssue("bad_reply", f"nodes[{index}] has no name"))
            continue
        if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
            issues.append(
                TopologyIssue("bad_reply", f"node '{name}': parents must be a list of names", name)
            )
            parents = []
        if isinstance(step_type, str) and step_type_of(name) != step_type:
            issues.append(
                TopologyIssue(
                    "step_type_mismatch",
                    f"node '{name}' has step_type '{step_type}' but its name says "
                    f"'{step_type_of(name)}'",
                    name,
                    hint="name a node StepType or StepType_qualifier with its own step type",
                )
            )
        if name in topology:
            issues.append(
                TopologyIssue(
                    "duplicate_node",
                    f"node '{name}' is listed twice",
                    name,
                    hint="list each node once",
                )
            )
        topology[name] = list(parents)
    existing = parsed.get("existing_model") is True
    raw_notes = parsed.get("notes")
    notes = [safe_note(raw_notes)] if isinstance(raw_notes, str) and raw_notes.strip() else []
    return topology, existing, issues, notes


def _quotes(parsed: dict[str, Any], topology: dict[str, list[str]]) -> dict[str, str]:
    """Each kept node's ``quote`` as the model gave it (checked against the text later)."""
    nodes = parsed.get("nodes")
    quotes: dict[str, str] = {}
    for item in nodes if isinstance(nodes, list) else []:
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, str) and name in topology:
            quote = item.get("quote")
            quotes.setdefault(name, quote[:ECHO_CHARS] if isinstance(quote, str) else "")
    return quotes


def _finish(
    topology: dict[str, list[str]],
    existing: bool,
    issues: list[TopologyIssue],
    attempts: int,
    notes: list[str],
    registry: Registry,
) -> LLMPlanOutcome:
    """Drop nodes of unregistered step types (their issues stay), so none is ever returned."""
    unknown = {n for n in topology if not NODE_NAME.fullmatch(n) or step_type_of(n) not in registry}
    if unknown:
        topology = {
            node: [p for p in parents if p not in unknown]
            for node, parents in topology.items()
            if node not in unknown
        }
        notes = [*notes, safe_note("dropped non-catalogue nodes: " + ", ".join(sorted(unknown)))]
    return LLMPlanOutcome(topology, existing, issues, attempts, notes)
