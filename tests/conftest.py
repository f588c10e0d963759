from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "eval" / "golden" / "topologies.jsonl"
E2E_CASE = "vis-10-xgb-e2e-calibration"


def golden_cases() -> list[dict[str, Any]]:
    return [json.loads(line) for line in GOLDEN.read_text().splitlines() if line.strip()]


def golden_case(case_id: str) -> dict[str, Any]:
    return next(c for c in golden_cases() if c["id"] == case_id)


FULL_VALUES = {
    "region": "us-east-1",
    "role_arn": "arn:aws:iam::123456789012:role/SageMakerExec",
    "bucket": "acme-ml-artifacts",
    "pipeline_name": "fraud-xgb",
}


def data_topology(*jobs: str) -> dict[str, list[str]]:
    """``DataLoading_JOB -> TabularPreprocessing_JOB`` for each job type."""
    out: dict[str, list[str]] = {}
    for job in jobs:
        out[f"DataLoading_{job}"] = []
        out[f"TabularPreprocessing_{job}"] = [f"DataLoading_{job}"]
    return out


XGB_TOPOLOGY = {**data_topology("training"), "XGBoostTraining": ["TabularPreprocessing_training"]}
TORCH_TOPOLOGY = {
    **data_topology("training"),
    "PyTorchTraining": ["TabularPreprocessing_training"],
}
GATED_TOPOLOGY = {
    **data_topology("training", "testing"),
    "XGBoostTraining": ["TabularPreprocessing_training"],
    "ModelEvaluation_testing": ["XGBoostTraining", "TabularPreprocessing_testing"],
    "QualityGate": ["ModelEvaluation_testing"],
    "Packaging": ["XGBoostTraining", "QualityGate"],
}
EXISTING_MODEL_TOPOLOGY: dict[str, list[str]] = {"XGBoostModel": []}


def recovered_facts(requirement: str, topology: dict[str, list[str]]) -> dict[str, Any]:
    """Facts the extractor recovers for ``topology`` (the harness's read-back)."""
    from sagewright.agents.extractor import extract
    from sagewright.eval_harness import facts_of
    from sagewright.topology import Topology

    topo = Topology.parse(topology)
    return facts_of(topo, extract(requirement, topo).values)


@pytest.fixture
def e2e_case() -> dict[str, Any]:
    return golden_case(E2E_CASE)


# Fact keys added by issue 11 that tables written before them do not list: a value stated for
# one of them (an "at least" gate, "isotonic") is right, but the old tables cannot know it.
NEW_FACT_KEYS = ("gate.comparison", "calibration.method")


def older_keys(facts: dict[str, Any], listed: dict[str, Any]) -> dict[str, Any]:
    """``facts`` without the issue-11 keys that ``listed`` (an older table) does not name."""
    return {k: v for k, v in facts.items() if k in listed or not k.startswith(NEW_FACT_KEYS)}


from tests.llm_server import llm_server  # noqa: E402,F401  (fixture for LLM-path tests)
