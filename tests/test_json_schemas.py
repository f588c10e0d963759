"""Every command's ``--json`` output validates against its schema in ``docs/schemas/``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sagewright.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "docs" / "schemas"
EXAMPLE = ROOT / "examples" / "fraud_xgboost_e2e.txt"
GOLDEN = ROOT / "eval" / "golden" / "topologies.jsonl"


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    captured = capsys.readouterr()
    code = info.value.code
    assert isinstance(code, int)
    return code, json.loads(captured.out)


def check(name: str, data: Any) -> None:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(data)


def test_every_json_command_has_a_schema() -> None:
    names = {p.name.removesuffix(".schema.json") for p in SCHEMAS.glob("*.schema.json")}
    assert names == {"steps", "validate", "config-schema", "plan", "eval", "generate", "batch"}


def test_steps_validate_config_schema(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    check("steps", run_json(capsys, "steps", "--json")[1])
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"DataLoading_training": [], "XGBoostTraining": []}))
    code, data = run_json(capsys, "validate", str(good), "--json")
    assert code == 1 and data["errors"]
    check("validate", data)
    good.write_text(json.dumps({"DataLoading_training": []}))
    check("validate", run_json(capsys, "validate", str(good), "--json")[1])
    check("config-schema", run_json(capsys, "config-schema", "XGBoostTraining", "--json")[1])


def test_plan_and_eval(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, data = run_json(capsys, "plan", "--requirement-file", str(EXAMPLE), "--json")
    assert code == 0
    check("plan", data)
    golden = tmp_path / "golden.jsonl"
    golden.write_text("".join(GOLDEN.read_text().splitlines(keepends=True)[:2]))
    code, data = run_json(capsys, "eval", "--golden", str(golden), "--json")
    assert code == 0 and data["cases"] == 2
    check("eval", data)


def test_generate_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, data = run_json(
        capsys, "generate", "--requirement-file", str(EXAMPLE), "--out", str(out), "--yes", "--json"
    )
    assert code == 0
    check("generate", data)
    assert data["out_dir"] == str(out)
    assert set(data["files"]) == {p.name for p in out.iterdir()} - {".sagewright.json"}
    assert data["provenance"]["hyperparameters.max_depth"] == "stated"
    assert data["seconds"]["total"] >= data["seconds"]["plan"]
    assert data["notes"] == [n for n in data["notes"] if n in (out / "README.md").read_text()]
    bad = {**data, "seconds": {"plan": "fast"}}
    with pytest.raises(jsonschema.ValidationError):
        check("generate", bad)


def test_generate_json_names_unsupported_asks_and_values_not_understood(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    requirement = (
        "Train XGBoost on s3://acme-ml/fraud/train/ (label is_fraud, id txn_id) with "
        "max_depth=2**64, package it and serve it from a real-time endpoint. Region us-west-2, "
        "role arn:aws:iam::123456789012:role/SageMakerExec, bucket acme-ml-artifacts, "
        "pipeline name fraud-xgb."
    )
    code, data = run_json(
        capsys, "generate", requirement, "--out", str(tmp_path / "o"), "--yes", "--json"
    )
    assert code == 0
    check("generate", data)
    assert [n for n in data["unsupported"] if "real-time endpoint" in n]
    assert [n for n in data["not_understood"] if "max_depth=2**64" in n]
    assert "hyperparameters.max_depth" not in data["provenance"] or (
        data["provenance"]["hyperparameters.max_depth"] != "stated"
    )


def test_batch_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """One item per run keeps the batch in this process (two or more spawn workers)."""
    statuses = []
    for name, requirement in (("ok", EXAMPLE.read_text()), ("ok", ""), ("bad", "hello")):
        items = tmp_path / f"{name}.jsonl"
        if requirement:
            items.write_text(json.dumps({"id": name, "requirement": requirement}) + "\n")
        _, data = run_json(capsys, "batch", str(items), "--out", str(tmp_path / name), "--json")
        check("batch", data)
        statuses += [item["status"] for item in data]
    assert statuses == ["ok", "skipped", "failed"]
