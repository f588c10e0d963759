"""`batch`: concurrent generation; a bad item never stops the others; reruns skip finished."""

import json
from pathlib import Path

import pytest

from sagewright.cli import main

EXAMPLE = (Path(__file__).resolve().parents[2] / "examples" / "fraud_xgboost_e2e.txt").read_text()
BASE = (
    " Region us-east-1, role arn:aws:iam::123456789012:role/Exec, bucket team-ml,"
    " pipeline name {name}."
)


def _inputs(folder: Path) -> Path:
    folder.mkdir()
    (folder / "fraud.txt").write_text(EXAMPLE)
    (folder / "churn.md").write_text(
        "Train XGBoost on s3://telco/churn/train/ (label churned) and package it."
        + BASE.format(name="churn")
    )
    (folder / "empty.txt").write_text("   \n")
    (folder / "nonsense.txt").write_text(
        "Add a SlackNotify step and an EndpointDeployment step, nothing else."
        + BASE.format(name="nonsense")
    )
    return folder


def run(capsys, *argv):
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    return info.value.code, capsys.readouterr()


def test_batch_reports_bad_items_and_reruns_skip(tmp_path, capsys):
    inputs = _inputs(tmp_path / "in")
    out = tmp_path / "out"
    code, _ = run(capsys, "batch", str(inputs), "--out", str(out), "--workers", "2", "--json")
    assert code == 1  # some items failed
    summary = json.loads((out / "summary.json").read_text())
    status = {item["id"]: item for item in summary["items"]}
    assert status["fraud"]["status"] == "ok" and status["churn"]["status"] == "ok"
    assert status["empty"]["status"] == "failed" and status["empty"]["code"] == "empty_requirement"
    assert status["nonsense"]["status"] == "failed" and status["nonsense"]["reason"]
    assert (out / "fraud" / "pipeline.json").is_file()
    before = (out / "fraud" / "pipeline.json").stat().st_mtime_ns
    code, _ = run(capsys, "batch", str(inputs), "--out", str(out), "--json")
    summary = json.loads((out / "summary.json").read_text())
    status = {item["id"]: item["status"] for item in summary["items"]}
    assert status["fraud"] == "skipped" and status["churn"] == "skipped"
    assert (out / "fraud" / "pipeline.json").stat().st_mtime_ns == before


def test_jsonl_inputs_and_bad_lines(tmp_path, capsys):
    jsonl = tmp_path / "reqs.jsonl"
    jsonl.write_text(json.dumps({"id": "fraud", "requirement": EXAMPLE}) + "\n")
    code, _ = run(capsys, "batch", str(jsonl), "--out", str(tmp_path / "o"))
    assert code == 0
    jsonl.write_text('{"id": "x"}\n')
    code, captured = run(capsys, "batch", str(jsonl), "--out", str(tmp_path / "o"))
    assert code == 2 and "reqs.jsonl:1" in captured.err
