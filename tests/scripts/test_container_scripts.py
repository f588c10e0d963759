"""The container scripts chained as the XGBoost end-to-end topology, on synthetic data.

load -> preprocess (training, calibration) -> train (xgboost package standing in for the
built-in container) -> evaluate (test split, calibration data) -> calibrate -> package ->
payload; then the packaged serving code scores the payload in-process.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.scripts.script_helpers import (
    Runner,
    load_serving_module,
    make_table,
    read_part,
    serve,
    tar_model,
    train_booster,
)

xgb = pytest.importorskip("xgboost")

FEATURES = ["x1", "x2", "x3", "color"]
LABELED = ["--label-name", "y", "--id-name", "id", "--cat-fields", "color"]


def write_sources(root: Path) -> dict[str, Path]:
    """Raw shards as an S3 prefix would hold them (mixed formats, marker files, bad rows)."""
    training, calibration = root / "src-training", root / "src-calibration"
    training.mkdir()
    calibration.mkdir()
    table = make_table(900, seed=1).astype({"y": object, "x1": object})
    table.loc[5, "y"] = None  # missing label -> dropped
    table.loc[7, "x1"] = "n/a"  # unparseable number -> dropped
    table.iloc[:300].to_csv(training / "part-a.csv", index=False)
    table.iloc[300:600].to_csv(training / "part-b.csv.gz", index=False, compression="gzip")
    typed = table.iloc[600:].astype({"y": int, "x1": float})
    typed.to_parquet(training / "20240101_athena_result_0000", index=False)  # no suffix
    (training / "_SUCCESS").write_text("")
    (training / "part-a.csv.metadata").write_text("athena metadata")
    make_table(400, seed=2).to_csv(calibration / "calibration.csv", index=False)
    return {"training": training, "calibration": calibration}


def train_xgboost(processed: Path, root: Path) -> Path:
    """Stand-in for the built-in XGBoost container: label-first CSV in, model.tar.gz out."""
    params = {"objective": "binary:logistic", "max_depth": 3, "eta": 0.3}
    model_dir = train_booster(processed, root / "xgb-model", params, rounds=40)
    return tar_model(model_dir, root / "xgb-artifacts")


@pytest.fixture(scope="module")
def chain(run_script: Runner, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the whole topology once; the tests below inspect its stages."""
    root = tmp_path_factory.mktemp("chain")
    sources = write_sources(root)
    jobs: dict[str, Any] = {}
    for job_type in ("training", "calibration"):
        jobs[f"load_{job_type}"] = run_script(
            "data_loading", {"source": sources[job_type]}, "--job-type", job_type
        ).check()
    jobs["pre_training"] = run_script(
        "tabular_preprocessing",
        {"data": jobs["load_training"].out("data")},
        *LABELED, "--job-type", "training", "--train-ratio", "0.7", "--val-ratio", "0.15",
    ).check()  # fmt: skip
    processed = jobs["pre_training"].out("processed_data")
    jobs["pre_calibration"] = run_script(
        "tabular_preprocessing",
        {"data": jobs["load_calibration"].out("data"), "schema": processed / "schema.json"},
        *LABELED, "--job-type", "calibration", "--schema-from", "{input}/schema",
    ).check()  # fmt: skip
    artifacts = jobs["artifacts"] = train_xgboost(processed, root)
    jobs["eval_testing"] = run_script(
        "model_evaluation",
        {"model_artifacts": artifacts, "eval_data": processed},
        "--job-type", "testing", "--framework", "xgboost",
    ).check()  # fmt: skip
    jobs["eval_calibration"] = run_script(
        "model_evaluation",
        {"model_artifacts": artifacts, "eval_data": jobs["pre_calibration"].out("processed_data")},
        "--job-type", "calibration",
    ).check()  # fmt: skip
    jobs["calibrate"] = run_script(
        "model_calibration",
        {"predictions": jobs["eval_calibration"].out("predictions")},
        "--method", "isotonic", "--score-field", "prob", "--label-field", "label",
    ).check()  # fmt: skip
    package_inputs = {
        "model_artifacts": artifacts,
        "calibration": jobs["calibrate"].out("calibration"),
        "schema": processed / "schema.json",
    }
    jobs["package"] = run_script("packaging", package_inputs, "--framework", "xgboost").check()
    jobs["package_again"] = run_script("packaging", package_inputs).check()
    jobs["payload"] = run_script(
        "payload_generation",
        {"model_artifacts": jobs["package"].out("packaged_model")},
        "--num-samples", "4", "--label-name", "y", "--id-name", "id",
    ).check()  # fmt: skip
    return jobs


