"""Folders sagewright owns: written whole, and replaced only while they are still ours.

Every folder sagewright writes holds a marker, ``.sagewright.json``, that records the kind of
output (``generate``, ``deploy``) and the SHA-256 of each file written. An existing folder
is replaced only when it is empty, or when its marker is of the same kind and every entry in
it is a file the marker lists: a file sagewright did not write is never deleted (the write
is refused), and a file edited since it was written is replaced only with ``force`` (the
refusal names what changed).

Files go to a staging sibling that replaces the target at the end, so the folder is complete
or untouched. Writers into one parent folder take turns (``flock`` on the parent), and each
writer first clears the staging and old folders that killed writers left (their process is
gone). A symlink is followed (the link stays), and a target that holds the current working
folder (``--out .``) is updated file by file, its marker listing old and new contents until
the last file is in place.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from sagewright.errors import SagewrightError

MARKER = ".sagewright.json"
LEFTOVER = re.compile(r"^\..*\.sw-(?:staging|old)-(\d+)-[^/]*$")
SHOWN_NAMES = 4


class OutDirError(SagewrightError):
    """An ``--out`` folder that cannot be written without losing someone's files."""

    code = "out_dir_exists"


def write_folder(
    target: Path,
    files: Mapping[str, str | bytes],
    *,
    kind: str,
    force: bool = False,
    meta: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``files`` (relative path -> text or bytes) as the whole content of ``target``."""
    shown = Path(target)
    real = real_target(shown)
    blobs = {name: c.encode("utf-8") if isinstance(c, str) else c for name, c in files.items()}
    marker = {
        "written_by": "sagewright",
        "kind": kind,
        "files": {name: sha256(data) for name, data in blobs.items()},
        **({"meta": dict(meta)} if meta else {}),
    }
    if real.parent.is_dir():  # fail fast, before any write (locked: others may be swapping)
        with locked(real.parent):
            check_replaceable(real, shown, kind, blobs, force=force)
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        staging = real.parent / f".{real.name}.sw-staging-{os.getpid()}-{secrets.token_hex(6)}"
        staging.mkdir()  # the umask applies, as for any folder the user makes
    except OSError as exc:
        raise OutDirError(
            f"{shown}: cannot create the folder: {os_reason(exc)}",
            hint="choose an --out folder whose parents are folders you can write to",
            code="unwritable_out",
        ) from None
    try:
        for name, data in blobs.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        (staging / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        with locked(real.parent):
            clean_leftovers(real.parent)
            check_replaceable(real, shown, kind, blobs, force=force)
            if holds_cwd(real):
                _replace_in_place(staging, real, marker)
            else:
                _swap(staging, real)
    except OSError as exc:
        raise OutDirError(
            f"{shown}: cannot write the folder: {os_reason(exc)}",
            hint="check the free space and permissions of the --out folder",
            code="unwritable_out",
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return shown


def precheck(target: Path, *, kind: str) -> None:
    """Refuse early (before any work) an ``--out`` that holds files sagewright did not write.

    Edits to an earlier output are checked when writing, where the refusal can name them.
    """
    real = real_target(Path(target))
    check_replaceable(real, Path(target), kind, {}, force=True)


def real_target(target: Path) -> Path:
    """The folder to write: absolute, symlinks followed (a dangling link is refused)."""
    if target.is_symlink() and not target.exists():
        raise OutDirError(
            f"{target}: is a symlink to a missing folder",
            hint="point --out at a folder, or remove the dangling link",
        )
    return Path(os.path.realpath(target))


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The folder's marker, or None when it has none (or one that is not ours)."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if (
        not isinstance(data, dict)
        or data.get("written_by") != "sagewright"
        or not isinstance(data.get("kind"), str)
        or not isinstance(data.get("files"), dict)
        or not all(_inside(name) for name in data["files"])
    ):
        return None
    return data


def _inside(name: str) -> bool:
    """A marker's file name stays inside its folder (a forged ``../x`` voids the marker)."""
    path = Path(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def check_replaceable(
    real: Path, shown: Path, kind: str, new: Mapping[str, bytes], *, force: bool
) -> None:
    """Raise unless ``real`` is absent, empty, or an unchanged earlier ``kind`` output."""
    try:
        _check_replaceable(real, shown, kind, new, force=force)
    except OSError as exc:  # an unreadable folder or file
        raise OutDirError(
            f"{shown}: cannot read the folder: {os_reason(exc)}",
            hint="choose an --out folder you can read and write",
            code="unwritable_out",
        ) from None


def _check_replaceable(
    real: Path, shown: Path, kind: str, new: Mapping[str, bytes], *, force: bool
) -> None:
    if not real.exists() and not real.is_symlink():
        return
    if not real.is_dir():
        raise OutDirError(f"{shown}: exists and is not a folder", hint="choose a new --out folder")
    marker = read_marker(real)
    if marker is None:
        names = os.listdir(real)  # the top level only: `--out /` must not walk the disk
        if names:
            raise OutDirError(
                f"{shown}: holds files sagewright did not write ({listed_names(names)})",
                hint="choose a new --out folder, or move those files away",
            )
        return
    files, dirs = _entries(real)
    if marker["kind"] != kind:
        raise OutDirError(
            f"{shown}: holds a sagewright {marker['kind']} output, not a {kind} output",
            hint="choose a new --out folder",
        )
    listed: dict[str, Any] = marker["files"]
    parents = {str(Path(name).parent) for name in listed} | {
        str(p) for name in listed for p in Path(name).parents
    }
    foreign = sorted(f for f in files if f not in listed)
    foreign += sorted(d for d in dirs if d not in parents)
    if foreign:
        raise OutDirError(
            f"{shown}: holds files sagewright did not write ({listed_names(foreign)})",
            hint="choose a new --out folder, or move those files away",
        )
    edited = [f for f in sorted(files) if not _matches(real / f, listed[f])]
    if edited and not force:
        changes = "; ".join(_describe_edit(real / f, f, new.get(f)) for f in edited)
        raise OutDirError(
            f"{shown}: you edited {listed_names(edited)} since sagewright wrote it; "
            f"replacing would change {changes}",
            hint="keep your edits with another --out folder, or replace them with --force",
            code="edited_output",
        )


def check_owned_file(folder: Path, name: str, *, kind: str, force: bool) -> None:
    """Raise unless ``folder/name`` is absent or recorded by ``folder``'s ``kind`` marker."""
    marker = read_marker(folder)
    if marker is not None and marker["kind"] != kind:
        raise OutDirError(
            f"{folder}: holds a sagewright {marker['kind']} output, not a {kind} output",
            hint="choose a new --out folder",
        )
    path = folder / name
    if not path.exists() and not path.is_symlink():
        return
    if marker is None or name not in marker["files"]:
        raise OutDirError(
            f"{path}: was not written by sagewright {kind}",
            hint="choose a new --out folder, or move that file away",
        )
    if not force and not _matches(path, marker["files"][name]):
        raise OutDirError(
            f"{path}: you edited it since sagewright {kind} wrote it",
            hint="keep your edits with another --out folder, or replace them with --force",
            code="edited_output",
        )


def write_owned_file(folder: Path, name: str, data: bytes, *, kind: str, force: bool) -> Path:
    """Replace one file the ``kind`` marker of ``folder`` records (others are left alone)."""
    path = folder / name
    with locked(folder):
        check_owned_file(folder, name, kind=kind, force=force)
        marker = read_marker(folder) or {"written_by": "sagewright", "kind": kind, "files": {}}
        recorded = marker["files"].get(name, [])
        before = recorded if isinstance(recorded, list) else [recorded]
        new = sha256(data)
        _write_marker(folder, {**marker, "files": {**marker["files"], name: [*before, new]}})
        _write_file(folder / f".{name}.sw-staging-{os.getpid()}-file", path, data)
        _write_marker(folder, {**marker, "files": {**marker["files"], name: new}})
    return path


def _entries(folder: Path) -> tuple[set[str], set[str]]:
    """Relative names of the files (symlinks count as files) and folders under ``folder``."""
    files: set[str] = set()
    dirs: set[str] = set()
    for root, subdirs, names in os.walk(folder):
        rel = Path(root).relative_to(folder)
        for name in subdirs:
            path = Path(root) / name
            (files if path.is_symlink() else dirs).add((rel / name).as_posix())
        files.update((rel / name).as_posix() for name in names)
    return {f for f in files if not f.startswith(MARKER)}, dirs


def _matches(path: Path, recorded: Any) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    accepted = recorded if isinstance(recorded, list) else [recorded]
    return sha256(path.read_bytes()) in accepted


def _describe_edit(path: Path, name: str, new: bytes | None) -> str:
    """``config.json (specific.X.categories)``: what a replacement would change in a file."""
    if new is None:
        return f"{name} (removed)"
    try:
        old_data = json.loads(path.read_text(encoding="utf-8"))
        new_data = json.loads(new.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return f"{name} (text)"
    paths = json_diff(old_data, new_data)
    return f"{name} ({listed_names(paths)})" if paths else f"{name} (formatting)"


def json_diff(old: Any, new: Any, prefix: str = "") -> list[str]:
    """Dotted paths where two JSON values differ (dict keys walked, anything else compared)."""
    if isinstance(old, dict) and isinstance(new, dict):
        found: list[str] = []
        for key in [*old, *(k for k in new if k not in old)]:
            found += json_diff(old.get(key), new.get(key), f"{prefix}{key}.")
        return found
    return [] if old == new else [prefix.rstrip(".") or "(whole file)"]


def listed_names(names: list[str] | set[str]) -> str:
    ordered = sorted(names)
    more = len(ordered) - SHOWN_NAMES
    return ", ".join(ordered[:SHOWN_NAMES]) + (f" and {more} more" if more > 0 else "")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def holds_cwd(folder: Path) -> bool:
    """True when the working folder is ``folder`` or inside it (it cannot be renamed away)."""
    try:
        cwd = Path.cwd().resolve()
    except OSError:
        return False
    return cwd == folder or folder in cwd.parents


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``folder`` (no lock file is left behind)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def clean_leftovers(parent: Path) -> list[Path]:
    """Remove staging and old folders whose writer process is gone (killed mid-write)."""
    removed: list[Path] = []
    try:
        names = os.listdir(parent)
    except OSError:
        return removed
    for name in names:
        match = LEFTOVER.match(name)
        if match and not _alive(int(match.group(1))):
            path = parent / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _swap(staging: Path, target: Path) -> None:
    """Move ``staging`` to ``target``; an old ``target`` is removed only after the move."""
    if not target.exists():
        staging.rename(target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.sw-old-{os.getpid()}-", dir=target.parent))
    target.rename(old / "content")
    try:
        staging.rename(target)
    except OSError:
        (old / "content").rename(target)
        old.rmdir()
        raise
    shutil.rmtree(old, ignore_errors=True)


def _replace_in_place(staging: Path, target: Path, marker: dict[str, Any]) -> None:
    """Update ``target`` file by file; until done, its marker accepts old and new contents."""
    previous = read_marker(target)
    old_files: dict[str, Any] = previous["files"] if previous else {}
    new_files: dict[str, str] = marker["files"]
    pending: dict[str, list[str]] = {}
    for name in {*old_files, *new_files}:
        recorded = old_files.get(name, [])
        hashes = recorded if isinstance(recorded, list) else [recorded]
        pending[name] = [*hashes, *([new_files[name]] if name in new_files else [])]
    _write_marker(target, {**marker, "files": pending})
    for name in old_files:
        if name not in new_files:
            (target / name).unlink(missing_ok=True)
            _prune_empty(target / name, target)
    for name in new_files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, target / name)
    _write_marker(target, marker)


def _write_marker(folder: Path, marker: Mapping[str, Any]) -> None:
    text = json.dumps(marker, indent=2) + "\n"
    _write_file(folder / f"{MARKER}.sw-tmp", folder / MARKER, text.encode("utf-8"))


def _write_file(tmp: Path, target: Path, data: bytes) -> None:
    """Replace ``target`` through ``tmp``; on failure (a full disk) no ``tmp`` stays behind."""
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutDirError(
            f"{target}: cannot write: {os_reason(exc)}",
            hint="check the free space and permissions of the --out folder",
            code="unwritable_out",
        ) from None


def _prune_empty(path: Path, stop: Path) -> None:
    for parent in path.parents:
        if parent == stop or stop not in parent.parents:
            return
        try:
            parent.rmdir()
        except OSError:
            return


def os_reason(exc: OSError) -> str:
    """``File exists: 'a'``: the OS reason and the path it is about."""
    if exc.strerror and exc.filename:
        return f"{exc.strerror}: {exc.filename!r}"
    return exc.strerror or str(exc)


def write_file(path: Path, text: str, *, hint: str = "give a file path you can write to") -> Path:
    """Write one text file whole (temporary sibling, then rename), or raise ``unwritable_out``.

    On any OS error (a folder in the way, a full disk) the temporary file is removed and
    ``path`` is left as it was.
    """
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "Is a directory", str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise SagewrightError(
            f"{path}: cannot write: {os_reason(exc)}", hint=hint, code="unwritable_out"
        ) from None
    return path
