"""Chat turns read as edit operations: each reported, values with provenance, /undo."""

from types import SimpleNamespace

import pytest

from sagewright.agents.extract_fields import stated_keys
from sagewright.chat import ChatSession
from sagewright.checker import check_topology
from sagewright.facts import PipelineValues

REQUIREMENT = (
    "Train XGBoost on s3://acme-ml/raw/train/ (label is_fraud, id txn_id) with max_depth=6, "
    "evaluate it on the test split, package it and register it only if AUC >= 0.8."
)


@pytest.fixture
def chat(tmp_path, monkeypatch):
    monkeypatch.setenv("SAGEWRIGHT_HOME", str(tmp_path / "home"))
    session = ChatSession("edits", out_root=tmp_path / "out")
    yield session
    session.close()


def values_of(chat):
    return stated_keys(PipelineValues(**chat.state.values))


def valid(chat):
    return check_topology(chat.state.topology, existing_model=chat.state.existing_model).ok


def test_transcript_add_remove_replace_switch_set_unsupported_and_undo(chat):
    reply = chat.send(REQUIREMENT)
    assert "QualityGate  <-  ModelEvaluation_testing" in reply.text

    reply = chat.send("add isotonic calibration on s3://acme-ml/calib/")
    assert "added DataLoading_calibration, TabularPreprocessing_calibration, " in reply.text
    assert "set calibration.method: default -> 'isotonic'" in reply.text
    assert "set data.calibration.s3_uri: default -> 's3://acme-ml/calib/'" in reply.text
    topology = chat.state.topology
    assert topology["ModelCalibration_calibration"] == ["ModelEvaluation_calibration"]
    assert "ModelCalibration_calibration" in topology["Packaging"]
    assert chat.state.provenance["calibration.method"] == "chat turn 2"
    assert "isotonic calibration" in chat.send("/why ModelCalibration_calibration").text

    reply = chat.send("add a batch transform on s3://acme-ml/score/")
    assert "added XGBoostModel, DataLoading_inference" in reply.text
    assert chat.state.topology["BatchTransform_inference"] == [
        "XGBoostModel",
        "TabularPreprocessing_inference",
    ]  # its model and its data: no dead-end data branch
    assert values_of(chat)["data.inference.s3_uri"] == "s3://acme-ml/score/"
    assert values_of(chat)["data.training.s3_uri"] == "s3://acme-ml/raw/train/"

    reply = chat.send("remove the quality gate")
    assert reply.text.startswith("Changed:\n  removed QualityGate\n")
    assert "QualityGate" not in chat.state.topology
    assert chat.state.topology["Packaging"] == ["XGBoostTraining", "ModelCalibration_calibration"]

    reply = chat.send("swap the training job for a tuning job")
    assert "replaced XGBoostTraining with HyperparameterTuning" in reply.text
    assert "XGBoostTraining" not in chat.state.topology
    assert "HyperparameterTuning" in chat.state.topology["XGBoostModel"]

    reply = chat.send("use PyTorch instead of XGBoost")
    assert "framework: xgboost -> pytorch (XGBoostModel -> PyTorchModel)" in reply.text
    assert "dropped hyperparameters.max_depth = 6 (not a pytorch one)" in reply.text
    assert chat.state.topology["BatchTransform_inference"][0] == "PyTorchModel"

    reply = chat.send("set epochs to 20")
    assert reply.text.startswith("Changed:\n  set hyperparameters.epochs: default -> 20\n")
    assert values_of(chat)["hyperparameters.epochs"] == 20
    assert chat.state.provenance["hyperparameters.epochs"] == "chat turn 7"
    assert valid(chat)
    edited = dict(chat.state.topology)

    reply = chat.send("deploy it to a real-time endpoint")  # no edit verb: more requirement
    assert reply.text.startswith("No step changed: not supported: 'deploy it to a real-time")
    assert "no step changed" not in reply.text
    assert chat.state.topology == edited  # the re-plan kept every edit
    assert any("endpoint" in note for note in chat.state.notes)

    reply = chat.send("use LightGBM")
    assert reply.text.startswith("Nothing changed.\n  Not supported: 'lightgbm' (another fr")
    reply = chat.send("set foo_bar to 7")
    assert "Nothing changed.\n  Not understood: 'set foo_bar to 7'" in reply.text
    assert chat.state.topology == edited

    reply = chat.send("/undo")  # the not-understood turn changed nothing: back before LightGBM
    assert reply.text.startswith("Undone.")
    assert not any("lightgbm" in note for note in chat.state.notes)
    chat.send("/undo")  # before the endpoint ask
    assert not any("endpoint" in note for note in chat.state.notes)
    assert chat.state.topology == edited
    reply = chat.send("/undo")  # before "set epochs to 20"
    assert "hyperparameters.epochs" not in values_of(chat)
    assert "epochs" not in str(chat.state.provenance)
    assert chat.state.topology == edited
    chat.send("/undo")  # before the framework switch: XGBoost again, max_depth back
    assert "XGBoostModel" in chat.state.topology and "PyTorchModel" not in chat.state.topology
    assert values_of(chat)["hyperparameters.max_depth"] == 6


