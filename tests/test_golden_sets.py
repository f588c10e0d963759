"""Every golden set under eval/golden/ is well-formed, and each red-team set keeps its baseline.

The visible set (``topologies.jsonl``) is scored against ``eval/baselines/offline.json`` in
test_eval_harness.py; every other ``eval/golden/NAME.jsonl`` has ``eval/baselines/NAME.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagewright.checker import check_topology
from sagewright.eval_harness import baseline_regressions, load_golden, read_baseline, run_eval

ROOT = Path(__file__).resolve().parents[1]
GOLDEN_DIR = ROOT / "eval" / "golden"
BASELINES = ROOT / "eval" / "baselines"
GOLDEN_FILES = sorted(GOLDEN_DIR.glob("*.jsonl"))
SCORED_HERE = [p for p in GOLDEN_FILES if p.name != "topologies.jsonl"]


def _raw(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda p: p.name)
def test_golden_file_is_well_formed(path):
    cases = load_golden(path)
    for case, raw in zip(cases, _raw(path), strict=True):
        existing = "existing_model_uri" in case.facts
        result = check_topology(case.topology, existing_model=existing)
        assert result.ok, (case.id, [i.to_dict() for i in result.issues])
        for word in raw.get("unsupported") or []:
            assert word == word.lower() and word in raw["requirement"].lower(), (case.id, word)


@pytest.mark.parametrize("path", SCORED_HERE, ids=lambda p: p.name)
def test_golden_set_is_not_worse_than_its_baseline(path):
    baseline = BASELINES / f"{path.stem}.json"
    assert baseline.exists(), f"{path.name} needs a baseline: sagewright eval --update-baseline"
    run = run_eval(load_golden(path), model="offline")
    worse = baseline_regressions(run.summary(), read_baseline(baseline))
    assert worse == [], f"{path.name} regressed; fix it or update {baseline.name} on purpose"
