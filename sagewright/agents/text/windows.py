"""Sentences and the clause windows around a position (one splitter for every reader)."""

from __future__ import annotations

import re

SENTENCE_BREAK = re.compile(r"(?:[.!?](?=\s)|\n)")


def sentence_bounds(text: str, position: int) -> tuple[int, int]:
    """Start and end of the sentence (or line) holding ``position``."""
    start = 0
    for match in SENTENCE_BREAK.finditer(text, 0, position):
        start = match.end()
    after = SENTENCE_BREAK.search(text, position)
    return start, after.start() if after else len(text)


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
