"""Which words ask for a stage: hyperparameters imply training, a batch size is no transform."""

from __future__ import annotations

from sagewright.agents.requirement_reader import TRAIN, read_requirement
from tests.conftest import TORCH_TOPOLOGY, recovered_facts


def test_framework_hyperparameters_imply_training() -> None:
    intent = read_requirement("an xgb pipeline on s3://bkt-a/data/ with eta 0.1 and max_depth 4")
    assert intent.wants(TRAIN)
    assert not read_requirement("an xgb pipeline: only load s3://bkt-a/data/").wants(TRAIN)


def test_batch_size_is_not_a_batch_transform_instance_cue() -> None:
    text = "Train PyTorch on s3://bkt-a/train/ with a batch size of 64 on ml.g5.xlarge."
    facts = recovered_facts(text, TORCH_TOPOLOGY)
    assert facts["training.instance_type"] == "ml.g5.xlarge"
