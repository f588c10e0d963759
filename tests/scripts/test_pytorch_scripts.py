"""PyTorch training (SageMaker training-container conventions), evaluation and serving on CPU."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from tests.scripts.script_helpers import (
    SCRIPTS,
    Runner,
    assert_failed,
    make_table,
    serve,
    tar_model,
)

torch = pytest.importorskip("torch")

# PyTorchHyperparameters.script_hyperparameters()-style strings (lists JSON-encoded) ...
SCRIPT_HYPERPARAMETERS = {
    "epochs": "8",
    "lr": "0.01",
    "batch_size": "64",
    "hidden_dims": "[16, 8]",
    "dropout": "0.0",
    "optimizer": "adam",
    "early_stopping_patience": "3",
    "multiclass_categories": "[0, 1]",
    "label_name": "y",
    "cat_field_list": '["color"]',
    "id_name": "id",
    "tab_field_list": "[]",
}
# ... JSON-encoded once more by the SDK into hyperparameters.json, plus sagemaker_* keys
HYPERPARAMETERS = {k: json.dumps(v) for k, v in SCRIPT_HYPERPARAMETERS.items()}
HYPERPARAMETERS["sagemaker_program"] = json.dumps("pytorch_training.py")


@pytest.fixture(scope="module")
def trained(run_script: Runner, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Preprocess synthetic data, then train with hyperparameters.json plus a CLI override."""
    root = tmp_path_factory.mktemp("torch")
    (root / "raw").mkdir()
    make_table(600, seed=5).to_csv(root / "raw" / "data.csv", index=False)
    pre = run_script(
        "tabular_preprocessing", {"data": root / "raw"},
        "--job-type", "training", "--label-name", "y", "--id-name", "id", "--cat-fields", "color",
    ).check()  # fmt: skip
    processed = pre.out("processed_data")
    config = root / "config"
    config.mkdir()
    (config / "hyperparameters.json").write_text(json.dumps(HYPERPARAMETERS))
    channels = {
        "train": processed / "train",
        "val": processed / "val",
        "schema": processed / "schema.json",
    }
    hp_file = str(config / "hyperparameters.json")
    job = run_script(
        "pytorch_training", channels, "--hyperparameters-file", hp_file, "--seed", "3"
    ).check()
    return {"root": root, "processed": processed, "job": job, "hp_file": hp_file}


def test_training_writes_model_dir(trained: dict[str, Any]) -> None:
    model_dir = trained["job"].output_dir
    names = sorted(p.relative_to(model_dir).as_posix() for p in model_dir.rglob("*"))
    assert names == ["code", "code/inference.py", "model.pth", "model_config.json", "schema.json"]
    assert (model_dir / "code" / "inference.py").read_bytes() == (
        SCRIPTS / "inference.py"
    ).read_bytes()
    config = json.loads((model_dir / "model_config.json").read_text())
    assert config["hidden_dims"] == [16, 8] and config["input_dim"] == 4
    assert config["classes"] == [0, 1] and config["hyperparameters"]["optimizer"] == "adam"
    assert config["hyperparameters"]["lr"] == 0.01 and config["hyperparameters"]["seed"] == 3
    assert config["schema"]["features"] == ["x1", "x2", "x3", "color"]
    assert 1 <= config["best_epoch"] <= 8
    assert "val_loss" in trained["job"].result.stdout


def test_training_reads_sagemaker_environment(trained: dict[str, Any], tmp_path: Path) -> None:
    """Channels and model dir from SM_CHANNEL_* / SM_MODEL_DIR, no path arguments."""
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "SM_CHANNEL_TRAIN": str(trained["processed"] / "train"),
        "SM_MODEL_DIR": str(tmp_path / "model"),
    }
    command = [sys.executable, str(SCRIPTS / "pytorch_training.py")]
    command += ["--hyperparameters-file", trained["hp_file"], "--epochs", "2"]
    command += ["--hidden_dims", "[4]", "--tab_field_list", '["x1", "x2", "x3"]']
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    config = json.loads((tmp_path / "model" / "model_config.json").read_text())
    assert config["hidden_dims"] == [4] and len(config["history"]) == 2
    assert config["schema"]["features"][-1] == "color"  # named from the hyperparameter lists


def test_evaluate_package_and_serve(
    trained: dict[str, Any], run_script: Runner, tmp_path: Path
) -> None:
    artifacts = tar_model(trained["job"].output_dir, tmp_path / "artifacts")
    evaluation = run_script(
        "model_evaluation",
        {"model_artifacts": artifacts, "eval_data": trained["processed"]},
        "--job-type", "testing", "--framework", "pytorch",
    ).check()  # fmt: skip
    metrics = json.loads((evaluation.out("metrics") / "metrics.json").read_text())
    assert metrics["framework"] == "pytorch" and metrics["auc"] > 0.85
    assert metrics["accuracy"] > 0.75

    package = run_script(
        "packaging", {"model_artifacts": artifacts, "calibration": None}, "--framework", "pytorch"
    ).check()
    with tarfile.open(package.out("packaged_model") / "model.tar.gz") as tar:
        assert set(tar.getnames()) == {
            "code", "code/inference.py", "model.pth", "model_config.json", "schema.json",
        }  # fmt: skip
        tar.extractall(tmp_path / "served", filter="data")

    payload = run_script("payload_generation", {"model_artifacts": artifacts}).check()
    records = json.loads((payload.out("payload") / "payload.json").read_text())
    assert len(records) == 5 and list(records[0]) == ["x1", "x2", "x3", "color"]

    body = json.dumps({"instances": records})
    predictions = json.loads(serve(tmp_path / "served", body, "application/json"))["predictions"]
    assert [0 <= p["prob"] <= 1 for p in predictions] == [True] * 5
    assert "calibrated_prob" not in predictions[0]


def test_bad_hyperparameter_fails_cleanly(trained: dict[str, Any], run_script: Runner) -> None:
    job = run_script(
        "pytorch_training",
        {"train": trained["processed"] / "train"},
        "--hyperparameters-file", trained["hp_file"], "--optimizer", "rmsprop",
    )  # fmt: skip
    assert_failed(job, "optimizer 'rmsprop' is not one of")
    assert not job.output_dir.exists() or not any(job.output_dir.iterdir())  # the model dir
