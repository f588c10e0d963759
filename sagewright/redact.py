"""Secrets typed into a requirement are removed before anything is written or sent.

A requirement ends up in README.md, the chat's session store and (through the values taken
from it) config.json, so anything that looks like a credential is replaced by a marker such
as ``[REDACTED aws-access-key]`` first, and the caller warns. Looks like: an AWS access key
id, a 40-character AWS secret key, a provider API key (``sk-...``, ``ghp_...``, ``AIza...``,
``xox.-``, ``hf_...``), or any value after ``secret``, ``password``, ``token`` or ``api key``
and ``=`` / ``:`` / ``is`` that contains a digit.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_EDGE = r"(?<![A-Za-z0-9/+=_-])"
_END = r"(?![A-Za-z0-9/+=_-])"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("aws-access-key", re.compile(_EDGE + r"(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA)[A-Z0-9]{16}" + _END)),
    (
        "aws-secret-key",
        re.compile(
            _EDGE + r"(?=[A-Za-z0-9/+]*[0-9])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[A-Z])"
            r"[A-Za-z0-9/+]{40}" + _END
        ),
    ),
    (
        "api-key",
        re.compile(
            _EDGE + r"(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{30,}"
            r"|AIza[A-Za-z0-9_-]{30,}|xox[abprs]-[A-Za-z0-9-]{10,}|hf_[A-Za-z0-9]{30,})"
        ),
    ),
)
_KEYWORD_VALUE = re.compile(
    r"(?i)\b(?:aws_secret_access_key|aws_session_token|secret(?:[ _-]?(?:access[ _-]?)?key)?"
    r"|api[ _-]?key|apikey|access[ _-]?token|auth[ _-]?token|token|password|passwd)"
    r"(?:\s*[:=]\s*|\s+is\s+)[\"']?(?=[^\s\"',;]*[0-9])([^\s\"',;]{8,})"
)


@dataclass(frozen=True)
class Redacted:
    text: str
    found: tuple[str, ...]  # what was removed, by kind, in order

    def warning(self) -> str:
        kinds = ", ".join(sorted(set(self.found)))
        return (
            f"removed {len(self.found)} value(s) that look like secrets ({kinds}) from what "
            "you typed; they are written nowhere. Pass credentials through the environment"
        )


def redact(text: str) -> Redacted:
    """``text`` with every secret-looking value replaced by ``[REDACTED kind]``."""
    found: list[str] = []
    for kind, pattern in PATTERNS:
        text = pattern.sub(functools.partial(_mark, found, kind), text)
    text = _KEYWORD_VALUE.sub(functools.partial(_mark, found, "secret"), text)
    return Redacted(text, tuple(found))


def _mark(found: list[str], kind: str, match: re.Match[str]) -> str:
    """The match with its secret part (group 1 when there is one) replaced by a marker."""
    found.append(kind)
    if match.re.groups:
        start = match.start(1) - match.start(0)
        return match.group(0)[:start] + f"[REDACTED {kind}]"
    return f"[REDACTED {kind}]"
