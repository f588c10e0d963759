"""Nothing said is silently dropped: a stated value no config field took is *not understood*."""

from __future__ import annotations

import json

import pytest

from sagewright.agents.extractor import extract
from sagewright.agents.planner import plan
from sagewright.cli import main
from tests.conftest import golden_cases

MARK = "(stated, but no config field took it)"


def leftovers(requirement: str) -> list[str]:
    planned = plan(requirement)
    notes = extract(requirement, planned.graph()).notes
    return [n.removeprefix("not understood: '").split("' (")[0] for n in notes if MARK in n]


def test_asks_left_out_with_an_unsupported_framework_keep_their_values_on_screen() -> None:
    said = leftovers(
        "hey! can we get a CatBoost model on s3://shop-ml/returns/train/ (label returned)\n"
        "tune depth 4 to 10 with 30 jobs, 3 in parallel\n"
        "register it in group returns-models (approval: Approved) if AUC is at least 0.8\n"
        "cheers, Ana"
    )
    assert said == [
        "approval: Approved",
        "group returns-models",
        "depth 4 to 10",
        "30 jobs",
        "3 in parallel",
        "AUC is at least 0.8",
    ]


def test_values_that_landed_are_not_reported() -> None:
    text = (
        "Pipeline name: fraud-xgb\n"
        "- region: us-east-1\n"
        "Train XGBoost on s3://acme/train/ with max_depth=6, eta 0.1 and 200 rounds; label "
        "`is_fraud`. Evaluate on s3://acme/test/ and package only if AUC >= 0.9."
    )
    assert leftovers(text) == []


@pytest.mark.parametrize(
    "text",
    [
        # a list's numbers, a time stamp, a ticket number
        "Steps:\n1. Train XGBoost on s3://acme/train/ (label y)\n2. Package it\nStep 3 - register",
        "[09:21] raj: train XGBoost on s3://acme/train/ with label y, see PR #412: 2 reviewers",
        # an email's signature: its paths and ARNs are not pipeline values
        "Train XGBoost on s3://acme/train/ with label y.\n\nThanks,\nBo\n"
        "arn:aws:iam::111122223333:role/Bo s3://bo-personal/notes/",
        # a table's header row, a disclaimer's "named addressee"
        "key,value\nframework,xgboost\nlabel,y\ntrain,s3://acme/train/",
        "Train XGBoost on s3://acme/train/ with label y. This mail is for the named addressee.",
    ],
)
def test_words_around_values_are_not_values(text: str) -> None:
    assert leftovers(text) == []


def test_a_value_replaced_by_a_later_message_is_not_reported() -> None:
    text = (
        "[09:00] ana: train XGBoost on s3://acme/train/ with label y and eta 0.3\n"
        "[09:05] bo: make eta 0.05 please\n[09:06] ana: ok, eta 0.05"
    )
    assert leftovers(text) == []


def test_a_value_the_extractor_cannot_read_is_reported_with_its_name() -> None:
    said = leftovers(
        "Train XGBoost on s3://acme/train/ with label y.\nparam,value\nsubsample,0.7\n"
        "num_leaves=63\n"
    )
    assert said == ["num_leaves=63"]  # a LightGBM knob; the CSV row reads as subsample: 0.7


def test_plan_shows_them_and_keeps_them_in_its_notes(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["plan", "--json", "Use LightGBM on s3://acme/train/ (label y) with 20 jobs."])
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert "not understood: '20 jobs' (stated, but no config field took it)" in notes


def test_no_visible_golden_case_reports_a_value_it_took() -> None:
    noisy = {case["id"]: leftovers(case["requirement"]) for case in golden_cases()}
    assert {case: said for case, said in noisy.items() if said} == {}


def test_sdk_code_variables_and_calls_are_not_values() -> None:
    said = leftovers(
        "Train XGBoost on s3://acme/train/ with label y.\n"
        "train_input = TrainingInput(s3_data=train_uri)\n"
        "step = TrainingStep(name=name, estimator=xgb, role=role,\n"
        "    model_data=step_train.properties.ModelArtifacts.S3ModelArtifacts)\n"
        "xgb.set_hyperparameters(num_leaves=63)\n"
    )
    assert said == ["num_leaves=63"]


def test_instance_types_and_quoted_names_no_field_took_are_reported() -> None:
    said = leftovers(
        "Train XGBoost on s3://acme/train/ with label y. Parameters: ProcessingInstanceType "
        'ml.m5.xlarge. The column objetivo is "moroso".'
    )
    assert said == ["ProcessingInstanceType ml.m5.xlarge", '"moroso"']
