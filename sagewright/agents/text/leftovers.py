"""Values the user stated that no config field took: each is listed as *not understood*.

Value-like spans are S3 URIs and ARNs, SQL, quoted names, ``name=value`` and ``name: value``
pairs, numbers next to a field's words or a metric, and names after "named", "called" or
"group". A span is accounted for when the value it carries is among the extraction's values
(text compared without case, numbers by value, percentages as fractions), when its name part
names a field that got a value (a later message or a stronger statement won), or when a note
already quotes it (an unsupported ask, a value cut short). The rest is reported: a value is
never dropped without a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from pydantic import BaseModel

from sagewright.agents.text.literals import find_mentions
from sagewright.agents.text.metrics import METRIC
from sagewright.registry import Registry
from sagewright.registry.fields import field_cues
from sagewright.registry.hyperparameters import (
    ModelHyperparameters,
    PyTorchHyperparameters,
    XGBoostHyperparameters,
)

_ONE_NUMBER = r"\d+(?:[.,]\d+)*(?:e-?\d+)?%?"
# a number, a range of two ("0.01-0.3", "3 to 9") or a change ("300 -> 450"), not part of a
# name, a time or a ticket
NUMBER = re.compile(
    rf"(?<![\w.\-/:$#])-?{_ONE_NUMBER}(?:\s*(?:-|–|to|->|→)\s*{_ONE_NUMBER})?(?![\w/]|:\d)",
    re.IGNORECASE,
)
ANY_NUMBER = re.compile(r"(?<![A-Za-z_\d.])\d+(?:\.\d+)?(?:e-?\d+)?%?(?![A-Za-z_])", re.IGNORECASE)
WORD = re.compile(r"[A-Za-z]{2,}")
NAME_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")  # "F1", "L2" too
_VALUE = r"(?P<value>[`'\"]?[\w.:/+\-@*]+[`'\"]?)"
# ``name=value`` anywhere; ``name: value`` on a line of its own (a bullet, a YAML-ish key) or
# as an aside ("(approval: Approved, group churn-models)")
ASSIGNED = re.compile(r"\b(?P<name>[A-Za-z][\w-]*)[ \t]*=[ \t]*" + _VALUE)
KEYED = re.compile(
    r"(?:^[ \t]*(?:[-*\u2022>|][ \t]*|\d+[.)][ \t]+)?|\([ \t]*|,[ \t]*)"
    r"(?P<name>[A-Za-z][\w-]*(?:[ \t][A-Za-z][\w-]*){0,3})[ \t]*:(?!//)[ \t]*"
    + _VALUE
    + r"[ \t]*(?=$|[,;)|#]|\.(?:\s|$))",
    re.MULTILINE,
)
# what stands before a list's number ("2. Train", "Step 4: package")
ENUMERATOR = re.compile(
    r"(?:^|[.:;!?][ \t]+|\b(?:step|stage|phase|part)[ \t]+)[ \t]*$", re.M | re.I
)
NOT_NAMES = frozenset(
    {"the", "a", "an", "it", "this", "that", "our", "your", "my", "its", "their", "of", "for",
     "to", "and", "as", "is", "be", "after", "by", "in", "on", "with", "name", "addressee",
     "recipient", "recipients", "person", "individual", "party", "entity"}
)  # fmt: skip
# A table's header row read as "key: value" ("key,value", "job type;source") holds no value.
HEADER_WORDS = frozenset(
    {"value", "values", "source", "setting", "settings", "parameter", "param", "field", "type",
     "step", "enabled", "notes", "note", "location", "hyperparameter", "min", "max", "default",
     "description", "name"}
)  # fmt: skip
INSTANCE_TYPE = re.compile(r"\bml\.[a-z0-9]+\.[a-z0-9]+", re.IGNORECASE)  # one word, not three
CLAUSE_BREAK = re.compile(r"[.!?;](?=\s|$)|\n")
QUOTED = re.compile(r"[`'\"](?P<value>[A-Za-z0-9][\w.\-/]{1,62})[`'\"](?!\s*:)")  # not a key
CALLED = re.compile(
    r"\b(?:named|called|name[ds]?|group)\s+(?:is\s+|as\s+|of\s+)?[`'\"]?(?P<value>[A-Za-z0-9][\w.\-]{2,62})",
    re.IGNORECASE,
)
METRIC_WORD = re.compile(METRIC, re.IGNORECASE)
# Words too general to make a number a value ("2 steps", "the data type").
GENERAL = frozenset(
    {"s3", "uri", "name", "type", "max", "min", "num", "id", "is", "of", "the", "step", "data",
     "config", "source", "path", "value", "use", "enable", "enabled", "output", "input", "model",
     "train", "training", "pipeline", "default", "existing", "full", "list", "text", "field",
     "user", "content", "format", "description", "dir", "py", "tab", "cat", "prefix", "accept",
     "author", "response", "join", "child", "number", "maximum", "minimum", "each", "per", "when",
     "with", "and", "or", "for", "to", "in", "a", "an", "on", "from", "all", "only", "used",
     "where", "what", "which", "this", "that", "be", "not", "no", "it", "its", "at", "as", "by",
     "column", "columns", "class", "every", "empty", "means", "them", "read", "size", "before",
     "builder", "doe", "example", "fixed", "many", "thi", "without", "improve", "improvement",
     "row", "sum", "mini", "random"}
)  # fmt: skip
# Words between a number and its field word that do not count ("AUC is at least 0.82").
FILLER = frozenset(
    {"is", "be", "was", "at", "least", "most", "than", "more", "less", "equal", "above", "below",
     "over", "under", "of", "to", "in", "a", "an", "the", "with", "should", "must", "set", "use",
     "about", "around", "roughly", "approx", "approximately", "um", "uh", "like"}
)  # fmt: skip
NEAR = 3  # words between a number and the field word it belongs to


TOGGLES = frozenset({"yes", "no", "y", "n", "true", "false", "on", "off", "skip", "none", "n/a"})


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    said: str  # what to quote
    value: str  # the value part
    name: str = ""  # the name part, when the span has one


def not_understood(
    text: str,
    taken: Iterable[Any],
    cues: Iterable[re.Pattern[str]],
    notes: Iterable[str],
    registry: Registry,
) -> list[str]:
    """Notes for the value-like spans of ``text`` that nothing ``taken`` accounts for.

    ``taken``: values and key names, nested in mappings and lists as they come; ``cues``:
    the words that asked for the plan's steps; ``notes``: what was already said.
    """
    values = _flatten(taken)
    texts = {_normal(v) for v in values if isinstance(v, str) and v.strip()}
    numbers = {n for v in values for n in _numbers_of(v)}
    names = {_stem(w) for v in texts for w in re.split(r"[\W_]+", v) if w} - GENERAL
    cue_list = list(cues)
    already = " ".join(notes).lower()
    said: dict[int, str] = {}
    for span in _spans(text, _field_words(registry)):
        if _accounted(span, texts, numbers, names) or span.said.lower() in already:
            continue
        if any(cue.fullmatch(_normal(span.value)) for cue in cue_list):
            continue  # a step word ("steps: [evaluate, package]"): the planner read it
        if _normal(span.value) in TOGGLES and _names_a_step(span.name, registry):
            continue  # "payloads: no": a checklist the planner read
        said.setdefault(span.start, span.said.rstrip(".,;:"))
    # one note a clause: "lr (0.0001 to 0.005" holds "lr (0.0001"
    kept = [s for s in said.values() if not any(o != s and o.startswith(s) for o in said.values())]
    return [unread_note(s, "stated, but no config field took it") for s in dict.fromkeys(kept)]


def _accounted(span: Span, texts: set[str], numbers: set[Decimal], names: set[str]) -> bool:
    value = _normal(span.value)
    if value in texts or any(_holds(t, value) or _holds(value, t) for t in texts):
        return True  # "SELECT ... (redshift)" holds the query taken; a path holds a prefix
    said = _numbers_of(span.value)
    if METRIC_WORD.search(span.said):  # "F1 at least 75" is a threshold of 0.75
        said |= {n / 100 for n in said}
    if said & numbers:  # "85%" taken as 0.85 or as 85
        return True
    # a value for a field that got another one (a later message, a stronger statement)
    said_names = {_stem(w) for w in WORD.findall(span.name.lower())} - GENERAL
    if METRIC_WORD.fullmatch(span.name):  # "AUC >= 0.8" names the gate's threshold
        said_names = {"threshold"}
    return bool(said_names) and said_names <= names


def _code_reference(name: str, value: str) -> bool:
    """``role=role``, ``model_data=step.properties.ModelArtifacts``: a variable, not a value."""
    if value == name:
        return True
    parts = value.split(".")
    return len(parts) > 1 and all(p.isidentifier() for p in parts) and value != value.lower()


def _holds(longer: str, shorter: str) -> bool:
    """``shorter`` stands in ``longer`` as whole words (not "4" in "210987654321")."""
    if len(shorter) < 3 or not re.search(r"[a-z]", shorter) or shorter not in longer:
        return False
    return bool(re.search(rf"(?<![\w]){re.escape(shorter)}(?![\w])", longer))


def _spans(text: str, field_words: frozenset[str]) -> Iterator[Span]:
    literal_spans = []
    for mention in find_mentions(text):
        literal_spans.append((mention.start, mention.end))
        if mention.kind == "url":  # a link to a page, not a value
            continue
        yield Span(mention.start, mention.end, mention.value[:120], mention.value)
    covered = _Covered(literal_spans)
    pairs = sorted([*ASSIGNED.finditer(text), *KEYED.finditer(text)], key=lambda m: m.start())
    for match in pairs:
        name, value = match["name"], match["value"].strip("`'\"")
        if value.lower() in HEADER_WORDS:
            continue
        if text.startswith("(", match.end()) or _code_reference(name, match["value"]):
            continue  # ``x = TrainingInput(...)``, ``role=role``: code, not a value
        words = {_stem(w) for w in WORD.findall(name.lower())}
        # a field's words, or a key_like_this with a literal (``num_leaves=63``, not ``=sess``)
        literal = value != match["value"] or bool(re.search(r"\d", value))
        named_field = bool(words & field_words) or ("_" in name and literal)
        if named_field and not covered.overlaps(match.start("value"), match.end()):
            covered.add(match.start(), match.end())
            said = " ".join(text[match.start("name") : match.end()].split())
            yield Span(match.start(), match.end(), said, value, name)
    for match in CALLED.finditer(text):
        if match["value"].lower().rstrip(".") in NOT_NAMES:
            continue
        if not covered.overlaps(*match.span("value")):
            covered.add(*match.span())
            yield Span(match.start(), match.end(), match.group(), match["value"])
    for match in INSTANCE_TYPE.finditer(text):
        if not covered.overlaps(*match.span()):
            covered.add(*match.span())
            before = re.search(
                r"([A-Za-z][\w-]*)[ \t:=]*$", text[max(0, match.start() - 40) : match.start()]
            )
            start = match.start() - len(before.group()) if before else match.start()
            said = " ".join(text[start : match.end()].split())
            yield Span(start, match.end(), said, match.group())
    for match in QUOTED.finditer(text):  # a quoted name after a field's words ("label `y`")
        window = text[max(0, match.start() - 30) : match.start()].lower()
        named = re.search(r"\b(?:column|col|field|name|named|called|is)\W*$", window)
        if not named and not _field_word_near(text, match.start(), match.start(), field_words):
            continue
        if not covered.overlaps(*match.span()):
            covered.add(*match.span())
            yield Span(match.start(), match.end(), match.group(), match["value"])
    for match in NUMBER.finditer(text):
        if covered.overlaps(*match.span()) or _enumerator(text, match):
            continue
        name = _field_word_near(text, match.start(), match.end(), field_words)
        if name:
            said = _clause(text, match.start(), match.end(), name)
            yield Span(match.start(), match.end(), said, match.group(), name)


def _names_a_step(name: str, registry: Registry) -> bool:
    said = name.lower()
    return any(re.search(cue, said) for spec in registry for cue in spec.cues)


def _enumerator(text: str, match: re.Match[str]) -> bool:
    """ "2. Train ...", "3) Register": a list's number, not a value."""
    follows = text[match.end() : match.end() + 3]
    if not re.match(r" ?[.):\-]\s", follows):
        return False
    return bool(ENUMERATOR.search(text, max(0, match.start() - 12), match.start()))


