"""Shared helpers of the benchmark scripts: timed fresh processes, medians, the machine load,
and the sagewright command lines they time."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "benchmarks" / "shapes"
EXAMPLE = ROOT / "examples" / "fraud_xgboost_e2e.txt"


@dataclass(frozen=True)
class Run:
    """One fresh process: wall seconds, CPU seconds (user + system) and peak RSS (MiB).

    On a loaded machine the wall time mostly measures the queue for a core; the CPU
    time is what the process itself spent.
    """

    seconds: float
    rss_mib: float
    cpu_seconds: float


def run_process(
    argv: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Run:
    """Run ``argv`` to completion; its wall time, CPU time and peak RSS (from ``wait4``).

    Exit codes other than 0 and 1 (1 = a valid 'invalid input' answer) abort the benchmark.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{stderr.decode()[-2000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def load() -> str:
    """The 1/5/15-minute load averages and the core count, for the record."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def sagewright(*argv: str) -> list[str]:
    """``python -m sagewright ARGV`` with this interpreter."""
    return [sys.executable, "-m", "sagewright", *argv]


def scaffold(work: Path, shape: str) -> Path:
    """Configs of ``shapes/<shape>.json`` from ``shapes/facts.json`` (``init-config``)."""
    config = work / f"{shape}.config.json"
    topology, facts = SHAPES / f"{shape}.json", SHAPES / "facts.json"
    argv = ["init-config", "--topology", str(topology), "--facts", str(facts)]
    subprocess.run(
        sagewright(*argv, "--out", str(config)),
        check=True,
        capture_output=True,
    )
    return config


def assemble(shape: str, config: Path, out: Path) -> list[str]:
    """The ``assemble`` command line of a shape."""
    topology = str(SHAPES / f"{shape}.json")
    return sagewright(
        "assemble", "--topology", topology, "--config", str(config), "--out", str(out)
    )


def generate(out: Path) -> list[str]:
    """The ``generate`` command line of the README example (offline planner)."""
    argv = ["generate", "--requirement-file", str(EXAMPLE), "--out", str(out), "--yes"]
    return sagewright(*argv, "--model", "offline")
