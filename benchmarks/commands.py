"""Cold start of the everyday commands, generate / assemble time and memory, a warm generate.

Every figure is a fresh ``python -m sagewright`` process (what a user waits for), run
``--repeats`` times in interleaved rounds; the median is reported, with the peak RSS.

* ``steps``, ``validate``, ``config-schema``, ``--help``: commands that need no SDK
  (target: steps and validate <= 0.35 s).
* ``generate`` on the README example (plan, configs, definition), written to a folder.
* ``assemble`` of the 6-step and 9-step shapes of ``benchmarks/shapes/`` (the shapes
  ``compare_cursus.py`` compiles with cursus), configs scaffolded from ``facts.json``.
* A second ``generate`` in the same process through the Python API (what chat, batch
  workers and servers pay once the SDK is imported; target <= 0.5 s).

Run: ``.venv/bin/python benchmarks/commands.py [--repeats 5] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import (
    EXAMPLE,
    SHAPES,
    Run,
    assemble,
    generate,
    load,
    median,
    run_process,
    sagewright,
    scaffold,
)

SECOND_GENERATE = """
import json, sys, time
from pathlib import Path
from sagewright.generate import generate
text = Path(sys.argv[1]).read_text()
times = []
for _ in range(3):
    start = time.perf_counter()
    generate(text, None, model="offline")
    times.append(time.perf_counter() - start)
print(json.dumps(times))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    before = load()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        configs = {shape: scaffold(work, shape) for shape in ("train_eval_6", "e2e_9")}
        commands: dict[str, list[str]] = {
            "steps": sagewright("steps"),
            "validate": sagewright("validate", str(SHAPES / "e2e_9.json")),
            "config-schema": sagewright("config-schema", "XGBoostTraining"),
            "--help": sagewright("--help"),
        }
        runs: dict[str, list[Run]] = {name: [] for name in commands}
        runs |= {"generate": [], "assemble6": [], "assemble9": []}
        for round_ in range(args.repeats):
            for name, argv in commands.items():
                runs[name].append(run_process(argv))
            runs["generate"].append(run_process(generate(work / f"gen{round_}")))
            for key, shape in (("assemble6", "train_eval_6"), ("assemble9", "e2e_9")):
                out = work / f"{key}-{round_}"
                runs[key].append(run_process(assemble(shape, configs[shape], out)))
        warm = json.loads(
            subprocess.run(
                [sys.executable, "-c", SECOND_GENERATE, str(EXAMPLE)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
    result = {
        name: {
            "seconds": median([r.seconds for r in rs]),
            "cpu_seconds": median([r.cpu_seconds for r in rs]),
            "rss_mib": median([r.rss_mib for r in rs]),
        }
        for name, rs in runs.items()
    }
    result["generate_in_process"] = {"first": warm[0], "second": warm[1], "third": warm[2]}
    result["load"] = {"before": before, "after": load()}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"medians of {args.repeats} fresh processes, interleaved ({before})")
    for name in runs:
        row = result[name]
        print(
            f"  {name:<14} {row['seconds']:6.2f} s wall  {row['cpu_seconds']:6.2f} s CPU"
            f"  {row['rss_mib']:6.0f} MiB peak RSS"
        )
    print(
        "  generate in one process (Python API): "
        + ", ".join(f"{t:.2f} s" for t in warm)
        + "  (first, second, third)"
    )
    print(f"  {load()}")


if __name__ == "__main__":
    main()
