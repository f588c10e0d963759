"""Issue 13's fuzz test, LLM part: 1,000 malformed replies through the planner and the
extractor. In-process and fast: the real ChatOpenAI client over an httpx MockTransport.

Every outcome is a result or a SagewrightError with a code; nothing else escapes."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagewright.agents.llm import Usage, resolve_settings
from sagewright.agents.llm_extractor import extract_with_llm
from sagewright.agents.llm_planner import plan_with_llm
from sagewright.errors import SagewrightError
from sagewright.registry import default_registry
from sagewright.topology import Topology
from tests.reliability.conftest import GOOD, REQUIREMENT

REGISTRY = default_registry()
STEP_TYPES = REGISTRY.names()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
names = st.sampled_from([*STEP_TYPES, "DataLoading_training", "Nope", "", "X_Y_Z", "a\nb"])
plan_nodes = st.fixed_dictionaries(
    {},
    optional={
        "name": names | json_values,
        "step_type": st.sampled_from(STEP_TYPES) | json_values,
        "parents": st.lists(names, max_size=3) | json_values,
    },
)
plan_like = st.fixed_dictionaries(
    {},
    optional={
        "nodes": st.lists(plan_nodes, max_size=6) | json_values,
        "existing_model": json_values,
        "notes": json_values,
        "values": json_values,
        "data": json_values,
        "hyperparameters": json_values,
        "conflicts": json_values,
    },
)
contents = st.one_of(
    st.text(max_size=60),
    plan_like.map(json.dumps),
    json_values.map(json.dumps),
    plan_like.map(lambda v: "```json\n" + json.dumps(v) + "\n```"),
    st.integers(1, 3000).map(lambda n: "[" * n + "]" * n),
    plan_like.map(lambda v: json.dumps(v)[: max(1, len(json.dumps(v)) // 2)]),
)
replies = st.fixed_dictionaries(
    {
        "status": st.sampled_from([200] * 8 + [400, 404, 422, 500, 503]),
        "content": contents,
        "finish_reason": st.sampled_from(["stop", "stop", "length", "content_filter", None]),
        "shape": st.sampled_from(["message"] * 5 + ["tool_call", "refusal", "garbage"]),
    }
)


class Script:
    def __init__(self) -> None:
        self.replies: list[dict[str, Any]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        reply = self.replies.pop(0) if self.replies else {"status": 503, "content": ""}
        if reply["status"] != 200:
            body = {"error": {"message": reply["content"][:200]}}
            return httpx.Response(reply["status"], json=body)
        if reply["shape"] == "garbage":
            return httpx.Response(200, content=reply["content"].encode())
        message: dict[str, Any] = {"role": "assistant", "content": reply["content"]}
        if reply["shape"] == "refusal":
            message = {"role": "assistant", "content": None, "refusal": reply["content"]}
        if reply["shape"] == "tool_call":
            function = {"name": "PipelinePlan", "arguments": reply["content"]}
            message["tool_calls"] = [{"id": "c1", "type": "function", "function": function}]
        choice = {"index": 0, "message": message, "finish_reason": reply["finish_reason"]}
        usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
        body = {"id": "x", "object": "chat.completion", "created": 0, "model": "m"}
        return httpx.Response(200, json={**body, "choices": [choice], "usage": usage})


@pytest.fixture(scope="module")
def mocked():
    from langchain_openai import ChatOpenAI

    script = Script()
    client = httpx.Client(transport=httpx.MockTransport(script.handle))
    llm = ChatOpenAI(
        model="fuzz",
        base_url="http://fuzz.invalid/v1",
        api_key="sk-fuzz-not-real",
        http_client=client,
        max_retries=0,
        temperature=0,
    )
    base = replace(
        resolve_settings("openai:fuzz", base_url="http://fuzz.invalid/v1"),
        max_retries=0,
        backoff_seconds=0,
        repair_rounds=1,
    )
    return script, llm, base


FUZZ = settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(first=replies, second=replies)
def test_planner_survives_malformed_replies(mocked, first, second):
    script, llm, base = mocked
    script.replies = [first, second]
    try:
        outcome = plan_with_llm(REQUIREMENT, base, registry=REGISTRY, usage=Usage(), llm=llm)
    except SagewrightError as exc:
        assert exc.code and exc.code != "error"
        return
    assert all(n.split("_")[0] in STEP_TYPES for n in outcome.topology)


@FUZZ
@given(first=replies, second=replies)
def test_extractor_survives_malformed_replies(mocked, first, second):
    script, llm, base = mocked
    script.replies = [first, second]
    try:
        result = extract_with_llm(
            REQUIREMENT, Topology.parse(GOOD), base, usage=Usage(), registry=REGISTRY, llm=llm
        )
    except SagewrightError as exc:
        assert exc.code and exc.code != "error"
        return
    assert result.backend == "openai:fuzz"
