"""Batch generation: many requirements, generated concurrently, one failure never stops the rest.

Inputs are a folder of ``.txt`` / ``.md`` files (the id is the file stem) or a JSONL file of
``{"id", "requirement"}`` lines. Each item writes ``OUT/<id>/``; an item whose folder already
holds a finished result (``pipeline.json``) is skipped on a rerun. ``OUT/summary.json`` lists
every item with its status and reason.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sagewright.errors import SagewrightError
from sagewright.folders import os_reason

ITEM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
FINISHED_MARKER = "pipeline.json"
#: Names in the output folder that an item's folder must not take.
RESERVED_IDS = frozenset({"summary.json", "summary.json.tmp"})


@dataclass(frozen=True)
class BatchItem:
    id: str
    requirement: str
    source: str


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
            data = json.loads(line)
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


def is_finished(out_dir: Path) -> bool:
    return (out_dir / FINISHED_MARKER).is_file()


def run_batch(
    items: list[BatchItem],
    out: Path,
    work: Callable[[BatchItem, Path], Any],
    *,
    workers: int = 2,
    processes: bool = True,
    on_done: Callable[[ItemResult], None] | None = None,
) -> list[ItemResult]:
    """Run ``work(item, out/item.id)`` for unfinished items; write ``out/summary.json``.

    ``work`` must be a picklable top-level function when ``processes`` is true.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SagewrightError(
            f"{out}: cannot create the output folder: {os_reason(exc)}",
            hint="choose an --out folder (not a file)",
            code="unwritable_out",
        ) from None
    results: dict[str, ItemResult] = {}
    todo = []
    for item in items:
        if is_finished(out / item.id):
            results[item.id] = ItemResult(
                item.id, "skipped", reason="already finished", out_dir=str(out / item.id)
            )
            if on_done:
                on_done(results[item.id])
        else:
            todo.append(item)
    pool_cls = ProcessPoolExecutor if processes and len(todo) > 1 else ThreadPoolExecutor
    with pool_cls(max_workers=max(1, workers)) as pool:
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
    write_summary(out, ordered)
    return ordered


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


def write_summary(out: Path, results: list[ItemResult]) -> Path:
    counts = {s: sum(r.status == s for r in results) for s in ("ok", "failed", "skipped")}
    path = out / "summary.json"
    tmp = path.with_name("summary.json.tmp")
    tmp.write_text(
        json.dumps({"counts": counts, "items": [asdict(r) for r in results]}, indent=2) + "\n",
        encoding="utf-8",
    )
    tmp.replace(path)
    return path
