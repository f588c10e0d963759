"""Amazon Bedrock (``bedrock_converse:MODEL_ID``) through the real langchain-aws client.

The client talks to a scripted Converse endpoint on 127.0.0.1 with fake credentials: no
network. Structured output is Converse tool use with the plan schema as the tool's input schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

pytest.importorskip("langchain_aws")

from sagewright.agents.llm import ModelSettings, resolve_settings
from sagewright.agents.planner import plan
from sagewright.registry import default_registry
from tests.bedrock_server import THROTTLED, ConverseServer, tool_use
from tests.reliability.conftest import GOOD, REQUIREMENT, plan_reply

MODEL_ID = "anthropic.claude-sonnet-4-test-v1:0"


def plan_input(topology: dict[str, list[str]]) -> dict[str, object]:
    """The plan as a tool's input: the same object the OpenAI-style tests send as JSON."""
    reply: dict[str, object] = plan_reply(topology)["json"]
    return reply


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ConverseServer]:
    scripted = ConverseServer()
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "SAGEWRIGHT_BASE_URL", "SAGEWRIGHT_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTESTTESTTESTTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret-not-real")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    yield scripted
    scripted.close()


def settings_for(server: ConverseServer) -> ModelSettings:
    resolved = resolve_settings(f"bedrock_converse:{MODEL_ID}", base_url=server.url, timeout=5)
    return replace(resolved, backoff_seconds=0)


def test_tool_use_reply_is_the_plan_and_the_request_carries_the_schema(
    server: ConverseServer,
) -> None:
    server.replies.append(tool_use("PipelinePlan", plan_input(GOOD)))
    result = plan(REQUIREMENT, settings=settings_for(server), fallback=False)
    assert result.valid and result.topology == GOOD
    assert result.backend == f"bedrock_converse:{MODEL_ID}"
    assert result.structured_output_mode == "function_calling"
    assert result.usage.input_tokens == 120 and result.usage.output_tokens == 40
    (request,) = server.requests
    assert request["path"] == f"/model/{MODEL_ID}/converse".replace(":", "%3A")
    (tool,) = request["body"]["toolConfig"]["tools"]
    assert tool["toolSpec"]["name"] == "PipelinePlan"
    schema = tool["toolSpec"]["inputSchema"]["json"]
    enum = schema["properties"]["nodes"]["items"]["properties"]["step_type"]["enum"]
    assert sorted(enum) == sorted(default_registry().names())
    assert request["body"]["messages"][-1]["role"] == "user"


def test_throttling_is_retried(server: ConverseServer) -> None:
    server.replies += [THROTTLED, THROTTLED, tool_use("PipelinePlan", plan_input(GOOD))]
    result = plan(REQUIREMENT, settings=settings_for(server), fallback=False)
    assert result.valid and len(server.requests) == 3
    errors = [a.error for a in result.llm_attempts]
    assert errors[:2] == [e for e in errors[:2] if e and "Throttling" in e] and errors[2] is None


def test_throttling_to_the_end_falls_back_offline(server: ConverseServer) -> None:
    settings = replace(settings_for(server), max_retries=1)
    server.replies += [THROTTLED, THROTTLED]
    result = plan(REQUIREMENT, settings=settings)
    assert result.fallback == "llm_rate_limited" and result.valid
    assert len(server.requests) == 2


def test_malformed_tool_input_is_repaired(server: ConverseServer) -> None:
    server.replies += [
        tool_use("PipelinePlan", {"nodes": "DataLoading then XGBoost"}),
        tool_use("PipelinePlan", plan_input(GOOD)),
    ]
    result = plan(REQUIREMENT, settings=settings_for(server), fallback=False)
    assert result.valid and result.topology == GOOD and len(server.requests) == 2
    repair = str(server.requests[1]["body"]["messages"])
    assert "PipelinePlan" in repair


def test_invalid_plan_is_repaired_from_the_checker_errors(server: ConverseServer) -> None:
    broken = {"XGBoostTraining": [], "Packaging": ["XGBoostTraining"]}  # training is unfed
    server.replies += [
        tool_use("PipelinePlan", plan_input(broken)),
        tool_use("PipelinePlan", plan_input(GOOD)),
    ]
    result = plan(REQUIREMENT, settings=settings_for(server), fallback=False)
    assert result.valid and result.topology == GOOD and result.attempts == 2
    assert "unfed_input" in str(server.requests[1]["body"]["messages"])
