"""Helpers to run the container scripts as subprocesses on synthetic data laid out like a job.

A plain module, not ``conftest``, so the test modules can import it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

SCRIPTS = Path(__file__).resolve().parents[2] / "sagewright" / "registry" / "steps" / "scripts"


@dataclass
class Job:
    """One script run: its container-like folders and the finished process."""

    input_dir: Path
    output_dir: Path
    result: subprocess.CompletedProcess[str]

    def out(self, channel: str) -> Path:
        """An output channel folder."""
        return self.output_dir / channel

    def check(self) -> Job:
        """Assert the script succeeded (showing its stderr otherwise)."""
        assert self.result.returncode == 0, self.result.stderr
        return self


class Runner:
    """Copies input channels into a fresh job folder and runs one script there.

    ``{input}`` in an argument becomes the job's input folder (as ``/opt/ml/processing/input``).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = 0

    def __call__(self, script: str, inputs: Mapping[str, Path | None], *args: str) -> Job:
        self.count += 1
        job_dir = self.root / f"{self.count:02d}-{script}"
        input_dir, output_dir = job_dir / "input", job_dir / "output"
        input_dir.mkdir(parents=True)
        for channel, source in inputs.items():
            target = input_dir / channel
            if source is None:
                target.mkdir()
            elif source.is_dir():
                shutil.copytree(source, target)
            else:
                target.mkdir()
                shutil.copy2(source, target / source.name)
        command = [sys.executable, str(SCRIPTS / f"{script}.py")]
        command += ["--input-dir", str(input_dir), "--output-dir", str(output_dir)]
        command += [arg.replace("{input}", str(input_dir)) for arg in args]
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "2"}
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
        return Job(input_dir, output_dir, result)


def make_table(rows: int, seed: int) -> pd.DataFrame:
    """Separable binary data: id, three numbers, a categorical column, label ``y``."""
    rng = np.random.default_rng(seed)
    x1, x2, x3 = rng.normal(size=(3, rows))
    color = rng.choice(["red", "green", "blue"], size=rows)
    shift = pd.Series(color).map({"red": 1.0, "green": 0.0, "blue": -1.0}).to_numpy()
    score = 2.0 * x1 - x2 + shift + rng.normal(scale=0.5, size=rows)
    return pd.DataFrame(
        {
            "id": [f"r{seed}-{i}" for i in range(rows)],
            "x1": x1.round(4),
            "x2": x2.round(4),
            "x3": x3.round(4),
            "color": color,
            "y": (score > 0).astype(int),
        }
    )


def read_part(path: Path) -> np.ndarray:
    """A headerless processed part file as floats."""
    return np.loadtxt(path, delimiter=",", ndmin=2)


def train_booster(processed: Path, model_dir: Path, params: dict[str, Any], rounds: int) -> Path:
    """Stand-in for the built-in XGBoost container: label-first ``train`` split in, model out."""
    import xgboost as xgb

    data = read_part(processed / "train" / "part-00000.csv")
    booster = xgb.train(params, xgb.DMatrix(data[:, 1:], label=data[:, 0]), num_boost_round=rounds)
    model_dir.mkdir()
    booster.save_model(str(model_dir / "xgboost-model.ubj"))
    (model_dir / "xgboost-model.ubj").rename(model_dir / "xgboost-model")
    return model_dir


def tar_model(model_dir: Path, tar_dir: Path) -> Path:
    """Tar a model folder as SageMaker does at the end of a training job."""
    tar_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tar_dir / "model.tar.gz", "w:gz") as tar:
        for path in sorted(model_dir.iterdir()):
            tar.add(path, arcname=path.name)
    return tar_dir


def load_serving_module() -> ModuleType:
    """Import the scripts' ``inference.py`` (serving code) in-process."""
    name = "sagewright_scripts_inference"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / "inference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it executes
    sys.dont_write_bytecode, previous = True, sys.dont_write_bytecode
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = previous
    return module


def assert_failed(job: Job, message: str, *channels: str) -> None:
    """Non-zero exit, one clear ``ERROR:`` line naming the problem, nothing published."""
    assert job.result.returncode != 0
    errors = [line for line in job.result.stderr.splitlines() if line.startswith("ERROR: ")]
    assert len(errors) == 1, job.result.stderr
    assert message in errors[0], errors[0]
    assert "Traceback" not in job.result.stderr, job.result.stderr
    for channel in channels:
        folder = job.out(channel)
        assert not folder.exists() or not any(folder.iterdir()), list(folder.iterdir())
    if job.output_dir.exists():
        assert not [p for p in job.output_dir.iterdir() if p.name.startswith(".staging")]


def serve(model_dir: Path, body: str, content_type: str, accept: str = "application/json") -> str:
    """One request through the serving handlers, as the inference container calls them."""
    serving = load_serving_module()
    model = serving.model_fn(str(model_dir))
    rows = serving.input_fn(body.encode(), content_type)
    return str(serving.output_fn(serving.predict_fn(rows, model), accept))
