"""How a requirement is laid out: snippet layouts rewritten as plain ``key: value`` lines.

Pasted HTML loses its tags; check marks read ``yes`` and crosses ``no`` (✅ ❌, Jira's
``(/)`` ``(x)``); a unified diff or ~~struck-out~~ text keeps only what the change leaves; a chat
line ``s/old/new/`` edits what was said before it; a row of a markdown table or of a CSV, TSV or
semicolon block reads ``first: second; third`` (a ``min``/``max`` column pair reads ``a to b``),
a TOML ``[section]`` of ``key = value`` lines one ``section: k = v, ...`` line, a form's
``Q. question? A: answer`` reads ``question: answer``, shorthand (pkg, reg, grp, w/o) as words;
a YAML ``step:`` whose only setting is ``enabled: false`` reads ``step: no``. Both readers start
from this text, so a table or a toggle means the same to the planner and the extractor.
"""

from __future__ import annotations

import csv
import html
import re

HTML_TAG = re.compile(r"</?(?:p|li|ul|ol|br|div|b|i|u|em|strong|code|span|pre|h\d)\b[^>]*>", re.I)
HTML_BREAK = re.compile(r"<(?:br\s*/?|/p|/li|/div|/ul|/ol|/h\d|p|ul|ol)\b[^>]*>", re.I)
MARKS = {"✅": "yes", "✔": "yes", "✓": "yes", "☑": "yes", "❌": "no", "✗": "no", "✘": "no"}
JIRA_MARK = re.compile(r"(?<!\S)\((/|x)\)(?!\S)")
JIRA_MARKUP = re.compile(r"\{\{([^{}\n]+)\}\}|\{(?:code|noformat)(?::\w+)?\}|\*([^*\n]{1,40}:)\*")
STRUCK = re.compile(r"~~[^~\n]+~~")
SED = re.compile(r"^(?P<who>[^\n]*?)(?<![\w/])s/(?P<old>[^/\n]+)/(?P<new>[^/\n]*)/g?[ \t]*$", re.M)
DISABLED = re.compile(
    r"^(?P<key>[ \t]*(?:-[ \t]*)?[\w -]+):[ \t]*\n[ \t]+(?:enabled?|include[ds]?|active|run)"
    r"[ \t]*[:=][ \t]*(?:false|no|off)\b",
    re.M | re.I,
)
QA = re.compile(
    r"^[ \t]*Q\d*[.:)]?[ \t]+(?P<q>[^\n?]*)\?[ \t]*\n?[ \t]*A\d*[ \t]*[:.)][ \t]*", re.M
)
SECTION = re.compile(
    r"^\[(?P<name>[\w .-]{1,40})\][ \t]*\n(?P<body>(?:[ \t]*[\w.-]+[ \t]*=[^\n]*(?:\n|$))+)", re.M
)
SHORT = {
    "pkg": "package",
    "grp": "group",
    "lbl": "label",
    "reg": "register",
    "w/o": "without",
    "bs": "batch size",
}
SHORTHAND = re.compile(  # a colon may follow a label ("grp: x"), not "reg" ("reg:squarederror")
    r"(?<![\w:/])(?:(?:pkg|grp|lbl|bs)(?![\w/])|(?:reg|w/o)(?![\w:/]))|(?<!\w)w/(?=\s)", re.I
)
TABLE_ROW = re.compile(r"^[ \t]*\|(?P<cells>.*)\|[ \t]*$")
TABLE_RULE = re.compile(r"^[\s|:\-]*$")
TOGGLE = re.compile(r"yes|no|true|false|on|off|y|n", re.I)
LOW, HIGH = re.compile(r"min\w*|low\w*|from|start"), re.compile(r"max\w*|high\w*|to|end")


def laid_out(text: str) -> str:
    """``text`` with its snippet layouts read as plain statements."""
    if HTML_TAG.search(text):
        text = HTML_TAG.sub("", HTML_BREAK.sub("\n", re.sub(r"<li\b[^>]*>", "\n- ", text)))
        text = html.unescape(text)
    text = JIRA_MARK.sub(lambda m: "yes" if m[1] == "/" else "no", text)
    text = JIRA_MARKUP.sub(lambda m: m[1] or m[2] or "```", text)
    text = "".join(MARKS.get(c, c) for c in text)
    text = DISABLED.sub(lambda m: f"{m['key']}: no", STRUCK.sub("", _undiffed(text)))
    text = _sed_applied(QA.sub(r"\g<q>: ", text))
    text = SHORTHAND.sub(lambda m: SHORT.get(m[0].lower(), "with"), text)
    text = SECTION.sub(
        lambda m: (
            ", ".join(f"{m['name']} {x.strip()}" for x in m["body"].split("\n") if x.strip()) + "\n"
        ),
        text,
    )

    return "\n".join(_rows(_table_rows(_folded(text.split("\n")))))


YAML_PARENT = re.compile(r"^(?P<indent>[ \t]*)(?:-[ \t]*)?[\w .-]+:[ \t]*$")
YAML_LEAF = re.compile(r"^(?P<indent>[ \t]+)[\w.-]+[ \t]*:[ \t]*\S")


