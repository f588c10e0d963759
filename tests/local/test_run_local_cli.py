"""``sagewright run-local`` exit codes: 2 for bad input (one typed line), 1 for a failed step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagewright.cli import main
from tests.local.golden import assemble_case, golden_cases


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(["run-local", *args])
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


@pytest.fixture
def data_only(tmp_path) -> Path:
    return assemble_case(golden_cases()["vis-05-calibration-data-prep"], tmp_path / "pipeline")


def test_a_folder_not_made_by_sagewright_is_bad_input(tmp_path, capsys):
    (tmp_path / "pipeline.json").write_text("{}")
    code, _, err = run_cli(capsys, str(tmp_path))
    assert code == 2
    assert "error[bad_local_run]" in err and "not a folder made by sagewright" in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_data_node_is_bad_input(data_only, tmp_path, capsys):
    table = tmp_path / "t.csv"
    table.write_text("a,b\n1,2\n")
    code, _, err = run_cli(capsys, str(data_only), "--data", f"Nope={table}")
    assert code == 2 and "--data Nope" in err and "DataLoading_calibration" in err


def test_unreadable_data_file_is_bad_input(data_only, tmp_path, capsys):
    table = tmp_path / "t.csv"
    table.write_bytes(b"PAR1 not really parquet")
    code, _, err = run_cli(
        capsys, str(data_only), "--data", f"DataLoading_calibration={table}", "--rows", "50"
    )
    assert code == 2 and "not a readable CSV or Parquet file" in err


def test_user_data_runs_and_json_reports_each_step(data_only, tmp_path, capsys):
    table = tmp_path / "calib.csv"  # vis-05: label delinquent_90d, id account_id
    rows = [f"acct-{i},{i % 7 * 0.5},{i % 2}" for i in range(60)]
    table.write_text("account_id,utilization,delinquent_90d\n" + "\n".join(rows) + "\n")
    code, out, err = run_cli(
        capsys,
        str(data_only),
        "--data",
        f"DataLoading_calibration={table}",
        "--work",
        str(tmp_path / "run"),
        "--json",
    )
    report = json.loads(out)
    assert code == 0, (err, report.get("log_tail"))
    assert [s["status"] for s in report["steps"]] == ["Succeeded", "Succeeded"]
    assert report["steps"][0]["notes"] == [f"data from {table}"]


def test_relative_paths_run_as_the_readme_writes_them(data_only, tmp_path, capsys, monkeypatch):
    (tmp_path / "calib.csv").write_text(
        "account_id,utilization,delinquent_90d\n"
        + "\n".join(f"acct-{i},{i % 7 * 0.5},{i % 2}" for i in range(60))
        + "\n"
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(
        capsys,
        data_only.name,
        "--data",
        "DataLoading_calibration=calib.csv",
        "--work",
        "run",
        "--json",
    )
    report = json.loads(out)
    assert code == 0, (err, report.get("log_tail"))
    assert [s["status"] for s in report["steps"]] == ["Succeeded", "Succeeded"]
    assert (tmp_path / "run" / "run.json").is_file()


def test_a_work_folder_with_files_of_its_own_is_never_deleted(data_only, tmp_path, capsys):
    work = tmp_path / "project"
    (work / "src").mkdir(parents=True)
    (work / "src" / "train.py").write_text("print('mine')\n")
    (work / "run.json").write_text('{"pipeline": "mine", "status": "x", "steps": []}')
    code, _, err = run_cli(capsys, str(data_only), "--work", str(work), "--rows", "50")
    assert code == 2 and "not an earlier run folder" in err
    assert (work / "src" / "train.py").read_text() == "print('mine')\n"


def test_a_failing_step_exits_1_naming_it_with_its_log_tail(data_only, tmp_path, capsys):
    table = tmp_path / "calib.csv"
    table.write_text("only_column\n1\n2\n")  # no label column: preprocessing fails
    code, out, _ = run_cli(capsys, str(data_only), "--data", f"DataLoading_calibration={table}")
    assert code == 1
    assert "failed at TabularPreprocessing_calibration" in out
    assert "not found in the data" in out
