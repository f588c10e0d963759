"""Asks that cannot be planned because what they need is not supported are named, and every
value stated for them is listed as not understood: in the plan's notes, on screen for plan,
generate and chat, in the generated README and in the eval predictions (issue 11)."""

from __future__ import annotations

import json

import pytest

from sagewright.agents.planner import plan
from sagewright.chat import ChatSession
from sagewright.cli import main

SKLEARN = (
    "We need a scikit-learn random forest trained on s3://acme-loans/curated/train/ "
    "(label defaulted, id loan_id).\nRegister it in model package group loan-rf-models with "
    "approval status Approved, and package it first.\n"
)
CATBOOST_EMAIL = """Hi all,

could you set up a CatBoost classifier on s3://shop-ml/returns/train/ (target returned),
then run a batch transform over s3://shop-ml/returns/score/ on 3 instances,
and only write the scores if validation F1 >= 0.7?

Thanks,
Marta
--
Marta K. | Data Science | marta@example.com
"""
KERAS_TICKET = """Ticket ML-412: churn model in Keras
- data: s3://telco-ml/churn/train/ , test set s3://telco-ml/churn/test/
- label: churned
- tune dropout between 0.1 and 0.4, max_jobs=12
- evaluate on the test set; the gate: accuracy must be at least 0.9
- register the model, group churn-keras
"""
CASES = [
    (
        SKLEARN,
        "scikit-learn",
        ["'package' (Packaging)", "'Register' (ModelRegistration)"],
        ["model package group loan-rf-models", "approval status Approved"],
    ),
    (
        CATBOOST_EMAIL,
        "catboost",
        ["'batch transform' (BatchTransform)", "'F1 >= 0.7' (QualityGate)"],
        ["3 instances", "F1 >= 0.7"],
    ),
    (
        KERAS_TICKET,
        "keras",
        ["'tune' (HyperparameterTuning)", "'register' (ModelRegistration)", "'gate' (QualityGate)"],
        ["dropout between 0.1 and 0.4", "max_jobs=12", "accuracy must be at least 0.9"],
    ),
]


def run(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 0


@pytest.mark.parametrize(("text", "framework", "asks", "values"), CASES)
def test_asks_needing_an_unsupported_framework_are_named_and_their_values_not_understood(
    text: str, framework: str, asks: list[str], values: list[str]
) -> None:
    result = plan(text)
    assert result.valid
    assert not any("Training" in node or "Model" in node for node in result.topology)
    for ask in asks:
        named = [n for n in result.notes if n.startswith(f"{ask} was asked for but not planned")]
        assert named, (ask, result.notes)
        assert f"the asked framework '{framework}' is not supported" in named[0]
    not_understood = " | ".join(result.not_understood)
    for value in values:
        assert f"'{value}'" in not_understood, (value, result.not_understood)


def test_a_threshold_with_nothing_to_guard_is_named_and_its_value_not_understood() -> None:
    result = plan("Train XGBoost on s3://acme/t/ (label y) and evaluate it; AUC must be >= 0.75.")
    assert "QualityGate" not in result.topology
    assert any("(QualityGate) was asked for but not planned: it needs a later step" in n
               for n in result.notes)  # fmt: skip
    assert any("'AUC must be >= 0.75'" in n for n in result.not_understood)


def test_plan_and_generate_show_them_on_screen_and_in_the_readme(tmp_path, capsys) -> None:
    requirement = tmp_path / "req.txt"
    requirement.write_text(SKLEARN)
    defaults = tmp_path / "defaults.json"
    defaults.write_text(
        json.dumps(
            {
                "region": "us-east-1",
                "bucket": "acme-loans",
                "pipeline_name": "loan-rf",
                "role_arn": "arn:aws:iam::123456789012:role/ML",
            }
        )
    )
    run(["plan", "--requirement-file", str(requirement)])
    shown = capsys.readouterr().err
    assert "note: not understood: 'model package group loan-rf-models'" in shown
    assert "note: 'Register' (ModelRegistration) was asked for but not planned" in shown

    out = tmp_path / "out"
    args = ["generate", "--requirement-file", str(requirement), "--out", str(out)]
    run([*args, "--yes", "--defaults", str(defaults), "--json"])
    captured = capsys.readouterr()
    printed = json.loads(captured.out)
    assert "not understood: 'approval status Approved'" in " ".join(printed["not_understood"])
    assert "note: not understood: 'approval status Approved'" in captured.err
    readme = (out / "README.md").read_text()
    assert "- not understood: 'model package group loan-rf-models'" in readme
    assert "- 'package' (Packaging) was asked for but not planned" in readme


def test_eval_predictions_carry_them_in_their_notes(tmp_path) -> None:
    golden = tmp_path / "golden.jsonl"
    topology = {
        "DataLoading_training": [],
        "TabularPreprocessing_training": ["DataLoading_training"],
        "DataLoading_testing": [],
        "TabularPreprocessing_testing": ["DataLoading_testing"],
    }
    case = {"id": "keras-ticket", "requirement": KERAS_TICKET, "topology": topology}
    golden.write_text(json.dumps(case) + "\n")
    predictions = tmp_path / "predictions.jsonl"
    run(["eval", "--golden", str(golden), "--predictions-out", str(predictions), "--json"])
    (prediction,) = [json.loads(line) for line in predictions.read_text().splitlines()]
    notes = " | ".join(prediction["notes"])
    assert "not understood: 'dropout between 0.1 and 0.4'" in notes
    assert "not understood: 'group churn-keras'" in notes
    assert "'tune' (HyperparameterTuning) was asked for but not planned" in notes


def test_chat_shows_them_in_the_reply(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SAGEWRIGHT_HOME", str(tmp_path / "home"))
    session = ChatSession("unplaced", out_root=tmp_path / "out")
    try:
        reply = session.send(CATBOOST_EMAIL)
    finally:
        session.close()
    assert "Note: not understood: '3 instances'" in reply.text
    assert "Note: not understood: 'F1 >= 0.7'" in reply.text
    assert "'batch transform' (BatchTransform) was asked for but not planned" in reply.text


def test_the_same_tuning_words_land_in_config_when_the_framework_is_supported() -> None:
    from sagewright.agents.offline_extractor import extract_offline
    from sagewright.eval_harness import facts_of
    from sagewright.topology import Topology

    text = (
        "Train XGBoost on s3://churn/train/ (target churned) and tune learning rate 0.01-0.3 "
        "with 20 jobs, 4 in parallel, maximizing validation:auc."
    )
    result = plan(text)
    topology = Topology.parse(result.topology)
    facts = facts_of(topology, extract_offline(text, topology).values)
    assert facts["tuning.ranges.eta"] == [0.01, 0.3]
    assert facts["tuning.objective_metric"] == "validation:auc"
    assert facts["tuning.objective_type"] == "Maximize"
    assert (facts["tuning.max_jobs"], facts["tuning.max_parallel_jobs"]) == (20, 4)
    assert result.not_understood == []
