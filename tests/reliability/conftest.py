"""Fixtures of the LLM reliability tests (test_llm_*): a scripted server per module, settings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from sagewright.agents.llm import ModelSettings, resolve_settings
from sagewright.topology import step_type_of
from tests.llm_server import ScriptedLLM

REQUIREMENT = "Train XGBoost on s3://a/train/ and package it for hosting."
GOOD = {
    "DataLoading_training": [],
    "TabularPreprocessing_training": ["DataLoading_training"],
    "XGBoostTraining": ["TabularPreprocessing_training"],
    "Packaging": ["XGBoostTraining"],
}


def plan_reply(topology: dict[str, list[str]], notes: str = "", **extra: Any) -> dict[str, Any]:
    nodes = [{"name": n, "step_type": step_type_of(n), "parents": p} for n, p in topology.items()]
    return {"json": {"nodes": nodes, "existing_model": False, "notes": notes}, **extra}


def node(name: str, parents: list[str]) -> dict[str, Any]:
    return {"name": name, "step_type": step_type_of(name), "parents": parents}


@pytest.fixture(scope="module")
def shared_server() -> Iterator[ScriptedLLM]:
    server = ScriptedLLM()
    yield server
    server.close()


@pytest.fixture
def llm_server(shared_server: ScriptedLLM, monkeypatch: pytest.MonkeyPatch) -> ScriptedLLM:
    shared_server.replies.clear()
    shared_server.requests.clear()
    shared_server.headers.clear()
    shared_server.rejects_json_schema = False
    shared_server.ignores_tool_choice = False
    monkeypatch.setenv("SAGEWRIGHT_BASE_URL", shared_server.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    for name in ("SAGEWRIGHT_MODEL", "SAGEWRIGHT_TIMEOUT", "SAGEWRIGHT_STRUCTURED_OUTPUT"):
        monkeypatch.delenv(name, raising=False)
    return shared_server


@pytest.fixture
def settings(llm_server: ScriptedLLM) -> ModelSettings:
    return replace(resolve_settings("openai:test-model"), backoff_seconds=0, timeout=5)
