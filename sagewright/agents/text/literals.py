"""Literal values in a requirement (S3 URIs, ARNs, SQL), masking, and table/JSON layouts.

Literal values (S3 URIs, IAM ARNs, SQL queries) are found first and then *masked* (replaced
by same-length filler) so later rules never match inside them: ``label`` in ``SELECT label
FROM t`` is not a label statement, and ``eu-west-1`` in a bucket name is not a region.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Literal

MentionKind = Literal["s3", "sql", "arn", "url"]

S3_PATTERN = re.compile(r"s3://[^\s`'\"()<>\[\]{},;|]+", re.IGNORECASE)
ARN_PATTERN = re.compile(r"\barn:[^\s`'\"()<>\[\]{},;|]+")
URL_PATTERN = re.compile(r"\bhttps?://[^\s`'\"()<>\[\]{},;|]+")
CODE_SPAN = re.compile(r"```(?:[a-zA-Z]+\n)?(?P<fenced>.+?)```|`(?P<inline>[^`\n]+)`", re.DOTALL)
SQL_START = re.compile(r"\b(?:SELECT|WITH)\b")
SQL_START_ANY_CASE = re.compile(r"\b(?:select|with)\b", re.IGNORECASE)
SQL_CUE_BEFORE = re.compile(r"(?:query|sql|athena|redshift)\b[^.\n]{0,20}$", re.IGNORECASE)
SQL_TAIL = re.compile(
    r"(?:(?:,\s*(?:and\s+|then\s+)?|\s+(?:and|then)\s+(?:then\s+)?)"
    r"(?:evaluate|train|run|package|register|use|label|labels|id|ids|score|load|with|using"
    r"|region|role|for\s+the)"
    r"|\s+(?:on|in|via|using|from)\s+(?:athena|redshift))\b.*$",
    re.IGNORECASE | re.DOTALL,
)
DOCUMENT = re.compile(r"\.(?:pdf|docx?|pptx?|md|html?|png|jpe?g|gif|svg)$", re.IGNORECASE)
TRAILING_PUNCTUATION = ".,;:!?)]}'\"`"
MASK = "\u2591"  # light shade: never a word character, never punctuation the rules look for


@dataclass(frozen=True)
class Mention:
    kind: MentionKind
    start: int
    end: int
    value: str
    backticked: bool = False


LITERALS: tuple[tuple[re.Pattern[str], MentionKind], ...] = (
    (S3_PATTERN, "s3"),
    (ARN_PATTERN, "arn"),
    (URL_PATTERN, "url"),
)


def find_mentions(text: str) -> list[Mention]:
    """S3 URIs, ARNs and SQL queries in text order (SQL in backticks, fences or plain)."""
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for match in CODE_SPAN.finditer(text):
        group = "fenced" if match.group("fenced") is not None else "inline"
        body = match.group(group)
        stripped = body.strip()
        if SQL_START_ANY_CASE.match(stripped) and re.search(r"\bfrom\b", stripped, re.I):
            start = match.start(group) + body.index(stripped[0])
            query = one_line(stripped)
            mentions.append(Mention("sql", start, start + len(stripped), query, True))
            bisect.insort(taken, (match.start(), match.end()))
    for pattern, kind in LITERALS:
        for match in pattern.finditer(text):
            if _inside(match.start(), taken):
                continue
            value = match.group().rstrip(TRAILING_PUNCTUATION)
            said: MentionKind = kind
            if kind == "s3":
                value = "s3://" + value[5:]  # the scheme in lower case
                if DOCUMENT.search(value):  # a runbook PDF in S3 is a page to read, not data
                    said = "url"
            mentions.append(Mention(said, match.start(), match.start() + len(value), value))
            bisect.insort(taken, (match.start(), match.start() + len(value)))
    mentions.extend(_plain_sql(text, taken))
    return sorted(mentions, key=lambda m: m.start)


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``position`` is inside one of ``spans`` (kept sorted; log time, not linear)."""
    i = bisect.bisect_right(spans, (position, len(spans) + 1 << 62)) - 1
    return i >= 0 and spans[i][0] <= position < spans[i][1]


