"""A representative subset of the golden topologies runs green locally (the whole set:
``benchmarks/local_run.py``). Small tables keep each run to a few seconds."""

from __future__ import annotations

import json

import pytest

from sagewright.local.context import RunOptions
from sagewright.local.runner import run_local
from tests.local.golden import assemble_case, golden_cases
from tests.test_pictures import check_mermaid

ROWS = 300
# Both frameworks, tuning (XGBoost and PyTorch), calibration from an evaluation and from a
# batch transform, existing model files (XGBoost, PyTorch), payloads, Athena data.
GREEN = [
    "vis-02-tickets-pytorch-train",
    "vis-03-churn-xgb-tuning",
    "vis-09-sentiment-pytorch-payload-register",
    "vis-16-cvr-calibrate-eval-package",
    "vis-19-late-delivery-pytorch-tuning-eval",
    "vis-24-existing-xgb-calibrate-register",
    "vis-30-existing-xgb-payload-only",
    "vis-36-existing-pytorch-batch-only",
]


@pytest.mark.parametrize("case_id", GREEN)
def test_golden_pipeline_runs_green(tmp_path, case_id):
    folder = assemble_case(golden_cases()[case_id], tmp_path / "pipeline")
    result = run_local(folder, work=tmp_path / "run", options=RunOptions(rows=ROWS))
    assert result.ok, (result.failed_step, result.message, result.log_tail)
    assert all(s.status == "Succeeded" for s in result.steps)
    for step in result.steps:
        if step.type == "Tuning":
            assert "2 candidates" in step.notes[0]
        if step.name.startswith("ModelEvaluation"):
            assert step.metrics["auc"] > 0.7


def test_gate_that_passes_runs_the_guarded_steps(tmp_path):
    case = golden_cases()["vis-32-aml-tuning-gate-metrics"]
    folder = assemble_case(case, tmp_path / "pipeline", **{"gate.threshold": 0.6})
    result = run_local(folder, work=tmp_path / "run", options=RunOptions(rows=ROWS))
    assert result.ok, (result.failed_step, result.message, result.log_tail)
    assert result.step("QualityGate").decision == "if"
    assert result.step("QualityGate_fail").status == "Skipped"
    assert result.step("ModelRegistration").status == "Succeeded"


def test_gate_that_fails_ends_the_run_with_its_message(tmp_path):
    case = golden_cases()["vis-13-loan-default-gate-register"]
    folder = assemble_case(case, tmp_path / "pipeline", **{"gate.threshold": 0.99})
    result = run_local(folder, work=tmp_path / "run", options=RunOptions(rows=ROWS))
    assert not result.ok
    assert result.step("QualityGate").decision == "else"
    assert result.failed_step == "QualityGate_fail"
    assert "did not meet auc >= 0.99" in (result.message or "")
    assert result.step("ModelRegistration").status == "Skipped"  # the gate's if-branch
    # The requirement gates only the registration ("package the model and register it, but
    # only register if the test AUC >= 0.9"); planner, golden topology and definition agree:
    # Packaging waits for training only, so SageMaker starts it with the evaluation, before
    # the gate is reached, and it runs here too.
    definition = json.loads((folder / "pipeline.json").read_text())
    gate = next(s for s in definition["Steps"] if s["Type"] == "Condition")
    assert [s["Name"] for s in gate["Arguments"]["IfSteps"]] == ["ModelRegistration"]
    assert result.step("Packaging").status == "Succeeded"
    names = [s.name for s in result.steps]
    assert names.index("Packaging") < names.index("QualityGate")
    # The run folder's DAG (an assembled folder: the definition's steps) shows each status.
    parsed = check_mermaid((tmp_path / "run" / "dag.mmd").read_text())
    by_label = {label: parsed["classes"].get(i) for i, label in parsed["nodes"].items()}
    assert by_label["QualityGate_fail"] == "failed"
    assert by_label["ModelRegistration"] == "skipped"
    assert by_label["Packaging"] == by_label["QualityGate"] == "succeeded"
