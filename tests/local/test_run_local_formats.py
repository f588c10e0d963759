"""What the local containers write and pass on: the built-in XGBoost model file, and the
PyTorch hyperparameters as SageMaker encodes them and the script receives them."""

from __future__ import annotations

import json
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb

from sagewright.local.context import RunOptions
from sagewright.local.runner import run_local
from sagewright.local.xgboost_algorithm import (
    MODEL_NAME,
    container_xgboost,
    model_format,
    version_warning,
)
from tests.local.golden import assemble_case, golden_cases


def test_xgboost_model_file_is_named_and_loadable_as_the_container_writes_it(tmp_path):
    folder = assemble_case(golden_cases()["vis-01-fraud-xgb-train"], tmp_path / "p")
    result = run_local(folder, work=tmp_path / "run", options=RunOptions(rows=200))
    assert result.ok, result.log_tail
    # The pinned image is the xgboost run-local trains with: same writer, same file.
    definition = json.loads((folder / "pipeline.json").read_text())
    training = next(s for s in definition["Steps"] if s["Type"] == "Training")
    image = training["Arguments"]["AlgorithmSpecification"]["TrainingImage"]
    assert image.endswith("/sagemaker-xgboost:3.2-0")
    assert container_xgboost(image) == ".".join(xgb.__version__.split(".")[:2])
    log = Path(result.step("XGBoostTraining").log or "").read_text()
    assert "WARNING" not in log and "(ubjson, xgboost 3.2" in log
    archive = next((tmp_path / "run" / "s3").rglob("model.tar.gz"))
    assert "/XGBoostTraining/models/" in archive.as_posix()
    assert archive.as_posix().endswith("/output/model.tar.gz")
    with tarfile.open(archive) as tar:
        assert tar.getnames() == [MODEL_NAME]
        tar.extractall(tmp_path / "model", filter="data")
    path = tmp_path / "model" / MODEL_NAME
    # save_model without extension: UBJSON since xgboost 2.1, so in the 3.x images.
    assert model_format(path) == "ubjson"
    # serve_utils.get_loaded_booster: the first model_dir file, pickle.load first, then
    # Booster.load_model; then nthread=1 and predict on a CSV DMatrix.
    (first,) = [p for p in (tmp_path / "model").iterdir() if not p.name.startswith(".")]
    with pytest.raises(pickle.UnpicklingError), first.open("rb") as handle:
        pickle.load(handle)
    booster = xgb.Booster()
    with pytest.warns(UserWarning, match="Using UBJSON"):  # no extension: format guessed
        booster.load_model(str(first))
    booster.set_param("nthread", 1)
    assert booster.num_boosted_rounds() == 300  # vis-01 states num_round=300
    assert json.loads(booster.save_config())["learner"]["objective"]["name"] == "binary:logistic"
    rows = np.zeros((2, booster.num_features()))
    assert booster.predict(xgb.DMatrix(rows)).shape == (2,)


def test_another_pinned_xgboost_image_gets_a_warning_naming_the_format():
    assert container_xgboost("1.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.2-0") == "3.2"
    assert container_xgboost("x/sagemaker-xgboost:1.7-1-cpu-py3") == "1.7"
    assert container_xgboost("x/sagemaker-xgboost:latest") is None
    assert version_warning("x/sagemaker-xgboost:3.2-0", "3.2.0") is None
    warning = version_warning("x/sagemaker-xgboost:1.7-1", "3.2.0")
    assert warning is not None and "legacy binary format" in warning and "3.2.0" in warning
    assert "UBJSON" in (version_warning("x/sagemaker-xgboost:3.0-5", "3.2.0") or "")


def test_pytorch_hyperparameters_reach_the_script_with_sagemaker_types(tmp_path):
    folder = assemble_case(golden_cases()["vis-02-tickets-pytorch-train"], tmp_path / "p")
    result = run_local(folder, work=tmp_path / "run", options=RunOptions(rows=200))
    assert result.ok, result.log_tail
    definition = json.loads((folder / "pipeline.json").read_text())
    declared = next(s for s in definition["Steps"] if s["Type"] == "Training")
    base = tmp_path / "run" / "steps" / "PyTorchTraining" / "container" / "opt" / "ml"
    written = json.loads((base / "input" / "config" / "hyperparameters.json").read_text())
    assert written == declared["Arguments"]["HyperParameters"]  # verbatim, strings
    assert written["label_name"] == '"category"' and written["epochs"] == "5"
    config = json.loads((base / "model" / "model_config.json").read_text())
    received = config["hyperparameters"]
    assert received["epochs"] == 5 and isinstance(received["epochs"], int)
    assert received["lr"] == pytest.approx(2e-05) and isinstance(received["lr"], float)
    assert received["batch_size"] == 32
    assert received["hidden_dims"] == [128, 64]
    assert received["label_name"] == "category"
    log = Path(result.step("PyTorchTraining").log or "").read_text()
    assert "sagemaker-training-toolkit" in log
    assert "--epochs 5" in log  # the toolkit's command line: decoded JSON values
    channels = json.loads((base / "input" / "config" / "inputdataconfig.json").read_text())
    assert set(channels) == {"train", "val", "schema"}
    resources = json.loads((base / "input" / "config" / "resourceconfig.json").read_text())
    assert resources["current_host"] == "algo-1" and resources["hosts"] == ["algo-1"]
