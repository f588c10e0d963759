"""The shared LLM plumbing against the scripted OpenAI-compatible server."""

import pytest
from langchain_core.messages import HumanMessage

from sagewright.agents.llm import (
    LLMMalformedOutputError,
    LLMRateLimitedError,
    LLMRefusedError,
    LLMTimeoutError,
    Usage,
    chat_model,
    invoke_structured,
    resolve_settings,
)
from sagewright.errors import AgentError

SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string", "enum": ["yes", "no"]}},
    "required": ["answer"],
    "additionalProperties": False,
}


def call(settings, usage=None):
    usage = usage or Usage()
    llm = chat_model(settings)
    reply = invoke_structured(
        llm,
        [HumanMessage("q?")],
        schema=SCHEMA,
        name="Answer",
        settings=settings,
        usage=usage,
        sleep=lambda s: None,
    )
    return reply, usage


def test_structured_call_sends_strict_schema_and_counts_usage(llm_server):
    llm_server.script(
        {"json": {"answer": "yes"}, "usage": {"prompt_tokens": 7, "completion_tokens": 3}}
    )
    reply, usage = call(resolve_settings("openai:test-model"))
    assert reply.parsed == {"answer": "yes"}
    fmt = llm_server.requests[0]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["properties"]["answer"]["enum"] == ["yes", "no"]
    assert usage.to_dict() == {
        "calls": 1,
        "input_tokens": 7,
        "output_tokens": 3,
        "total_tokens": 10,
    }


def test_rate_limit_then_success(llm_server):
    llm_server.script({"status": 429, "headers": {"retry-after": "0"}}, {"json": {"answer": "no"}})
    reply, _ = call(resolve_settings("openai:test-model"))
    assert reply.parsed == {"answer": "no"} and len(llm_server.requests) == 2


def test_rate_limit_exhausted_is_typed(llm_server):
    llm_server.script(*[{"status": 429}] * 3)
    with pytest.raises(LLMRateLimitedError):
        call(resolve_settings("openai:test-model"))


def test_refusal_is_typed(llm_server):
    llm_server.script({"refusal": "I can't help with that."})
    with pytest.raises(LLMRefusedError, match="can't help"):
        call(resolve_settings("openai:test-model"))


def test_malformed_json_carries_the_raw_text(llm_server):
    llm_server.script({"content": "{not json"})
    with pytest.raises(LLMMalformedOutputError) as info:
        call(resolve_settings("openai:test-model"))
    assert info.value.raw == "{not json"


def test_timeout_is_typed(llm_server):
    llm_server.script(*[{"sleep": 0.6, "json": {"answer": "yes"}}] * 3)
    with pytest.raises(LLMTimeoutError):
        call(resolve_settings("openai:test-model", timeout=0.2))


def test_settings_precedence(tmp_path, monkeypatch):
    monkeypatch.delenv("SAGEWRIGHT_MODEL", raising=False)
    monkeypatch.delenv("SAGEWRIGHT_BASE_URL", raising=False)
    conf = tmp_path / "s.toml"
    conf.write_text('[llm]\nmodel = "openai:from-file"\nrepair_rounds = 1\n')
    assert resolve_settings(config_file=conf).model == "openai:from-file"
    monkeypatch.setenv("SAGEWRIGHT_MODEL", "openai:from-env")
    assert resolve_settings(config_file=conf).model == "openai:from-env"
    assert resolve_settings("offline", config_file=conf).offline
    conf.write_text('[llm]\nmodle = "x"\n')
    with pytest.raises(AgentError, match="modle"):
        resolve_settings(config_file=conf)
    with pytest.raises(AgentError) as info:
        resolve_settings("gpt-4")
    assert info.value.code == "bad_model_string"
