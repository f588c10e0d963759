"""Bad data makes every script exit non-zero with one clear line and an empty output channel."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.scripts.script_helpers import Runner, assert_failed, make_table

# case -> (script, input channels (None = empty folder), args, error text, output channels)
Case = Callable[[Path], tuple[str, dict[str, Path | None], list[str], str, str]]


def _csv(folder: Path, frame_rows: int = 60, **changes: object) -> Path:
    """A ``data`` channel with one CSV shard; ``changes`` replace / drop columns."""
    folder.mkdir(parents=True, exist_ok=True)
    table = make_table(frame_rows, seed=3)
    for column, value in changes.items():
        if value is None:
            table = table.drop(columns=column)
        else:
            table[column] = value
    table.to_csv(folder / "part.csv", index=False)
    return folder


def _mismatched_shards(folder: Path) -> Path:
    """Two shards whose headers differ."""
    _csv(folder / "a")
    _csv(folder / "b", x3=None)
    return folder


def _processed(folder: Path, labeled: bool = True) -> Path:
    """A tiny processed ``eval_data`` channel (one ``testing`` split)."""
    (folder / "testing").mkdir(parents=True)
    rows = np.column_stack([np.arange(10) % 2, np.random.default_rng(0).normal(size=(10, 3))])
    np.savetxt(folder / "testing" / "part-00000.csv", rows, delimiter=",")
    schema = {"label": "y" if labeled else None, "job_type": "testing"}
    (folder / "schema.json").write_text(json.dumps(schema))
    return folder


def _model(folder: Path, features: int) -> Path:
    """A loose ``xgboost-model`` trained on ``features`` columns."""
    xgb = pytest.importorskip("xgboost")
    folder.mkdir(parents=True)
    data = np.random.default_rng(0).normal(size=(40, features))
    booster = xgb.train({"objective": "binary:logistic"}, xgb.DMatrix(data, label=data[:, 0] > 0))
    (folder / "xgboost-model").write_bytes(booster.save_raw("ubj"))
    return folder


def _mapping(folder: Path) -> Path:
    folder.mkdir(parents=True)
    schema = {
        "label": "y", "id": "id", "features": ["x1", "x2", "x3", "color"],
        "numeric_features": ["x1", "x2", "x3"], "categorical_features": ["color"],
        "categorical_mappings": {"color": {"red": 0, "green": 1}},
    }  # fmt: skip
    (folder / "schema.json").write_text(json.dumps(schema))
    return folder


LABELED = ["--job-type", "training", "--label-name", "y", "--id-name", "id"]
CASES: dict[str, Case] = {
    "missing label column": lambda t: (
        "tabular_preprocessing", {"data": _csv(t / "d", y=None)}, LABELED,
        "label column 'y' not found", "processed_data",
    ),
    "missing id column": lambda t: (
        "tabular_preprocessing", {"data": _csv(t / "d", id=None)}, LABELED,
        "id column 'id' not found", "processed_data",
    ),
    "no label name": lambda t: (
        "tabular_preprocessing", {"data": _csv(t / "d")}, ["--job-type", "testing"],
        "--label-name is required", "processed_data",
    ),
    "empty input": lambda t: (
        "tabular_preprocessing", {"data": None}, LABELED, "no data files", "processed_data",
    ),
    "header only": lambda t: (
        "tabular_preprocessing", {"data": _csv(t / "d", frame_rows=0)}, LABELED,
        "no data rows", "processed_data",
    ),
    "non-numeric feature": lambda t: (
        "tabular_preprocessing", {"data": _csv(t / "d")}, LABELED,
        "column 'color' is not numeric", "processed_data",
    ),
    "unseen category": lambda t: (
        "tabular_preprocessing",
        {"data": _csv(t / "d"), "schema": _mapping(t / "s")},
        [*LABELED[2:], "--job-type", "testing", "--schema-from", "{input}/schema"],
        "categories not in the given mapping", "processed_data",
    ),
    "too few rows to split": lambda t: (
        "tabular_preprocessing", {"data": _csv(t / "d", frame_rows=3)},
        [*LABELED, "--cat-fields", "color"], "split is empty", "processed_data",
    ),
    "empty source": lambda t: (
        "data_loading", {"source": None}, ["--job-type", "training"], "no data files", "data",
    ),
    "mismatched shards": lambda t: (
        "data_loading",
        {"source": _mismatched_shards(t / "d")},
        ["--job-type", "training"], "all shards must share one header", "data",
    ),
    "unlabeled eval data": lambda t: (
        "model_evaluation",
        {"model_artifacts": _model(t / "m", 3), "eval_data": _processed(t / "e", labeled=False)},
        ["--job-type", "testing"], "has no label column", "metrics",
    ),
    "feature count mismatch": lambda t: (
        "model_evaluation",
        {"model_artifacts": _model(t / "m", 5), "eval_data": _processed(t / "e")},
        ["--job-type", "testing"], "model expects 5 features, got 3", "metrics predictions",
    ),
    "no model": lambda t: (
        "packaging", {"model_artifacts": None}, [], "no model artifacts", "packaged_model",
    ),
    "wrong framework": lambda t: (
        "packaging", {"model_artifacts": _model(t / "m", 3)}, ["--framework", "pytorch"],
        "model artifacts lack model.pth", "packaged_model",
    ),
    "missing score field": lambda t: (
        "model_calibration", {"predictions": _csv(t / "p")}, [],
        "column 'prob' not in predictions", "calibration",
    ),
    "one-class labels": lambda t: (
        "model_calibration", {"predictions": _csv(t / "p", y=1, prob=0.4)},
        ["--label-field", "y"], "binary 0/1 labels", "calibration",
    ),
    "no payload fields": lambda t: (
        "payload_generation", {"model_artifacts": None}, [], "no input fields", "payload",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_fails_cleanly(case: str, run_script: Runner, tmp_path: Path) -> None:
    script, inputs, args, message, channels = CASES[case](tmp_path)
    job = run_script(script, inputs, *args)
    assert_failed(job, message, *channels.split())
