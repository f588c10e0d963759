"""Fill pipeline values from a requirement: one entry point, backends chosen by a model string.

``extract(requirement, topology, model=...)`` returns an :class:`Extraction`: validated values
(:class:`~sagewright.facts.PipelineValues`), contradictions to ask about (``conflicts``), stated
values their fields refuse (``rejected``, with the validation message), the question keys still
open (``missing``), token ``usage`` and the ``backend`` used. ``offline`` (the default when
nothing is configured) is the rule-based :mod:`~sagewright.agents.offline_extractor`; any
LangChain ``provider:model`` string runs :mod:`~sagewright.agents.llm_extractor`. Settings are
resolved like the planner's (:func:`sagewright.agents.llm.resolve_settings`).

When the LLM backend fails (documented, never an unhandled exception):

====================  =========================================================================
what happened         outcome (``fallback=True``, the default)
====================  =========================================================================
reply not JSON, or    sent back once with the problems listed; if still wrong: the offline
JSON breaking the     extraction, ``Extraction.fallback == "llm_malformed"``
schema
refusal, HTTP 429,    retried as :func:`~sagewright.agents.llm.invoke_structured` documents;
timeout, provider     then the offline extraction with ``fallback`` = the error code
unavailable           (``llm_refused``, ``llm_rate_limited``, ``llm_timeout``, ``llm_unavailable``)
====================  =========================================================================

With ``fallback=False`` those errors are raised as their typed
:class:`~sagewright.agents.llm.LLMError` instead. Usage spent before a fallback is kept.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sagewright.agents.extract_result import Conflict, Extraction, Rejected
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
from sagewright.agents.offline_extractor import extract_offline
from sagewright.agents.text.discourse import told
from sagewright.agents.text.leftovers import not_understood
from sagewright.agents.text.numbers import words_to_digits
from sagewright.agents.text.requirement import requirement_text
from sagewright.registry import Registry, default_registry
from sagewright.scaffold import infer_framework
from sagewright.topology import Topology, qualifier_of, step_type_of

__all__ = ["Conflict", "Extraction", "Rejected", "extract"]


def extract(
    requirement: str,
    topology: Topology,
    *,
    model: str | None = None,
    base_url: str | None = None,
    timeout: float | None = None,
    config_file: Path | None = None,
    fallback: bool = True,
    registry: Registry | None = None,
    settings: ModelSettings | None = None,
) -> Extraction:
    """The values ``requirement`` states for ``topology``, by the backend ``model`` names."""
    text = requirement_text(requirement)
    topo = Topology.parse(topology)
    reg = registry or default_registry()
    resolved = settings or resolve_settings(
        model, base_url=base_url, timeout=timeout, config_file=config_file
    )
    if resolved.offline:
        return with_leftovers(text, extract_offline(text, topo, registry=reg), topo, reg)
    from sagewright.agents.llm_extractor import extract_with_llm

    usage = Usage()
    calls: list[Attempt] = []
    try:
        result = extract_with_llm(text, topo, resolved, usage=usage, registry=reg, calls=calls)
    except LLMError as exc:
        if not fallback:
            raise
        result = extract_offline(text, topo, registry=reg)
        result.usage = usage
        result.backend = f"{OFFLINE} (fallback from {resolved.model})"
        result.fallback = exc.code
        result.llm_attempts = calls
        note = (
            f"the LLM backend failed ({exc.code}: {redact(exc.message)[:300]}); "
            "used the offline extractor"
        )
        result.notes.append(note)
        report(f"extract: {note}")
    return with_leftovers(text, result, topo, reg)


def with_leftovers(
    text: str, result: Extraction, topology: Topology, registry: Registry
) -> Extraction:
    """``result`` with a *not understood* note for each stated value no field took.

    What lands in a node's config counts as taken (a gate's values only with a QualityGate
    node ...), and so do the words that asked for the plan's steps ("steps: [evaluate,
    package]") and the step types' own words.
    """
    types = {step_type_of(node) for node in topology.nodes}
    qualifiers = {qualifier_of(node) for node in topology.nodes}
    specs = [registry.get(t) for t in types if t in registry]
    values = result.values
    taken: list[Any] = [values.shared, {j: v for j, v in values.data.items() if j in qualifiers}]
    if any("hyperparameters" in spec.config_class.model_fields for spec in specs):
        taken.append(values.hyperparameters)
    if "QualityGate" in types:
        taken.append(values.gate)
    taken.append({n: v for n, v in values.per_node.items() if n in topology.parents})
    taken.append({t: v for t, v in values.steps.items() if t in types})
    taken += [(r.key, r.value) for r in result.rejected]
    taken += [(c.key, *c.values) for c in result.conflicts]
    taken += [re.findall(r"[A-Z][a-z]+|[A-Z]+(?![a-z])|[a-z]+", t) for t in types]
    taken.append(infer_framework(topology, values))
    cues = [
        re.compile(c) for spec in specs for c in (*spec.cues, *([spec.ask] if spec.ask else []))
    ]
    said = words_to_digits(told(text))
    result.notes += not_understood(said, taken, cues, result.notes, registry)
    return result
