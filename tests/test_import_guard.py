"""Commands that need no SDK start fast: they import no SageMaker, botocore, LangChain or networkx.

Each command runs in a fresh interpreter (``sagewright.cli.main``) with an import hook that
records, for the first import of each forbidden package, the chain of sagewright modules
that led to it. A failure names the command, the package and that chain, e.g.::

    `sagewright steps` imported networkx via sagewright/registry/steps/x.py:3 ->
    sagewright/topology.py:15

Fix it by importing the package inside the function that needs it (see ``sagewright.dag``
for the graph algorithms these commands use instead of networkx).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GOLDEN, ROOT

FORBIDDEN = ("sagemaker", "botocore", "boto3", "langchain", "langchain_core", "networkx")

CHILD = """
import json, sys, traceback
from importlib.abc import MetaPathFinder

FORBIDDEN = set(sys.argv[1].split(","))
found = {}

class Recorder(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in FORBIDDEN and top not in found:
            frames = [
                f"{f.filename.split('/sagewright/', 1)[-1]}:{f.lineno}"
                for f in traceback.extract_stack()
                if "/sagewright/" in f.filename and "/tests/" not in f.filename
            ]
            found[top] = " -> ".join("sagewright/" + f for f in frames) or "(outside sagewright)"
        return None

sys.meta_path.insert(0, Recorder())
from sagewright.cli import app, main
if sys.argv[2:] == ["EVERY-HELP"]:  # every command's --help, in this one process
    runs = [[c.name or c.callback.__name__, "--help"] for c in app.registered_commands]
else:
    runs = [sys.argv[2:]]
for argv in runs:
    try:
        main(argv)
    except SystemExit:
        pass
print("\\n@@" + json.dumps(found))
"""


def run_command(*argv: str, cwd: Path, forbidden: tuple[str, ...] = FORBIDDEN) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, ",".join(forbidden), *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(cwd),
            "PYTHONPATH": str(ROOT),
            "SAGEWRIGHT_HOME": str(cwd / "home"),
        },
        timeout=120,
    )
    marker = done.stdout.rfind("\n@@")
    assert marker >= 0, f"sagewright {' '.join(argv)} did not finish: {done.stderr[-2000:]}"
    found: dict[str, str] = json.loads(done.stdout[marker + 3 :])
    return found


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("guard")
    case = json.loads(GOLDEN.read_text().splitlines()[9])
    (work / "topology.json").write_text(json.dumps(case["topology"]))
    (work / "golden.jsonl").write_text("".join(GOLDEN.read_text().splitlines(keepends=True)[:3]))
    (work / "requirement.txt").write_text(case["requirement"])
    (work / "example.txt").write_text((ROOT / "examples" / "fraud_xgboost_e2e.txt").read_text())
    return work


COMMANDS = [
    ("--help",),
    ("steps",),
    ("steps", "--json"),
    ("validate", "topology.json"),
    ("validate", "topology.json", "--json"),
    ("config-schema", "XGBoostTraining"),
    ("config-schema", "ModelCalibration", "--json"),
    ("plan", "--requirement-file", "requirement.txt"),
    ("plan", "--requirement-file", "requirement.txt", "--json"),
    ("eval", "--golden", "golden.jsonl", "--json"),
    ("EVERY-HELP",),  # `sagewright COMMAND --help` for every command, new ones included
]


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_command_imports_no_sdk_langchain_or_networkx(argv: tuple[str, ...], inputs: Path) -> None:
    found = run_command(*argv, cwd=inputs)
    assert not found, "\n".join(
        f"`sagewright {' '.join(argv)}` imported {package} via {chain}"  # EVERY-HELP: some --help
        for package, chain in found.items()
    )


def test_the_guard_sees_a_forbidden_import(inputs: Path) -> None:
    """The recorder works: ``generate`` does import the SDK (through the assembler)."""
    found = run_command(
        "generate", "--requirement-file", "example.txt", "--out", "gen", "--yes", cwd=inputs
    )
    assert "sagemaker" in found
    assert "sagewright/builders/" in found["sagemaker"]


def test_generate_skips_pyarrow_and_leaves_it_importable(inputs: Path) -> None:
    """The CLI hides pyarrow from pandas while the SDK loads (~32 MiB of peak RSS), only then."""
    found = run_command(
        "generate",
        "--requirement-file",
        "example.txt",
        "--out",
        "lean",
        "--yes",
        cwd=inputs,
        forbidden=("pyarrow", "pandas"),
    )
    assert set(found) == {"pandas"}, found  # pandas came with the SDK, pyarrow did not
    after = subprocess.run(
        [sys.executable, "-c", PARQUET_AFTER_LOAD],
        capture_output=True,
        text=True,
        cwd=inputs,
        env={"PATH": "/usr/bin:/bin", "HOME": str(inputs), "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert after.returncode == 0 and after.stdout.strip() == "x,y", after.stderr[-2000:]


PARQUET_AFTER_LOAD = """
import sys
from sagewright.builders import sdk
sdk.prepare_environment("us-east-1")
sdk.lean_process()
sdk.load_sdk()
assert "pyarrow" not in sys.modules, "pyarrow was imported with the SDK"
import pandas as pd
pd.DataFrame({"b": ["x", "y"]}).to_parquet("t.parquet")
print(",".join(pd.read_parquet("t.parquet")["b"]))
"""
