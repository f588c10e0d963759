"""Offline reading time against requirement length: is it linear?

Times the offline planner and extractor on texts of 1, 5 and 20 thousand characters in the
shapes that used to be quadratic (issue 13 item 11): a long digit run after ``max_depth=``, a
long run of letters, and ordinary prose repeated. Linear time means the 20 k figure is about
four times the 5 k one.

Run: ``.venv/bin/python benchmarks/extraction.py``
"""

from __future__ import annotations

import time

from sagewright.agents.extractor import extract
from sagewright.agents.offline_planner import plan_offline
from sagewright.topology import Topology

TOPOLOGY = Topology.parse(
    {
        "DataLoading_training": [],
        "TabularPreprocessing_training": ["DataLoading_training"],
        "XGBoostTraining": ["TabularPreprocessing_training"],
    }
)
PROSE = "Train XGBoost on s3://acme-ml/train/ with label y, max_depth=6 and eta 0.1. "
SIZES = (1_000, 5_000, 20_000)


def texts(size: int) -> dict[str, str]:
    return {
        "digits": "max_depth=" + "9" * (size - 10),
        "letters": "a" * size,
        "prose": (PROSE * (size // len(PROSE) + 1))[:size],
    }


def seconds(run: object, text: str) -> float:
    started = time.perf_counter()
    run(text)  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    extract(PROSE, TOPOLOGY)  # warm the registry and regex caches
    print(f"{'shape':8} {'chars':>7} {'extract s':>10} {'plan s':>8}")
    for size in SIZES:
        for shape, text in texts(size).items():
            # the offline backend with its not-understood pass, as generate runs it
            extracted = seconds(lambda t: extract(t, TOPOLOGY), text)
            plan = seconds(plan_offline, text)
            print(f"{shape:8} {size:>7} {extracted:>10.3f} {plan:>8.3f}")


if __name__ == "__main__":
    main()