def _field_word_near(text: str, start: int, end: int, field_words: frozenset[str]) -> str:
    """The field word or metric a number belongs to, in its clause: the words right after it
    ("20 jobs", "4 in parallel") first, else those before it ("eta 0.05", "AUC is at least
    0.82"); :data:`NEAR` words each way, fillers not counted, never past another number."""
    before_text = INSTANCE_TYPE.sub(" ", CLAUSE_BREAK.split(text[max(0, start - 60) : start])[-1])
    after_text = INSTANCE_TYPE.sub(" ", CLAUSE_BREAK.split(text[end : end + 60])[0])
    before_text = re.split(r"(?<![A-Za-z])\d|;|->|→", before_text)[-1]
    after_text = re.split(r"(?<![A-Za-z])\d|[,;()]|->|→|\b(?:and|or|then)\b", after_text)[0]
    after = [w for w in NAME_WORD.findall(after_text) if w.lower() not in FILLER][:NEAR]
    before = [w for w in NAME_WORD.findall(before_text) if w.lower() not in FILLER][-NEAR:]
    words = [*after, *reversed(before)]
    metric = next((word for word in words if METRIC_WORD.fullmatch(word)), "")
    return metric or next((w for w in words if _stem(w.lower()) in field_words), "")


def _clause(text: str, start: int, end: int, name: str) -> str:
    """The number with its field word, as said ("20 jobs", "learning rate 0.01")."""
    lo = text.rfind(name, max(0, start - 40), start)
    hi = text.find(name, end, end + 40)
    if lo >= 0:
        return " ".join(text[lo:end].split())
    if hi >= 0:
        return " ".join(text[start : hi + len(name)].split())
    return text[start:end]