def _folded(lines: list[str]) -> list[str]:
    """A YAML key whose block holds only ``k: v`` lines reads ``key k: v, key k2: v2``."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        parent = YAML_PARENT.match(lines[i])
        j = i + 1
        while parent and j < len(lines) and (leaf := YAML_LEAF.match(lines[j])):
            if len(leaf["indent"]) <= len(parent["indent"]):
                break
            j += 1
        deeper = j < len(lines) and len(lines[j]) - len(lines[j].lstrip()) > len(
            parent["indent"] if parent else ""
        )
        if parent and j > i + 1 and not (deeper and lines[j].strip()):
            key = lines[i].rstrip().rstrip(":")
            out.append(", ".join(f"{key} {x.strip()}" for x in lines[i + 1 : j]))
            i = j
        else:
            out.append(lines[i])
            i += 1
    return out


def _undiffed(text: str) -> str:
    """A unified diff (``-old`` and ``+new`` lines) reads as what it leaves."""
    lines = text.split("\n")
    if not (
        any(re.match(r"\+[^+\s]", line) for line in lines)
        and any(re.match(r"-[^-\s]", line) for line in lines)
    ):
        return text
    kept = [line for line in lines if not re.match(r"-[^-\s]", line)]
    return "\n".join(line[1:] if re.match(r"\+[^+\s]", line) else line for line in kept)


def _sed_applied(text: str) -> str:
    """``s/0.8/0.85/`` replaces the last ``0.8`` said before it, and is then dropped."""
    while match := SED.search(text):
        before = text[: match.start()]
        at = before.rfind(match["old"])
        if at >= 0:
            before = before[:at] + match["new"] + before[at + len(match["old"]) :]
        text = before + text[match.end() :]
    return text


def _table_rows(lines: list[str]) -> list[str]:
    out: list[str] = []
    header: list[str] = []
    for line in lines:
        row = TABLE_ROW.match(line)
        if row is None:
            header = []
            out.append(line)
        elif not TABLE_RULE.fullmatch(line):
            cells = [c.strip() for c in row["cells"].split("|")]
            out.append(_statement(cells, header))
            header = header or [c.lower() for c in cells]
    return out


def _rows(lines: list[str]) -> list[str]:
    """Blocks of two or more lines that split alike on a tab, ';' or ',' (no space after it)."""
    out = list(lines)
    i = 0
    while i < len(out):
        width, delimiter, end = _block(out, i)
        if width:
            header = [c.lower() for c in _cells(out[i], delimiter)]
            for j in range(i, end):
                out[j] = _statement(_cells(out[j], delimiter), header if j > i else [])
            i = end
        else:
            i += 1
    return out


def _block(lines: list[str], start: int) -> tuple[int, str, int]:
    for delimiter in ("\t", ";", ","):
        width = _width(lines[start], delimiter)
        end = start
        while end < len(lines) and width and _width(lines[end], delimiter) == width:
            end += 1
        if end - start >= 2:
            return width, delimiter, end
    return 0, "", start


def _width(line: str, delimiter: str) -> int:
    if delimiter not in line or (delimiter != "\t" and f"{delimiter} " in line):
        return 0
    cells = _cells(line, delimiter)
    return len(cells) if len(cells) >= 2 and cells[0] else 0


def _cells(line: str, delimiter: str) -> list[str]:
    try:
        return [c.strip() for c in next(csv.reader([line], delimiter=delimiter))]
    except (csv.Error, StopIteration):  # a stray carriage return or NUL: not a row
        return [line]


def _statement(cells: list[str], header: list[str]) -> str:
    """``key: value; more`` with a low/high column pair of the header read as ``a to b``."""
    for k in range(1, len(header) - 1):
        if LOW.fullmatch(header[k]) and HIGH.fullmatch(header[k + 1]) and len(cells) > k + 1:
            cells = [*cells[:k], f"{cells[k]} to {cells[k + 1]}", *cells[k + 2 :]]
            break
    if len(cells) > 1 and TOGGLE.fullmatch(cells[1]):  # a step switched on or off, in words
        cells = [re.sub(r"[_-]+", " ", cells[0]), *cells[1:]]
    rest = "; ".join(c for c in cells[1:] if c)
    return f"{cells[0]}: {rest}" if rest else cells[0]


# "ten epochs. No, make it fifteen": the correction replaces the number said just before it
CORRECTION = re.compile(
    r"(?<![\d:.])(?P<old>\d+(?:\.\d+)?)(?![\d:\]])(?P<mid>[^\d\n]{0,30}?)[.,;!]*\s*\b(?:no|sorry|actually|wait|oops)"
    r"\s*[,.!]?\s*(?:make (?:it|that)|i mean|rather|should be)\s+(?P<new>\d+(?:\.\d+)?)\b",
    re.I,
)


def corrected(text: str) -> str:
    """Self-corrections applied (numbers already in digits)."""
    return CORRECTION.sub(lambda m: f"{m['new']}{m['mid']}", text)
