"""Reading the user's text files with typed errors instead of tracebacks."""

from __future__ import annotations

from pathlib import Path

from sagewright.errors import SagewrightError


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SagewrightError(f"{path}: file not found", code="file_not_found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SagewrightError(f"{path}: cannot read: {exc}", code="unreadable_file") from None
