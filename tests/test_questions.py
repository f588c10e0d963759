"""Questions from config schemas: which, in what order, worded how."""

from typing import Any

import pytest

from sagewright.agents.extractor import extract
from sagewright.agents.questions import PIPELINE_ORDER, node_order, questions_for
from sagewright.facts import PipelineValues
from sagewright.registry import default_registry
from sagewright.registry.schema import describe_fields
from sagewright.topology import Topology, step_type_of
from tests.conftest import golden_case, golden_cases

E2E_KEYS = [
    "region",
    "role_arn",
    "bucket",
    "pipeline_name",
    "label_name",
    "data.training.source",
    "data.calibration.source",
]
SHARED = {"region", "role_arn", "bucket", "pipeline_name", "label_name"}


def topology_of(case: dict[str, Any]) -> Topology:
    return Topology.parse(case["topology"])


def derived_paths(node: str) -> set[str]:
    cls = default_registry().get(step_type_of(node)).config_class
    return {d.path for d in describe_fields(cls) if d.tier == "derived"}


def test_e2e_asks_each_shared_field_once_and_no_derived_field(e2e_case: dict[str, Any]) -> None:
    topology = topology_of(e2e_case)
    questions = questions_for(topology, PipelineValues())
    keys = [q.key for q in questions]
    assert keys == E2E_KEYS
    assert len(keys) == len(set(keys))
    for question in questions:
        for field in question.fields:
            for owner in question.nodes:
                assert field.removeprefix(f"{owner}.") not in derived_paths(owner), field
        assert question.kind == "missing"
    label = next(q for q in questions if q.key == "label_name")
    assert label.scope == "pipeline"
    assert set(label.fields) == {"label_name", "hyperparameters.label_name"}
    assert set(label.nodes) == {
        "TabularPreprocessing_training",
        "TabularPreprocessing_calibration",
        "XGBoostTraining",
    }


def test_e2e_after_extraction_only_unstated_values_are_asked(e2e_case: dict[str, Any]) -> None:
    topology = topology_of(e2e_case)
    extraction = extract(e2e_case["requirement"], topology, model="offline")
    assert extraction.missing == ["role_arn", "bucket", "pipeline_name"]
    asked = questions_for(topology, extraction.values)
    assert [q.key for q in asked] == ["role_arn", "bucket", "pipeline_name"]


def test_wording_contract(e2e_case: dict[str, Any]) -> None:
    questions = {q.key: q for q in questions_for(topology_of(e2e_case), PipelineValues())}
    region = questions["region"]
    assert region.text.startswith("Which AWS region should the pipeline run in?")
    assert "Purpose: AWS region the pipeline runs in." in region.text
    assert "Asked once for the whole pipeline." in region.text
    assert "Format: an AWS region code." in region.text
    assert "Example: us-east-1." in region.text
    assert region.example == "us-east-1" and not region.has_default
    role = questions["role_arn"]
    assert "arn:aws:iam::<12-digit account id>:role/<role name>" in role.text
    source = questions["data.calibration.source"]
    assert source.text.startswith(
        "Where does the calibration data come from: S3 URI or Athena/Redshift SQL?"
    )
    assert "DataLoading_calibration" in source.text and source.scope == "node"
    assert source.nodes == ("DataLoading_calibration",)
    assert source.fields == (
        "DataLoading_calibration.s3_uri",
        "DataLoading_calibration.athena_query",
        "DataLoading_calibration.redshift_query",
    )
    for question in questions.values():
        assert "Format:" in question.text and "Example:" in question.text


def test_pipeline_first_then_nodes_in_topological_order() -> None:
    # Listed child-first: the order must still follow the edges.
    topology = Topology.parse(
        {
            "QualityGate": ["ModelEvaluation_testing"],
            "ModelEvaluation_testing": ["XGBoostTraining", "TabularPreprocessing_testing"],
            "XGBoostTraining": ["TabularPreprocessing_training"],
            "TabularPreprocessing_testing": ["DataLoading_testing"],
            "TabularPreprocessing_training": ["DataLoading_training"],
            "DataLoading_testing": [],
            "DataLoading_training": [],
        }
    )
    keys = [q.key for q in questions_for(topology, PipelineValues())]
    assert keys == [
        "region",
        "role_arn",
        "bucket",
        "pipeline_name",
        "label_name",
        "data.testing.source",
        "data.training.source",
        "gate.metric",
        "gate.threshold",
    ]
    order = node_order(topology)
    assert order.index("DataLoading_testing") < order.index("ModelEvaluation_testing")
    assert [k for k in keys if k in PIPELINE_ORDER] == keys[:5]
    gate = next(q for q in questions_for(topology, PipelineValues()) if q.key == "gate.metric")
    assert gate.choices == (
        "auc", "accuracy", "f1", "precision", "recall", "log_loss", "mse", "rmse", "mae", "r2"
    )  # fmt: skip
    assert gate.text.startswith("Step QualityGate: what should `metric` be?")


def test_questions_are_deterministic(e2e_case: dict[str, Any]) -> None:
    topology = topology_of(e2e_case)
    assert questions_for(topology, PipelineValues()) == questions_for(topology, PipelineValues())


def test_existing_model_is_asked_when_no_step_produces_the_model() -> None:
    existing = topology_of(golden_case("vis-12-pytorch-existing-register-payload"))
    keys = [q.key for q in questions_for(existing, PipelineValues())]
    assert keys == ["region", "role_arn", "bucket", "pipeline_name", "existing_model_uri"]
    model = questions_for(existing, PipelineValues())[-1]
    assert not model.has_default and "Default:" not in model.text
    assert model.nodes == ("Packaging", "PayloadGeneration")
    trained = topology_of(golden_case("vis-09-sentiment-pytorch-payload-register"))
    assert "existing_model_uri" not in [q.key for q in questions_for(trained, PipelineValues())]


def test_conditional_essentials_follow_the_values() -> None:
    topology = topology_of(golden_case("vis-28-house-price-load-only"))
    values = PipelineValues.from_facts({"data.training.redshift_query": "SELECT * FROM t.x"})
    keys = [q.key for q in questions_for(topology, values)]
    assert keys[-1] == "data.training.redshift_cluster_id"
    inference_only = topology_of(golden_case("vis-36-existing-pytorch-batch-only"))
    assert "label_name" not in [q.key for q in questions_for(inference_only, PipelineValues())]


@pytest.mark.parametrize("case", golden_cases(), ids=lambda c: c["id"])
def test_every_golden_topology_asks_shared_fields_once(case: dict[str, Any]) -> None:
    topology = topology_of(case)
    questions = questions_for(topology, PipelineValues())
    keys = [q.key for q in questions]
    assert len(keys) == len(set(keys))
    assert keys[:4] == ["region", "role_arn", "bucket", "pipeline_name"]
    assert "id_name" not in keys  # default tier: never asked unless contradicted or rejected
    for question in questions:
        if question.scope == "pipeline":
            assert "." not in question.key or question.key in PIPELINE_ORDER
        for owner in question.nodes:
            for field in question.fields:
                assert field.removeprefix(f"{owner}.") not in derived_paths(owner)
