"""Red-team regression cases kept as data in eval/golden/, checked case by case via the harness.

``planner-regressions.jsonl`` and ``extractor-regressions.jsonl`` hold the tables that used to
live inside tests (planner red-team round 2, the offline planner paraphrases, the
generalisation red team, extractor red-team round 2, the offline extractor paraphrases). Each
line is a golden case plus ``checks``:

- ``plan``: the harness's offline planner gives a valid plan that matches ``topology`` exactly
  (typed graph);
- ``facts``: the harness's extractor, run on the golden ``topology`` and read back with
  ``facts_of``, recovers exactly ``facts``: nothing missing, wrong or invented;
- ``typed``: besides, every recovered value has the golden value's JSON type.

An ``xfail`` reason marks a known gap (strict: it fails the suite once it passes); "nothing is
invented" is still checked for it. ``tests/test_golden_sets.py`` keeps each file at its
baseline in ``eval/baselines/``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from sagewright.agents.planner import PlanResult, plan
from sagewright.eval_harness import CaseResult, GoldenCase, default_extractor, load_golden, run_case
from sagewright.eval_metrics import fact_score
from tests.conftest import older_keys

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "eval" / "golden"
FILES = ("planner-regressions.jsonl", "extractor-regressions.jsonl")


def _cases() -> list[tuple[GoldenCase, dict[str, Any]]]:
    out = []
    for name in FILES:
        path = GOLDEN_DIR / name
        raw = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        out += list(zip(load_golden(path), raw, strict=True))
    return out


CASES = _cases()


def _params(check: str, *, honour_xfail: bool = True) -> list[Any]:
    return [
        pytest.param(
            case,
            raw,
            id=case.id,
            marks=(
                [pytest.mark.xfail(reason=raw["xfail"], strict=True)]
                if honour_xfail and "xfail" in raw
                else []
            ),
        )
        for case, raw in CASES
        if check in raw["checks"]
    ]


def _offline_plan(requirement: str) -> PlanResult:
    return plan(requirement, model="offline")


@cache
def _extracted_on_golden(case_id: str) -> CaseResult:
    """Run the case with the golden topology as the plan, so the extractor alone is judged."""
    case = next(c for c, _ in CASES if c.id == case_id)
    as_planned = replace(_offline_plan("Train XGBoost."), topology=case.topology)
    return run_case(case, planner=lambda _: as_planned, extractor=default_extractor())


@pytest.mark.parametrize(("case", "raw"), _params("plan"))
def test_planner_matches_the_golden_topology(case: GoldenCase, raw: dict[str, Any]) -> None:
    result = run_case(case, planner=_offline_plan, extractor=None)
    assert result.prediction.valid, result.prediction.errors
    assert result.score.exact, result.prediction.topology


@pytest.mark.parametrize(("case", "raw"), _params("facts"))
def test_extractor_recovers_exactly_the_stated_facts(case: GoldenCase, raw: dict[str, Any]) -> None:
    result = _extracted_on_golden(case.id)
    facts = result.prediction.facts
    assert facts is not None, result.prediction.extraction_error
    facts = older_keys(facts, case.facts)  # these tables predate the issue-11 fact keys
    score = fact_score(facts, case.facts)
    assert not (score.wrong or score.missing or score.invented_keys), (score, facts)
    if "typed" in raw["checks"]:
        assert facts == case.facts
        assert {k: type(v) for k, v in facts.items()} == {k: type(v) for k, v in case.facts.items()}


@pytest.mark.parametrize(("case", "raw"), _params("facts", honour_xfail=False))
def test_nothing_is_invented(case: GoldenCase, raw: dict[str, Any]) -> None:
    result = _extracted_on_golden(case.id)
    facts = result.prediction.facts
    assert facts is not None
    assert not fact_score(older_keys(facts, case.facts), case.facts).invented_keys, facts
