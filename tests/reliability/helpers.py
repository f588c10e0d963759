"""Shared helpers of the reliability tests: run the CLI in-process or as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sagewright.cli import main

ROOT = Path(__file__).resolve().parents[2]
SMALL = (
    "Train XGBoost on s3://acme-fraud-ml/raw/train/ with label is_fraud and package it. "
    "Region us-east-1, role arn:aws:iam::123456789012:role/Exec, bucket team-ml, "
    "pipeline name small."
)
E2E_TOPOLOGY = {
    "DataLoading_training": [],
    "TabularPreprocessing_training": ["DataLoading_training"],
    "XGBoostTraining": ["TabularPreprocessing_training"],
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``sagewright ARGV`` in-process: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    captured = capsys.readouterr()
    return int(info.value.code or 0), captured.out, captured.err


def sagewright(*argv: str, cwd: Path, env: dict[str, str] | None = None, **kw: Any) -> Any:
    """Start ``python -m sagewright ARGV`` as a real process."""
    return subprocess.Popen(
        [sys.executable, "-m", "sagewright", *argv],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (relative names)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
