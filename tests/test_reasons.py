"""Why each node is in a plan: quotes with spans that really occur, or the input a node feeds."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from sagewright.agents.llm import resolve_settings
from sagewright.agents.planner import plan
from sagewright.agents.reasons import (
    ASKED,
    MODEL_CHOICE,
    NEEDED_BY,
    UNEXPLAINED,
    UnknownNodeError,
    explain,
    locate,
)
from sagewright.cli import main
from sagewright.topology import step_type_of
from tests.conftest import golden_cases
from tests.plugin_steps import plugin_registry
from tests.test_planner_llm import GOOD

EXAMPLE = Path(__file__).parent.parent / "examples" / "fraud_xgboost_e2e.txt"


def assert_true_quotes(requirement, reasons):
    for node, reason in reasons.items():
        if reason.kind == ASKED:
            assert requirement[reason.start : reason.end] == reason.quote, node
        else:
            assert reason.quote is None and reason.start is None, node


def test_plan_json_gives_every_node_of_the_example_a_reason(capsys):
    text = EXAMPLE.read_text()
    with pytest.raises(SystemExit) as info:
        main(["plan", "--requirement-file", str(EXAMPLE), "--json"])
    assert info.value.code == 0
    data = json.loads(capsys.readouterr().out)
    reasons = data["reasons"]
    assert set(reasons) == set(data["topology"])
    for node, reason in reasons.items():
        if reason["kind"] == ASKED:
            assert text[reason["start"] : reason["end"]] == reason["quote"], node
        else:  # added to complete ports: the node it feeds reads it through that input
            assert reason["kind"] == NEEDED_BY
            assert node in data["topology"][reason["needed_by"]]
    assert reasons["XGBoostTraining"]["quote"].startswith("Train XGBoost")
    assert reasons["BatchTransform_calibration"]["quote"] == (
        "run batch transform on the calibration data"
    )
    calibration = reasons["ModelCalibration_calibration"]["quote"]
    assert calibration == "fit an isotonic\ncalibration on the predictions"  # wrapped in the file
    assert "s3://acme-fraud-ml/raw/calib/" in reasons["TabularPreprocessing_calibration"]["quote"]
    assert reasons["DataLoading_training"]["text"] == (
        "needed by TabularPreprocessing_training's input data"
    )


def test_human_plan_prints_why_each_node_is_there(capsys):
    with pytest.raises(SystemExit):
        main(["plan", "Train XGBoost on s3://a/train/, then package it."])
    err = capsys.readouterr().err
    assert 'why Packaging: "package it"' in err
    assert "why DataLoading_training: needed by TabularPreprocessing_training's input" in err


def test_every_golden_plan_quotes_only_what_its_requirement_says():
    for case in golden_cases():
        result = plan(case["requirement"])
        assert set(result.reasons) == set(result.topology), case["id"]
        assert_true_quotes(case["requirement"], result.reasons)
        assert all(r.kind in (ASKED, NEEDED_BY) for r in result.reasons.values()), case["id"]


def test_spans_point_into_the_text_as_given_with_wrapping_and_leading_space():
    text = (
        "\n\n  Train XGBoost on s3://a/train/.\nEvaluate it on the\n   test set at s3://a/test/ and"
    )
    text += " register it only if AUC >= 0.8."
    result = plan(text)
    assert_true_quotes(text, result.reasons)
    assert result.reasons["ModelEvaluation_testing"].quote.startswith("Evaluate it on the\n")
    assert "AUC >= 0.8" in result.reasons["QualityGate"].quote
    assert result.reasons["Packaging"].kind == NEEDED_BY  # registration reads a package
    assert result.reasons["Packaging"].needed_by == "ModelRegistration"


def test_a_plugin_step_quotes_its_cue(monkeypatch):
    registry = plugin_registry(monkeypatch)
    text = "Load s3://acme-ml/train/ (label y), preprocess it and Profile it with max_bins=40."
    reason = plan(text, registry=registry).reason("DataProfiling_training")
    assert reason.kind == ASKED and reason.quote == "Profile it with max_bins=40"


def test_locate_normalises_whitespace_and_case_only():
    text = "Train XGBoost,\n  then EVALUATE   it on the test set."
    assert locate(text, "then evaluate it on the test set") == (17, len(text) - 1)
    assert locate(text, '"Then Evaluate it"') == (17, 35)
    assert locate(text, "evaluate it on the holdout") is None
    assert locate(text, "  ") is None and locate(text, "it") is None


def test_explain_an_edited_topology_and_unknown_nodes():
    text = "Train XGBoost on s3://a/train/ and package it."
    topology = dict(plan(text).topology)
    topology["PayloadGeneration"] = ["XGBoostTraining"]  # added by hand, asked by nobody
    reasons = explain(text, topology)
    assert reasons["Packaging"].quote == "package it"
    assert reasons["PayloadGeneration"].kind == UNEXPLAINED
    assert reasons["DataLoading_training"].kind == NEEDED_BY
    with pytest.raises(UnknownNodeError) as info:
        plan(text).reason("ModelRegistration")
    assert info.value.code == "unknown_node" and "XGBoostTraining" in info.value.hint


# --- the LLM planner: the model's quote is checked against the requirement --------------------

REQUIREMENT = "Train XGBoost on s3://a/train/ and\npackage it for hosting."


@pytest.fixture
def settings(llm_server, monkeypatch):
    monkeypatch.setenv("SAGEWRIGHT_BASE_URL", llm_server.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    return replace(resolve_settings("openai:test-model"), backoff_seconds=0, timeout=5)


def test_llm_quotes_are_checked_and_invented_ones_dropped(llm_server, settings):
    quotes = {
        "XGBoostTraining": "train xgboost  on S3://a/train/",  # case and spacing differ
        "Packaging": "package the model for a SageMaker endpoint",  # not in the text
        "TabularPreprocessing_training": "",
        "DataLoading_training": "load the raw data",  # not there; but it feeds preprocessing
    }
    nodes = [
        {"name": n, "step_type": step_type_of(n), "parents": p, "quote": quotes[n]}
        for n, p in GOOD.items()
    ]
    llm_server.script({"json": {"nodes": nodes, "existing_model": False, "notes": ""}})
    result = plan(REQUIREMENT, settings=settings)
    assert result.topology == GOOD
    schema = llm_server.requests[0]["response_format"]["json_schema"]["schema"]
    assert "quote" in schema["properties"]["nodes"]["items"]["required"]
    reasons = result.reasons
    assert_true_quotes(REQUIREMENT, reasons)
    assert reasons["XGBoostTraining"].quote == "Train XGBoost on s3://a/train/"
    assert reasons["XGBoostTraining"].start == 0
    assert reasons["Packaging"].kind == MODEL_CHOICE
    assert reasons["Packaging"].text == "model's choice (quote not found)"
    assert reasons["DataLoading_training"].kind == NEEDED_BY
    assert reasons["TabularPreprocessing_training"].needed_by == "XGBoostTraining"
