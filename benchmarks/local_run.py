"""Local run times: the README example, then every visible golden topology.

* README example: ``generate`` (offline) of ``examples/fraud_xgboost_e2e.txt``, then
  ``run-local`` with the default 2,000 synthetic rows; prints the wall seconds and each
  step's seconds (aim: under 30 s on 2 cores).
* Golden set (``--golden FILE``, default the shared visible set, else ``eval/golden``; all
  48 cases, or ``--case ID`` ...): each topology assembled with its facts and placeholders
  filled, then run locally with ``--rows`` rows; prints seconds per pipeline (run-local and
  assembly), whether it ran green (every step succeeded), stopped at its quality gate's
  Fail step (the gate decided; no step errored) or failed at a step, the totals, and one
  line per case that cannot run locally with the reason. Not part of the test suite (the
  representative subset is: ``tests/local/test_run_local_golden.py``).

Run: ``.venv/bin/python benchmarks/local_run.py [--rows 2000] [--only readme|golden]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sagewright.generate import generate  # noqa: E402
from sagewright.local.context import RunOptions  # noqa: E402
from sagewright.local.runner import run_local  # noqa: E402
from tests.local.golden import assemble_case  # noqa: E402

SHARED = Path("/work/shared/eval/golden/topologies.jsonl")


def readme(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pipeline"
        generate((ROOT / "examples" / "fraud_xgboost_e2e.txt").read_text(), folder)
        start = time.perf_counter()
        result = run_local(folder, work=Path(tmp) / "run", options=RunOptions(rows=rows))
        seconds = time.perf_counter() - start
    print(f"README example, {rows} rows: {result.status} in {seconds:.1f} s")
    for step in result.steps:
        print(f"  {step.name:32s} {step.status:10s} {step.seconds:6.1f} s")


def golden(path: Path, rows: int, only: list[str]) -> None:
    """Every case: assemble, then run locally; one line each, then totals and what cannot run."""
    import json
    import statistics

    from sagewright.errors import SagewrightError

    cases = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    cases = [c for c in cases if not only or c["id"] in only]
    counts = {"green": 0, "gate": 0, "FAILED": 0}
    timings: list[float] = []
    cannot: list[tuple[str, str]] = []
    print(f"{'pipeline':45s} status  run s  asm s steps")
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            base = Path(tmp) / case["id"]
            start = time.perf_counter()
            try:
                folder = assemble_case(case, base / "pipeline")
            except SagewrightError as exc:  # the topology itself does not assemble
                cannot.append((case["id"], f"does not assemble: {exc}"))
                continue
            assembled = time.perf_counter()
            try:
                result = run_local(folder, work=base / "run", options=RunOptions(rows=rows))
            except SagewrightError as exc:  # typed refusal before any step ran
                cannot.append((case["id"], f"run-local refuses it: {exc}"))
                continue
            except Exception as exc:  # a bug: report it and go on to the next case
                cannot.append((case["id"], f"run-local crashed: {type(exc).__name__}: {exc}"))
                continue
            seconds = time.perf_counter() - assembled
            timings.append(seconds)
            failed = result.step(result.failed_step) if result.failed_step else None
            status = "green" if result.ok else "FAILED"
            if failed is not None and failed.type == "Fail":
                status = "gate"  # the quality gate decided; no step errored
            counts[status] += 1
            detail = "" if result.ok else f" {result.failed_step}: {result.message}"
            print(
                f"{case['id']:45s} {status:6s} {seconds:6.1f} {assembled - start:6.1f} "
                f"{len(result.steps):4d}" + detail[:110],
                flush=True,
            )
    ran = len(timings)
    print(
        f"\n{len(cases)} golden pipelines, {rows} rows: {ran} ran locally "
        f"({counts['green']} green, {counts['gate']} stopped by their gate's Fail step, "
        f"{counts['FAILED']} failed at a step), {len(cannot)} cannot run"
    )
    if timings:
        print(
            f"run-local seconds: total {sum(timings):.0f}, mean {statistics.mean(timings):.1f}, "
            f"median {statistics.median(timings):.1f}, max {max(timings):.1f}"
        )
    for case_id, reason in cannot:
        print(f"cannot run: {case_id}: {reason}"[:200])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--only", choices=("readme", "golden"), default=None)
    parser.add_argument("--golden", type=Path, default=None)
    parser.add_argument("--case", action="append", default=[], help="only this golden id")
    args = parser.parse_args()
    if args.only in (None, "readme"):
        readme(args.rows)
    if args.only in (None, "golden"):
        path = args.golden or (
            SHARED if SHARED.is_file() else ROOT / "eval/golden/topologies.jsonl"
        )
        golden(path, args.rows, args.case)


if __name__ == "__main__":
    main()
