"""Why each node of a plan is there.

A node is there because the requirement asked for it, shown as a quote of the requirement's own
words with its character span ``[start, end)`` into the text as given, or because the planner
added it to feed another node's input ("needed by X's input Y"). A span is only ever one where
the quote really occurs: the offline planner's matches are mapped back from its read text
(lower-cased, sources masked) to the original words; an LLM's quote is looked up in the
requirement (whitespace and case normalised) and dropped when it is not there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from sagewright.agents.text.windows import locate
from sagewright.errors import SagewrightError
from sagewright.registry import Registry, default_registry
from sagewright.topology import step_type_of

if TYPE_CHECKING:
    from sagewright.agents.offline_planner import OfflinePlan, Why
    from sagewright.agents.requirement_reader import Intent, Mention

ASKED, NEEDED_BY, READ, MODEL_CHOICE, UNEXPLAINED = (
    "asked",  # a quote of the requirement, with its span
    "needed_by",  # feeds another node's input
    "read",  # the offline reading asked for it but no words could be quoted (e.g. implied)
    "model_choice",  # an LLM placed it with no quote found in the requirement
    "unexplained",  # neither asked for nor read by any node (an edited topology)
)
MAX_CLAUSE = 120  # a longer clause is quoted as the matched words alone


class UnknownNodeError(SagewrightError):
    code = "unknown_node"


@dataclass(frozen=True)
class Reason:
    """Why one node is in the plan."""

    kind: str
    text: str
    quote: str | None = None
    start: int | None = None
    end: int | None = None
    needed_by: str | None = None
    input: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "needed_by": self.needed_by,
            "input": self.input,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})  # type: ignore[arg-type]

    def shifted(self, offset: int, requirement: str) -> Reason:
        """The same reason with its span moved by ``offset`` characters into ``requirement``."""
        if self.start is None or self.end is None or not offset:
            return self
        return quoted(requirement, self.start + offset, self.end + offset)


def quoted(requirement: str, start: int, end: int) -> Reason:
    quote = requirement[start:end]
    shown = " ".join(quote.split())
    return Reason(ASKED, f'"{shown}" (characters {start}-{end})', quote, start, end)


def needed(consumer: str, port: str) -> Reason:
    return Reason(NEEDED_BY, f"needed by {consumer}'s input {port}", needed_by=consumer, input=port)


# ---------------------------------------------------------------------------------------------
# finding words in the requirement


_WORD = re.compile(r"\w+")
_BOUNDARY = re.compile(
    r"[.!?](?=\s|$)|;|\s[—–-]\s|\n\s*\n|\n(?=[ \t]*(?:>|[-*•+]\s|\d+[.)]\s|[A-Z]))|(?<=:)[ \t]*\n"
    r"|,\s+(?:(?i:and|then|but|so|while|also)\s)?|\s(?i:and|then|but|so|while|also)\s"
)


_LEAD = re.compile(r"(?:\s|[>*•+-](?=\s)|\d+[.)](?=\s))*")
RESYNC_WORDS = 40  # how far the two texts may differ before their words line up again


def _align(read: list[str], original: list[str]) -> dict[int, int]:
    """Word ``i`` of the read text -> its word in the original.

    The read text is the original with sources masked and numbers normalised, so a walk that
    skips the few words that differ is linear; when it lines up under 90% of the words (an
    email's quoted history moved before the reply), the general diff does it.
    """
    mapping: dict[int, int] = {}
    i = j = 0
    while i < len(read) and j < len(original):
        if read[i] == original[j]:
            mapping[i] = j
            i, j = i + 1, j + 1
            continue
        i, j = _resync(read, original, i, j) or (i + 1, j)
    if len(mapping) >= 0.9 * len(read):
        return mapping
    matcher = SequenceMatcher(None, read, original, autojunk=False)
    return {a + k: b + k for a, b, size in matcher.get_matching_blocks() for k in range(size)}


def _resync(read: list[str], original: list[str], i: int, j: int) -> tuple[int, int] | None:
    """The nearest pair of positions after ``i``, ``j`` where two words in a row agree."""
    for distance in range(1, RESYNC_WORDS):
        for skip in range(distance + 1):
            a, b = i + skip, j + distance - skip
            inside = a + 1 < len(read) and b + 1 < len(original)
            if inside and read[a : a + 2] == original[b : b + 2]:
                return a, b
    return None


class _Source:
    """The original requirement, with its words aligned to the reader's text."""

    def __init__(self, requirement: str, read: str) -> None:
        self.text = requirement
        self.words = [(m.start(), m.end()) for m in _WORD.finditer(requirement)]
        read_words = list(_WORD.finditer(read))
        self.read_words = [(m.start(), m.end()) for m in read_words]
        self.to_original = _align(
            [m.group().lower() for m in read_words],
            [requirement[s:e].lower() for s, e in self.words],
        )
        depth = 0
        self.depth = []
        for char in requirement:
            depth += char == "("
            self.depth.append(depth)
            depth = max(0, depth - (char == ")"))
        self.bounds = [
            (m.start(), m.end())
            for m in _BOUNDARY.finditer(requirement)
            if not self.depth[m.start()]
        ]

    def span_of(self, read_span: tuple[int, int], read: str) -> tuple[int, int] | None:
        """A span of the reader's text as a span of the requirement's words."""
        start, end = read_span
        inside = [i for i, (s, e) in enumerate(self.read_words) if e > start and s < end]
        if inside and inside[0] in self.to_original and inside[-1] in self.to_original:
            first, last = self.to_original[inside[0]], self.to_original[inside[-1]]
            if first <= last:
                return self.words[first][0], self.words[last][1]
        return locate(self.text, read[start:end])

    def clause(self, span: tuple[int, int]) -> tuple[int, int]:
        """The clause around ``span`` (between commas, "and", sentence ends), when short."""
        start, end = span
        left = max((e for s, e in self.bounds if e <= start), default=0)
        right = min((s for s, e in self.bounds if s >= end), default=len(self.text))
        lead = _LEAD.match(self.text, left, start)  # a bullet, a number, an email's ">"
        left = lead.end() if lead else left
        while right > end and self.text[right - 1].isspace():
            right -= 1
        if right - left > MAX_CLAUSE:
            return span
        return left, right


# ---------------------------------------------------------------------------------------------
# the offline planner's reasons


def offline_reasons(
    requirement: str, planned: OfflinePlan, *, registry: Registry | None = None
) -> dict[str, Reason]:
    """A reason for every node of an offline plan of ``requirement``."""
    source = _Source(requirement, planned.intent.text)
    reasons: dict[str, Reason] = {}
    for node in planned.topology:
        why = planned.why.get(node)
        reason = _reason_of(why, planned.intent, source) if why is not None else None
        reasons[node] = reason or _completion(planned.topology, node, registry)
    return reasons


def _reason_of(why: Why, intent: Intent, source: _Source) -> Reason:
    from sagewright.agents.offline_planner import NeededBy

    if isinstance(why, NeededBy):
        return needed(why.consumer, why.port)
    span = _asked_span(why.concept, why.job, why.span, intent, source)
    if span is not None:
        start, end = source.clause(span)
        return quoted(source.text, start, end)
    what = f"{why.concept} ({why.job})" if why.job else why.concept
    return Reason(READ, f"read from the requirement as asking for: {what}; no words to quote")


def _asked_span(
    concept: str,
    job: str | None,
    span: tuple[int, int] | None,
    intent: Intent,
    source: _Source,
) -> tuple[int, int] | None:
    if span is not None:
        return source.span_of(span, intent.text)
    if concept == "data":
        values = [s.value for s in intent.sources if s.job_type == job and s.kind != "model"]
        return next((at for v in values if (at := locate(source.text, v))), None)
    mention = _mention(intent, concept, job)
    return source.span_of((mention.start, mention.end), intent.text) if mention else None


def _mention(intent: Intent, concept: str, job: str | None) -> Mention | None:
    """The concept's first asked mention, preferring one whose sentence names ``job``."""
    from sagewright.agents.requirement_reader import _job_mentions
    from sagewright.agents.text.windows import sentence_bounds

    asked = [m for m in intent.mentions if m.concept == concept and not m.negated]
    # "training s3://..." names data; prefer words that ask for the stage itself
    asked.sort(key=lambda m: intent.text[m.end :].lstrip().startswith("§"))
    if job:
        for mention in asked:
            _, end = sentence_bounds(intent.text, mention.start)
            if job in {j for _, j in _job_mentions(intent.text[mention.start : end])}:
                return mention
    return asked[0] if asked else None


# ---------------------------------------------------------------------------------------------
# any topology: the LLM's, an edited one


def completion(
    topology: Mapping[str, Sequence[str]], node: str, registry: Registry | None = None
) -> Reason | None:
    """``needed by X's input Y`` when a node of ``topology`` reads ``node`` through a port."""
    reg = registry or default_registry()
    if step_type_of(node) not in reg:
        return None
    made = reg.get(step_type_of(node)).produced_kinds
    for child, parents in topology.items():
        if node not in parents or step_type_of(child) not in reg:
            continue
        port = next((p for p in reg.get(step_type_of(child)).inputs if p.kind in made), None)
        if port is not None:
            return needed(child, port.name)
    return None


def _completion(
    topology: Mapping[str, Sequence[str]], node: str, registry: Registry | None
) -> Reason:
    return completion(topology, node, registry) or Reason(
        UNEXPLAINED, "not asked for in the requirement, and no step of the plan reads its output"
    )


def llm_reasons(
    requirement: str,
    topology: Mapping[str, Sequence[str]],
    quotes: Mapping[str, str],
    *,
    registry: Registry | None = None,
) -> dict[str, Reason]:
    """Reasons for an LLM's plan: its quote when it occurs in the requirement, else the input
    the node feeds, else the model's choice (a quote not found is dropped, never given a span)."""
    reasons: dict[str, Reason] = {}
    for node in topology:
        quote = quotes.get(node) or ""
        span = locate(requirement, quote) if quote.strip() else None
        if span is not None:
            reasons[node] = quoted(requirement, *span)
            continue
        missing = "quote not found" if quote.strip() else "no quote given"
        reasons[node] = completion(topology, node, registry) or Reason(
            MODEL_CHOICE, f"model's choice ({missing})"
        )
    return reasons


def explain(
    requirement: str,
    topology: Mapping[str, Sequence[str]],
    *,
    known: Mapping[str, Reason] | None = None,
    registry: Registry | None = None,
) -> dict[str, Reason]:
    """Reasons for any topology of ``requirement`` (an edited plan, a host's own).

    A quote already ``known`` (the planner's) is kept; otherwise the offline reading of the
    requirement gives the words that ask for the node; otherwise the node's reader in
    ``topology``; otherwise it is unexplained.
    """
    from sagewright.agents.offline_planner import plan_offline

    reg = registry or default_registry()
    read = offline_reasons(requirement, plan_offline(requirement, registry=reg), registry=reg)
    reasons: dict[str, Reason] = {}
    for node in topology:
        kept = (known or {}).get(node)
        offline = read.get(node)
        if kept is not None and kept.kind == ASKED:
            reasons[node] = kept
        elif offline is not None and offline.kind in (ASKED, READ):
            reasons[node] = offline
        else:
            reasons[node] = _completion(topology, node, reg)
    return reasons


def reason_for(reasons: Mapping[str, Reason], node: str) -> Reason:
    """``node``'s reason; a typed error naming the plan's nodes when there is no such node."""
    if node not in reasons:
        listed = ", ".join(reasons) or "none"
        raise UnknownNodeError(
            f"no node '{node}' in the plan", hint=f"the plan's nodes are: {listed}"
        )
    return reasons[node]
