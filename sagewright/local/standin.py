"""A stand-in for an existing model file that only exists on S3.

It is trained on the synthetic table, encoded as TabularPreprocessing encodes it (label
first, numeric then categorical codes in sorted value order, ``schema.json``), with the
framework the pipeline serves (XGBoost built-in or the bundled PyTorch training script), and
packed as ``model.tar.gz`` where the definition expects the file.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from sagewright.local.context import StepContext, python, tar_folder
from sagewright.local.data import synthetic_table, table_spec


def framework_of(ctx: StepContext) -> str:
    """``pytorch`` when the step or the pipeline serves with a PyTorch image."""
    text = json.dumps(ctx.step)
    if "pytorch" in text:
        return "pytorch"
    if "xgboost" in text:
        return "xgboost"
    return "pytorch" if "pytorch" in json.dumps(ctx.pipeline.definition) else "xgboost"


def encoded(ctx: StepContext) -> tuple[Any, dict[str, Any]]:
    """Label-first numeric matrix and schema of a synthetic training table."""
    import numpy as np

    spec = table_spec(ctx.pipeline.steps)
    frame = synthetic_table(spec, ctx.options.rows, ctx.options.seed + 999)
    classes = spec.classes or ["0", "1"]
    label = np.array([classes.index(str(v)) for v in frame[spec.label]], dtype=float)
    columns = [label] + [frame[c].to_numpy(dtype=float) for c in spec.numeric]
    mappings: dict[str, dict[str, int]] = {}
    for name in spec.categorical:
        levels = spec.categories.get(name) or sorted(set(frame[name]))
        mappings[name] = {v: i for i, v in enumerate(levels)}
        columns.append(np.array([mappings[name][v] for v in frame[name]], dtype=float))
    schema = {
        "label": spec.label,
        "id": spec.id or None,
        "features": [*spec.numeric, *spec.categorical],
        "numeric_features": spec.numeric,
        "categorical_features": spec.categorical,
        "categorical_mappings": mappings,
        "missing_category_code": -1,
        "label_classes": spec.classes or None,
    }
    return np.column_stack(columns), schema


def standin_model(ctx: StepContext, uri: str) -> None:
    import numpy as np

    matrix, schema = encoded(ctx)
    framework = framework_of(ctx)
    with tempfile.TemporaryDirectory(dir=ctx.folder) as tmp:
        work = Path(tmp)
        model_dir = work / "model"
        model_dir.mkdir()
        if framework == "xgboost":
            import xgboost as xgb

            count = len(schema["label_classes"] or [0, 1])
            params: dict[str, Any] = {"max_depth": 4, "eta": 0.2}
            params["objective"] = "binary:logistic" if count == 2 else "multi:softprob"
            if count > 2:
                params["num_class"] = count
            booster = xgb.train(params, xgb.DMatrix(matrix[:, 1:], label=matrix[:, 0]), 30)
            booster.save_model(str(model_dir / "xgboost-model"))
        else:
            train = work / "channels" / "train"
            train.mkdir(parents=True)
            np.savetxt(train / "part-00000.csv", matrix, delimiter=",", fmt="%.6g")
            (work / "channels" / "schema").mkdir()
            (work / "channels" / "schema" / "schema.json").write_text(json.dumps(schema))
            classes = schema["label_classes"] or [0, 1]
            from sagewright.local.folder import builtin_scripts

            scripts = builtin_scripts()
            for name in ("pytorch_training.py", "_common.py", "inference.py"):
                (work / name).write_bytes(scripts[name])
            ctx.run(
                [
                    python(),
                    str(work / "pytorch_training.py"),
                    "--input-dir",
                    str(work / "channels"),
                    "--output-dir",
                    str(model_dir),
                    "--hyperparameters-file",
                    str(work / "none.json"),
                    "--epochs",
                    "3",
                    "--multiclass-categories",
                    json.dumps(classes),
                ]
            )
        (model_dir / "schema.json").write_text(json.dumps(schema, indent=2))
        tar_folder(model_dir, ctx.s3.path(uri))