def _plain_sql(text: str, taken: list[tuple[int, int]]) -> list[Mention]:
    """Unquoted SQL: ``SELECT``/``WITH`` in capitals, or any case right after 'query'/'sql'."""
    found: list[Mention] = []
    for match in SQL_START_ANY_CASE.finditer(text):
        start = match.start()
        if _inside(start, taken) or (found and found[-1].start <= start < found[-1].end):
            continue
        if not SQL_START.match(text, start) and not SQL_CUE_BEFORE.search(
            text[max(0, start - 40) : start]
        ):
            continue
        end = _sql_end(text, start)
        query = _trim_tail(text[start:end])
        if not re.search(r"\bfrom\b", query, re.IGNORECASE) or len(query) < 8:
            continue
        found.append(Mention("sql", start, start + len(query), one_line(query)))
    return found


def one_line(query: str) -> str:
    """A query written over several lines as one line (each line stripped, joined by a space).

    A one-line query is kept exactly as written.
    """
    if "\n" not in query:
        return query
    return " ".join(line.strip() for line in query.splitlines() if line.strip())


def _trim_tail(query: str) -> str:
    """Cut English that follows the query in the same clause (", label y", " in redshift")."""
    found = re.search(r"\bfrom\b", query, re.IGNORECASE)
    if not found:
        return query.strip()
    head, tail = query[: found.end()], query[found.end() :]
    return (head + SQL_TAIL.sub("", tail)).strip().rstrip(",|").rstrip()


SQL_ASIDE = re.compile(
    r"\s*(?:in|on|using|via|run in|runs in)?\s*(?:the\s+)?(?:athena|glue|redshift)?\s*"
    r"(?:database|db|workgroup|work group|catalog|cluster)\b",
    re.IGNORECASE,
)


def _sql_end(text: str, start: int) -> int:
    """End of an unquoted query: a newline, ';', a sentence-ending '.', or an unopened ')'."""
    quote: str | None = None
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            if depth == 0 and SQL_ASIDE.match(text, i + 1):
                return i  # "(database: x, workgroup: y)": where it runs, not part of it
            depth += 1
        elif ch == ")":
            if depth == 0:
                return i
            depth -= 1
        elif _ends_clause(text, i):
            return i
        i += 1
    return i


SQL_CONTINUES = re.compile(
    r"\n[ \t]*(?:(?i:from|where|(?:inner\s+|left\s+|right\s+|full\s+|cross\s+)?join"
    r"|group\s+by|order\s+by|having|limit|union)|AND|OR)\b"
)


def _ends_clause(text: str, i: int) -> bool:
    """A newline, ';', a '.' before whitespace, or an em/en dash (a new clause starts).

    A newline followed by a SQL clause word (``FROM``, ``WHERE``, ``AND`` ...) or after a
    trailing comma continues the query on the next line.
    """
    ch = text[i]
    if ch == "\n" and (SQL_CONTINUES.match(text, i) or _after_comma(text, i)):
        return False
    if ch in "\n;\u2014\u2013":
        return True
    return ch == "." and (i + 1 == len(text) or text[i + 1].isspace())


def _after_comma(text: str, i: int) -> bool:
    """Whether the last character before ``i`` other than spaces and tabs is a comma."""
    j = i - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    return j >= 0 and text[j] == ","


def mask(text: str, spans: list[tuple[int, int]]) -> str:
    """Replace each span by filler of the same length (offsets stay valid)."""
    chars = list(text)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            if chars[i] != "\n":
                chars[i] = MASK
    return "".join(chars)


QUOTED_KEY = re.compile(r"([\"'])(?P<key>[A-Za-z_][A-Za-z0-9_ .\-]{0,40})\1(?=\s*[:=])")


def flatten_layout(text: str) -> str:
    """Same-length text where a quoted key ``"max_depth": 7`` loses its quotes
    (``"label_name": "y"`` reads ``label_name : "y"``); tables are read by ``layout``."""
    chars = list(text)
    for key in QUOTED_KEY.finditer(text):
        chars[key.start()] = chars[key.end() - 1] = " "
    return "".join(chars)
