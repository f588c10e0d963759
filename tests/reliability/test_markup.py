"""Issue 13 item 9: Rich markup in a user string is printed as typed, never parsed.

A folder named ``o[/x]``, a node named ``[/red]`` or a defaults key ``[/red]`` raised
``MarkupError`` (exit 3); each must print literally.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagewright.cli import main
from tests.conftest import golden_case

ROLE = "arn:aws:iam::123456789012:role/Exec"
MARKUP = ["[/red]", "o[/x]", "[bold]x[/bold]", "[link=file:///etc]y"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    captured = capsys.readouterr()
    code = info.value.code
    return code if isinstance(code, int) else 0, captured.out, captured.err


@pytest.mark.parametrize("name", MARKUP)
def test_validate_prints_a_markup_node_name_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({name: [], "XGBoostTraining": [name]}))
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1, err
    assert "internal error" not in err
    assert name in out


@pytest.mark.parametrize("name", ["o[/x]", "[bold]x[/bold]"])
def test_generate_prints_a_markup_folder_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    requirement = golden_case("vis-10-xgb-e2e-calibration")["requirement"]
    defaults = tmp_path / "defaults.json"
    defaults.write_text(
        json.dumps({"role_arn": ROLE, "bucket": "acme-ml", "pipeline_name": "fraud"})
    )
    code, out, err = run(capsys, "generate", requirement, "--out", name, "--defaults",
                         str(defaults), "--yes")  # fmt: skip
    assert "internal error" not in err
    assert code == 0, err
    assert f"wrote {name}" in out


def test_generate_names_a_markup_defaults_key_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    defaults = tmp_path / "defaults.json"
    defaults.write_text(json.dumps({"[/red]": "x"}))
    code, _, err = run(capsys, "generate", "train xgboost on s3://acme/train/ label y",
                       "--out", "o", "--defaults", str(defaults), "--yes")  # fmt: skip
    assert "internal error" not in err
    assert code == 2
    assert "[/red]" in err


def test_batch_table_prints_markup_reasons_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = tmp_path / "items.jsonl"
    inputs.write_text(json.dumps({"id": "a", "requirement": "[/red] [bold]nothing"}) + "\n")
    code, out, err = run(capsys, "batch", str(inputs), "--out", str(tmp_path / "b[/x]"))
    assert "internal error" not in err, err
    assert code in (0, 1)
    assert "b[/x]" in out
