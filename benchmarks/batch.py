"""Batch generation of the 40 visible golden requirements offline: time per item vs one generate.

Values a requirement does not state (role, bucket, ...) come from a defaults file, as a team
would keep one. Run: ``.venv/bin/python benchmarks/batch.py [--workers N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "eval" / "golden" / "topologies.jsonl"
DEFAULTS = {
    "region": "us-east-1",
    "role_arn": "arn:aws:iam::123456789012:role/SageMakerExecutionRole",
    "bucket": "team-ml-artifacts",
    "pipeline_name": "benchmark",
    "label_name": "label",
    **{
        f"data.{job}.redshift_cluster_id": "analytics"
        for job in ("training", "calibration", "validation", "testing", "inference")
    },
}


CPU: list[float] = []  # CPU seconds (user + system) of each cli() call, workers included


def cli(*argv: str) -> float:
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "sagewright", *argv], capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        defaults = work / "defaults.json"
        defaults.write_text(json.dumps(DEFAULTS))
        cases = [json.loads(line) for line in GOLDEN.read_text().splitlines() if line.strip()]
        jsonl = work / "requirements.jsonl"
        jsonl.write_text(
            "".join(
                json.dumps({"id": c["id"], "requirement": c["requirement"]}) + "\n" for c in cases
            )
        )
        single = work / "single.txt"
        single.write_text(cases[9]["requirement"])
        one = cli(
            "generate",
            "--requirement-file",
            str(single),
            "--out",
            str(work / "one"),
            "--defaults",
            str(defaults),
            "--yes",
        )
        total = cli(
            "batch",
            str(jsonl),
            "--out",
            str(work / "batch"),
            "--workers",
            str(args.workers),
            "--defaults",
            str(defaults),
        )
        summary = json.loads((work / "batch" / "summary.json").read_text())
        rerun = cli("batch", str(jsonl), "--out", str(work / "batch"), "--defaults", str(defaults))
    counts = summary["counts"]
    per_item = total / len(cases)
    one_cpu, batch_cpu, rerun_cpu = CPU
    print(f"one generate (fresh process):      {one:7.2f} s  ({one_cpu:.2f} s CPU)")
    print(
        f"batch of {len(cases)} ({args.workers} workers):      {total:7.2f} s  "
        f"({per_item:.2f} s per item, {one / per_item:.1f}x faster per item; "
        f"{batch_cpu:.2f} s CPU, workers included)"
    )
    print(f"rerun (all finished, skipped):     {rerun:7.2f} s  ({rerun_cpu:.2f} s CPU)")
    one_min, five, fifteen = os.getloadavg()
    print(f"load {one_min:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores")
    print(f"items ok / failed: {counts['ok']} / {counts['failed']}")
    for item in summary["items"]:
        if item["status"] == "failed":
            print(f"  failed {item['id']}: {item['reason'][:120]}")


if __name__ == "__main__":
    main()
