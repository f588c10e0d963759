"""Write an output folder atomically: complete, or untouched on any error.

Files go to a temporary sibling folder that replaces the target at the end. An existing
target is replaced only when it is empty or holds ``marker`` (an earlier output of the same
kind), so a mistyped ``--out`` never wipes someone's folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from sagewright.errors import SagewrightError


def write_folder(target: Path, files: Mapping[str, str | bytes], *, marker: str) -> Path:
    """Write ``files`` (relative path -> text or bytes) as the whole content of ``target``."""
    target = Path(target)
    if target.exists() and not _replaceable(target, marker):
        raise SagewrightError(
            f"{target}: exists and is not an earlier sagewright output (no {marker})",
            hint="choose a new --out folder or remove this one",
            code="out_dir_exists",
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise SagewrightError(
            f"{target}: cannot create the folder: {os_reason(exc)}",
            hint="choose an --out folder whose parents are folders you can write to",
            code="unwritable_out",
        ) from None
    try:
        for name, content in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _replaceable(target: Path, marker: str) -> bool:
    return target.is_dir() and (not any(target.iterdir()) or (target / marker).is_file())


def _swap(staging: Path, target: Path) -> None:
    """Move ``staging`` to ``target``; an old ``target`` is removed only after the move."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def os_reason(exc: OSError) -> str:
    """``File exists: 'a'``: the OS reason and the path it is about."""
    if exc.strerror and exc.filename:
        return f"{exc.strerror}: {exc.filename!r}"
    return exc.strerror or str(exc)
