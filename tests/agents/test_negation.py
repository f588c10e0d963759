"""Values ruled out, replaced or deferred are not taken, and ruling out stays narrow.

Stated values may come with the ones they replace ("us-west-2, not eu-west-1", "moved from
X to Y"); a stage may be put off ("registration can wait"). Only what the user wants lands.
"""

from __future__ import annotations

from typing import Any

import pytest

from sagewright.agents.requirement_reader import PACKAGE, REGISTER, read_requirement
from tests.conftest import TORCH_TOPOLOGY, XGB_TOPOLOGY, recovered_facts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Train XGBoost on s3://bkt-a/train/ in us-west-2, not eu-west-1.", "us-west-2"),
        ("Train XGBoost on s3://bkt-a/train/. Avoid us-east-1; use ap-south-1.", "ap-south-1"),
        ("Train XGBoost on s3://bkt-a/train/ in eu-west-2 rather than us-east-1.", "eu-west-2"),
        ("Train XGBoost on s3://bkt-a/train/, region moved from us-east-1 to eu-north-1.",
         "eu-north-1"),
    ],
)  # fmt: skip
def test_ruled_out_values_are_not_taken(text: str, expected: str) -> None:
    assert recovered_facts(text, XGB_TOPOLOGY)["region"] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a key that is not a column, mid-sentence
        ("Train XGBoost on s3://bkt-a/train/; the api key: abc123 is in vault.", {}),
        # passive "used to train" is not a previous value
        (
            "XGBoost on s3://bkt-a/train/. Hyperparameters used to train the model: max_depth=6",
            {"hyperparameters.max_depth": 6},
        ),
        (
            "PyTorch on s3://bkt-a/train/. We previously used 5 epochs; now train for 10 epochs.",
            {"hyperparameters.epochs": 10},
        ),
        (
            "Train XGBoost on s3://bkt-a/train/ with eta=0.1 (not 0.3).",
            {"hyperparameters.eta": 0.1},
        ),
    ],
)
def test_ruling_out_is_narrow(text: str, expected: dict[str, Any]) -> None:
    topology = TORCH_TOPOLOGY if "PyTorch" in text else XGB_TOPOLOGY
    facts = recovered_facts(text, topology)
    facts.pop("data.training.s3_uri")
    assert facts == expected


def test_hyphenated_depth_is_not_negative() -> None:
    assert (
        recovered_facts("XGBoost on s3://bkt-a/train/ with depth-5 trees.", XGB_TOPOLOGY)[
            "hyperparameters.max_depth"
        ]
        == 5
    )


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