class _Covered:
    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = list(spans)

    def overlaps(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.spans)

    def add(self, start: int, end: int) -> None:
        self.spans.append((start, end))


@cache
def _field_words_of(names: tuple[str, ...]) -> frozenset[str]:
    words = {_stem(w) for name in names for w in re.split(r"[\W_]+", name.lower()) if w}
    return frozenset(w for w in words - GENERAL if len(w) > 2 or w in ("lr", "l1", "l2"))


def _field_words(registry: Registry) -> frozenset[str]:
    """Words of every config and hyperparameter field name and cue, and of the
    hyperparameters' descriptions ("Learning rate (shrinkage)" for ``eta``)."""
    names: list[str] = []
    hyperparameters: list[type[BaseModel]] = [XGBoostHyperparameters, PyTorchHyperparameters]
    for model in [*hyperparameters, *(spec.config_class for spec in registry)]:
        for name, info in model.model_fields.items():
            names.append(name)
            names += [" ".join(re.findall(r"[a-z]{3,}", c)) for c in field_cues(model, name)]
            if model in hyperparameters and name not in ModelHyperparameters.model_fields:
                names.append(info.description or "")
    return _field_words_of(tuple(sorted(set(names))))


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _normal(value: str) -> str:
    return " ".join(value.strip().strip("`'\".,;").lower().split())


