"""ModelEvaluation container script: score processed data with a model and compute metrics.

Bundle: this file, ``_common.py``, ``inference.py`` (scoring uses the serving code).

Input channels:
  ``model_artifacts``: ``model.tar.gz`` (XGBoost built-in: ``xgboost-model``; PyTorch:
  ``model.pth`` + ``model_config.json``) or the unpacked files.
  ``eval_data``: TabularPreprocessing output; reads folder ``--split`` if given, else the
  folder named after ``--job-type`` if present, else ``test/``; ids from ``ids/<split>.csv``.
Output channels:
  ``metrics/metrics.json``: flat top-level keys ``auc accuracy f1 precision recall log_loss``
  (JsonGet path ``auc``; ``auc`` is null when only one class is present), plus ``num_rows``,
  ``positive_rate``, ``threshold``, ``job_type``, ``split``, ``framework``, and a copy in
  SageMaker's model-quality layout under ``binary_classification_metrics`` (or
  ``multiclass_classification_metrics``) for model registration.
  ``predictions/predictions.csv``: header ``id,label,prob`` (label = class index 0..k-1,
  prob = probability of class 1); multiclass adds
  ``pred`` and ``prob_<k>`` columns and ``prob`` is the top class probability.
Multiclass precision / recall / f1 are macro averages; auc is one-vs-rest.
Regression models (see ``inference.py``) get ``mse rmse mae r2`` instead (``r2`` is null when
the labels are constant), a copy under ``regression_metrics``, no ``threshold`` or
``positive_rate``, and predictions ``id,label,pred`` (label and pred are values).
``task`` says which kind the report is: ``classification`` or ``regression``.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # checked as package modules; in the container they sit next to this file
    from sagewright.registry.steps.scripts import _common, inference
else:
    import _common
    import inference


def pick_split(eval_data: Path, split: str, job_type: str) -> str:
    """Name of the processed split folder to score."""
    if split:
        if not (eval_data / split).is_dir():
            raise _common.ScriptError(f"split folder '{split}' not found in eval_data")
        return split
    return job_type if (eval_data / job_type).is_dir() else "test"


def read_ids(eval_data: Path, split: str, rows: int) -> list[str]:
    """Row ids of a split (row numbers when no ids file is present)."""
    path = eval_data / "ids" / f"{split}.csv"
    if not path.is_file():
        return [str(i) for i in range(rows)]
    ids = [str(v) for v in pd.read_csv(path, dtype=str, keep_default_na=False).iloc[:, 0]]
    if len(ids) != rows:
        raise _common.ScriptError(f"ids/{split}.csv has {len(ids)} rows, the data {rows}")
    return ids


def compute_metrics(labels: np.ndarray, probs: np.ndarray, threshold: float) -> dict[str, Any]:
    """auc, accuracy, f1, precision, recall, log_loss (binary or macro multiclass)."""
    from sklearn import metrics as skm

    classes = list(range(probs.shape[1]))
    binary = len(classes) == 2
    predicted = (probs[:, 1] >= threshold).astype(int) if binary else probs.argmax(axis=1)
    average = "binary" if binary else "macro"
    auc = None
    if len(np.unique(labels)) == len(classes):
        scores = probs[:, 1] if binary else probs
        auc = float(skm.roc_auc_score(labels, scores, multi_class="ovr", labels=classes))
    else:
        _common.log("WARNING: not every class is present; auc is null")
    result: dict[str, Any] = {
        "auc": auc,
        "accuracy": float(skm.accuracy_score(labels, predicted)),
        "f1": float(skm.f1_score(labels, predicted, average=average, zero_division=0)),
        "precision": float(
            skm.precision_score(labels, predicted, average=average, zero_division=0)
        ),
        "recall": float(skm.recall_score(labels, predicted, average=average, zero_division=0)),
        "log_loss": float(skm.log_loss(labels, np.clip(probs, 1e-15, 1.0), labels=classes)),
        "num_rows": len(labels),
    }
    if binary:
        result["positive_rate"] = float(np.mean(labels == 1))
        result["threshold"] = threshold
    section = "binary_classification_metrics" if binary else "multiclass_classification_metrics"
    result[section] = {
        name: {"value": result[name], "standard_deviation": "NaN"}
        for name in ("auc", "accuracy", "f1", "precision", "recall", "log_loss")
        if result[name] is not None and not math.isnan(result[name])
    }
    return result


def compute_regression_metrics(labels: np.ndarray, values: np.ndarray) -> dict[str, Any]:
    """mse, rmse, mae and r2 of predicted values against the labels."""
    from sklearn import metrics as skm

    mse = float(skm.mean_squared_error(labels, values))
    r2 = None
    if len(labels) > 1 and np.ptp(labels) > 0:
        r2 = float(skm.r2_score(labels, values))
    else:
        _common.log("WARNING: the labels are constant; r2 is null")
    result: dict[str, Any] = {
        "mse": mse,
        "rmse": math.sqrt(mse),
        "mae": float(skm.mean_absolute_error(labels, values)),
        "r2": r2,
        "num_rows": len(labels),
    }
    result["regression_metrics"] = {
        name: {"value": result[name], "standard_deviation": "NaN"}
        for name in ("mse", "rmse", "mae", "r2")
        if result[name] is not None
    }
    return result


def score(
    model: inference.LoadedModel, matrix: np.ndarray, threshold: float
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The metrics report and the prediction columns of a labelled split."""
    features = matrix[:, 1:]
    if model.task == "regression":
        values = inference.predict_values(model, features)
        columns = {"label": matrix[:, 0], "pred": values}
        return compute_regression_metrics(matrix[:, 0], values), columns
    probs = inference.predict_proba(model, features)
    classes = model.config.get("classes") or list(range(probs.shape[1]))
    labels = _common.class_indices(matrix[:, 0], classes)
    columns = {"label": labels}
    if probs.shape[1] == 2:
        columns["prob"] = probs[:, 1]
    else:
        columns["prob"] = probs.max(axis=1)
        columns["pred"] = probs.argmax(axis=1)
        for k in range(probs.shape[1]):
            columns[f"prob_{k}"] = probs[:, k]
    return compute_metrics(labels, probs, threshold), columns