def test_set_a_value_reports_old_and_new_and_survives_the_questions(chat):
    chat.send(REQUIREMENT)
    reply = chat.send("set max_depth to 5")
    assert reply.text.startswith("Changed:\n  set hyperparameters.max_depth: 6 -> 5\n")
    reply = chat.send("change the instance type of training to ml.m5.2xlarge")
    assert "set training.instance_type: default -> 'ml.m5.2xlarge'" in reply.text
    reply = chat.send("ok")  # questions re-read the requirement; the chat values stay
    assert reply.phase == "questions"
    assert values_of(chat)["hyperparameters.max_depth"] == 5
    assert chat.state.provenance["hyperparameters.max_depth"] == "chat turn 2"
    reply = chat.send("remove the payloads")
    assert "Did not 'remove the payloads': 'the payloads' names no step of this plan" in (
        reply.text
    )
    assert reply.phase == "questions"


def test_set_a_field_named_in_words_asks_when_ambiguous_and_undo_restores_it(chat):
    from sagewright.scaffold import build_configs
    from sagewright.topology import Topology

    chat.send(REQUIREMENT)
    reply = chat.send("set the gate threshold to 0.9")
    assert reply.text.startswith("Changed:\n  set gate.threshold: 0.8 -> 0.9\n")
    reply = chat.send("set the instance type of the preprocessing to ml.m5.2xlarge")
    key = "TabularPreprocessing_training.processing_instance_type"
    assert f"set {key}: default -> 'ml.m5.2xlarge'" in reply.text  # that node, not every one
    configs = build_configs(
        Topology.parse(chat.state.topology),
        PipelineValues(**chat.state.values),
        allow_placeholders=True,
    ).configs
    assert configs["TabularPreprocessing_training"].processing_instance_type == "ml.m5.2xlarge"
    assert configs["DataLoading_training"].processing_instance_type == "ml.m5.xlarge"
    chat.send("swap the training job for a tuning job")
    reply = chat.send("set the number of tuning jobs to 30")
    assert "set tuning.max_jobs: default -> 30" in reply.text
    assert chat.state.provenance["tuning.max_jobs"] == "chat turn 5"

    reply = chat.send("set the instance type to ml.m5.xlarge")  # several fields match alike
    assert reply.text.startswith("Nothing changed.\n  Which one did you mean: processing.instance_")
    assert "training.instance_type (HyperparameterTuning)" in reply.text
    reply = chat.send("set the frobnication level to 3")
    assert "Nothing changed.\n  Not understood: 'set the frobnication level to 3'" in reply.text
    reply = chat.send("set the gate threshold to high")
    assert "Not understood: 'set the gate threshold to high' (gate.threshold: " in reply.text
    assert values_of(chat)["gate.threshold"] == 0.9

    chat.send("/undo")  # back over the idle turns to before the tuning jobs
    assert "tuning.max_jobs" not in values_of(chat)
    chat.send("/undo")  # before the swap
    chat.send("/undo")  # before the instance type
    assert key not in values_of(chat)
    chat.send("/undo")  # before the threshold: the requirement's 0.8 again
    assert values_of(chat).get("gate.threshold", 0.8) == 0.8
    assert "gate.threshold" not in chat.state.provenance


def test_an_edit_that_would_break_the_pipeline_changes_nothing(chat):
    chat.send(REQUIREMENT)
    before = dict(chat.state.topology)
    reply = chat.send("replace the training with a batch transform")
    assert "Nothing changed." in reply.text
    assert "does not give what the steps after XGBoostTraining read" in reply.text
    assert chat.state.topology == before
    reply = chat.send("remove packaging")  # registration needs it, the gate guarded it
    assert "removed Packaging, ModelRegistration, QualityGate" in reply.text
    assert valid(chat)


def test_a_plugin_step_is_added_by_its_cue_words(chat, monkeypatch):
    from sagewright.registry import catalogue
    from tests.plugin_steps import data_profiling

    entry = SimpleNamespace(name="data_profiling", value="x", load=lambda: data_profiling)
    monkeypatch.setattr(
        catalogue.importlib.metadata,
        "entry_points",
        lambda group: [entry] if group == catalogue.ENTRY_POINT_GROUP else [],
    )
    catalogue.default_registry.cache_clear()
    try:
        chat.send(REQUIREMENT)
        reply = chat.send("also profile the training data with max_bins=40")
        assert "added DataProfiling_training" in reply.text
        assert chat.state.topology["DataProfiling_training"] == ["TabularPreprocessing_training"]
        assert values_of(chat)["DataProfiling_training.max_bins"] == 40
        reply = chat.send("set the max bins of the profiling to 30")  # a plugin field in words
        assert "set DataProfiling_training.max_bins: 40 -> 30" in reply.text
        reply = chat.send("drop the profiling")
        assert "removed DataProfiling_training" in reply.text
    finally:
        catalogue.default_registry.cache_clear()
