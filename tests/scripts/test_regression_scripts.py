"""An XGBoost regression model (``reg:squarederror``) through the container scripts.

preprocess -> train (xgboost package standing in for the built-in container) -> evaluate ->
serve; calibration refuses regression predictions with one clear line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.scripts.script_helpers import (
    Runner,
    assert_failed,
    read_part,
    serve,
    tar_model,
    train_booster,
)

xgb = pytest.importorskip("xgboost")

LABELED = ["--label-name", "y", "--id-name", "id", "--cat-fields", "color"]


def regression_table(rows: int, seed: int) -> pd.DataFrame:
    """A real-valued label: a linear signal in x1, x2 and the colour, plus noise."""
    rng = np.random.default_rng(seed)
    x1, x2, x3 = rng.normal(size=(3, rows))
    color = rng.choice(["red", "green", "blue"], size=rows)
    shift = pd.Series(color).map({"red": 5.0, "green": 0.0, "blue": -5.0}).to_numpy()
    y = 20.0 + 3.0 * x1 - 2.0 * x2 + shift + rng.normal(scale=0.5, size=rows)
    return pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(rows)],
            "x1": x1.round(4),
            "x2": x2.round(4),
            "x3": x3.round(4),
            "color": color,
            "y": y.round(3),
        }
    )


@pytest.fixture(scope="module")
def regression(run_script: Runner, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("regression")
    source = root / "source"
    source.mkdir()
    regression_table(600, seed=3).to_csv(source / "data.csv", index=False)
    pre = run_script(
        "tabular_preprocessing", {"data": source}, *LABELED, "--job-type", "training"
    ).check()
    processed = pre.out("processed_data")
    params = {"objective": "reg:squarederror", "max_depth": 3, "eta": 0.3}
    model_dir = train_booster(processed, root / "reg-model", params, rounds=60)
    artifacts = tar_model(model_dir, root / "reg-artifacts")
    evaluation = run_script(
        "model_evaluation",
        {"model_artifacts": artifacts, "eval_data": processed},
        "--job-type", "testing", "--framework", "xgboost",
    ).check()  # fmt: skip
    return {
        "processed": processed,
        "model_dir": model_dir,
        "artifacts": artifacts,
        "evaluation": evaluation,
    }


def test_evaluation_reports_regression_metrics(regression: dict[str, Any]) -> None:
    job = regression["evaluation"]
    metrics = json.loads((job.out("metrics") / "metrics.json").read_text())
    table = pd.read_csv(job.out("predictions") / "predictions.csv")
    assert list(table.columns) == ["id", "label", "pred"]
    test_rows = read_part(regression["processed"] / "test" / "part-00000.csv")
    np.testing.assert_allclose(table["label"], test_rows[:, 0])
    error = table["pred"] - table["label"]
    mse = float(np.mean(error**2))
    variance = float(np.sum((table["label"] - table["label"].mean()) ** 2))
    assert metrics["task"] == "regression"
    assert metrics["mse"] == pytest.approx(mse)
    assert metrics["rmse"] == pytest.approx(mse**0.5)
    assert metrics["mae"] == pytest.approx(float(np.mean(np.abs(error))))
    assert metrics["r2"] == pytest.approx(1 - mse * len(table) / variance)
    assert 0.8 < metrics["r2"] < 1 and metrics["rmse"] < 3  # the signal was learned
    assert metrics["num_rows"] == len(table) == len(test_rows)
    assert metrics["regression_metrics"]["rmse"] == {
        "value": metrics["rmse"],
        "standard_deviation": "NaN",
    }
    assert set(metrics["regression_metrics"]) == {"mse", "rmse", "mae", "r2"}
    assert not {"auc", "accuracy", "log_loss", "threshold"} & set(metrics)
    assert "rmse" in job.result.stdout  # the CloudWatch summary names the regression metrics


def test_constant_labels_give_a_null_r2(
    regression: dict[str, Any], run_script: Runner, tmp_path: Path
) -> None:
    eval_data = tmp_path / "eval"
    (eval_data / "testing").mkdir(parents=True)
    rows = read_part(regression["processed"] / "test" / "part-00000.csv")[:20]
    rows[:, 0] = 7.0
    np.savetxt(eval_data / "testing" / "part-00000.csv", rows, delimiter=",")
    job = run_script(
        "model_evaluation",
        {"model_artifacts": regression["artifacts"], "eval_data": eval_data},
        "--job-type", "testing",
    ).check()  # fmt: skip
    metrics = json.loads((job.out("metrics") / "metrics.json").read_text())
    assert metrics["r2"] is None and "r2" not in metrics["regression_metrics"]
    assert metrics["mse"] > 0 and metrics["split"] == "testing"


def test_the_serving_code_returns_values(regression: dict[str, Any]) -> None:
    rows = read_part(regression["processed"] / "test" / "part-00000.csv")[:3, 1:]
    body = "\n".join(",".join(str(v) for v in row) for row in rows)
    booster = xgb.Booster()
    booster.load_model(str(regression["model_dir"] / "xgboost-model"))
    expected = booster.predict(xgb.DMatrix(rows))
    answer = json.loads(serve(regression["model_dir"], body, "text/csv"))
    values = [p["value"] for p in answer["predictions"]]
    np.testing.assert_allclose(values, expected, rtol=1e-6)
    lines = serve(regression["model_dir"], body, "text/csv", accept="text/csv").splitlines()
    np.testing.assert_allclose([float(v) for v in lines], expected, rtol=1e-6)


def test_calibration_refuses_regression_predictions(
    regression: dict[str, Any], run_script: Runner
) -> None:
    job = run_script(
        "model_calibration", {"predictions": regression["evaluation"].out("predictions")}
    )
    assert_failed(job, "regression model", "calibration")