def test_data_loading_normalises_shards(chain: dict[str, Any]) -> None:
    shards = sorted(chain["load_training"].out("data").iterdir())
    assert [p.name for p in shards] == [f"part-0000{i}.csv" for i in range(3)]
    frames = [pd.read_csv(p) for p in shards]
    assert sum(len(f) for f in frames) == 900
    assert all(list(f.columns) == ["id", "x1", "x2", "x3", "color", "y"] for f in frames)


def test_preprocessing_training_layout(chain: dict[str, Any]) -> None:
    processed = chain["pre_training"].out("processed_data")
    assert sorted(p.name for p in processed.iterdir()) == [
        "ids", "schema.json", "test", "train", "val",
    ]  # fmt: skip
    schema = json.loads((processed / "schema.json").read_text())
    assert schema["features"] == FEATURES
    assert schema["label"] == "y" and schema["id"] == "id"
    assert schema["categorical_mappings"] == {"color": {"blue": 0, "green": 1, "red": 2}}
    assert schema["dropped_rows"] == 2
    sizes = schema["splits"]
    assert sum(sizes.values()) == 898
    assert 0.65 < sizes["train"] / 898 < 0.75 and 0.1 < sizes["val"] / 898 < 0.2
    for split in ("train", "val", "test"):
        assert [p.name for p in (processed / split).iterdir()] == ["part-00000.csv"]
        first = (processed / split / "part-00000.csv").read_text().splitlines()[0]
        assert not any(c.isalpha() for c in first)  # no header, all numeric
        data = read_part(processed / split / "part-00000.csv")
        assert data.shape == (sizes[split], 1 + len(FEATURES))
        assert set(np.unique(data[:, 0])) == {0.0, 1.0}
        assert set(np.unique(data[:, -1])) <= {0.0, 1.0, 2.0}
        ids = pd.read_csv(processed / "ids" / f"{split}.csv", dtype=str)
        assert list(ids.columns) == ["id"] and len(ids) == sizes[split]
    all_ids = pd.concat(pd.read_csv(p, dtype=str) for p in (processed / "ids").iterdir())
    assert all_ids["id"].is_unique and not {"r1-5", "r1-7"} & set(all_ids["id"])


def test_preprocessing_calibration_reuses_mapping(chain: dict[str, Any]) -> None:
    processed = chain["pre_calibration"].out("processed_data")
    assert sorted(p.name for p in processed.iterdir()) == ["calibration", "ids", "schema.json"]
    schema = json.loads((processed / "schema.json").read_text())
    training = json.loads((chain["pre_training"].out("processed_data") / "schema.json").read_text())
    assert schema["categorical_mappings"] == training["categorical_mappings"]
    assert schema["splits"] == {"calibration": 400}
    assert read_part(processed / "calibration" / "part-00000.csv").shape == (400, 5)


def test_evaluation_metrics_and_predictions(chain: dict[str, Any]) -> None:
    job = chain["eval_testing"]
    metrics = json.loads((job.out("metrics") / "metrics.json").read_text())
    for name in ("auc", "accuracy", "f1", "precision", "recall"):
        assert 0.0 <= metrics[name] <= 1.0
    assert metrics["log_loss"] >= 0
    assert metrics["auc"] > 0.85 and metrics["accuracy"] > 0.75
    assert metrics["split"] == "test" and metrics["framework"] == "xgboost"
    assert metrics["binary_classification_metrics"]["auc"]["value"] == metrics["auc"]
    predictions = pd.read_csv(job.out("predictions") / "predictions.csv", dtype={"id": str})
    assert list(predictions.columns) == ["id", "label", "prob"]
    ids = pd.read_csv(job.input_dir / "eval_data" / "ids" / "test.csv", dtype=str)
    assert predictions["id"].tolist() == ids["id"].tolist()
    assert predictions["prob"].between(0, 1).all()
    assert metrics["num_rows"] == len(predictions)


def test_evaluation_picks_job_type_split(chain: dict[str, Any]) -> None:
    metrics = json.loads((chain["eval_calibration"].out("metrics") / "metrics.json").read_text())
    assert metrics["split"] == "calibration" and metrics["num_rows"] == 400
    assert metrics["auc"] > 0.85


def test_calibration_is_monotone_json(chain: dict[str, Any]) -> None:
    files = list(chain["calibrate"].out("calibration").iterdir())
    assert [p.name for p in files] == ["calibration.json"]
    mapping = json.loads(files[0].read_text())
    assert mapping["method"] == "isotonic" and mapping["num_rows"] == 400
    x, y = np.array(mapping["x"]), np.array(mapping["y"])
    assert np.all(np.diff(x) >= 0) and np.all(np.diff(y) >= 0)
    raw = pd.read_csv(chain["eval_calibration"].out("predictions") / "predictions.csv")["prob"]
    calibrated = load_serving_module().calibrate(np.sort(raw.to_numpy()), mapping)
    assert np.all(np.diff(calibrated) >= -1e-12)
    assert calibrated.min() >= 0 and calibrated.max() <= 1
    assert mapping["brier_calibrated"] <= mapping["brier_raw"]


