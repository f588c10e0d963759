"""Step words with a typo read as the step words ("evalute", "regsiter", "calibarte").

The words come from the registry's cue patterns (every finite spelling a cue accepts, plus
its stems), so a plugin step's words are typo-tolerant too. A token is corrected when it is
one edit from a cue word (a swap of neighbours; a missing or extra letter from six letters on;
a changed letter from seven), shares its first two letters and is not its plural or tense.
"""

from __future__ import annotations

import functools
import re
import re._parser as _sre  # type: ignore[import-not-found]  # Python 3.11+: re.compile's parser
from collections.abc import Iterable
from typing import Any

MIN_LENGTH = 5
WORD = re.compile(r"(?<![\w§/.:-])[a-z]{5,}(?![\w§/:-]|\.\w)")
# English words one edit from a cue word, never typos of it
REAL_WORDS = frozenset({"retain", "retains", "retained", "strain", "trail", "raining", "modal"})
INFLECTIONS = ("s", "es", "d", "ed", "ing", "er", "ers")


def _spellings(items: Any, limit: int = 512) -> list[str]:
    """Strings a parsed pattern accepts; ``\\w*``-style repeats end a word (marked ``*``)."""
    outs = [""]
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            add = [chr(arg)]
        elif name == "IN":
            chars = [chr(a) for o, a in arg if str(o) == "LITERAL"]
            word_class = any(str(o) == "CATEGORY" and "WORD" in str(a) for o, a in arg)
            add = ["*"] if word_class else (chars[:1] or [" "])
        elif name == "SUBPATTERN":
            add = _spellings(arg[-1], limit)
        elif name == "BRANCH":
            add = [s for branch in arg[1] for s in _spellings(branch, limit)]
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            _, high, sub = arg
            inner = _spellings(sub, limit)
            add = ["", *inner] if high == 1 else (["*"] if inner == ["*"] else [" "])
        else:  # anchors, look-arounds, classes: a word boundary
            add = [" "]
        outs = [o + a for o in outs for a in add][:limit]
    return outs


@functools.lru_cache(maxsize=16)
def cue_words(cues: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """Whole words and stems (a cue word followed by ``\\w*``) the cues spell."""
    words: set[str] = set()
    stems: set[str] = set()
    for cue in cues:
        try:
            spellings = _spellings(_sre.parse(cue))
        except Exception:  # a cue the enumerator does not follow: no typo tolerance for it
            continue
        for spelling in spellings:
            for token in re.findall(r"[a-z]+\**", spelling):
                if len(token.rstrip("*")) < MIN_LENGTH:
                    continue
                (stems if token.endswith("*") else words).add(token.rstrip("*"))
    return frozenset(words), frozenset(stems)


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by exactly one edit (neighbour swap counts as one); short
    words only by a swap or one letter more or less ("scope" is no typo of "score")."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:  # a changed letter: only in longer words ("clears" is no "cleans")
            return len(a) > MIN_LENGTH + 1
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and (a[diff[1]] == b[diff[0]])
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return len(short) > MIN_LENGTH and any(
        long[:i] + long[i + 1 :] == short for i in range(len(long))
    )


def _correction(token: str, words: frozenset[str], stems: frozenset[str]) -> str | None:
    if token in words or token in REAL_WORDS or any(token.startswith(s) for s in stems):
        return None
    cognate = _cognate(token, words, stems)
    if cognate:
        return cognate
    found = [
        w for w in words if w[:2] == token[:2] and _one_edit(token, w) and not _inflected(token, w)
    ]
    if found:  # "traing": train or trains, one word either way; two different words: no guess
        return min(found, key=len) if len({f[:4] for f in found}) == 1 else None
    for stem in sorted(stems, key=len, reverse=True):  # the longest stem that fits
        for cut in (len(stem), len(stem) + 1, len(stem) - 1):
            head = token[:cut]
            if head[:2] == stem[:2] and len(head) >= MIN_LENGTH and _one_edit(head, stem):
                return stem + token[cut:]
    return None


# German verbs and nouns on -ieren / -ierung from the English stem ("evaluieren", "trainieren",
# "Registrierung", "Validierung")
GERMAN = re.compile(r"(?P<base>[a-z]{5,}?)(?P<end>ierung|ieren|ierte|iert)")


def _cognate(token: str, words: frozenset[str], stems: frozenset[str]) -> str | None:
    match = GERMAN.fullmatch(token)
    if not match:
        return None
    base = match["base"]
    forms = ((base + "ation",) if match["end"] == "ierung" else ()) + (base + "ate", base)
    for form in forms:
        if form in words or any(form.startswith(stem) for stem in stems):
            return form
    starting = sorted((w for w in words if w.startswith(base)), key=lambda w: (len(w), w))
    return starting[0] if starting else None


def _inflected(token: str, word: str) -> bool:
    return any(token == word + end or word == token + end for end in INFLECTIONS) or (
        token[:-1] == word[:-1] and {token[-1], word[-1]} <= {"s", "d", "e"}
    )


def correct_typos(text: str, cues: Iterable[str]) -> str:
    """``text`` (lower case) with each misspelt cue word replaced by the word it misspells."""
    words, stems = cue_words(tuple(cues))

    def fix(match: re.Match[str]) -> str:
        return _correction(match.group(), words, stems) or match.group()

    return WORD.sub(fix, text)
