"""Issue 16: structured-output modes per provider, and `auto` falling back to the next mode
when a server rejects one (llama-cpp-python's 500 on json_schema, llama-server ignoring an
object tool_choice). Real ChatOpenAI -> scripted server."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from sagewright.agents.llm import LLMUnavailableError, modes_for, resolve_settings
from sagewright.agents.planner import plan
from sagewright.cli import main
from tests.reliability.conftest import GOOD, REQUIREMENT, plan_reply


def test_auto_falls_back_from_json_schema_to_json_mode_after_a_500(llm_server, settings):
    llm_server.rejects_json_schema = True
    llm_server.script(plan_reply(GOOD))
    result = plan(REQUIREMENT, settings=settings, fallback=False)
    assert result.valid and result.topology == GOOD
    assert result.structured_output_mode == "json_mode"
    first, second = result.llm_attempts
    assert first.mode == "json_schema" and "response_format" in (first.error or "")
    assert second.mode == "json_mode" and second.error is None
    assert [r["response_format"]["type"] for r in llm_server.requests] == [
        "json_schema",
        "json_object",
    ]
    system = llm_server.requests[1]["messages"][0]["content"]
    assert '"step_type"' in system and "JSON schema" in system  # the schema is in the prompt


def test_auto_keeps_the_working_mode_for_repair_rounds(llm_server, settings):
    llm_server.rejects_json_schema = True
    broken = {"DataLoading_training": [], "XGBoostTraining": ["Nowhere"]}
    llm_server.script(plan_reply(broken), plan_reply(GOOD))
    result = plan(REQUIREMENT, settings=settings, fallback=False)
    assert result.valid
    assert [a.mode for a in result.llm_attempts] == ["json_schema", "json_mode", "json_mode"]
    assert result.llm_attempts[1].feedback and result.llm_attempts[1].rejected


def test_a_fixed_mode_is_not_switched_and_the_error_names_the_setting(llm_server, settings):
    llm_server.rejects_json_schema = True
    fixed = replace(settings, structured_output="json_schema")
    with pytest.raises(LLMUnavailableError, match="json_schema") as info:
        plan(REQUIREMENT, settings=fixed, fallback=False)
    assert "structured_output" in info.value.hint
    assert len(llm_server.requests) == 1  # not retried: the same request fails the same way


def test_function_calling_reads_the_tool_call(llm_server, settings):
    llm_server.script(plan_reply(GOOD))
    result = plan(REQUIREMENT, settings=replace(settings, structured_output="function_calling"))
    assert result.valid and result.structured_output_mode == "function_calling"
    body = llm_server.requests[0]
    assert body["tools"][0]["function"]["name"] == "PipelinePlan"
    assert body["tool_choice"]["function"]["name"] == "PipelinePlan"
    assert result.llm_attempts[0].finish_reason == "tool_calls"


def test_function_calling_with_tool_choice_ignored_still_reads_the_content(llm_server, settings):
    llm_server.ignores_tool_choice = True
    llm_server.script(plan_reply(GOOD))
    result = plan(REQUIREMENT, settings=replace(settings, structured_output="function_calling"))
    assert result.valid and result.fallback is None and result.topology == GOOD


def test_mode_setting_from_file_and_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("SAGEWRIGHT_STRUCTURED_OUTPUT", raising=False)
    conf = tmp_path / "s.toml"
    conf.write_text('[llm]\nmodel = "openai:x"\nstructured_output = "json_mode"\n')
    assert resolve_settings(config_file=conf).structured_output == "json_mode"
    monkeypatch.setenv("SAGEWRIGHT_STRUCTURED_OUTPUT", "function_calling")
    assert modes_for(resolve_settings(config_file=conf)) == ["function_calling"]
    monkeypatch.setenv("SAGEWRIGHT_STRUCTURED_OUTPUT", "xml")
    with pytest.raises(Exception, match="SAGEWRIGHT_STRUCTURED_OUTPUT") as info:
        resolve_settings(config_file=conf)
    assert getattr(info.value, "code", "") == "bad_settings"
    monkeypatch.delenv("SAGEWRIGHT_STRUCTURED_OUTPUT")
    conf.write_text('[llm]\nstructured_output = "grammar"\n')
    with pytest.raises(Exception, match="structured_output"):
        resolve_settings(config_file=conf)


def test_plan_json_prints_the_attempts_and_the_mode(llm_server, capsys):
    llm_server.rejects_json_schema = True
    llm_server.script(plan_reply(GOOD))
    with pytest.raises(SystemExit) as code:
        main(["plan", "--model", "openai:test-model", "--json", REQUIREMENT])
    assert code.value.code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["structured_output_mode"] == "json_mode"
    attempts = out["llm_attempts"]
    assert [a["mode"] for a in attempts] == ["json_schema", "json_mode"]
    assert "Input should be 'text' or 'json_object'" in attempts[0]["error"]
    assert attempts[1]["finish_reason"] == "stop" and attempts[1]["input_tokens"] == 100
