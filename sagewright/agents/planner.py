"""The planning agent: one interface, backends chosen by a model string.

``plan(requirement, model=...)`` returns a :class:`PlanResult` (topology, checker errors,
attempts, token usage, seconds, backend). ``offline`` (the default when nothing is configured)
is the deterministic, registry-driven :mod:`~sagewright.agents.offline_planner`; any LangChain
``provider:model`` string runs :mod:`~sagewright.agents.llm_planner`. Settings come from the
arguments, then the environment, then a config file (see :mod:`sagewright.agents.llm`).

When the LLM backend fails, the outcome is documented, never an unhandled exception:

====================  =========================================================================
what happened         outcome
====================  =========================================================================
HTTP 429              retried with exponential backoff (``max_retries``); if still limited:
                      fallback to the offline plan (``fallback="llm_rate_limited"``)
timeout               retried (``max_retries``); then fallback (``"llm_timeout"``)
refusal               no retry (it would refuse again); fallback (``"llm_refused"``)
malformed JSON        sent back to the model with the parse error, as a repair round; after
                      ``repair_rounds`` rounds: fallback (``"llm_malformed"``)
invalid topology      the checker's structured errors (unknown step, cycle, unfed input ...)
(checker errors)      go back to the model, at most ``repair_rounds`` rounds (default 2); then
                      fallback (``"llm_invalid_plan"``)
provider unavailable  missing integration, auth or connection errors: fallback
                      (``"llm_unavailable"``)
====================  =========================================================================

With ``fallback=False`` the LLM errors are raised as their typed :class:`AgentError` instead
(codes ``llm_rate_limited``, ``llm_timeout``, ``llm_refused``, ``llm_malformed``,
``llm_unavailable``), and a plan still invalid after the repair rounds is returned with its
errors (``valid`` is False). Either way a returned topology only holds registered step types.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sagewright.agents.llm import (
    OFFLINE,
    Attempt,
    LLMError,
    ModelSettings,
    Usage,
    redact,
    report,
    resolve_settings,
)
from sagewright.agents.reasons import Reason
from sagewright.agents.text.requirement import requirement_text
from sagewright.checker import check_topology
from sagewright.errors import AgentError, TopologyIssue
from sagewright.registry import Registry, default_registry
from sagewright.topology import Topology


@dataclass
class PlanResult:
    """A plan and how it was made. ``topology`` is the parent-linked ``{NODE: [PARENT, ...]}``."""

    topology: dict[str, list[str]]
    errors: list[TopologyIssue]
    attempts: int
    usage: Usage
    seconds: float
    backend: str
    existing_model: bool = False  # or-config inputs come from an existing model file
    fallback: str | None = None  # the LLM error code when the offline plan was used instead
    notes: list[str] = field(default_factory=list)
    llm_attempts: list[Attempt] = field(default_factory=list)  # one per call to the model
    structured_output_mode: str | None = None  # the mode of the last answered call
    reasons: dict[str, Reason] = field(default_factory=dict)  # why each node is there
    parsed: Topology | None = field(default=None, repr=False, compare=False)

    def graph(self) -> Topology:
        """The plan as a :class:`Topology`: the checker's own parse when it made one."""
        if self.parsed is None or self.parsed.to_dict() != self.topology:
            self.parsed = Topology.parse(self.topology)
        return self.parsed

    def reason(self, node: str) -> Reason:
        """Why ``node`` is in the plan (``unknown_node`` error when it is not)."""
        from sagewright.agents.reasons import reason_for

        return reason_for(self.reasons, node)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def unsupported(self) -> list[str]:
        """The notes naming asks the catalogue lacks (left out, never replaced)."""
        return [note for note in self.notes if note.startswith("not supported:")]

    @property
    def not_understood(self) -> list[str]:
        """The notes quoting stated values that were not taken (their step is not planned)."""
        return [note for note in self.notes if note.startswith("not understood:")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "topology": self.topology,
            "valid": self.valid,
            "errors": [issue.to_dict() for issue in self.errors],
            "attempts": self.attempts,
            "usage": self.usage.to_dict(),
            "seconds": round(self.seconds, 4),
            "backend": self.backend,
            "existing_model": self.existing_model,
            "fallback": self.fallback,
            "notes": self.notes,
            "structured_output_mode": self.structured_output_mode,
            "llm_attempts": [a.to_dict() for a in self.llm_attempts],
            "reasons": {node: reason.to_dict() for node, reason in self.reasons.items()},
        }

    def _repr_markdown_(self) -> str:
        """Jupyter shows the plan as Markdown with its Mermaid DAG."""
        from sagewright.render import plan_markdown

        return plan_markdown(self)

    def __rich__(self) -> Any:
        """A terminal shows the plan as a Rich tree of stages and nodes."""
        from sagewright.render import plan_tree

        return plan_tree(self)


