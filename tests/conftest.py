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


@pytest.fixture
def e2e_case() -> dict[str, Any]:
    return golden_case(E2E_CASE)


from tests.llm_server import llm_server  # noqa: E402,F401  (fixture for LLM-path tests)
