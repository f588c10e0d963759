"""The eval harness: offline run on the golden set, predictions, summary, report, baselines."""

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from sagewright.agents.llm import Usage, resolve_settings
from sagewright.agents.planner import PlanResult, plan
from sagewright.cli import main
from sagewright.eval_harness import (
    EvalError,
    GoldenCase,
    baseline_regressions,
    load_golden,
    read_baseline,
    run_eval,
)
from sagewright.facts import PipelineValues

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "eval" / "golden" / "topologies.jsonl"
BASELINE = ROOT / "eval" / "baselines" / "offline.json"


@pytest.fixture(scope="module")
def cases():
    return load_golden(GOLDEN)


@pytest.fixture(scope="module")
def offline_run(cases):
    return run_eval(cases, model="offline")


def run_cli(capsys, *argv):
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


# --- the visible set, offline -----------------------------------------------------------------


def test_offline_planner_meets_the_bar_on_the_golden_set(offline_run):
    summary = offline_run.summary()
    assert summary["cases"] == 48
    assert summary["unsupported_named"] == 1.0
    assert summary["valid"] == 1.0
    assert summary["exact"] >= 0.90
    assert summary["node_f1"] >= 0.98
    assert summary["edge_f1"] >= 0.97
    assert summary["usage"]["calls"] == 0


def test_offline_run_is_not_worse_than_the_baseline(offline_run):
    worse = baseline_regressions(offline_run.summary(), read_baseline(BASELINE))
    assert worse == [], "offline eval regressed; fix it or update the baseline on purpose"


def test_summary_shape_and_tags(offline_run):
    summary = offline_run.summary()
    for key in ("cases", "valid", "exact", "node_f1", "edge_f1", "ged", "facts", "by_tag"):
        assert key in summary
    assert "facts_invented" in summary and "usage" in summary
    assert summary["by_tag"]["injection"]["cases"] == 3
    assert set(summary["usage"]) >= {"calls", "total_tokens", "seconds_per_case"}