def main(argv: list[str]) -> None:
    """Score ``eval_data`` with ``model_artifacts``; write metrics and predictions."""
    parser = _common.processing_parser(__doc__.splitlines()[0])
    _common.add_job_type(parser, default="testing")
    parser.add_argument("--framework", choices=("auto", "xgboost", "pytorch"), default="auto")
    parser.add_argument("--split", default="")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--label-name", default="", help="recorded in metrics.json")
    parser.add_argument("--id-name", default="", help="recorded in metrics.json")
    args = parser.parse_args(argv)

    eval_data = args.input_dir / "eval_data"
    split = pick_split(eval_data, args.split, args.job_type)
    schema = _common.find_schema(eval_data) or {}
    if "label" in schema and not schema["label"]:
        raise _common.ScriptError(f"eval_data ({schema.get('job_type')}) has no label column")
    matrix = _common.read_matrix(eval_data / split)
    ids = read_ids(eval_data, split, len(matrix))

    with tempfile.TemporaryDirectory() as tmp:
        model_dir = _common.unpack_model(args.input_dir / "model_artifacts", Path(tmp))
        framework = _common.detect_framework(model_dir, args.framework)
        try:
            model = inference.model_fn(str(model_dir))
            report, columns = score(model, matrix, args.threshold)
        except ValueError as exc:
            raise _common.ScriptError(f"cannot score {split} with the model: {exc}") from exc

    report.update(
        task=model.task,
        job_type=args.job_type,
        split=split,
        framework=framework,
        label_name=args.label_name or schema.get("label"),
        id_name=args.id_name or schema.get("id"),
    )
    table = pd.DataFrame({"id": ids, **columns})
    with _common.staged_outputs(args.output_dir, "metrics", "predictions") as out:
        _common.write_json(out["metrics"] / "metrics.json", report)
        table.to_csv(out["predictions"] / "predictions.csv", index=False)
    shown = (
        ("mse", "rmse", "mae", "r2")
        if model.task == "regression"
        else ("auc", "accuracy", "f1", "log_loss")
    )
    summary = {k: report[k] for k in shown}
    _common.log(f"model_evaluation[{args.job_type}/{split}]: {summary}")


if __name__ == "__main__":
    _common.run(main)
