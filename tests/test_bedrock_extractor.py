"""The value extractor on Amazon Bedrock: the real langchain-aws client, a local Converse endpoint.

The same scripted endpoint as the planner's Bedrock tests (``tests/bedrock_server.py``, fake
credentials, 127.0.0.1): the extractor's schema is the tool's input schema, a tool-use reply
fills the values, throttling is retried, and a reply that breaks the schema is repaired once,
then falls back to the offline extraction.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

pytest.importorskip("langchain_aws")

from sagewright.agents.extractor import extract
from sagewright.agents.llm_extractor import SCHEMA_NAME
from sagewright.agents.offline_extractor import extract_offline
from tests.bedrock_server import THROTTLED, ConverseServer, tool_use
from tests.test_bedrock import MODEL_ID, server, settings_for  # noqa: F401  (fixture)
from tests.test_llm_extractor import CASE, GOOD, REQUIREMENT, TOPOLOGY


def test_tool_use_reply_fills_the_values_and_the_request_carries_the_schema(
    server: ConverseServer,  # noqa: F811
) -> None:
    server.replies.append(tool_use(SCHEMA_NAME, GOOD))
    result = extract(REQUIREMENT, TOPOLOGY, settings=settings_for(server), fallback=False)
    assert result.backend == f"bedrock_converse:{MODEL_ID}" and result.fallback is None
    assert result.values.facts() == CASE["facts"]
    assert result.usage.input_tokens == 120 and result.usage.output_tokens == 40
    (request,) = server.requests
    assert request["path"] == f"/model/{MODEL_ID}/converse".replace(":", "%3A")
    (tool,) = request["body"]["toolConfig"]["tools"]
    assert tool["toolSpec"]["name"] == SCHEMA_NAME
    schema = tool["toolSpec"]["inputSchema"]["json"]
    job_type = schema["properties"]["data"]["items"]["properties"]["job_type"]
    assert job_type["enum"] == ["training", "testing"]  # the topology's job types only
    assert "s3://lending-ml/default/train/" in str(request["body"]["messages"])


def test_throttling_is_retried(server: ConverseServer) -> None:  # noqa: F811
    server.replies += [THROTTLED, tool_use(SCHEMA_NAME, GOOD)]
    result = extract(REQUIREMENT, TOPOLOGY, settings=settings_for(server), fallback=False)
    assert result.values.facts() == CASE["facts"] and len(server.requests) == 2
    assert "Throttling" in (result.llm_attempts[0].error or "")


def test_malformed_tool_input_is_repaired(server: ConverseServer) -> None:  # noqa: F811
    broken = {**GOOD, "data": [{"job_type": "staging", "source": "s3_uri", "value": "x"}]}
    server.replies += [tool_use(SCHEMA_NAME, broken), tool_use(SCHEMA_NAME, GOOD)]
    result = extract(REQUIREMENT, TOPOLOGY, settings=settings_for(server), fallback=False)
    assert result.values.facts() == CASE["facts"] and len(server.requests) == 2
    repair = str(server.requests[1]["body"]["messages"])
    assert "$.data[0].job_type" in repair and "is not one of" in repair


def test_still_malformed_after_repair_falls_back_offline(
    server: ConverseServer,  # noqa: F811
) -> None:
    settings = replace(settings_for(server), max_retries=0)
    server.replies += [tool_use(SCHEMA_NAME, {"values": {}}), tool_use(SCHEMA_NAME, {})]
    result = extract(REQUIREMENT, TOPOLOGY, settings=settings)
    assert result.fallback == "llm_malformed"
    assert result.values == extract_offline(REQUIREMENT, TOPOLOGY).values
