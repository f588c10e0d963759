"""`generate`: requirement -> five files, offline, no API key."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sagewright.cli import main
from sagewright.config_file import load_configs
from sagewright.errors import ConfigError, SagewrightError
from sagewright.facts import PipelineValues
from sagewright.generate import generate, load_defaults
from sagewright.topology import Topology

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "fraud_xgboost_e2e.txt"
FILES = {"topology.json", "config.json", "pipeline.json", "pipeline.mmd", "README.md"}
MARKED = FILES | {".sagewright.json"}  # the marker records what sagewright wrote
TERSE = "Train XGBoost on s3://acme-fraud-ml/raw/train/ with label is_fraud and package it."


def test_example_writes_all_five_files(tmp_path):
    result = generate(EXAMPLE.read_text(), tmp_path / "out")
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir()} == MARKED
    topology = Topology.parse(json.loads((out / "topology.json").read_text()))
    configs = load_configs(out / "config.json", topology=topology)
    assert configs == result.configs
    definition = json.loads((out / "pipeline.json").read_text())
    assert {s["Name"] for s in _steps(definition)} >= set(topology.nodes)
    readme = (out / "README.md").read_text()
    assert "| `hyperparameters.max_depth` | `6` | stated |" in readme
    assert "flowchart TD" in (out / "pipeline.mmd").read_text()
    why = readme.split("## Why each step is there\n\n")[1].split("\n\n")[0].splitlines()
    assert [line.split("`")[1] for line in why] == list(topology.nodes)
    assert "- `XGBoostTraining`: the requirement says “Train XGBoost (max_depth=6" in readme
    assert "- `DataLoading_training`: needed by `TabularPreprocessing_training`'s input" in readme


def _steps(definition):
    for step in definition["Steps"]:
        yield step
        for branch in ("IfSteps", "ElseSteps"):
            yield from step.get("Arguments", {}).get(branch, [])


def test_missing_values_fail_listing_them(tmp_path):
    with pytest.raises(ConfigError) as info:
        generate(TERSE, tmp_path / "out")
    assert info.value.code == "missing_fields"
    for key in ("region", "role_arn", "bucket", "pipeline_name"):
        assert key in info.value.message
    assert not (tmp_path / "out").exists()


def test_defaults_file_fills_and_is_credited(tmp_path):
    defaults = tmp_path / "defaults.json"
    defaults.write_text(
        json.dumps(
            {
                "region": "eu-west-1",
                "role_arn": "arn:aws:iam::123456789012:role/Exec",
                "bucket": "team-ml",
                "pipeline_name": "fraud-terse",
            }
        )
    )
    generate(TERSE, tmp_path / "out", defaults=load_defaults(defaults))
    readme = (tmp_path / "out" / "README.md").read_text()
    assert "| `region` | `eu-west-1` | defaults file |" in readme
    assert "| `label_name` | `is_fraud` | stated |" in readme


def test_answers_fill_what_is_missing_and_bad_answers_are_reasked(tmp_path):
    answers = {
        "region": ["mars-north-1", "us-west-2"],
        "role_arn": ["arn:aws:iam::123456789012:role/Exec"],
        "bucket": ["team-ml"],
        "pipeline_name": ["fraud-terse"],
    }
    told = []

    def ask(question):
        return answers[question.key].pop(0)

    generate(TERSE, tmp_path / "out", ask=ask, tell=told.append)
    assert any("mars-north-1" in m for m in told)
    readme = (tmp_path / "out" / "README.md").read_text()
    assert "| `region` | `us-west-2` | answered |" in readme


def test_cli_generate_on_the_example_offline(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(SystemExit) as info:
        main(
            ["generate", "--requirement-file", str(EXAMPLE), "--out", str(tmp_path / "o"), "--yes"]
        )
    assert info.value.code == 0
    assert {p.name for p in (tmp_path / "o").iterdir()} == MARKED


def test_cli_generate_missing_values_exit_2_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["generate", TERSE, "--out", str(tmp_path / "o"), "--yes"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "missing essential values" in err and "Traceback" not in err


def test_generate_is_deterministic_across_processes(tmp_path):
    for name in ("a", "b"):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sagewright",
                "generate",
                "--requirement-file",
                str(EXAMPLE),
                "--out",
                str(tmp_path / name),
                "--yes",
            ],
            check=True,
            capture_output=True,
        )
    for file in FILES:
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), file


def test_out_folder_is_replaced_only_when_it_is_ours(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(SagewrightError) as info:
        generate(EXAMPLE.read_text(), precious)
    assert info.value.code == "out_dir_exists"
    assert [p.name for p in precious.iterdir()] == ["notes.txt"]
    out = tmp_path / "out"
    generate(EXAMPLE.read_text(), out)
    (out / "pipeline.mmd").unlink()  # removing a file of ours loses nothing
    generate(EXAMPLE.read_text(), out)
    assert {p.name for p in out.iterdir()} == MARKED
    (out / "stale.txt").write_text("not written by sagewright")
    with pytest.raises(SagewrightError) as info:
        generate(EXAMPLE.read_text(), out)
    assert info.value.code == "out_dir_exists" and "stale.txt" in str(info.value)
    assert (out / "stale.txt").read_text() == "not written by sagewright"


def test_undeclared_categories_across_job_types_are_flagged(tmp_path):
    defaults = PipelineValues()
    defaults.shared["cat_field_list"] = ["merchant_type"]
    result = generate(EXAMPLE.read_text(), tmp_path / "out", defaults=defaults)
    readme = result.files["README.md"]
    assert "categorical columns merchant_type are coded from each dataset" in readme
    defaults.shared["categories"] = {"merchant_type": ["online", "store"]}
    result = generate(EXAMPLE.read_text(), tmp_path / "out", defaults=defaults)
    assert "categorical columns" not in result.files["README.md"]


def test_generate_parses_the_plan_into_a_topology_once(tmp_path, monkeypatch):
    """The checker's parse is handed along: extraction, assembly and the README use it."""
    parsed: list[object] = []
    real_parse = Topology.parse.__func__  # type: ignore[attr-defined]

    def counting_parse(cls, data, **kwargs):
        if not isinstance(data, Topology):
            parsed.append(data)
        return real_parse(cls, data, **kwargs)

    monkeypatch.setattr(Topology, "parse", classmethod(counting_parse))
    result = generate(EXAMPLE.read_text(), tmp_path / "out")
    assert len(parsed) == 1
    assert parsed[0] == result.topology.to_dict()
    readme = (tmp_path / "out" / "README.md").read_text()
    assert (tmp_path / "out" / "pipeline.mmd").read_text() in readme  # one picture, shown twice


def test_values_of_asks_left_out_are_shown_and_written_not_understood(tmp_path, capsys):
    text = (
        "Pipeline churn-lgbm in eu-west-1, role arn:aws:iam::111122223333:role/Ml, bucket "
        "churn-ml. Please use LightGBM on s3://churn-ml/train/ (label churned), tune learning "
        "rate 0.01-0.3 with 20 jobs, and register it (approval: Approved) if AUC is at least 0.82."
    )
    with pytest.raises(SystemExit) as info:
        main(["generate", text, "--out", str(tmp_path / "out"), "--yes"])
    shown = capsys.readouterr()
    readme = (tmp_path / "out" / "README.md").read_text()
    screen = shown.err + shown.out
    for said in ("rate 0.01-0.3", "20 jobs", "approval: Approved", "AUC is at least 0.82"):
        lines = [line for line in screen.splitlines() if "not understood" in line and said in line]
        assert len(lines) == 1, (said, lines)  # said once, though the planner and the extractor
        assert said in readme.split("not understood", 1)[1], said  # both saw it
    assert info.value.code == 0
