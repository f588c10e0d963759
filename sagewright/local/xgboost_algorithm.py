"""The built-in SageMaker XGBoost algorithm (container ``sagemaker-xgboost:3.2-0``), run locally.

Run as ``python -m sagewright.local.xgboost_algorithm`` with ``SAGEMAKER_BASE_DIR`` at a
local ``opt/ml`` tree, it reads what the container reads and writes what it writes
(aws/sagemaker-xgboost-container, branch ``upgrade-xgboost-3.2.0-remove-mlio``; the same
files on ``master``, the 3.0-5 image):

* ``input/config/hyperparameters.json`` (all values strings, the container's names:
  ``num_round``, ``eta``, ``max_depth`` ...) and ``input/config/inputdataconfig.json``;
* channels ``input/data/train`` (required) and ``input/data/validation`` (optional),
  ``text/csv``: label in the first column, no header
  (``src/sagemaker_xgboost_container/data_utils.py``, ``get_dmatrix``);
* evaluation lines ``[i]#011train-<metric>:v#011validation-<metric>:v``, which the
  container's metric regex ``.*\\[[0-9]+\\].*#011validation-<metric>:(\\S+)`` reads
  (``algorithm_mode/metrics.py``);
* the model as ``model/xgboost-model``: ``train_job`` in ``algorithm_mode/train.py`` calls
  ``bst.save_model(os.path.join(model_dir, MODEL_NAME))`` with ``MODEL_NAME =
  "xgboost-model"`` (``constants/xgb_constants.py``). xgboost >= 2.1 writes UBJSON for a
  name without extension; the 3.x images run xgboost 3.x (``docker/3.0-5/base/
  Dockerfile.cpu``: ``XGBOOST_VERSION=3.0.5``; the 3.2.0 branch's test model "native UBJSON
  format"), so the file is UBJSON, which serving reads back through
  ``serve_utils.get_loaded_booster`` (``pickle.load`` first, then ``Booster.load_model``).
  The 1.x images (xgboost 1.7.4) wrote the legacy binary format, which xgboost 3 can
  neither write nor read: that is why sagewright pins 3.2-0, the version of the xgboost
  that run-local trains with. A pipeline that pins another version gets a warning in the
  step log (:func:`version_warning`); :func:`model_format` names the format written.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

MODEL_NAME = "xgboost-model"
# Hyperparameters the container consumes itself rather than passing to xgboost.train.
_CONTAINER_ONLY = {"num_round", "early_stopping_rounds", "_tuning_objective_metric", "_kfold"}
_INTEGER = {"max_depth", "num_class", "max_leaves", "max_bin", "num_parallel_tree", "seed"}


def container_xgboost(image: str) -> str | None:
    """The xgboost ``major.minor`` an image tag stands for (``...:3.2-0`` -> ``3.2``)."""
    match = re.search(r":(\d+)\.(\d+)-\d+(?:-[a-z0-9]+)*$", image)
    if match is None:
        return None
    major, minor = match.groups()
    return f"{major}.{int(minor)}"


def version_warning(image: str, local_version: str) -> str | None:
    """A warning when the image's xgboost is not the local one (the model file may differ)."""
    pinned = container_xgboost(image)
    local = ".".join(local_version.split(".")[:2])
    if pinned is None or pinned == local:
        return None
    was = "the legacy binary format" if int(pinned.split(".")[0]) < 2 else "UBJSON"
    return (
        f"WARNING: the pipeline pins {image.rsplit('/', 1)[-1]} (xgboost {pinned}, model file in "
        f"{was}); run-local trains with xgboost {local_version}, so the local model file can "
        "differ from the one SageMaker writes (sagewright pins 3.2-0 to match)"
    )


def model_format(path: Path) -> str:
    """``legacy-binary`` (xgboost < 2 without extension), ``ubjson`` or ``json``."""
    head = path.read_bytes()[:4]
    if head == b"binf":
        return "legacy-binary"
    if head[:1] == b"{":
        return "json" if head[1:2] in (b'"', b"\n", b" ") else "ubjson"
    return "unknown"


