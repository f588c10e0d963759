"""ModelCalibration container script: fit a score calibration mapping on scored data.

Input channel ``predictions``: with ``--layout header`` (default), CSV file(s) with a header
holding ``--score-field`` (raw probability of class 1) and ``--label-field`` (0/1), as
ModelEvaluation writes them; with ``--layout label-score``, headerless lines ``label,score``
as BatchTransform writes them (joined input filtered to its first and last column).
Output channel ``calibration``: ``calibration.json``::

    {"method": "isotonic" | "platt", "x": [...], "y": [...],   # calibrated = interp(score, x, y)
     "coef": a, "intercept": b, "logit_eps": e,                # platt: sigmoid(a*logit(s)+b),
                                                               # s clipped to [e, 1-e]
     "score_field", "label_field", "num_rows", "brier_raw", "brier_calibrated", "job_type"}

Isotonic ``x``/``y`` are scikit-learn's thresholds (exact with linear interpolation, clipped
outside); Platt's are a 101-point grid of its curve over [0, 1]. Binary labels only.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # checked as package modules; in the container they sit next to this file
    from sagewright.registry.steps.scripts import _common
else:
    import _common

EPS = 1e-6


def logit(scores: np.ndarray) -> np.ndarray:
    """Log-odds of clipped probabilities."""
    clipped = np.clip(scores, EPS, 1 - EPS)
    return np.asarray(np.log(clipped / (1 - clipped)), dtype=np.float64)


def fit(
    method: str, scores: np.ndarray, labels: np.ndarray
) -> tuple[dict[str, object], np.ndarray]:
    """Fit the mapping; returns its JSON fields and the calibrated training scores."""
    if method == "platt":
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=1e6).fit(logit(scores)[:, None], labels)
        coef, intercept = float(model.coef_[0, 0]), float(model.intercept_[0])
        grid = np.linspace(0.0, 1.0, 101)
        curve = 1.0 / (1.0 + np.exp(-(coef * logit(grid) + intercept)))
        fitted = model.predict_proba(logit(scores)[:, None])[:, 1]
        mapping = {"x": grid.tolist(), "y": curve.tolist(), "coef": coef, "intercept": intercept}
        mapping["logit_eps"] = EPS
        return mapping, fitted
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
    fitted = iso.fit_transform(scores, labels)
    return {"x": iso.X_thresholds_.tolist(), "y": iso.y_thresholds_.tolist()}, fitted


def read_scored(folder: Path, args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    """Scores and labels from either predictions layout."""
    if args.layout == "label-score":
        blocks = [_common.read_matrix_file(path) for path in _common.data_files(folder)]
        rows = np.vstack(blocks) if blocks else np.empty((0, 0))
        if rows.ndim != 2 or rows.shape[1] < 2 or not len(rows):
            raise _common.ScriptError(f"no 'label,score' rows under {folder}")
        return rows[:, -1], rows[:, 0]
    table = _common.read_tables(folder, "csv")
    if (
        args.score_field not in table.columns
        and "pred" in table.columns
        and "prob" not in table.columns
    ):
        raise _common.ScriptError(
            "the predictions hold values (a regression model's), not class probabilities; "
            "calibration needs a binary classifier"
        )
    for name in (args.score_field, args.label_field):
        if name not in table.columns:
            raise _common.ScriptError(f"column '{name}' not in predictions {list(table.columns)}")
    values = table[[args.score_field, args.label_field]].apply(pd.to_numeric, errors="coerce")
    if values.isna().any().any():
        raise _common.ScriptError("score / label columns have missing or non-numeric values")
    return values[args.score_field].to_numpy(), values[args.label_field].to_numpy()


def main(argv: list[str]) -> None:
    """Read scored rows, fit the mapping, write ``calibration.json``."""
    parser = _common.processing_parser(__doc__.splitlines()[0])
    _common.add_job_type(parser, default="calibration")
    parser.add_argument("--method", choices=("isotonic", "platt"), default="isotonic")
    parser.add_argument("--score-field", default="prob")
    parser.add_argument("--label-field", default="label")
    parser.add_argument("--layout", choices=("header", "label-score"), default="header")
    args = parser.parse_args(argv)

    scores, labels = read_scored(args.input_dir / "predictions", args)
    if set(np.unique(labels)) != {0.0, 1.0}:
        raise _common.ScriptError(
            f"calibration needs binary 0/1 labels with both classes, got {np.unique(labels)[:5]}"
        )
    if args.method == "platt" and (scores.min() < 0 or scores.max() > 1):
        raise _common.ScriptError("platt calibration needs scores between 0 and 1")

    mapping, fitted = fit(args.method, scores, labels)
    report = {
        "method": args.method,
        "score_field": args.score_field,
        "label_field": args.label_field,
        "job_type": args.job_type,
        "num_rows": len(scores),
        "brier_raw": float(np.mean((np.clip(scores, 0, 1) - labels) ** 2)),
        "brier_calibrated": float(np.mean((fitted - labels) ** 2)),
        **mapping,
    }
    with _common.staged_outputs(args.output_dir, "calibration") as out:
        _common.write_json(out["calibration"] / "calibration.json", report)
    _common.log(
        f"model_calibration[{args.method}]: brier {report['brier_raw']:.4f} -> "
        f"{report['brier_calibrated']:.4f} on {len(scores)} rows"
    )


if __name__ == "__main__":
    _common.run(main)
