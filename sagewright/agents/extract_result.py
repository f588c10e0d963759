"""What an extraction returns, and the collector both backends fill.

Backends propose ``(key, value, evidence)`` candidates; the :class:`Collector` validates each
against its field, keeps one value per key, turns two different values for one key into a
:class:`Conflict` (never silently picks one) and a rejected value into a :class:`Rejected`
carrying the validation message. :func:`Collector.finish` then builds the configs once (with
placeholders for what is still unknown) to catch rules that span fields, and drops a value
that breaks one, again as a :class:`Rejected`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from sagewright.agents.extract_fields import (
    KeyRejected,
    apply_key,
    clear_key,
    key_for_config_path,
    read_key,
    validate_key,
)
from sagewright.agents.llm import Usage
from sagewright.errors import ConfigError
from sagewright.facts import PipelineValues
from sagewright.registry import Registry
from sagewright.scaffold import build_configs
from sagewright.topology import Topology


@dataclass(frozen=True)
class Conflict:
    """Two or more different values stated for one key; to be resolved by asking."""

    key: str
    values: tuple[Any, ...]
    evidence: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        shown = " and ".join(repr(v) for v in self.values)
        return f"the requirement states different values for '{self.key}': {shown}"


@dataclass(frozen=True)
class Rejected:
    """A stated value its field does not accept; ``message`` quotes the validation error."""

    key: str
    value: Any
    message: str
    evidence: str = ""


@dataclass
class Extraction:
    """Values stated in a requirement, for one topology.

    ``values`` holds only validated, non-conflicting values; ``conflicts`` and ``rejected``
    are to be asked about; ``missing`` lists the question keys still unanswered (fields with
    no stated value and no default); ``notes`` explains what was seen but not used.
    ``backend`` is ``offline``, the model string, or ``offline (fallback from MODEL)`` with
    ``fallback`` the LLM error code.
    """

    values: PipelineValues
    conflicts: list[Conflict]
    usage: Usage
    backend: str
    rejected: list[Rejected] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fallback: str | None = None
    llm_attempts: list[Any] = field(default_factory=list)  # agents.llm.Attempt, one per call
    structured_output_mode: str | None = None

    def facts(self) -> dict[str, Any]:
        return self.values.facts()

    @property
    def not_understood(self) -> list[str]:
        """The notes quoting stated values that were not taken (never taken in part)."""
        return [note for note in self.notes if note.startswith("not understood:")]

    @property
    def unsupported(self) -> list[str]:
        return [note for note in self.notes if note.startswith("not supported:")]


@dataclass
class _Candidate:
    value: Any
    evidence: str
    position: int = 0  # where in the text it was said (a later message wins)


class Collector:
    """Candidates per key -> validated values, conflicts and rejections."""

    def __init__(self, framework: str, registry: Registry | None = None) -> None:
        self.framework = framework
        self.registry = registry
        self._candidates: dict[str, list[_Candidate]] = {}
        self.rejected: list[Rejected] = []
        self.notes: list[str] = []
        self.position = 0  # set by the reader before each add
        self.message_starts: list[int] = []  # a thread's messages; empty for one message

    def add(self, key: str, value: Any, evidence: str = "") -> bool:
        """Validate and keep a candidate; False (and a Rejected) when the field refuses it."""
        try:
            clean = validate_key(key, value, framework=self.framework, registry=self.registry)
        except KeyRejected as exc:
            self.rejected.append(Rejected(key, value, exc.message, evidence))
            return False
        except KeyError:
            self.notes.append(f"'{key}' is not a field of this pipeline; ignored")
            return False
        self._candidates.setdefault(key, []).append(_Candidate(clean, evidence, self.position))
        return True

    def has(self, key: str) -> bool:
        return key in self._candidates

    def stated_keys(self) -> list[str]:
        return list(self._candidates)

    def evidence(self, key: str) -> list[str]:
        """The words each candidate for ``key`` was read from, in text order."""
        return [c.evidence for c in self._candidates.get(key, [])]

    def candidates(self, key: str) -> list[Any]:
        """The validated values proposed for ``key``, in text order."""
        return [c.value for c in self._candidates.get(key, [])]

    def _latest_message(self, key: str, said: list[_Candidate]) -> list[_Candidate]:
        """In a thread, what the latest message that states ``key`` says replaces the rest."""
        if not self.message_starts or len({_normal(c.value) for c in said}) < 2:
            return said
        message = [bisect.bisect_right(self.message_starts, c.position) for c in said]
        latest = [c for c, m in zip(said, message, strict=True) if m == max(message)]
        if len(latest) < len(said):
            earlier = ", ".join(repr(c.value) for c in said if c not in latest)
            self.notes.append(f"a later message replaces {key} = {earlier}")
        return latest

    def finish(self, topology: Topology) -> tuple[PipelineValues, list[Conflict], list[Rejected]]:
        values = PipelineValues()
        conflicts: list[Conflict] = []
        for key, said in self._candidates.items():
            candidates = self._latest_message(key, said)
            distinct: list[_Candidate] = []
            for cand in candidates:
                if all(_normal(cand.value) != _normal(d.value) for d in distinct):
                    distinct.append(cand)
            if len(distinct) == 1:
                apply_key(values, key, distinct[0].value)
            else:
                conflicts.append(
                    Conflict(
                        key,
                        tuple(d.value for d in distinct),
                        tuple(d.evidence for d in distinct),
                    )
                )
        rejected = [r for r in self.rejected if r.key not in self._candidates]
        rejected.extend(drop_cross_field_errors(topology, values, self.registry))
        return values, conflicts, rejected


def drop_cross_field_errors(
    topology: Topology, values: PipelineValues, registry: Registry | None = None
) -> list[Rejected]:
    """Build with placeholders; a value breaking a cross-field rule is removed and reported."""
    rejected: list[Rejected] = []
    for _ in range(20):  # each round removes one value; bounded for safety
        try:
            build_configs(topology, values, allow_placeholders=True, registry=registry)
            return rejected
        except ConfigError as exc:
            key = _key_of_error(exc, values)
            if key is None:
                rejected.append(Rejected("", None, exc.message))
                return rejected
            rejected.append(Rejected(key, read_key(values, key), exc.message))
            clear_key(values, key)
    return rejected


def _key_of_error(exc: ConfigError, values: PipelineValues) -> str | None:
    """Map ``node 'X'.field`` back to the key that set it (whole-model rules: best guess)."""
    where = exc.where
    if not where.startswith("node '"):
        return None
    node, _, path = where.removeprefix("node '").partition("'")
    path = path.lstrip(".")
    if path:
        key = key_for_config_path(path, node)
        if key is not None and read_key(values, key) is not None:
            return key
    # A model-level rule names no field: blame the stated value the message names.
    text = exc.message
    for key in _mentioned_keys(text):
        if read_key(values, key) is not None:
            return key
    return None


def _mentioned_keys(message: str) -> list[str]:
    found = []
    for word, key in (
        ("objective", "hyperparameters.objective"),
        ("threshold", "gate.threshold"),
        ("id_name", "id_name"),
        ("label_name", "label_name"),
        ("hidden_dims", "hyperparameters.hidden_dims"),
    ):
        if word in message:
            found.append(key)
    return found


def _normal(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split())
    return tuple(value) if isinstance(value, list) else value  # a range said in a thread