def _numbers_of(value: Any) -> set[Decimal]:
    if isinstance(value, bool):
        return set()
    if isinstance(value, int | float):
        return {Decimal(str(value)).normalize()}
    if not isinstance(value, str):
        return set()
    out: set[Decimal] = set()
    plain = re.sub(r"(?<=\d),(?=\d{3}\b)", "", value)  # 1,000
    plain = re.sub(r"(?<=\d),(?=\d{1,2}\b)", ".", plain)  # a decimal comma: 0,1
    for match in ANY_NUMBER.finditer(plain):
        raw = match.group().replace(",", "")
        try:
            number = Decimal(raw.rstrip("%"))
        except InvalidOperation:
            continue
        out.add((number / 100 if raw.endswith("%") else number).normalize())
        out.add(number.normalize())  # "85%" may be stated as 85 or as 0.85
    return out


def _flatten(values: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if isinstance(value, Mapping):
            out += _flatten([*value.keys(), *value.values()])
        elif isinstance(value, list | tuple | set):
            out += _flatten(value)
        else:
            out.append(value)
    return out


QUOTED_NOTE = re.compile(r"^not understood: '(?P<said>.*)' \(")


def unread_note(said: str, why: str) -> str:
    """The one form of a *not understood* line (:func:`fresh_notes` reads it back)."""
    return f"not understood: '{said}' ({why})"


def fresh_notes(notes: Iterable[str], said_before: Iterable[str]) -> list[str]:
    """``notes`` less those already said: the same line, or a *not understood* line whose
    value a line in ``said_before`` already quotes ("rate 0.01-0.3" in "learning rate ...")."""
    before = list(said_before)
    quoted = [m["said"].lower() for note in before if (m := QUOTED_NOTE.match(note))]
    out: list[str] = []
    for note in notes:
        match = QUOTED_NOTE.match(note)
        said = match["said"].lower() if match else None
        if note in before or note in out:
            continue
        if said is not None and any(said in q or q in said for q in quoted):
            continue
        out.append(note)
    return out