def test_forty_cases_run_in_seconds_without_importing_sagemaker():
    code = (
        "import sys, time, json\n"
        "from pathlib import Path\n"
        "t = time.perf_counter()\n"
        "from sagewright.eval_harness import load_golden, run_eval\n"
        f"run = run_eval(load_golden(Path({str(GOLDEN)!r})))\n"
        "print(json.dumps({'seconds': time.perf_counter() - t,"
        " 'sagemaker': any(m == 'sagemaker' or m.startswith('sagemaker.') for m in sys.modules),"
        " 'exact': run.summary()['exact']}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["sagemaker"] is False  # speed itself is measured in benchmarks/, not here
    assert result["exact"] >= 0.9


# --- fake extractor, fake planner -------------------------------------------------------------


class FakeExtraction:
    def __init__(self, values):
        self.values = values
        self.usage = Usage(calls=1, input_tokens=10, output_tokens=5)


def fake_extractor(requirement, topology, *, model=None):
    values = PipelineValues.from_facts(
        {"label_name": "is_fraud", "region": "eu-west-1", "hyperparameters.eta": 0.3}
    )
    return FakeExtraction(values)


CASE = GoldenCase(
    id="c1",
    requirement="Train XGBoost on s3://a/train/ with label is_fraud and eta=0.1.",
    topology={
        "DataLoading_training": [],
        "TabularPreprocessing_training": ["DataLoading_training"],
        "XGBoostTraining": ["TabularPreprocessing_training"],
    },
    facts={"label_name": "is_fraud", "hyperparameters.eta": 0.1, "data.training.s3_uri": "s3://a/"},
    tags=("chain",),
)


def test_facts_are_read_back_from_filled_configs():
    run = run_eval([CASE], extractor=fake_extractor)
    pred = run.predictions()[0]
    assert set(pred) >= {"id", "topology", "facts", "valid", "errors", "attempts", "usage"}
    assert pred["facts"] == {
        "label_name": "is_fraud",
        "region": "eu-west-1",
        "hyperparameters.eta": 0.3,
    }
    summary = run.summary()
    assert summary["facts"] == pytest.approx(1 / 3, abs=1e-4)  # label right, eta wrong, s3 missing
    assert summary["facts_invented"] == 1  # region
    assert summary["usage"]["calls"] == 1 and summary["usage"]["total_tokens"] == 15


def test_extractor_errors_are_recorded_not_raised():
    from sagewright.errors import AgentError

    def broken(requirement, topology, *, model=None):
        raise AgentError("boom", code="llm_timeout")

    pred = run_eval([CASE], extractor=broken).predictions()[0]
    assert pred["facts"] == {} and pred["extraction_error"].startswith("llm_timeout")


def test_no_extractor_reports_facts_as_null():
    summary = run_eval([CASE], extractor=None).summary()
    assert summary["facts"] is None and summary["facts_invented"] is None


def fixed_planner(topology, existing=False):
    def planner(requirement):
        return PlanResult(topology, [], 1, Usage(), 0.0, "fake", existing_model=existing)

    return planner


def test_invalid_plan_is_counted_invalid_and_reported(tmp_path):
    broken = {"XGBoostTraining": [], "ModelRegistration": ["XGBoostTraining"]}
    run = run_eval([CASE], extractor=None, planner=fixed_planner(broken))
    assert run.summary()["valid"] == 0.0
    pred = run.predictions()[0]
    assert not pred["valid"]
    codes = {e["code"] for e in pred["errors"]}
    assert {"edge_carries_nothing", "unfed_input"} <= codes
    report = run.report()
    assert "### c1 (INVALID" in report and "edge_carries_nothing" in report
    assert "> Train XGBoost on s3://a/train/" in report


def test_report_lists_added_and_missing_edges():
    pred = {
        "DataLoading_training": [],
        "TabularPreprocessing_training": ["DataLoading_training"],
        "XGBoostTraining": ["TabularPreprocessing_training"],
        "PayloadGeneration": ["XGBoostTraining"],
    }
    run = run_eval([CASE], extractor=None, planner=fixed_planner(pred))
    report = run.report()
    assert "added edges: `XGBoostTraining -> PayloadGeneration`" in report
    assert "added nodes: `PayloadGeneration`" in report
    assert "## By tag" in report and "| chain | 1 |" in report


def test_existing_model_validity_comes_from_extracted_values():
    topo = {"XGBoostModel": []}
    case = replace(CASE, topology=topo, facts={})
    no_uri = run_eval([case], extractor=fake_extractor, planner=fixed_planner(topo, True))
    assert no_uri.predictions()[0]["valid"] is False  # values hold no existing model uri

    def with_uri(requirement, topology, *, model=None):
        values = PipelineValues.from_facts({"existing_model_uri": "s3://m/model.tar.gz"})
        return FakeExtraction(values)

    ok = run_eval([case], extractor=with_uri, planner=fixed_planner(topo))
    assert ok.predictions()[0]["valid"] is True


def test_baseline_regressions_per_metric():
    base = {"exact": 0.9, "ged": 0.1, "facts": None, "by_tag": {"dag": {"edge_f1": 1.0}}}
    now = {"exact": 0.85, "ged": 0.2, "facts": 0.5, "by_tag": {"dag": {"edge_f1": 0.9}}}
    worse = baseline_regressions(now, base)
    assert any(line.startswith("exact") for line in worse)
    assert any(line.startswith("ged") for line in worse)
    assert any(line.startswith("[dag] edge_f1") for line in worse)
    assert not any("facts" in line for line in worse)  # unknown in the baseline: skipped
    assert baseline_regressions(base, base) == []


def test_load_golden_errors_name_the_line(tmp_path):
    bad = tmp_path / "g.jsonl"
    bad.write_text('{"id": "a", "requirement": "x", "topology": {}}\n{not json}\n')
    with pytest.raises(EvalError, match=r"g.jsonl:2") as info:
        load_golden(bad)
    assert info.value.code == "malformed_json"
    bad.write_text('{"id": "a", "requirement": "x", "topology": {"A": "B"}}\n')
    with pytest.raises(EvalError) as info:
        load_golden(bad)
    assert info.value.code == "bad_golden_case"


# --- CLI --------------------------------------------------------------------------------------


def test_cli_eval_json_predictions_and_report(tmp_path, capsys):
    preds, report = tmp_path / "p.jsonl", tmp_path / "r.md"
    code, out, _ = run_cli(
        capsys,
        "eval",
        "--golden",
        str(GOLDEN),
        "--predictions-out",
        str(preds),
        "--report",
        str(report),
        "--baseline",
        str(BASELINE),
        "--json",
    )
    assert code == 0
    summary = json.loads(out)
    assert set(summary) >= {
        "cases",
        "valid",
        "exact",
        "node_f1",
        "edge_f1",
        "ged",
        "facts",
        "facts_invented",
        "by_tag",
        "usage",
    }
    lines = [json.loads(line) for line in preds.read_text().splitlines()]
    assert len(lines) == 48 and lines[0]["id"].startswith("vis-01")
    assert all(isinstance(line["notes"], list) for line in lines)
    assert "| exact |" in report.read_text()


def test_cli_eval_baseline_regression_exits_1(tmp_path, capsys):
    golden = tmp_path / "g.jsonl"
    golden.write_text(GOLDEN.read_text().splitlines()[0] + "\n")
    strict = tmp_path / "b.json"
    strict.write_text(json.dumps({"exact": 1.5}))
    code, _, err = run_cli(
        capsys, "eval", "--golden", str(golden), "--baseline", str(strict), "--json"
    )
    assert code == 1 and "regression: exact" in err


def test_cli_eval_update_baseline_writes_file(tmp_path, capsys):
    golden = tmp_path / "g.jsonl"
    golden.write_text(GOLDEN.read_text().splitlines()[0] + "\n")
    out_file = tmp_path / "new.json"
    code, _, _ = run_cli(
        capsys, "eval", "--golden", str(golden), "--update-baseline", str(out_file), "--json"
    )
    assert code == 0 and read_baseline(out_file)["exact"] == 1.0


def test_cli_eval_bad_input_exit_2(tmp_path, capsys):
    code, _, err = run_cli(capsys, "eval", "--golden", str(tmp_path / "missing.jsonl"))
    assert code == 2 and "file not found" in err and err.count("\n") == 1


# --- an LLM-backed run against the scripted server ---------------------------------------------


def nodes_of(topology):
    return [
        {"name": n, "step_type": n.split("_")[0], "parents": list(p)} for n, p in topology.items()
    ]


def test_llm_backed_run_against_scripted_server(llm_server, cases):
    chosen = cases[:2]
    for case in chosen:
        llm_server.script(
            {
                "json": {"nodes": nodes_of(case.topology), "existing_model": False, "notes": ""},
                "usage": {"prompt_tokens": 1000, "completion_tokens": 50},
            }
        )
    settings = replace(resolve_settings("openai:test-model"), backoff_seconds=0)

    def planner(requirement):
        return plan(requirement, settings=settings)

    run = run_eval(chosen, model="openai:test-model", extractor=None, planner=planner)
    summary = run.summary()
    assert summary["exact"] == 1.0 and summary["valid"] == 1.0
    assert summary["usage"]["calls"] == 2
    assert summary["usage"]["input_tokens"] == 2000
    assert summary["usage"]["tokens_per_case"] == 1050
    assert summary["usage"]["fallbacks"] == 0
    assert len(llm_server.requests) == 2
