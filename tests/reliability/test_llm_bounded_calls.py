"""Issue 16: every call is bounded (max_tokens, per-call timeout, overall budget), and a cut-off
reply is repaired, not reported as unavailable. Real ChatOpenAI -> scripted server."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from sagewright.agents.llm import ECHO_CHARS, LLMTimeoutError
from sagewright.agents.llm_planner import plan_max_tokens
from sagewright.agents.planner import plan
from sagewright.registry import default_registry
from tests.reliability.conftest import GOOD, REQUIREMENT, node, plan_reply


def test_max_tokens_is_sent_and_derived_from_the_catalogue(llm_server, settings):
    llm_server.script(plan_reply(GOOD))
    result = plan(REQUIREMENT, settings=settings)
    assert result.valid
    sent = llm_server.requests[0]["max_completion_tokens"]
    assert sent == plan_max_tokens(default_registry(), settings)
    assert 60 * len(default_registry()) <= sent <= 4000
    assert result.llm_attempts[0].max_tokens == sent


def test_max_tokens_setting_wins(llm_server, settings):
    llm_server.script(plan_reply(GOOD))
    plan(REQUIREMENT, settings=replace(settings, max_tokens=321))
    assert llm_server.requests[0]["max_completion_tokens"] == 321


def test_length_stop_is_repaired_with_a_short_note(llm_server, settings):
    llm_server.script(
        {"content": '{"nodes": [{"name": "DataLoading_tra', "finish_reason": "length"},
        plan_reply(GOOD),
    )
    result = plan(REQUIREMENT, settings=settings, fallback=False)
    assert result.valid and result.fallback is None and result.topology == GOOD
    first, second = result.llm_attempts
    assert first.finish_reason == "length" and "cut off" in (first.error or "")
    assert first.rejected == '{"nodes": [{"name": "DataLoading_tra'
    assert second.finish_reason == "stop" and second.error is None
    repair = llm_server.requests[1]["messages"][-1]["content"]
    assert "cut off" in repair and "once" in repair


def test_endless_repetition_ends_at_the_token_cap_and_is_repaired(llm_server, settings):
    looping = node("DataLoading_training", [])
    llm_server.script({"runaway": looping}, plan_reply(GOOD))
    result = plan(REQUIREMENT, settings=settings, fallback=False)
    cap = plan_max_tokens(default_registry(), settings)
    assert result.valid and result.topology == GOOD
    assert result.llm_attempts[0].finish_reason == "length"
    assert result.llm_attempts[0].output_tokens <= cap
    echoed = llm_server.requests[1]["messages"][-2]["content"]
    assert len(echoed) <= ECHO_CHARS


def test_endless_repetition_every_round_falls_back_naming_the_cut_off(llm_server, settings):
    replies = [{"runaway": node(name, [])} for name in ("DataLoading_a", "Other_b", "Third_c")]
    llm_server.script(*replies)
    result = plan(REQUIREMENT, settings=settings)
    assert result.fallback == "llm_malformed"
    assert [a.finish_reason for a in result.llm_attempts] == ["length"] * 3
    assert any("cut off" in note for note in result.notes)


def test_the_same_rejected_reply_twice_stops_the_repairs(llm_server, settings):
    """At temperature 0 a real 0.5B model sent the same cut-off reply after each repair note
    (3 x 150 s); a repeat ends the rounds at once."""
    llm_server.script(*[{"runaway": node("DataLoading_training", [])}] * 3)
    result = plan(REQUIREMENT, settings=settings)
    assert result.fallback == "llm_malformed"
    assert [a.finish_reason for a in result.llm_attempts] == ["length"] * 2
    assert len(llm_server.requests) == 2
    assert any("repeated a reply" in note for note in result.notes)


def test_overall_budget_is_honoured_during_a_hanging_call(llm_server, settings):
    llm_server.script({"sleep": 10, **plan_reply(GOOD)})
    started = time.monotonic()
    with pytest.raises(LLMTimeoutError, match="budget"):
        plan(REQUIREMENT, settings=replace(settings, budget_seconds=0.5), fallback=False)
    assert time.monotonic() - started < 6.0  # returned at the budget, not the reply (10 s)


def test_budget_spent_falls_back_and_says_so(llm_server, settings):
    llm_server.script({"sleep": 3, **plan_reply(GOOD)})
    result = plan(REQUIREMENT, settings=replace(settings, budget_seconds=0.5))
    assert result.fallback == "llm_timeout" and result.valid
    assert "budget" in result.notes[-1] and "offline planner" in result.notes[-1]
    assert "budget" in (result.llm_attempts[0].error or "")


def test_per_call_timeout_is_retried_then_typed(llm_server, settings):
    llm_server.script(*[{"sleep": 1, **plan_reply(GOOD)}] * 2)
    with pytest.raises(LLMTimeoutError, match="did not answer"):
        plan(REQUIREMENT, settings=replace(settings, timeout=0.2, max_retries=1), fallback=False)
