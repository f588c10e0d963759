"""The question session: answers validated, invalid ones re-asked, contradictions resolved."""

from typing import Any

import pytest

from sagewright.agents.extractor import extract
from sagewright.agents.qa_agent import QuestionSession
from sagewright.errors import AgentError, ConfigError
from sagewright.facts import facts_from_configs
from sagewright.topology import Topology
from tests.conftest import FULL_VALUES, golden_case

XGB = {
    "DataLoading_training": [],
    "TabularPreprocessing_training": ["DataLoading_training"],
    "XGBoostTraining": ["TabularPreprocessing_training"],
}


def session_from(requirement: str, topology: Topology) -> QuestionSession:
    """A question session seeded with what the offline extractor reads in ``requirement``."""
    return QuestionSession.from_extraction(
        topology, extract(requirement, topology, model="offline")
    )


def session_for(case_id: str) -> QuestionSession:
    case = golden_case(case_id)
    return session_from(case["requirement"], Topology.parse(case["topology"]))


def test_drive_the_e2e_case_to_configs(e2e_case: dict[str, Any]) -> None:
    session = session_for(e2e_case["id"])
    asked = []
    answers = {
        "role_arn": FULL_VALUES["role_arn"],
        "bucket": "s3://acme-ml-artifacts/",
        "pipeline_name": "Call it fraud-xgb please",
    }
    while (question := session.next_question()) is not None:
        asked.append(question.key)
        assert session.answer(question.key, answers[question.key]).ok
    assert asked == ["role_arn", "bucket", "pipeline_name"]
    configs = session.configs()
    assert len(configs) == 11
    facts = facts_from_configs(configs)
    assert {k: facts[k] for k in e2e_case["facts"]} == e2e_case["facts"]
    assert facts["bucket"] == "acme-ml-artifacts" and facts["pipeline_name"] == "fraud-xgb"


@pytest.mark.parametrize(
    ("key", "answer", "message"),
    [
        ("role_arn", "arn:aws:iam::1234:role/x", "is not an IAM role ARN such as arn:aws:iam::"),
        ("region", "us-east-9", "unknown AWS region 'us-east-9'"),
        ("region", "Frankfurt", "unknown AWS region 'Frankfurt'"),
        ("data.training.source", "s3//my-bucket/train", "is not an S3 URI such as s3://"),
        ("data.training.source", "s3://My_Bucket/train/", "is not an S3 URI such as s3://"),
        ("hyperparameters.max_depth", "-1", "greater than or equal to 0"),
        ("hyperparameters.max_depth", "max_depth of -1", "greater than or equal to 0"),
        ("label_name", "   ", "a value is required"),
    ],
)
def test_invalid_answers_are_reasked_with_the_validation_message(
    key: str, answer: str, message: str
) -> None:
    session = QuestionSession(Topology.parse(XGB))
    before = session.values
    result = session.answer(key, answer)
    assert not result.ok and result.accepted == {}
    assert message in result.message
    assert result.reask is not None and result.reask.key == key
    assert result.reask.kind == "invalid" and message in result.reask.text
    assert session.values == before  # nothing stored


def test_a_reask_is_answered_like_the_question() -> None:
    session = QuestionSession(Topology.parse(XGB))
    assert not session.answer("hyperparameters.max_depth", "-1").ok
    result = session.answer("hyperparameters.max_depth", "8")
    assert result.accepted == {"hyperparameters.max_depth": 8}
    assert session.values.hyperparameters == {"max_depth": 8}


def test_two_regions_are_asked_to_be_resolved_not_picked() -> None:
    session = session_from(
        "Train on s3://acme-ml/train/ with label y in us-east-1. Actually run it in eu-west-1.",
        Topology.parse(XGB),
    )
    question = session.next_question()
    assert question is not None and question.key == "region" and question.kind == "conflict"
    assert question.choices == ("us-east-1", "eu-west-1")
    assert "'us-east-1' or 'eu-west-1'" in question.text
    assert "region" not in session.values.shared
    with pytest.raises(AgentError) as info:
        session.configs()
    assert info.value.code == "unresolved_conflicts"
    assert session.answer("region", "2").accepted == {"region": "eu-west-1"}
    assert session.conflicts == [] and session.values.shared["region"] == "eu-west-1"
    assert [q.key for q in session.questions()] == ["role_arn", "bucket", "pipeline_name"]


def test_conflict_on_a_default_field_is_still_asked() -> None:
    session = session_from(
        "data s3://acme-ml/t/, label y, id column order_id ... or id is line_id",
        Topology.parse(XGB),
    )
    first = session.next_question()
    assert first is not None and (first.key, first.kind) == ("id_name", "conflict")
    assert session.answer("id_name", "line_id").ok
    assert session.values.shared["id_name"] == "line_id"


def test_sql_answer_needs_its_engine() -> None:
    session = QuestionSession(Topology.parse(XGB))
    result = session.answer("data.training.source", "SELECT * FROM sales.orders_2024")
    assert not result.ok and "Athena or Redshift" in result.message
    result = session.answer("data.training.source", "redshift")
    assert result.accepted == {"data.training.redshift_query": "SELECT * FROM sales.orders_2024"}
    # a Redshift source makes the cluster essential: asked next, for that node
    keys = [q.key for q in session.questions()]
    assert "data.training.redshift_cluster_id" in keys
    assert session.answer("data.training.redshift_cluster_id", "analytics-1").ok
    assert session.answer("data.training.source", "`SELECT 1 FROM a.b` on athena").accepted == {
        "data.training.athena_query": "SELECT 1 FROM a.b"
    }
    assert session.values.data["training"] == {
        "athena_query": "SELECT 1 FROM a.b",
        "redshift_cluster_id": "analytics-1",
    }


def test_cross_field_rules_reask_too() -> None:
    case = golden_case("vis-13-loan-default-gate-register")
    session = QuestionSession(Topology.parse(case["topology"]))
    assert session.answer("gate.metric", "AUC").accepted == {"gate.metric": "auc"}
    result = session.answer("gate.threshold", "1.5")
    assert not result.ok and "threshold for auc must be between 0 and 1" in result.message
    assert session.answer("gate.threshold", "at least 90%").accepted == {"gate.threshold": 0.9}


def test_an_answer_may_state_more_than_it_was_asked() -> None:
    session = QuestionSession(Topology.parse(XGB))
    result = session.answer("label_name", "label is churned, id is customer_id, max_depth=-1")
    assert result.accepted == {"label_name": "churned", "id_name": "customer_id"}
    invalid = [q for q in session.questions() if q.kind == "invalid"]
    assert [q.key for q in invalid] == ["hyperparameters.max_depth"]
    assert "greater than or equal to 0" in invalid[0].text
    # a default-tier field may be skipped: the default stays
    assert session.answer("hyperparameters.max_depth", "default").ok
    assert [q.kind for q in session.questions()] == ["missing"] * 5


def test_rejected_requirement_value_is_asked_with_its_message() -> None:
    session = session_from("region us-east-9, data s3://acme-ml/t/, label y", Topology.parse(XGB))
    question = session.next_question()
    assert question is not None and question.key == "region" and question.kind == "invalid"
    assert "'us-east-9'" in question.text and "unknown AWS region" in question.text


def test_unknown_keys_and_unfinished_sessions_are_typed_errors() -> None:
    session = QuestionSession(Topology.parse(XGB))
    with pytest.raises(AgentError) as info:
        session.answer("colour", "blue")
    assert info.value.code == "unknown_question"
    with pytest.raises(ConfigError) as missing:
        session.configs()
    assert missing.value.code == "missing_fields"
