"""The LLM extractor through the real ChatOpenAI client against the scripted local server."""

import json
from typing import Any

import pytest

from sagewright.agents.extractor import extract
from sagewright.agents.llm import LLMMalformedOutputError
from sagewright.agents.llm_extractor import SCHEMA_NAME, schema_problems, schema_properties
from sagewright.agents.offline_extractor import extract_offline
from sagewright.registry import default_registry
from sagewright.topology import Topology
from tests.conftest import golden_case, older_keys
from tests.llm_server import ScriptedLLM

MODEL = "openai:test-model"
CASE = golden_case("vis-13-loan-default-gate-register")
TOPOLOGY = Topology.parse(CASE["topology"])
REQUIREMENT = CASE["requirement"]


def reply(
    *,
    data: list[dict[str, str]] | None = None,
    hyperparameters: list[dict[str, str]] | None = None,
    conflicts: list[dict[str, Any]] | None = None,
    **values: Any,
) -> dict[str, Any]:
    """A schema-valid reply for TOPOLOGY: every value property present, null unless given."""
    props = schema_properties(TOPOLOGY, default_registry())
    return {
        "values": {name: values.get(name) for name in props},
        "data": data or [],
        "hyperparameters": hyperparameters or [],
        "conflicts": conflicts or [],
    }


GOOD = reply(
    label_name="default_flag",
    id_name="application_id",
    gate_metric="auc",
    gate_threshold=0.9,
    gate_comparison=">=",
    data=[
        {"job_type": "training", "source": "s3_uri", "value": "s3://lending-ml/default/train/"},
        {"job_type": "testing", "source": "s3_uri", "value": "s3://lending-ml/default/test/"},
    ],
)


