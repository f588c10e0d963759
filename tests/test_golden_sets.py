"""Every golden set under eval/golden/ is well-formed, and each red-team set keeps its baseline.

The visible set (``topologies.jsonl``) is scored against ``eval/baselines/offline.json`` in
test_eval_harness.py; every other ``eval/golden/NAME.jsonl`` has ``eval/baselines/NAME.json``
(written with ``--no-facts`` when the set states no facts).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagewright.checker import check_topology
from sagewright.eval_harness import (
    GoldenCase,
    baseline_regressions,
    load_golden,
    read_baseline,
    run_eval,
)
from sagewright.topology import step_type_of

ROOT = Path(__file__).resolve().parents[1]
GOLDEN_DIR = ROOT / "eval" / "golden"
BASELINES = ROOT / "eval" / "baselines"
GOLDEN_FILES = sorted(GOLDEN_DIR.glob("*.jsonl"))
TRAINERS = {"XGBoostTraining", "PyTorchTraining", "HyperparameterTuning"}
SCORED_HERE = [p for p in GOLDEN_FILES if p.name != "topologies.jsonl"]


def _raw(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _existing_model(case: GoldenCase) -> bool:
    """Model steps may read a model file from config: stated, or (no facts) nothing trains."""
    if case.facts:
        return "existing_model_uri" in case.facts
    return not any(step_type_of(node) in TRAINERS for node in case.topology)


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda p: p.name)
def test_golden_file_is_well_formed(path):
    cases = load_golden(path)
    for case, raw in zip(cases, _raw(path), strict=True):
        existing = _existing_model(case)
        result = check_topology(case.topology, existing_model=existing)
        assert result.ok, (case.id, [i.to_dict() for i in result.issues])
        for word in raw.get("unsupported") or []:
            assert word == word.lower() and word in raw["requirement"].lower(), (case.id, word)


@pytest.mark.parametrize("path", SCORED_HERE, ids=lambda p: p.name)
def test_golden_set_is_not_worse_than_its_baseline(path):
    baseline = BASELINES / f"{path.stem}.json"
    assert baseline.exists(), f"{path.name} needs a baseline: sagewright eval --update-baseline"
    cases = load_golden(path)
    # a set without facts (planner regressions) is scored like `sagewright eval --no-facts`
    extractor = "default" if any(c.facts for c in cases) else None
    run = run_eval(cases, model="offline", extractor=extractor)
    worse = baseline_regressions(run.summary(), read_baseline(baseline))
    assert worse == [], f"{path.name} regressed; fix it or update {baseline.name} on purpose"
