"""Sentences and the clause windows around a position (one splitter for every reader)."""

from __future__ import annotations

import re

SENTENCE_BREAK = re.compile(r"(?:[.!?](?=\s|$)|\n)")
# Longest sentence the readers look at on either side of a position: bounds every window, so
# reading a text costs time linear in its length.
MAX_SENTENCE = 600


def sentence_bounds(text: str, position: int) -> tuple[int, int]:
    """Start and end of the sentence (or line) holding ``position``."""
    floor = max(0, position - MAX_SENTENCE)
    start = floor
    for match in SENTENCE_BREAK.finditer(text, floor, position):
        start = match.end()
    ceiling = min(len(text), position + MAX_SENTENCE)
    after = SENTENCE_BREAK.search(text, position, ceiling)
    return start, after.start() if after else ceiling


def before_window(text: str, start: int, floor: int) -> str:
    """The clause leading up to ``start``: back to the sentence start or ``floor``.

    When that clause has no word in it (a value on its own line under a heading such as
    ``Training data:``), the previous line is used instead.
    """
    sentence_start, _ = sentence_bounds(text, start)
    lo = max(sentence_start, floor)
    window = text[lo:start]
    if not re.search(r"[A-Za-z]{2}", window) and lo > floor:
        prev_start, _ = sentence_bounds(text, max(lo - 1, 0))
        window = text[max(prev_start, floor) : start]
    return window


def after_window(text: str, end: int, ceiling: int) -> str:
    _, sentence_end = sentence_bounds(text, end)
    return text[end : min(sentence_end, ceiling)]


# What may follow a value that ends where a rule stopped reading it.
_CLOSERS = frozenset(" \t\r\n,;)]}\"'`|")


def cut_short(text: str, end: int) -> bool:
    """Whether the token a value was read from goes on after ``end`` (``fraudé``,
    ``target.is_fraud``, ``2**64``, ``raw/$(id)/``): such a value is not taken in part."""
    if end >= len(text) or text[end] in _CLOSERS:
        return False
    if text[end] in ".:!?":
        return end + 1 < len(text) and not text[end + 1].isspace()
    return True


MIN_QUOTE = 3


def locate(requirement: str, quote: str) -> tuple[int, int] | None:
    """The span of ``quote`` in ``requirement``, comparing with whitespace runs and case
    normalised; ``None`` when it does not occur (or is too short to mean anything)."""
    wanted = " ".join(quote.strip().strip("\"'“”‘’`").split()).lower()
    if len(wanted) < MIN_QUOTE or not re.search(r"\w", wanted):
        return None
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(requirement):
        if char.isspace():
            if chars and chars[-1] == " ":
                continue
            char = " "
        chars.append(char.lower())
        origin.append(index)
    at = "".join(chars).find(wanted)
    if at < 0:
        return None
    return origin[at], origin[at + len(wanted) - 1] + 1
