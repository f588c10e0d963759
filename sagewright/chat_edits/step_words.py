"""Which steps a phrase names ("the quality gate", "the test evaluation"), from registry data.

No word list here: a step is named by the words of its registered type name
(``QualityGate`` -> "quality", "gate"), by its ``StepSpec.cues`` and, for a node, by its job
type. So a plugin step is named in chat with no edit to ``agents/``. A word matches a name
word when they share a stem ("tune" / "Tuning", "register" / "Registration"). Words many step
types share ("model") weigh little; the head word (the last one: ``XGBoostModel``'s "model")
weighs more, as in English.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sagewright.agents.requirement_reader import read_requirement
from sagewright.registry import Registry
from sagewright.topology import qualifier_of, step_type_of

HEAD_BONUS = 1.0
CUE_WEIGHT = 2.0


def name_words(step_type: str) -> list[str]:
    """``XGBoostTraining`` -> ["xgboost", "training"]; ``PyTorchModel`` -> ["pytorch", "model"]."""
    words = re.findall(r"[A-Z][a-z0-9]+|[A-Z]+(?=[A-Z][a-z]|$)", step_type)
    merged: list[str] = []
    for word in words:  # "XGBoost", "PyTorch": a short or all-capital part joins the next
        if merged and (merged[-1].isupper() or len(merged[-1]) < 3):
            merged[-1] += word
        else:
            merged.append(word)
    return [w.lower() for w in merged]


def same_stem(said: str, name: str) -> bool:
    if said == name:
        return True
    common = len(_prefix(said, name))
    return common >= 3 and common >= min(5, len(said) - 1, len(name) - 1)


def _prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _words(phrase: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", phrase.lower())


def asked_in(phrase: str, registry: Registry) -> set[str]:
    """What the reader finds asked for in ``phrase`` (cue words from the registry)."""
    intent = read_requirement(phrase, registry) if phrase.strip() else None
    return {c for c in intent.asked if intent.wants(c)} if intent else set()


def step_score(
    phrase: str, step_type: str, registry: Registry, asked: set[str] | None = None
) -> float:
    """How strongly ``phrase`` names ``step_type`` (0 when not at all)."""
    said = _words(phrase)
    names = name_words(step_type)
    sharing = {
        word: sum(1 for other in registry.names() if word in name_words(other)) for word in names
    }
    score = 0.0
    for i, word in enumerate(names):
        if any(same_stem(s, word) for s in said):
            score += 1.0 / max(1, sharing[word])
            if i == len(names) - 1:
                score += HEAD_BONUS
    spec = registry.get(step_type)
    asked = asked_in(phrase, registry) if asked is None else asked
    if spec.cues and spec.asked_as in asked:
        score += CUE_WEIGHT
    if step_type.lower() in phrase.lower().replace(" ", ""):
        score += CUE_WEIGHT
    return score


def named_nodes(phrase: str, nodes: Iterable[str], registry: Registry) -> list[str]:
    """The nodes of a topology ``phrase`` names best (several when it names them alike)."""
    scored: dict[str, tuple[float, int]] = {}
    said = _words(phrase)
    asked = asked_in(phrase, registry)
    for node in nodes:
        step_type = step_type_of(node)
        if step_type not in registry:
            continue
        score = step_score(phrase, step_type, registry, asked)
        if node.lower() in phrase.lower():
            score += CUE_WEIGHT
        job = qualifier_of(node)
        job_named = int(bool(job) and any(same_stem(s, job or "") for s in said))
        if score > 0:
            scored[node] = (score, job_named)
    if not scored:
        return []
    best = max(scored.values())
    return [node for node, value in scored.items() if value == best]


def named_step_types(phrase: str, registry: Registry) -> list[str]:
    """The registered step types ``phrase`` names best."""
    asked = asked_in(phrase, registry)
    scored = {name: step_score(phrase, name, registry, asked) for name in registry.names()}
    best = max(scored.values(), default=0.0)
    return [name for name, score in scored.items() if score == best and score > 0]
