"""#13 item 4: a batch killed with SIGKILL leaves no process; the rerun is exact.

Items are keyed by their content: an edited requirement reruns, ``--force`` reruns all.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from sagewright.folders import MARKER, read_marker
from sagewright.generate import generate
from tests.reliability.helpers import SMALL, run, sagewright, tree

ITEMS = {f"item{i}": SMALL.replace("pipeline name small", f"pipeline name p{i}") for i in range(4)}


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")  # dead, not yet reaped


def test_killed_batch_leaves_no_worker_and_reruns_exactly(tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name, text in ITEMS.items():
        (inputs / f"{name}.txt").write_text(text)
    out = tmp_path / "out"
    batch = sagewright("batch", str(inputs), "--out", str(out), "--workers", "2", cwd=tmp_path)
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while not any((out / name / "pipeline.json").is_file() for name in ITEMS):
        workers |= _children(batch.pid)
        assert batch.poll() is None and time.monotonic() < deadline, "batch ended too early"
        time.sleep(0.05)
    workers |= _children(batch.pid)
    os.kill(batch.pid, signal.SIGKILL)
    batch.communicate()
    assert len(workers) >= 2  # the two workers (and multiprocessing's resource tracker)
    deadline = time.monotonic() + 10
    while not all(_gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in workers if not _gone(pid)] == []

    finished = {name for name in ITEMS if (out / name / "pipeline.json").is_file()}
    code, _, err = run(capsys, "batch", str(inputs), "--out", str(out), "--json")
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text())
    status = {item["id"]: item["status"] for item in summary["items"]}
    assert status == {n: "skipped" if n in finished else "ok" for n in ITEMS}
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, "summary.json", *ITEMS])
    for name, text in ITEMS.items():  # exact: what one clean generate writes, nothing else
        expected = generate(text, None).files
        written = tree(out / name)
        assert {k: v for k, v in written.items() if k != MARKER} == {
            k: v.encode() for k, v in expected.items()
        }


def test_edited_requirement_reruns_and_force_reruns_all(tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name, text in list(ITEMS.items())[:2]:
        (inputs / f"{name}.txt").write_text(text)
    out = tmp_path / "out"
    assert run(capsys, "batch", str(inputs), "--out", str(out), "--workers", "1")[0] == 0
    (inputs / "item0.txt").write_text(ITEMS["item0"].replace("is_fraud", "is_churn"))
    code, stdout, _ = run(capsys, "batch", str(inputs), "--out", str(out), "--json")
    assert code == 0
    assert {r["id"]: r["status"] for r in json.loads(stdout)} == {
        "item0": "ok",
        "item1": "skipped",
    }
    assert "is_churn" in (out / "item0" / "config.json").read_text()
    key = (read_marker(out / "item0") or {})["meta"]["input"]
    code, stdout, _ = run(
        capsys, "batch", str(inputs), "--out", str(out), "--json", "--force", "--workers", "1"
    )
    assert code == 0
    assert {r["status"] for r in json.loads(stdout)} == {"ok"}
    assert (read_marker(out / "item0") or {})["meta"]["input"] == key
