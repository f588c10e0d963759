"""Local run times: the README example, then every visible golden topology.

* README example: ``generate`` (offline) of ``examples/fraud_xgboost_e2e.txt``, then
  ``run-local`` with the default 2,000 synthetic rows; prints the wall seconds and each
  step's seconds (aim: under 30 s on 2 cores).
* Golden set (``--golden FILE``, default the shared visible set, else ``eval/golden``): each
  topology assembled with its facts and placeholders filled, then run locally with
  ``--rows`` rows; prints seconds per pipeline and how many ran green (every step succeeded)
  or stopped at their quality gate's Fail step (the gate decided; no step errored).

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


def golden(path: Path, rows: int) -> None:
    import json

    cases = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    green = gated = 0
    total = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            base = Path(tmp) / case["id"]
            start = time.perf_counter()
            try:
                folder = assemble_case(case, base / "pipeline")
                result = run_local(folder, work=base / "run", options=RunOptions(rows=rows))
            except Exception as exc:  # report and go on: one case never stops the benchmark
                print(f"{case['id']:45s} ERROR {type(exc).__name__}: {exc}")
                continue
            seconds = time.perf_counter() - start
            total += seconds
            failed = result.step(result.failed_step) if result.failed_step else None
            by_gate = failed is not None and failed.type == "Fail"
            green += result.ok
            gated += by_gate
            status = "green" if result.ok else ("gate" if by_gate else "FAILED")
            detail = "" if result.ok else f" {result.failed_step}: {result.message}"
            print(
                f"{case['id']:45s} {status:6s} {seconds:6.1f} s {len(result.steps):3d} steps"
                + detail[:120]
            )
    print(
        f"{len(cases)} pipelines, {rows} rows: {green} green, {gated} stopped by their gate, "
        f"{len(cases) - green - gated} failed; {total:.0f} s total, "
        f"{total / max(len(cases), 1):.1f} s per pipeline"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--only", choices=("readme", "golden"), default=None)
    parser.add_argument("--golden", type=Path, default=None)
    args = parser.parse_args()
    if args.only in (None, "readme"):
        readme(args.rows)
    if args.only in (None, "golden"):
        path = args.golden or (
            SHARED if SHARED.is_file() else ROOT / "eval/golden/topologies.jsonl"
        )
        golden(path, args.rows)


if __name__ == "__main__":
    main()