def test_reply_fills_values_through_the_strict_schema(llm_server: ScriptedLLM) -> None:
    llm_server.script({"json": GOOD, "usage": {"prompt_tokens": 900, "completion_tokens": 80}})
    result = extract(REQUIREMENT, TOPOLOGY, model=MODEL)
    assert result.backend == MODEL and result.fallback is None
    assert result.values.facts() == CASE["facts"]
    assert result.usage.to_dict() == {
        "calls": 1,
        "input_tokens": 900,
        "output_tokens": 80,
        "total_tokens": 980,
    }
    request = llm_server.requests[0]
    fmt = request["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == SCHEMA_NAME
    assert fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert schema["properties"]["data"]["items"]["properties"]["job_type"]["enum"] == [
        "training",
        "testing",
    ]
    assert (
        "max_depth"
        in schema["properties"]["hyperparameters"]["items"]["properties"]["name"]["enum"]
    )
    assert "epochs" not in json.dumps(schema)  # an XGBoost topology: XGBoost names only
    system, user = request["messages"][0]["content"], request["messages"][1]["content"]
    assert "`gate_threshold`" in system and "Never fill a default" in system
    assert "<requirement>" in user and REQUIREMENT in user


def test_schema_violation_is_repaired_once(llm_server: ScriptedLLM) -> None:
    broken = {**GOOD, "data": [{"job_type": "staging", "source": "s3_uri", "value": "x"}]}
    del broken["conflicts"]
    llm_server.script({"json": broken}, {"json": GOOD})
    result = extract(REQUIREMENT, TOPOLOGY, model=MODEL)
    assert result.backend == MODEL and result.values.facts() == CASE["facts"]
    assert result.usage.calls == 2 and len(llm_server.requests) == 2
    feedback = llm_server.requests[1]["messages"][-1]["content"]
    assert "missing required property 'conflicts'" in feedback
    assert '$.data[0].job_type: "staging" is not one of "training", "testing"' in feedback


def test_not_json_is_repaired_once(llm_server: ScriptedLLM) -> None:
    llm_server.script(
        {"content": "Sure! Here are the values: {label: default_flag"}, {"json": GOOD}
    )
    result = extract(REQUIREMENT, TOPOLOGY, model=MODEL)
    assert result.values.facts() == CASE["facts"] and result.usage.calls == 2


def test_still_invalid_after_repair_falls_back_to_offline(llm_server: ScriptedLLM) -> None:
    """Documented outcome: one repair round, then the offline extraction (fallback code)."""
    llm_server.script({"json": {"values": {}}}, {"json": {"values": {}}})
    result = extract(REQUIREMENT, TOPOLOGY, model=MODEL)
    assert result.fallback == "llm_malformed"
    assert result.backend == f"offline (fallback from {MODEL})"
    assert result.values == extract_offline(REQUIREMENT, TOPOLOGY).values
    assert result.usage.calls == 2
    assert any("llm_malformed" in note for note in result.notes)


def test_still_invalid_after_repair_raises_when_asked_to(llm_server: ScriptedLLM) -> None:
    llm_server.script({"json": {"values": {}}}, {"content": "no"})
    with pytest.raises(LLMMalformedOutputError) as info:
        extract(REQUIREMENT, TOPOLOGY, model=MODEL, fallback=False)
    assert info.value.code == "llm_malformed"
    assert "repair round" in info.value.message


def test_refusal_falls_back_with_its_code(llm_server: ScriptedLLM) -> None:
    llm_server.script({"refusal": "I can't help with that."})
    result = extract(REQUIREMENT, TOPOLOGY, model=MODEL)
    facts = older_keys(result.values.facts(), CASE["facts"])
    assert result.fallback == "llm_refused" and facts == CASE["facts"]


def test_values_not_written_in_the_requirement_are_dropped(llm_server: ScriptedLLM) -> None:
    invented = reply(
        label_name="default_flag",
        region="us-east-1",  # not in the requirement
        gate_metric="auc",
        gate_threshold=0.95,  # the requirement says 0.9
        hyperparameters=[{"name": "max_depth", "value": "6"}],
        data=[{"job_type": "testing", "source": "s3_uri", "value": "s3://lending-ml/other/"}],
    )
    llm_server.script({"json": invented})
    result = extract(REQUIREMENT, TOPOLOGY, model=MODEL)
    assert result.values.facts() == {"label_name": "default_flag", "gate.metric": "auc"}
    dropped = " ".join(result.notes)
    for value in ("us-east-1", "0.95", "'6'", "s3://lending-ml/other/"):
        assert value in dropped


def test_conflicts_and_invalid_values_from_the_model(llm_server: ScriptedLLM) -> None:
    text = "Train XGBoost on s3://acme-ml/t/ in us-east-9. Label y ... or label is_y."
    topology = Topology.parse(
        {
            "DataLoading_training": [],
            "TabularPreprocessing_training": ["DataLoading_training"],
            "XGBoostTraining": ["TabularPreprocessing_training"],
        }
    )
    props = schema_properties(topology, default_registry())
    values = {name: None for name in props} | {"region": "us-east-9"}
    llm_server.script(
        {
            "json": {
                "values": values,
                "data": [{"job_type": "training", "source": "s3_uri", "value": "s3://acme-ml/t/"}],
                "hyperparameters": [],
                "conflicts": [{"key": "label_name", "values": ["y", "is_y"]}],
            }
        }
    )
    result = extract(text, topology, model=MODEL)
    assert [(c.key, c.values) for c in result.conflicts] == [("label_name", ("y", "is_y"))]
    assert [r.key for r in result.rejected] == ["region"]
    assert "unknown AWS region 'us-east-9'" in result.rejected[0].message
    assert result.missing[:2] == ["label_name", "region"]  # contradictions are asked first


def test_schema_checker_reports_paths() -> None:
    schema = {
        "type": "object",
        "properties": {"n": {"type": ["number", "null"]}, "k": {"type": "string", "enum": ["a"]}},
        "required": ["n", "k"],
        "additionalProperties": False,
    }
    assert schema_problems({"n": None, "k": "a"}, schema) == []
    assert schema_problems({"n": "1", "k": "b", "z": 1}, schema) == [
        "$: unknown property 'z'",
        "$.n: expected number or null, got str",
        '$.k: "b" is not one of "a"',
    ]
