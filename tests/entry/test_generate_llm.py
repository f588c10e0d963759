"""`generate` with an LLM backend: planner and extractor through the real client, one flow."""

from sagewright.agents.llm_extractor import schema_properties
from sagewright.generate import generate
from sagewright.registry import default_registry
from sagewright.topology import Topology

REQUIREMENT = (
    "Train XGBoost with max_depth=5 on s3://acme-ml/train/ (label is_fraud) and package it. "
    "Pipeline fraud-llm in us-west-2, role arn:aws:iam::123456789012:role/Exec, "
    "bucket acme-artifacts."
)
TOPOLOGY = {
    "DataLoading_training": [],
    "TabularPreprocessing_training": ["DataLoading_training"],
    "XGBoostTraining": ["TabularPreprocessing_training"],
    "Packaging": ["XGBoostTraining"],
}
STATED = {
    "region": "us-west-2",
    "role_arn": "arn:aws:iam::123456789012:role/Exec",
    "bucket": "acme-artifacts",
    "pipeline_name": "fraud-llm",
    "label_name": "is_fraud",
}


def plan_reply() -> dict:
    nodes = [
        {"name": name, "step_type": name.split("_")[0], "parents": parents}
        for name, parents in TOPOLOGY.items()
    ]
    return {"nodes": nodes, "existing_model": False, "notes": ""}


def extraction_reply() -> dict:
    props = schema_properties(Topology.parse(TOPOLOGY), default_registry())
    return {
        "values": {name: STATED.get(name) for name in props},
        "data": [{"job_type": "training", "source": "s3_uri", "value": "s3://acme-ml/train/"}],
        "hyperparameters": [{"name": "max_depth", "value": "5"}],
        "conflicts": [],
    }


def test_generate_with_an_llm_backend(llm_server, tmp_path):
    llm_server.script(
        {"json": plan_reply(), "usage": {"prompt_tokens": 2900, "completion_tokens": 120}},
        {"json": extraction_reply(), "usage": {"prompt_tokens": 800, "completion_tokens": 90}},
    )
    result = generate(REQUIREMENT, tmp_path / "out", model="openai:test-model")
    assert len(llm_server.requests) == 2
    assert result.plan.backend == "openai:test-model" and result.plan.fallback is None
    assert result.plan.usage.to_dict()["total_tokens"] == 3020
    assert set(result.topology.nodes) == set(TOPOLOGY)
    assert result.configs["XGBoostTraining"].hyperparameters.max_depth == 5
    readme = (tmp_path / "out" / "README.md").read_text()
    assert "| `region` | `us-west-2` | stated |" in readme
    assert "sk-test" not in "".join(p.read_text() for p in (tmp_path / "out").iterdir())


def test_generate_falls_back_offline_when_the_llm_is_down(llm_server, tmp_path):
    llm_server.script(*[{"status": 503}] * 6)
    result = generate(REQUIREMENT, tmp_path / "out", model="openai:test-model")
    assert result.plan.fallback == "llm_unavailable"
    assert set(result.topology.nodes) == set(TOPOLOGY)
    assert (tmp_path / "out" / "pipeline.json").is_file()
