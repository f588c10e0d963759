"""Stated values in other phrasings: value before its name, table cells, label and id wordings."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import EXISTING_MODEL_TOPOLOGY, TORCH_TOPOLOGY, XGB_TOPOLOGY, recovered_facts


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("PyTorch on s3://bkt-a/train/ with 128-sample batches.", "batch_size", 128),
        ("PyTorch on s3://bkt-a/train/ with mini-batches of 32.", "batch_size", 32),
        ("PyTorch on s3://bkt-a/train/ with a 1e-4 learning rate.", "lr", 0.0001),
        ("PyTorch on s3://bkt-a/train/ with a 0.3 dropout.", "dropout", 0.3),
    ],
)
def test_value_before_its_hyperparameter_name(text: str, key: str, value: Any) -> None:
    assert recovered_facts(text, TORCH_TOPOLOGY)[f"hyperparameters.{key}"] == value


@pytest.mark.parametrize(
    "text",
    [
        "training_instance_type: ml.m5.2xlarge",
        "| Training instance | ml.m5.2xlarge |",
    ],
)
def test_instance_type_keys_with_underscores_or_table_cells(text: str) -> None:
    facts = recovered_facts(f"XGBoost on s3://bkt-a/train/\n{text}", XGB_TOPOLOGY)
    assert facts["training.instance_type"] == "ml.m5.2xlarge"


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("Ground truth column: `is_bad`.", "label_name", "is_bad"),
        ("The outcome variable is defaulted.", "label_name", "defaulted"),
        ("y = churned", "label_name", "churned"),
        ("key: order_id", "id_name", "order_id"),
    ],
)
def test_label_and_id_phrasings(text: str, key: str, value: str) -> None:
    assert recovered_facts(f"XGBoost on s3://bkt-a/train/.\n{text}", XGB_TOPOLOGY)[key] == value


def test_region_code_line_is_not_a_bucket_name() -> None:
    facts = recovered_facts(
        "XGBoost on s3://bkt-a/train/\nregion: eu-west-3\nbucket: my-bkt", XGB_TOPOLOGY
    )
    assert (facts["region"], facts["bucket"]) == ("eu-west-3", "my-bkt")


def test_previously_trained_model_is_still_the_existing_model() -> None:
    text = (
        "Create a SageMaker model from our previously trained XGBoost model at "
        "s3://bkt-a/models/model.tar.gz."
    )
    assert recovered_facts(text, EXISTING_MODEL_TOPOLOGY) == {
        "existing_model_uri": "s3://bkt-a/models/model.tar.gz"
    }