def test_package_contents_and_determinism(chain: dict[str, Any]) -> None:
    tar_path = chain["package"].out("packaged_model") / "model.tar.gz"
    assert [p.name for p in tar_path.parent.iterdir()] == ["model.tar.gz"]
    with tarfile.open(tar_path) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names)
    assert set(names) == {
        "calibration", "calibration/calibration.json", "code", "code/inference.py",
        "schema.json", "xgboost-model",
    }  # fmt: skip
    assert all(m.mtime == 0 and m.uid == 0 and m.gid == 0 for m in members)
    again = chain["package_again"].out("packaged_model") / "model.tar.gz"
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (tar_path, again)]
    assert digest[0] == digest[1]


def test_payload_matches_schema_and_serves(chain: dict[str, Any], tmp_path: Path) -> None:
    folder = chain["payload"].out("payload")
    assert sorted(p.name for p in folder.iterdir()) == [
        "payload.csv", "payload.json", "payload.tar.gz",
    ]  # fmt: skip
    records = json.loads((folder / "payload.json").read_text())
    assert len(records) == 4 and all(list(r) == FEATURES for r in records)
    assert {r["color"] for r in records} <= {"red", "green", "blue"}
    lines = (folder / "payload.csv").read_text().splitlines()
    assert len(lines) == 4 and all(len(line.split(",")) == len(FEATURES) for line in lines)
    with tarfile.open(folder / "payload.tar.gz") as tar:
        assert tar.getnames() == ["payload.csv", "payload.json"]

    with tarfile.open(chain["package"].out("packaged_model") / "model.tar.gz") as tar:
        tar.extractall(tmp_path, filter="data")
    bodies = {"text/csv": "\n".join(lines), "application/json": json.dumps(records)}
    for content_type, body in bodies.items():
        predictions = json.loads(serve(tmp_path, body, content_type))["predictions"]
        assert len(predictions) == 4
        assert all(0 <= p["prob"] <= 1 and 0 <= p["calibrated_prob"] <= 1 for p in predictions)
    csv_out = serve(tmp_path, lines[0], "text/csv", accept="text/csv")
    assert len(csv_out.strip().split(",")) == 2  # prob, calibrated_prob


def test_calibration_reads_batch_transform_output(
    chain: dict[str, Any], run_script: Runner, tmp_path: Path
) -> None:
    """BatchTransform's joined, filtered output is headerless ``label,score`` lines."""
    scored = pd.read_csv(chain["eval_calibration"].out("predictions") / "predictions.csv")
    folder = tmp_path / "transform-out"
    folder.mkdir()
    scored[["label", "prob"]].to_csv(folder / "part-00000.csv.out", header=False, index=False)
    job = run_script("model_calibration", {"predictions": folder}, "--layout", "label-score")
    mapping = json.loads((job.check().out("calibration") / "calibration.json").read_text())
    header_mapping = json.loads(
        (chain["calibrate"].out("calibration") / "calibration.json").read_text()
    )
    assert mapping["num_rows"] == 400
    assert mapping["x"] == header_mapping["x"] and mapping["y"] == header_mapping["y"]


def test_declared_categories_code_every_job_type_alike(run_script: Runner, tmp_path: Path) -> None:
    """Datasets with different sets of values still code each value alike when declared."""
    declared = json.dumps({"color": ["red", "green", "blue"]})
    training = make_table(300, seed=5)
    scoring = make_table(120, seed=6)
    scoring = scoring[scoring["color"] != "green"]  # a subset: sorted codes would shift
    codes = {}
    for job, table in (("training", training), ("calibration", scoring)):
        source = tmp_path / f"src-{job}"
        source.mkdir()
        table.to_csv(source / "part.csv", index=False)
        job_run = run_script(
            "tabular_preprocessing",
            {"data": source},
            *LABELED,
            "--job-type",
            job,
            "--categories",
            declared,
        ).check()
        schema = json.loads((job_run.out("processed_data") / "schema.json").read_text())
        codes[job] = schema["categorical_mappings"]["color"]
    assert codes["training"] == codes["calibration"] == {"red": 0, "green": 1, "blue": 2}
    unseen = tmp_path / "src-unseen"
    unseen.mkdir()
    bad = scoring.copy()
    bad.loc[bad.index[0], "color"] = "purple"
    bad.to_csv(unseen / "part.csv", index=False)
    job_run = run_script(
        "tabular_preprocessing",
        {"data": unseen},
        *LABELED,
        "--job-type",
        "calibration",
        "--categories",
        declared,
    )
    assert job_run.result.returncode != 0 and "purple" in job_run.result.stderr
    assert not job_run.out("processed_data").exists() or not any(
        job_run.out("processed_data").iterdir()
    )
