"""The README's example runs end to end locally; broken pipelines stop at the right step."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from sagewright.generate import generate
from sagewright.local.context import RunOptions
from sagewright.local.runner import run_local
from tests.test_pictures import check_mermaid

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "fraud_xgboost_e2e.txt"
ROWS = 300


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The README example generated offline, run once (tests read the run folder)."""
    base = tmp_path_factory.mktemp("example")
    generate(EXAMPLE.read_text(), base / "pipeline")
    result = run_local(base / "pipeline", work=base / "run", options=RunOptions(rows=ROWS))
    return base, result


def test_every_step_of_the_readme_example_succeeds(example):
    _, result = example
    assert result.ok, (result.failed_step, result.message, result.log_tail)
    assert [s.status for s in result.steps] == ["Succeeded"] * 11
    run = json.loads((Path(result.work) / "run.json").read_text())
    assert run["status"] == "Succeeded"
    assert {s["name"] for s in run["steps"]} >= {"XGBoostTraining", "ModelRegistration"}
    for step in run["steps"]:
        assert Path(step["log"]).is_file()


def test_registered_record_points_at_real_files(example):
    _, result = example
    record = json.loads(
        (Path(result.work) / "steps" / "ModelRegistration" / "model_package.json").read_text()
    )
    assert record["ModelApprovalStatus"] == "PendingManualApproval"
    assert set(record["files"]) == {"model_data[0]", "sample_payload"}
    for entry in record["files"].values():
        assert Path(entry["path"]).is_file() and Path(entry["path"]).stat().st_size > 0


def test_scores_on_synthetic_data_have_auc_above_0_7(example):
    _, result = example
    scored = Path(result.work) / "steps" / "BatchTransform_calibration" / "container"
    files = list((scored / "opt/ml/transform/output").rglob("*.out"))
    rows = np.vstack([np.loadtxt(f, delimiter=",", ndmin=2) for f in files])
    assert rows.shape == (ROWS, 2)  # OutputFilter $[0,-1]: label, score
    assert roc_auc_score(rows[:, 0], rows[:, 1]) > 0.7


def _assembled(tmp_path: Path) -> Path:
    from sagewright.builders.assembler import assemble
    from sagewright.builders.deploy import write_deploy_folder
    from sagewright.config_file import load_config_file
    from sagewright.topology import Topology

    generated = tmp_path / "generated"
    generate(EXAMPLE.read_text(), generated)
    topology = Topology.from_json((generated / "topology.json").read_text())
    configs = load_config_file(generated / "config.json", topology=topology).configs
    return write_deploy_folder(assemble(topology, configs), tmp_path / "deploy")


def test_a_script_that_raises_fails_its_step_and_nothing_after_runs(tmp_path):
    folder = _assembled(tmp_path)
    definition = json.loads((folder / "pipeline.json").read_text())
    step = next(s for s in definition["Steps"] if s["Name"] == "ModelCalibration_calibration")
    code = step["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"].rstrip("/")
    script = folder / "code" / code.rsplit("/", 1)[1] / "model_calibration.py"
    script.write_text(script.read_text() + "\nraise RuntimeError('calibration exploded')\n")
    result = run_local(folder, work=tmp_path / "run", options=RunOptions(rows=ROWS))
    assert result.failed_step == "ModelCalibration_calibration"
    assert any("calibration exploded" in line for line in result.log_tail)
    assert result.step("Packaging").status == "NotRun"
    assert result.step("ModelRegistration").status == "NotRun"


def test_calibration_fed_from_a_json_output_transform_fails_at_calibration(tmp_path):
    folder = _assembled(tmp_path)
    path = folder / "pipeline.json"
    definition = json.loads(path.read_text())
    step = next(s for s in definition["Steps"] if s["Name"] == "BatchTransform_calibration")
    step["Arguments"]["TransformOutput"]["Accept"] = "application/json"
    path.write_text(json.dumps(definition))
    result = run_local(folder, work=tmp_path / "run", options=RunOptions(rows=ROWS))
    # The built-in XGBoost container answers batch requests one line per record whatever
    # the Accept; joined with the input and rendered as JSON, the records are JSON arrays.
    assert result.step("BatchTransform_calibration").status == "Succeeded"
    assert result.failed_step == "ModelCalibration_calibration"
    assert any("is not an all-numeric CSV" in line for line in result.log_tail)
    assert result.step("Packaging").status == "NotRun"
    assert result.step("ModelRegistration").status == "NotRun"


def test_the_run_folder_holds_the_readme_dag_coloured_by_status(example):
    base, result = example
    text = (Path(result.work) / "dag.mmd").read_text()
    assert result.status_dag == str(Path(result.work) / "dag.mmd")
    parsed = check_mermaid(text)
    # the generated README's DAG (nodes, stages, labelled edges), plus the status classes
    readme_dag = (base / "pipeline" / "pipeline.mmd").read_text()
    assert text.startswith(readme_dag.rstrip("\n"))
    labels = {label.strip('"') for label in parsed["nodes"].values()}  # type: ignore[union-attr]
    assert labels == {s.name for s in result.steps}
    assert set(parsed["classes"].values()) == {"succeeded"}  # type: ignore[union-attr]
    assert len(parsed["classes"]) == 11  # type: ignore[arg-type]
