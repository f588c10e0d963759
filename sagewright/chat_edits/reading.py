"""Read a chat turn as edit operations on the pipeline under review.

A turn is cut into clauses ("remove the quality gate and set max_depth to 5" is two); each
clause says what it does by how it opens: add, remove, replace ("swap A for B", "use B
instead of A"), switch framework ("use PyTorch") or set a value ("set max_depth to 5",
"change the instance type of training to ml.m5.2xlarge"). What the clause names (steps,
data, values, frameworks) is read later by the same reader the planner and the extractor use;
this module only finds the operation and its words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sagewright.agents.requirement_reader import FRAMEWORK_WORDS
from sagewright.agents.text.asks import FRAMEWORKS

ADD, REMOVE, REPLACE, SWITCH, SET = "add", "remove", "replace", "switch", "set"

_LEAD = r"^\s*(?:(?:please|pls|ok(?:ay)?|now|then|and|also|can you|could you|let'?s)[\s,]+)*"
OPENERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        REMOVE,
        re.compile(
            _LEAD + r"(?:remove|drop|delete|skip|exclude|omit|get rid of|take out|lose|"
            r"(?:we\s+|i\s+)?(?:don'?t|do not|no longer)\s+(?:need|want)|no need for|without)\b",
            re.I,
        ),
    ),
    (REPLACE, re.compile(_LEAD + r"(?:swap|replace|substitute|exchange)\b", re.I)),
    (SWITCH, re.compile(_LEAD + r"(?:use|switch(?:\s+over)?\s+to|go with|move to)\b", re.I)),
    (
        SET,
        re.compile(
            _LEAD + r"(?:set|change|make|update|increase|decrease|raise|lower|bump|reduce)\b",
            re.I,
        ),
    ),
    (ADD, re.compile(_LEAD + r"(?:add|include|insert|append|put in|plus)\b|^\s*also\b", re.I)),
)
INSTEAD = re.compile(r"\b(?:instead of|rather than|in place of)\b", re.I)
SWAP_OBJECTS = re.compile(r"^(?P<a>.+?)\s+(?:for|with|by|to)\s+(?P<b>.+)$", re.I | re.S)
CLAUSE_BREAK = re.compile(r"[;\n]|[.!?](?=\s|$)")
VERB_START = "|".join(
    r"(?:" + pattern.pattern.removeprefix(_LEAD).lstrip("^") + r")" for _, pattern in OPENERS
)
AND_THEN = re.compile(r",?\s+(?:and\s+then|and|then)\s+(?=(?:" + VERB_START + r"))", re.I)


@dataclass(frozen=True)
class Edit:
    """One operation: ``target`` is what it acts on, ``new`` what comes in (replace/switch)."""

    op: str
    target: str
    new: str = ""
    text: str = ""  # the whole clause, for the value reader


def clauses(turn: str) -> list[str]:
    parts = [p.strip() for p in CLAUSE_BREAK.split(turn) if p.strip()]
    return [c.strip(" ,") for part in parts for c in AND_THEN.split(part) if c.strip(" ,")]


def read_edits(turn: str) -> list[Edit]:
    """The operations a turn asks for, in order (empty when it is no edit)."""
    found: list[Edit] = []
    for clause in clauses(turn):
        edit = _read_clause(clause)
        if edit is not None:
            found.append(edit)
    return found


def framework_named(words: str) -> str | None:
    """``pytorch`` / ``xgboost`` when the words name one, ``other`` for a framework we lack."""
    lowered = words.lower()
    hits = [(m.start(), name) for name, p in FRAMEWORK_WORDS.items() for m in p.finditer(lowered)]
    if hits:
        return min(hits)[1]
    return "other" if FRAMEWORKS.search(words) else None


def _read_clause(clause: str) -> Edit | None:
    instead = INSTEAD.search(clause)
    for op, pattern in OPENERS:
        match = pattern.match(clause)
        if match is None:
            continue
        rest = clause[match.end() :].strip(" ,:")
        if instead and op in (REPLACE, SWITCH, SET, ADD):
            new, old = _instead(rest)
            return Edit(REPLACE, old, new, clause)
        if op == REPLACE:
            objects = SWAP_OBJECTS.match(rest)
            if objects is None:
                return Edit(REPLACE, rest, "", clause)
            old, new = objects["a"], objects["b"]
            if match.group(0).lower().rstrip().endswith("substitute"):
                old, new = new, old  # "substitute B for A": B comes in
            return Edit(REPLACE, old.strip(), new.strip(), clause)
        if op == SWITCH and framework_named(rest) is None:
            return Edit(SET, rest, "", clause)  # "use ml.m5.xlarge for training"
        if op == SET and framework_named(rest) and not re.search(r"\d", rest):
            return Edit(SWITCH, rest, rest, clause)  # "change the framework to pytorch"
        return Edit(op, rest, rest if op == SWITCH else "", clause)
    if instead:  # "PyTorch instead of XGBoost"
        new, old = _instead(clause)
        return Edit(REPLACE, old, new, clause)
    return None


def _instead(words: str) -> tuple[str, str]:
    """``B instead of A`` -> (B, A)."""
    match = INSTEAD.search(words)
    if match is None:
        return words, ""
    return words[: match.start()].strip(" ,"), words[match.end() :].strip(" ,.")