def _params(raw: dict[str, str]) -> tuple[dict[str, Any], int, int | None]:
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _CONTAINER_ONLY or key.startswith("sagemaker_"):
            continue
        text = str(value)
        if key in _INTEGER:
            params[key] = int(float(text))
        else:
            try:
                params[key] = float(text)
            except ValueError:
                params[key] = text
    metrics = [m.strip() for m in str(params.pop("eval_metric", "")).split(",") if m.strip()]
    # A tuning job hands the container its objective as ``_tuning_objective_metric``
    # ("validation:auc"); the container evaluates that metric too (algorithm_mode/train.py,
    # train_job -> train_utils.get_eval_metrics_and_feval).
    objective = str(raw.get("_tuning_objective_metric", ""))
    if ":" in objective and objective.split(":", 1)[1] not in metrics:
        metrics.append(objective.split(":", 1)[1])
    if metrics:
        params["eval_metric"] = metrics
    early = raw.get("early_stopping_rounds")
    return params, int(float(raw.get("num_round", "0") or 0)), int(early) if early else None


def _matrix(channel: Path) -> Any:
    import numpy as np
    import xgboost as xgb

    files = sorted(p for p in channel.rglob("*") if p.is_file() and not p.name.startswith("."))
    blocks = [np.loadtxt(p, delimiter=",", ndmin=2) for p in files if p.stat().st_size]
    if not blocks:
        raise ValueError(f"channel {channel.name} has no CSV rows")
    data = np.vstack(blocks)
    return xgb.DMatrix(data[:, 1:], label=data[:, 0], missing=np.nan)


def main() -> int:
    import xgboost as xgb

    base = Path(os.environ.get("SAGEMAKER_BASE_DIR", "/opt/ml"))
    config = base / "input" / "config"
    raw = json.loads((config / "hyperparameters.json").read_text(encoding="utf-8"))
    channels = json.loads((config / "inputdataconfig.json").read_text(encoding="utf-8"))
    for name, spec in channels.items():
        content = str(spec.get("ContentType", "text/libsvm")).split(";")[0]
        if name in ("train", "validation") and content != "text/csv":
            print(f"ERROR: channel {name}: content type {content} is not text/csv", file=sys.stderr)
            return 2
    warning = version_warning(os.environ.get("SAGEWRIGHT_XGBOOST_IMAGE", ""), xgb.__version__)
    if warning:
        print(warning, flush=True)
    params, num_round, early = _params(raw)
    if num_round < 1:
        print("ERROR: num_round is required (>= 1)", file=sys.stderr)
        return 2
    train = _matrix(base / "input" / "data" / "train")
    evals = [(train, "train")]
    if "validation" in channels:
        evals.append((_matrix(base / "input" / "data" / "validation"), "validation"))
    print(f"Train matrix has {train.num_row()} rows and {train.num_col()} columns", flush=True)

    class Monitor(xgb.callback.TrainingCallback):
        def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, Any]) -> bool:
            parts = [
                f"{data}-{metric}:{values[-1]:.5f}"
                for data, metrics in evals_log.items()
                for metric, values in metrics.items()
            ]
            print(f"[{epoch}]#011" + "#011".join(parts), flush=True)
            return False

    booster = xgb.train(
        params,
        train,
        num_boost_round=num_round,
        evals=evals,
        early_stopping_rounds=early if len(evals) > 1 else None,
        callbacks=[Monitor()],
        verbose_eval=False,
    )
    model_dir = base / "model"
    model_dir.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(model_dir / MODEL_NAME))
    print(
        f"Stored trained model at {model_dir / MODEL_NAME} "
        f"({model_format(model_dir / MODEL_NAME)}, xgboost {xgb.__version__})",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    import warnings

    warnings.filterwarnings("ignore", message=".*UBJSON format as default.*")
    raise SystemExit(main())