def plan(
    requirement: str,
    *,
    model: str | None = None,
    base_url: str | None = None,
    timeout: float | None = None,
    config_file: Path | None = None,
    repair_rounds: int | None = None,
    fallback: bool = True,
    registry: Registry | None = None,
    settings: ModelSettings | None = None,
) -> PlanResult:
    """Plan a requirement into a checked topology with the backend ``model`` names."""
    text = requirement_text(requirement, stripped=True)
    reg = registry or default_registry()
    resolved = settings or resolve_settings(
        model, base_url=base_url, timeout=timeout, config_file=config_file
    )
    if repair_rounds is not None:
        if repair_rounds < 0:
            raise AgentError("repair_rounds must be >= 0", code="bad_settings")
        resolved = replace(resolved, repair_rounds=repair_rounds)
    if resolved.offline:
        result = plan_offline_result(text, registry=reg)
    else:
        result = _plan_llm(text, resolved, reg, fallback=fallback)
    offset = len(requirement) - len(requirement.lstrip())  # spans point into what was given
    result.reasons = {node: r.shifted(offset, requirement) for node, r in result.reasons.items()}
    return result


def plan_offline_result(requirement: str, *, registry: Registry | None = None) -> PlanResult:
    """The offline backend as a :class:`PlanResult`."""
    from sagewright.agents.offline_planner import plan_offline
    from sagewright.agents.reasons import offline_reasons

    reg = registry or default_registry()
    started = time.perf_counter()
    offline = plan_offline(requirement, registry=reg)
    check = check_topology(offline.topology, existing_model=offline.existing_model, registry=reg)
    return PlanResult(
        topology=offline.topology,
        errors=list(check.issues),
        attempts=1,
        usage=Usage(),
        seconds=time.perf_counter() - started,
        backend=OFFLINE,
        existing_model=offline.existing_model,
        notes=list(offline.notes),
        reasons=offline_reasons(requirement, offline, registry=reg),
        parsed=check.topology,
    )


def _plan_llm(text: str, settings: ModelSettings, reg: Registry, *, fallback: bool) -> PlanResult:
    from sagewright.agents.llm_planner import plan_with_llm
    from sagewright.agents.reasons import llm_reasons

    started = time.perf_counter()
    usage = Usage()
    calls: list[Attempt] = []
    try:
        outcome = plan_with_llm(text, settings, registry=reg, usage=usage, calls=calls)
    except LLMError as exc:
        if not fallback:
            raise
        result = _fallback(
            text, reg, exc.code, usage, started, settings, attempts=len(calls), why=exc.message
        )
        result.llm_attempts = calls
        return result
    result = PlanResult(
        topology=outcome.topology,
        errors=outcome.errors,
        attempts=outcome.attempts,
        usage=usage,
        seconds=time.perf_counter() - started,
        backend=settings.model,
        existing_model=outcome.existing_model,
        notes=outcome.notes,
        llm_attempts=calls,
        structured_output_mode=outcome.mode,
        reasons=llm_reasons(text, outcome.topology, outcome.quotes, registry=reg),
    )
    if result.valid or not fallback:
        return result
    why = f"the plan still had {len(outcome.errors)} checker errors after " + (
        f"{outcome.attempts} rounds (first: {outcome.errors[0].message})"
    )
    fell = _fallback(
        text,
        reg,
        "llm_invalid_plan",
        usage,
        started,
        settings,
        attempts=outcome.attempts,
        why=why,
    )
    fell.llm_attempts, fell.structured_output_mode = calls, outcome.mode
    return fell


def _fallback(
    text: str,
    reg: Registry,
    code: str,
    usage: Usage,
    started: float,
    settings: ModelSettings,
    *,
    attempts: int,
    why: str = "",
) -> PlanResult:
    offline = plan_offline_result(text, registry=reg)
    offline.usage = usage
    offline.attempts = attempts + 1
    offline.seconds = time.perf_counter() - started
    offline.backend = f"{OFFLINE} (fallback from {settings.model})"
    offline.fallback = code
    cause = f"{code}: {redact(why)[:300]}" if why else code
    offline.notes.append(f"the LLM backend failed ({cause}); used the offline planner")
    report(f"plan: {offline.notes[-1]}")
    return offline
