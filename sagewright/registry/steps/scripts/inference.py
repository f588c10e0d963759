"""Serving code for XGBoost and PyTorch models (shipped as ``code/inference.py``).

Implements SageMaker's ``model_fn`` / ``input_fn`` / ``predict_fn`` / ``output_fn`` and is also
imported by ``model_evaluation.py`` and ``pytorch_training.py``, so training, evaluation and
serving share one model definition. Standalone on purpose: stdlib + numpy, plus xgboost or
torch imported only for the framework in use.

Model folder (``model_dir``):
  ``xgboost-model`` (built-in XGBoost format) or ``model.pth`` + ``model_config.json``;
  optional ``schema.json`` (from TabularPreprocessing) and ``calibration/calibration.json``.

Requests:
  ``text/csv``: one row per line, the values of the schema's ``features`` in order (no header,
  no label, no id). Categorical values may be raw text (encoded with the schema's mappings) or
  codes. Without a schema every value must be numeric.
  ``application/json``: a record ``{field: value}``, a list of records, or
  ``{"instances": [...]}``; needs a schema for field names (lists of values also work).
Responses:
  ``application/json``: ``{"predictions": [{"prob": p, "label": c, "calibrated_prob": q}]}``
  (binary; multiclass rows carry ``probs`` instead of ``prob``; regression rows ``{"value": v}``).
  ``text/csv``: one line per row: ``prob[,calibrated_prob]`` (multiclass: all class probs;
  regression: the predicted value).
Regression models (XGBoost ``reg:squarederror``, ``reg:absoluteerror``, ``reg:pseudohubererror``,
``reg:tweedie``, ``count:poisson``) predict values; every other objective is a classifier.
Missing, unseen or empty categorical values encode as -1, missing numbers as NaN (XGBoost
missing; the PyTorch model replaces them with the training mean).
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

XGBOOST_FILE = "xgboost-model"
TORCH_FILE = "model.pth"
MODEL_CONFIG_FILE = "model_config.json"
SCHEMA_FILE = "schema.json"
CALIBRATION_FILE = "calibration/calibration.json"
MISSING_CODE = -1
#: XGBoost objectives that predict a value (``reg:logistic`` predicts a probability).
REGRESSION_OBJECTIVES = frozenset(
    {
        "reg:squarederror",
        "reg:absoluteerror",
        "reg:pseudohubererror",
        "reg:tweedie",
        "count:poisson",
    }
)


@dataclass
class LoadedModel:
    """A model ready to score, with its input schema and optional calibration.

    ``task`` is ``classification`` (class probabilities) or ``regression`` (values).
    """

    framework: str
    model: Any
    config: dict[str, Any] = field(default_factory=dict)
    schema: dict[str, Any] | None = None
    calibration: dict[str, Any] | None = None
    task: str = "classification"


# ---------------------------------------------------------------- model definition


def build_network(config: dict[str, Any]) -> Any:
    """The tabular MLP described by ``model_config.json`` (a ``torch.nn.Sequential``)."""
    from torch import nn

    layers: list[Any] = []
    width = int(config["input_dim"])
    for hidden in config["hidden_dims"]:
        layers += [nn.Linear(width, int(hidden)), nn.ReLU(), nn.Dropout(float(config["dropout"]))]
        width = int(hidden)
    layers.append(nn.Linear(width, int(config["num_classes"])))
    return nn.Sequential(*layers)


def standardize(features: np.ndarray, config: dict[str, Any]) -> np.ndarray:
    """Scale with the training mean/std of ``config``; missing values become the mean (0)."""
    mean = np.asarray(config["feature_mean"], dtype=np.float64)
    std = np.asarray(config["feature_std"], dtype=np.float64)
    return np.nan_to_num((features - mean) / std, nan=0.0, posinf=0.0, neginf=0.0)


# ---------------------------------------------------------------- scoring


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def model_fn(model_dir: str) -> LoadedModel:
    """Load the model in ``model_dir`` (framework detected from the files)."""
    root = Path(model_dir)
    calibration = _read_json(root / CALIBRATION_FILE)
    schema = _read_json(root / SCHEMA_FILE)
    if (root / TORCH_FILE).is_file():
        import torch

        config = _read_json(root / MODEL_CONFIG_FILE)
        if not isinstance(config, dict):
            raise ValueError(f"{MODEL_CONFIG_FILE} missing next to {TORCH_FILE}")
        network = build_network(config)
        state = torch.load(root / TORCH_FILE, map_location="cpu", weights_only=True)
        network.load_state_dict(state)
        network.eval()
        return LoadedModel("pytorch", network, config, schema or config.get("schema"), calibration)
    if (root / XGBOOST_FILE).is_file():
        booster = _load_booster(root / XGBOOST_FILE)
        task = "regression" if _objective(booster) in REGRESSION_OBJECTIVES else "classification"
        return LoadedModel("xgboost", booster, {}, schema, calibration, task)
    raise ValueError(f"no {XGBOOST_FILE} or {TORCH_FILE} in {model_dir}")


def _load_booster(path: Path) -> Any:
    import xgboost as xgb

    booster = xgb.Booster()
    try:
        booster.load_model(bytearray(path.read_bytes()))  # format detected from the bytes
    except xgb.core.XGBoostError:
        import pickle  # older SageMaker XGBoost images (< 1.3) pickled the booster

        with path.open("rb") as handle:
            booster = pickle.load(handle)  # our own training job's artifact
    return booster


def _objective(booster: Any) -> str:
    return str(json.loads(booster.save_config())["learner"]["objective"]["name"])


def _as_matrix(features: np.ndarray) -> np.ndarray:
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2:
        raise ValueError("features must be a 2-D array")
    return features


def predict_values(model: LoadedModel, features: np.ndarray) -> np.ndarray:
    """Predicted values ``(rows,)`` of a regression model for numeric (encoded) features."""
    import xgboost as xgb

    features = _as_matrix(features)
    if model.task != "regression":
        raise ValueError("the model is a classifier; use predict_proba")
    expected = model.model.num_features()
    if expected:
        _check_width(features, expected)
    values = model.model.predict(xgb.DMatrix(features, missing=np.nan))
    return np.asarray(values, dtype=np.float64).reshape(len(features))


def predict_proba(model: LoadedModel, features: np.ndarray) -> np.ndarray:
    """Class probabilities ``(rows, classes)`` for numeric (already encoded) features."""
    features = _as_matrix(features)
    if model.framework == "pytorch":
        import torch

        expected = int(model.config["input_dim"])
        _check_width(features, expected)
        with torch.no_grad():
            logits = model.model(torch.as_tensor(standardize(features, model.config)).float())
            return np.asarray(torch.softmax(logits, dim=1).double().numpy(), dtype=np.float64)
    return _xgboost_proba(model.model, features)


def _check_width(features: np.ndarray, expected: int) -> None:
    if features.shape[1] != expected:
        raise ValueError(f"model expects {expected} features, got {features.shape[1]}")


def _xgboost_proba(booster: Any, features: np.ndarray) -> np.ndarray:
    import xgboost as xgb

    expected = booster.num_features()
    if expected:
        _check_width(features, expected)
    objective = _objective(booster)
    margin = booster.predict(xgb.DMatrix(features, missing=np.nan), output_margin=True)
    if objective.startswith("multi:"):
        shifted = np.exp(margin - margin.max(axis=1, keepdims=True))
        return np.asarray(shifted / shifted.sum(axis=1, keepdims=True), dtype=np.float64)
    if objective.startswith("binary:") or objective == "reg:logistic":
        positive = 1.0 / (1.0 + np.exp(-margin))
        return np.column_stack([1.0 - positive, positive])
    raise ValueError(
        f"XGBoost objective {objective} does not predict class probabilities; "
        "regression models predict values (predict_values)"
    )


def calibrate(scores: np.ndarray, calibration: dict[str, Any]) -> np.ndarray:
    """Apply a ``calibration.json`` mapping (isotonic thresholds or Platt coefficients)."""
    scores = np.asarray(scores, dtype=np.float64)
    if calibration.get("method") == "platt":
        eps = float(calibration.get("logit_eps", 1e-6))
        clipped = np.clip(scores, eps, 1 - eps)
        z = calibration["coef"] * np.log(clipped / (1 - clipped)) + calibration["intercept"]
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)
    return np.asarray(np.interp(scores, calibration["x"], calibration["y"]), dtype=np.float64)


# ---------------------------------------------------------------- request handling


def input_fn(request_body: bytes | str, request_content_type: str) -> list[Any]:
    """Parse a CSV or JSON request into rows (lists of values or field->value records)."""
    text = request_body.decode("utf-8") if isinstance(request_body, bytes) else request_body
    content_type = (request_content_type or "text/csv").split(";")[0].strip().lower()
    if content_type == "text/csv":
        return [row for row in csv.reader(io.StringIO(text)) if row]
    if content_type == "application/json":
        data = json.loads(text)
        if isinstance(data, dict):
            data = data.get("instances", data.get("inputs", [data]))
        return list(data) if isinstance(data, list) else [data]
    raise ValueError(f"unsupported content type {request_content_type!r}")


def encode_rows(rows: list[Any], schema: dict[str, Any] | None) -> np.ndarray:
    """Encode parsed rows into the numeric feature matrix the model was trained on."""
    if not schema:
        if any(isinstance(row, dict) for row in rows):
            raise ValueError("JSON records need the model's schema.json to order the fields")
        return np.array([[_to_float(v) for v in row] for row in rows], dtype=np.float64)
    features = list(schema["features"])
    mappings = schema.get("categorical_mappings", {})
    matrix = np.empty((len(rows), len(features)), dtype=np.float64)
    for i, row in enumerate(rows):
        if isinstance(row, dict):
            values = [row.get(name) for name in features]
        else:
            if len(row) != len(features):
                raise ValueError(f"row {i} has {len(row)} values, expected {len(features)}")
            values = list(row)
        for j, name in enumerate(features):
            mapping = mappings.get(name)
            value = values[j]
            matrix[i, j] = _to_float(value) if mapping is None else _encode(value, mapping)
    return matrix


def _to_float(value: Any) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"value {value!r} is not numeric") from exc


def _encode(value: Any, mapping: dict[str, int]) -> float:
    if value is None:
        return MISSING_CODE
    text = str(value)
    if text in mapping:
        return mapping[text]
    try:  # already a code
        code = float(text)
    except ValueError:
        return MISSING_CODE
    return code if code in mapping.values() else MISSING_CODE


def predict_fn(input_data: list[Any], model: LoadedModel) -> dict[str, Any]:
    """Score parsed rows: probabilities, labels and calibrated scores, or regression values."""
    if model.task == "regression":
        return {"values": predict_values(model, encode_rows(input_data, model.schema))}
    probs = predict_proba(model, encode_rows(input_data, model.schema))
    classes = (model.schema or {}).get("label_classes") or model.config.get("classes")
    if not classes or len(classes) != probs.shape[1]:
        classes = list(range(probs.shape[1]))
    result: dict[str, Any] = {
        "probs": probs,
        "labels": [classes[k] for k in probs.argmax(axis=1)],
    }
    if model.calibration and probs.shape[1] == 2:
        result["calibrated"] = calibrate(probs[:, 1], model.calibration)
    return result


def output_fn(prediction: dict[str, Any], accept: str) -> str:
    """Serialise predictions as JSON or CSV."""
    accept = (accept or "application/json").split(";")[0].strip().lower()
    if "values" in prediction:
        return _values_output(prediction["values"], accept)
    probs: np.ndarray = prediction["probs"]
    calibrated = prediction.get("calibrated")
    binary = probs.shape[1] == 2
    if accept == "text/csv":
        lines = []
        for i, row in enumerate(probs):
            values = [row[1]] if binary else list(row)
            if calibrated is not None:
                values.append(calibrated[i])
            lines.append(",".join(f"{float(v):.10g}" for v in values))
        return "\n".join(lines) + "\n"
    if accept in ("application/json", "*/*"):
        records = []
        for i, row in enumerate(probs):
            record: dict[str, Any] = {"label": _plain(prediction["labels"][i])}
            if binary:
                record["prob"] = float(row[1])
            else:
                record["probs"] = [float(v) for v in row]
            if calibrated is not None:
                record["calibrated_prob"] = float(calibrated[i])
            records.append(record)
        return json.dumps({"predictions": records})
    raise ValueError(f"unsupported accept type {accept!r}")


def _values_output(values: np.ndarray, accept: str) -> str:
    if accept == "text/csv":
        return "".join(f"{float(v):.10g}\n" for v in values)
    if accept in ("application/json", "*/*"):
        return json.dumps({"predictions": [{"value": float(v)} for v in values]})
    raise ValueError(f"unsupported accept type {accept!r}")


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
