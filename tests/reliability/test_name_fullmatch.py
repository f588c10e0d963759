"""Issue 13 item 6: a name, ARN, URI or id ending in a newline is refused.

``re.match`` with ``$`` also matches before a trailing ``\\n``; every check must take the
whole value (``fullmatch``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from sagewright.batch import read_items
from sagewright.builders.arg_check import check_definition
from sagewright.builders.code_bundle import make_bundle
from sagewright.checker import check_topology
from sagewright.errors import SagewrightError
from sagewright.registry import types
from sagewright.topology import Topology

TRAILING = ["\n", "\r\n", "\n\n"]


@pytest.mark.parametrize("tail", TRAILING)
@pytest.mark.parametrize("node", ["XGBoostTraining", "TabularPreprocessing_training"])
def test_node_name_with_trailing_newline_is_a_bad_node_name(node: str, tail: str) -> None:
    result = check_topology(Topology.parse({node + tail: []}))
    assert not result.ok
    assert [i.code for i in result.issues if i.node == node + tail][:1] == ["bad_node_name"]


@pytest.mark.parametrize("tail", TRAILING)
def test_batch_item_id_with_trailing_newline_is_refused(tmp_path: Path, tail: str) -> None:
    inputs = tmp_path / "items.jsonl"
    inputs.write_text(json.dumps({"id": "item" + tail, "requirement": "train xgboost"}) + "\n")
    with pytest.raises(SagewrightError) as exc:
        read_items(inputs)
    assert exc.value.code == "bad_item_id"


def test_bucket_with_trailing_newline_is_refused() -> None:
    with pytest.raises(ValueError, match="bucket"):
        make_bundle({"a.py": b"print(1)\n"}, bucket="acme-ml\n")


def test_pipeline_and_step_names_with_trailing_newline_are_problems() -> None:
    definition = json.dumps({"Version": "2020-12-01", "Steps": [{"Name": "Train\n", "Type": "X"}]})
    problems = check_definition(definition, pipeline_name="fraud\n")
    assert any(p.step == "" and "pipeline name" in p.message for p in problems)
    assert any(p.step == "Train\n" and "step name" in p.message for p in problems)


@pytest.mark.parametrize(
    ("type_", "good"),
    [
        (types.RoleArn, "arn:aws:iam::123456789012:role/SageMakerExec"),
        (types.S3Uri, "s3://acme-ml/raw/train/"),
        (types.BucketName, "acme-ml"),
        (types.InstanceType, "ml.m5.xlarge"),
        (types.PipelineName, "fraud-xgb"),
        (types.S3Prefix, "runs/fraud"),
    ],
)
@pytest.mark.parametrize("tail", TRAILING)
def test_config_types_refuse_a_trailing_newline(type_: Any, good: str, tail: str) -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(type_)
    assert adapter.validate_python(good) == good
    with pytest.raises(ValidationError):
        adapter.validate_python(good + tail)
