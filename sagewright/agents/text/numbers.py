"""Numbers as people write them: digits, thousands separators, exponents, and words."""

from __future__ import annotations

import re

# Starts only where a run of digits starts, so a long digit run is read once, not once per
# position (the regexes using it stay linear).
NUMBER = (
    r"(?<![\d.])[-+]?(?<![\d.])(?:\d{1,3}(?:,\d{3})+(?![0-9])|\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
)


def parse_number(raw: str) -> str:
    """Number text as Pydantic should read it: thousands separators removed."""
    return raw.replace(",", "")


UNITS = [
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
]
TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
WORD_VALUES = (
    {word: i for i, word in enumerate(UNITS)}
    | {word: 10 * (i + 2) for i, word in enumerate(TENS)}
    | {"nought": 0, "dozen": 12}
)
SCALES = {"hundred": 100, "thousand": 1000}
_WORD = r"(?:" + "|".join(sorted([*WORD_VALUES, *SCALES], key=len, reverse=True)) + r")"
# "five hundred", "sixty-four", "zero point zero five", "three e minus five", "a couple of"
SPELLED = re.compile(
    rf"\b(?P<int>{_WORD}(?:[\s-]+(?:and[\s-]+)?{_WORD})*)"
    rf"(?:\s+point(?P<frac>(?:\s+{_WORD})+))?"
    rf"(?:\s+e\s+(?P<sign>minus|plus)?\s*(?P<exp>{_WORD}))?\b"
    r"|\ba (?:couple of|dozen)\b|\b(?P<k>\d+(?:\.\d+)?)k\b"
    rf"|\bpoint(?P<lead>(?:\s+{_WORD})+)\b",  # "above point eight five": 0.85
    re.IGNORECASE,
)
# A lone "one" is usually a pronoun ("the one we trained"), not a value.
NOT_NUMBERS = frozenset({"one", "a couple of"})


def _spelled_int(words: str) -> int | None:
    total = current = 0
    for word in re.split(r"[\s-]+", words.lower()):
        if word == "and":
            continue
        if word in SCALES:
            current = max(current, 1) * SCALES[word]
            if word == "thousand":
                total, current = total + current, 0
        elif word in WORD_VALUES:
            current += WORD_VALUES[word]
        else:
            return None
    return total + current


def _spelled(match: re.Match[str]) -> str:
    said = match.group()
    if match["k"]:
        return str(int(float(match["k"]) * 1000))
    if said.lower().startswith("a "):  # "a couple of", "a dozen"
        return "2" if said.lower() == "a couple of" else "12"
    if match["lead"]:
        digits = [WORD_VALUES.get(w.lower()) for w in match["lead"].split()]
        if any(d is None or d > 9 for d in digits):
            return said
        return "0." + "".join(str(d) for d in digits)
    if said.lower() in NOT_NUMBERS and not match["frac"] and not match["exp"]:
        return said
    whole = _spelled_int(match["int"])
    if whole is None:
        return said
    text = str(whole)
    if match["frac"]:
        digits = [WORD_VALUES.get(w.lower()) for w in match["frac"].split()]
        if any(d is None or d > 9 for d in digits):
            return said
        text += "." + "".join(str(d) for d in digits)
    if match["exp"]:
        exponent = WORD_VALUES.get(match["exp"].lower())
        if exponent is None:
            return said
        text += "e" + ("-" if (match["sign"] or "").lower() == "minus" else "") + str(exponent)
    return text


def words_to_digits(text: str) -> str:
    """Numbers written in words as digits ("twelve epochs" -> "12 epochs", "1k" -> "1000")."""
    return DECIMAL_COMMA.sub(r"0.\1", SPELLED.sub(_spelled, text))


# "0,9" is a decimal written with a comma (a list or thousands never start with a lone 0)
DECIMAL_COMMA = re.compile(r"(?<![\w.,])0,(\d+)\b(?![.,]\d)")
