"""Batch generation: many requirements, generated concurrently, one failure never stops the rest.

Inputs are a folder of ``.txt`` / ``.md`` files (the id is the file stem) or a JSONL file of
``{"id", "requirement"}`` lines. Each item writes ``OUT/<id>/``. An item is keyed by its
content (requirement and settings): a rerun skips an item whose folder holds a finished
result for the same key, and redoes it when the requirement or settings changed (``force``
redoes every item). ``OUT/summary.json`` lists every item with its status and reason; it is
replaced only when the batch marker records it as written by an earlier batch.

Workers are separate processes that die with the batch: on Linux the kernel kills them when
their parent dies (``PR_SET_PDEATHSIG``), and everywhere a watchdog thread exits a worker
whose parent process is gone.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import (
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    as_completed,
)
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from sagewright import jsonio
from sagewright.builders import sdk
from sagewright.errors import SagewrightError
from sagewright.folders import (
    check_owned_file,
    clean_leftovers,
    os_reason,
    read_marker,
    write_owned_file,
)

ITEM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
FINISHED_MARKER = "pipeline.json"
SUMMARY = "summary.json"
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
WATCHDOG_SECONDS = 0.5
#: Names in the output folder that an item's folder must not take.
RESERVED_IDS = frozenset({"summary.json", "summary.json.tmp"})


@dataclass(frozen=True)
class BatchItem:
    id: str
    requirement: str
    source: str
    key: str = ""  # SHA-256 of the requirement and the settings (set by run_batch)


@dataclass
class ItemResult:
    id: str
    status: str  # "ok", "failed", "skipped"
    seconds: float = 0.0
    reason: str = ""
    code: str = ""
    out_dir: str = ""


def read_items(inputs: Path) -> list[BatchItem]:
    """Items from a folder of .txt/.md files or a JSONL file; bad lines raise naming the line."""
    if inputs.is_dir():
        files = sorted(p for p in inputs.iterdir() if p.suffix in (".txt", ".md") and p.is_file())
        items = [BatchItem(p.stem, _read(p), str(p)) for p in files]
    elif inputs.is_file():
        items = list(_jsonl_items(inputs))
    else:
        raise SagewrightError(f"{inputs}: no such file or folder", code="file_not_found")
    seen: set[str] = set()
    for item in items:
        if not ITEM_ID.fullmatch(item.id):
            raise SagewrightError(
                f"{item.source}: item id '{item.id}' is not a safe folder name",
                hint="use letters, digits, '.', '_' and '-'",
                code="bad_item_id",
            )
        if item.id in RESERVED_IDS:
            raise SagewrightError(
                f"{item.source}: item id '{item.id}' is reserved for the batch summary",
                hint="rename the item",
                code="bad_item_id",
            )
        if item.id in seen:
            raise SagewrightError(
                f"{item.source}: item id '{item.id}' is used twice", code="duplicate_item_id"
            )
        seen.add(item.id)
    return items


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SagewrightError(f"{path}: cannot read: {exc}", code="unreadable_file") from None


def _jsonl_items(path: Path) -> Iterable[BatchItem]:
    for number, line in enumerate(_read(path).splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = jsonio.loads(line)
        except json.JSONDecodeError as exc:
            raise SagewrightError(
                f"{where}: malformed JSON: {exc.msg}", code="malformed_json"
            ) from None
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("id"), str)
            or not isinstance(data.get("requirement"), str)
        ):
            raise SagewrightError(
                f"{where}: expected an object with string 'id' and 'requirement'",
                code="malformed_item",
            )
        yield BatchItem(data["id"], data["requirement"], where)


def item_key(item: BatchItem, settings: Mapping[str, Any]) -> str:
    """What an item's result depends on: its requirement and the batch settings."""
    content = json.dumps({"requirement": item.requirement, "settings": settings}, sort_keys=True)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def is_finished(out_dir: Path, key: str = "") -> bool:
    """True when ``out_dir`` holds a finished result written for ``key``."""
    marker = read_marker(out_dir)
    return (
        marker is not None
        and marker["kind"] == "generate"
        and (marker.get("meta") or {}).get("input") == key
        and (out_dir / FINISHED_MARKER).is_file()
    )


