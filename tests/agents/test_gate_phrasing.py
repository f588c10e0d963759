"""Quality gates in words: comparisons, verbs, and which stages a gate guards."""

from __future__ import annotations

import pytest

from sagewright.agents.extractor import extract
from sagewright.agents.requirement_reader import REGISTER, read_requirement
from sagewright.topology import Topology
from tests.conftest import GATED_TOPOLOGY, recovered_facts


@pytest.mark.parametrize(
    ("phrase", "comparison"),
    [
        ("AUC is no lower than 0.8", ">="),
        ("AUC must not be lower than 0.8", ">="),
        ("AUC stays at or above 0.8", ">="),
        ("AUC must not be below 0.8", ">="),
        ("log loss is no higher than 0.8", "<="),
        ("log loss stays at or below 0.8", "<="),
        ("AUROC >= 0.8", ">="),
    ],
)
def test_worded_gate_comparisons(phrase: str, comparison: str) -> None:
    text = f"Train XGBoost on s3://bkt-a/train/, evaluate on s3://bkt-a/test/, package if {phrase}."
    extraction = extract(text, Topology.parse(GATED_TOPOLOGY))
    assert extraction.values.gate["threshold"] == 0.8
    assert extraction.values.gate.get("comparison", ">=") == comparison


@pytest.mark.parametrize("verb", ["reaches", "hits", "clears", "meets"])
def test_gate_verbs_compare_at_least(verb: str) -> None:
    text = (
        "Train XGBoost on s3://bkt-a/train/, evaluate on s3://bkt-a/test/ and package it "
        f"only if the test AUC {verb} 85%."
    )
    facts = recovered_facts(text, GATED_TOPOLOGY)
    assert (facts["gate.metric"], facts["gate.threshold"]) == ("auc", 0.85)


def test_attributive_packaged_is_not_a_guarded_stage() -> None:
    intent = read_requirement(
        "Train XGBoost on s3://bkt-a/train/, evaluate on s3://bkt-a/test/ and register the "
        "packaged model only if AUC >= 0.8."
    )
    assert intent.gate is not None and intent.gate.guards == (REGISTER,)
