"""Numbers as people write them: digits, thousands separators, exponents, and words."""

from __future__ import annotations

NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+(?![0-9])|\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"


def parse_number(raw: str) -> str:
    """Number text as Pydantic should read it: thousands separators removed."""
    return raw.replace(",", "")