def run_batch(
    items: list[BatchItem],
    out: Path,
    work: Callable[[BatchItem, Path], Any],
    *,
    workers: int = 2,
    processes: bool = True,
    on_done: Callable[[ItemResult], None] | None = None,
    settings: Mapping[str, Any] | None = None,
    force: bool = False,
) -> list[ItemResult]:
    """Run ``work(item, out/item.id)`` for unfinished items; write ``out/summary.json``.

    ``work`` must be a picklable top-level function when ``processes`` is true; each item it
    gets carries its ``key``, which ``is_finished`` compares on the next run.
    """
    prepare_out(out, force=force)
    items = [replace(item, key=item_key(item, settings or {})) for item in items]
    results: dict[str, ItemResult] = {}
    todo = []
    for item in items:
        if not force and is_finished(out / item.id, item.key):
            results[item.id] = ItemResult(
                item.id, "skipped", reason="already finished", out_dir=str(out / item.id)
            )
            if on_done:
                on_done(results[item.id])
        else:
            todo.append(item)
    with _pool(processes and len(todo) > 1, workers) as pool:
        futures: dict[Future[ItemResult], BatchItem] = {
            pool.submit(_run_one, work, item, out / item.id): item for item in todo
        }
        for future in as_completed(futures):
            item = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # a crashed worker still yields a reported item
                result = ItemResult(
                    item.id, "failed", reason=f"{type(exc).__name__}: {exc}", code="worker_crashed"
                )
            results[item.id] = result
            if on_done:
                on_done(result)
    ordered = [results[item.id] for item in items]
    write_summary(out, ordered, force=force)
    return ordered


def prepare_out(out: Path, *, force: bool = False) -> None:
    """Make ``out``; refuse a summary.json no batch wrote; clear what killed runs left."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SagewrightError(
            f"{out}: cannot create the output folder: {os_reason(exc)}",
            hint="choose an --out folder (not a file)",
            code="unwritable_out",
        ) from None
    check_owned_file(out, SUMMARY, kind="batch", force=force)
    clean_leftovers(out)


def _pool(processes: bool, workers: int) -> Executor:
    if not processes:
        return ThreadPoolExecutor(max_workers=max(1, workers))
    return ProcessPoolExecutor(
        max_workers=max(1, workers),
        mp_context=multiprocessing.get_context("spawn"),  # no fork of a threaded parent
        initializer=_init_worker,
        initargs=(os.getpid(), sdk.is_lean()),
    )


def _init_worker(parent_pid: int, lean: bool) -> None:
    """A worker dies with its parent and imports the SDK as leanly as its parent does."""
    die_with_parent(parent_pid)
    if lean:
        sdk.lean_process()


def die_with_parent(parent_pid: int) -> None:
    """Worker initializer: end this process when ``parent_pid`` dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watchdog below still works
            pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(WATCHDOG_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="sagewright-parent-watchdog", daemon=True).start()


def _run_one(work: Callable[[BatchItem, Path], Any], item: BatchItem, out_dir: Path) -> ItemResult:
    start = time.perf_counter()
    try:
        if not item.requirement.strip():
            raise SagewrightError(
                "the requirement is empty",
                code="empty_requirement",
                hint="write what the pipeline should do",
            )
        work(item, out_dir)
    except SagewrightError as exc:
        return ItemResult(item.id, "failed", time.perf_counter() - start, str(exc), exc.code)
    except Exception as exc:  # keep the batch going; the summary names the item
        return ItemResult(
            item.id,
            "failed",
            time.perf_counter() - start,
            f"{type(exc).__name__}: {exc}",
            "internal_error",
        )
    return ItemResult(item.id, "ok", time.perf_counter() - start, out_dir=str(out_dir))


def write_summary(out: Path, results: list[ItemResult], *, force: bool = False) -> Path:
    counts = {s: sum(r.status == s for r in results) for s in ("ok", "failed", "skipped")}
    text = json.dumps({"counts": counts, "items": [asdict(r) for r in results]}, indent=2) + "\n"
    return write_owned_file(out, SUMMARY, text.encode("utf-8"), kind="batch", force=force)
