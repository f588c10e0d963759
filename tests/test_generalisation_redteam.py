"""Rules the generalisation red team brought in, tested on the reader and extractor directly.

The red-team cases themselves (requirement, catalogue topology, stated facts; the planner must
match the typed graph and the extractor must recover exactly the facts) are data now:
``eval/golden/extractor-regressions.jsonl``, tag ``generalisation-redteam``, checked by
``tests/test_regression_sets.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from sagewright.agents.extractor import extract
from sagewright.agents.requirement_reader import PACKAGE, REGISTER, TRAIN, read_requirement
from sagewright.eval_harness import facts_of as harness_facts
from sagewright.topology import Topology

DL, TP = "DataLoading", "TabularPreprocessing"


def data(*jobs: str) -> dict[str, list[str]]:
    """``DataLoading_JOB -> TabularPreprocessing_JOB`` for each job type."""
    out: dict[str, list[str]] = {}
    for job in jobs:
        out[f"{DL}_{job}"] = []
        out[f"{TP}_{job}"] = [f"{DL}_{job}"]
    return out


def facts_for(requirement: str, topology: dict[str, list[str]]) -> dict[str, Any]:
    """Facts the extractor recovers for ``topology`` (the harness's read-back)."""
    topo = Topology.parse(topology)
    return harness_facts(topo, extract(requirement, topo).values)


# --- unit tests of the rules these cases brought in -------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Train XGBoost on s3://bkt-a/train/ and package it. Hold off on registering it.",
        "Train XGBoost on s3://bkt-a/train/ and package it; registration can wait.",
        "Train XGBoost on s3://bkt-a/train/ and package it. We defer registration.",
        "Train XGBoost on s3://bkt-a/train/ and package it, postponing the registration.",
    ],
)
def test_deferral_phrases_negate_the_stage(text: str) -> None:
    intent = read_requirement(text)
    assert intent.wants(PACKAGE) and not intent.wants(REGISTER)


def test_fenced_query_is_a_source_with_its_heading_job_type() -> None:
    intent = read_requirement(
        "Train XGBoost. Training query:\n```sql\nSELECT * FROM a.tr\n```\n"
        "Test query:\n```\nSELECT * FROM a.te\n```\nEvaluate on the test data."
    )
    assert [(s.kind, s.value, s.job_type) for s in intent.sources] == [
        ("query", "SELECT * FROM a.tr", "training"),
        ("query", "SELECT * FROM a.te", "testing"),
    ]


def test_a_colon_after_a_source_starts_a_new_clause() -> None:
    intent = read_requirement(
        "Train XGBoost on s3://bkt-a/train/. Calibration data is at s3://bkt-a/cal/: score it "
        "with the evaluation step and fit a calibration."
    )
    assert [s.job_type for s in intent.sources] == ["training", "calibration"]


def test_framework_hyperparameters_imply_training() -> None:
    intent = read_requirement("an xgb pipeline on s3://bkt-a/data/ with eta 0.1 and max_depth 4")
    assert intent.wants(TRAIN)
    assert not read_requirement("an xgb pipeline: only load s3://bkt-a/data/").wants(TRAIN)


def test_batch_size_is_not_a_batch_transform_instance_cue() -> None:
    text = "Train PyTorch on s3://bkt-a/train/ with a batch size of 64 on ml.g5.xlarge."
    facts = facts_for(text, {**data("training"), "PyTorchTraining": [f"{TP}_training"]})
    assert facts["training.instance_type"] == "ml.g5.xlarge"


@pytest.mark.parametrize("verb", ["reaches", "hits", "clears", "meets"])
def test_gate_verbs_compare_at_least(verb: str) -> None:
    topology = {
        **data("training", "testing"),
        "XGBoostTraining": [f"{TP}_training"],
        "ModelEvaluation_testing": ["XGBoostTraining", f"{TP}_testing"],
        "QualityGate": ["ModelEvaluation_testing"],
        "Packaging": ["XGBoostTraining", "QualityGate"],
    }
    text = (
        "Train XGBoost on s3://bkt-a/train/, evaluate on s3://bkt-a/test/ and package it "
        f"only if the test AUC {verb} 85%."
    )
    facts = facts_for(text, topology)
    assert (facts["gate.metric"], facts["gate.threshold"]) == ("auc", 0.85)


def test_attributive_packaged_is_not_a_guarded_stage() -> None:
    intent = read_requirement(
        "Train XGBoost on s3://bkt-a/train/, evaluate on s3://bkt-a/test/ and register the "
        "packaged model only if AUC >= 0.8."
    )
    assert intent.gate is not None and intent.gate.guards == (REGISTER,)
