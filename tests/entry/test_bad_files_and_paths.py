"""Bad paths, unreadable files and wrongly typed settings end in one typed error line.

Covers --out under a file, init-config --out, --defaults files, batch inputs, chat /export
and LLM settings from the environment or a settings file: never a traceback.
"""

import json
from pathlib import Path

import pytest

from sagewright.chat import ChatSession
from sagewright.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fraud_xgboost_e2e.txt"
NOT_UTF8 = b"\xff\xfe not utf-8"


def run(capsys, *argv):
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in argv])
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


def generate_with_defaults(capsys, requirement: Path, defaults: Path, out: Path):
    """``generate --requirement-file R --defaults D --out O --yes``: (exit code, stderr)."""
    argv = ["--requirement-file", requirement, "--defaults", defaults, "--out", out, "--yes"]
    code, _, err = run(capsys, "generate", *argv)
    return code, err


def one_error_line(err: str, code: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and lines[-1].startswith(f"error[{code}]"), err
    assert "Traceback" not in err and "internal error" not in err


@pytest.fixture
def generated(tmp_path, capsys) -> Path:
    out = tmp_path / "gen"
    code, _, err = run(capsys, "generate", "--requirement-file", EXAMPLE, "--out", out, "--yes")
    assert code == 0, err
    return out


# --- an --out whose parent is a file ---------------------------------------------------------


def test_generate_out_under_a_file_is_a_typed_error(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" / "sub"
    code, _, err = run(capsys, "generate", "--requirement-file", EXAMPLE, "--out", out, "--yes")
    assert code == 2
    one_error_line(err, "unwritable_out")


def test_assemble_out_under_a_file_is_a_typed_error(generated, tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    code, _, err = run(
        capsys,
        "assemble",
        "--topology",
        generated / "topology.json",
        "--config",
        generated / "config.json",
        "--out",
        tmp_path / "afile" / "deploy",
    )
    assert code == 2
    one_error_line(err, "unwritable_out")


# --- init-config --out ----------------------------------------------------------------------


def test_init_config_creates_missing_parent_folders(generated, tmp_path, capsys):
    target = tmp_path / "new" / "deeper" / "config.json"
    code, _, err = run(
        capsys, "init-config", "--topology", generated / "topology.json", "--out", target
    )
    assert code == 0, err
    assert json.loads(target.read_text())["format_version"] == 1


@pytest.mark.parametrize("where", ["folder", "under_file"])
def test_init_config_unwritable_out_is_a_typed_error(generated, tmp_path, capsys, where):
    (tmp_path / "afile").write_text("x")
    target = generated if where == "folder" else tmp_path / "afile" / "config.json"
    code, _, err = run(
        capsys, "init-config", "--topology", generated / "topology.json", "--out", target
    )
    assert code == 2
    one_error_line(err, "unwritable_out")
    assert (tmp_path / "afile").read_text() == "x"


# --- --defaults that cannot be read, or a wrongly typed one ---------------------------------


@pytest.mark.parametrize("kind", ["folder", "not_utf8"])
def test_unreadable_defaults_file_is_a_typed_error(tmp_path, capsys, kind):
    defaults = tmp_path / "defaults"
    if kind == "folder":
        defaults.mkdir()
    else:
        defaults.write_bytes(NOT_UTF8)
    code, err = generate_with_defaults(capsys, EXAMPLE, defaults, tmp_path / "out")
    assert code == 2
    one_error_line(err, "unreadable_file")


def test_defaults_giving_a_whole_hyperparameters_value_of_the_wrong_type(tmp_path, capsys):
    requirement = tmp_path / "req.txt"
    requirement.write_text(
        "Build an XGBoost pipeline named fraud-xgb in us-east-1 with role "
        "arn:aws:iam::123456789012:role/Exec and bucket team-ml. Training data is at "
        "s3://acme/raw/train/, label is_fraud. Train XGBoost and register the model."
    )
    defaults = tmp_path / "defaults.json"
    defaults.write_text(json.dumps({"XGBoostTraining.hyperparameters": 1}))
    code, err = generate_with_defaults(capsys, requirement, defaults, tmp_path / "out")
    assert code == 2
    assert err.startswith("error[") and "internal error" not in err, err


# --- batch inputs ---------------------------------------------------------------------------


def test_batch_folder_with_a_non_utf8_file_is_a_typed_error(tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "good.txt").write_text(EXAMPLE.read_text())
    (inputs / "bad.txt").write_bytes(NOT_UTF8)
    code, _, err = run(capsys, "batch", inputs, "--out", tmp_path / "out")
    assert code == 2
    one_error_line(err, "unreadable_file")
    assert "bad.txt" in err


def test_batch_non_utf8_jsonl_is_a_typed_error(tmp_path, capsys):
    inputs = tmp_path / "items.jsonl"
    inputs.write_bytes(NOT_UTF8)
    code, _, err = run(capsys, "batch", inputs, "--out", tmp_path / "out")
    assert code == 2
    one_error_line(err, "unreadable_file")


@pytest.mark.parametrize("item_id", ["summary.json", "summary.json.tmp"])
def test_batch_item_id_cannot_take_the_summary_name(tmp_path, capsys, item_id):
    inputs = tmp_path / "items.jsonl"
    inputs.write_text(json.dumps({"id": item_id, "requirement": EXAMPLE.read_text()}) + "\n")
    code, _, err = run(capsys, "batch", inputs, "--out", tmp_path / "out")
    assert code == 2
    one_error_line(err, "bad_item_id")


def test_batch_out_that_is_a_file_is_a_typed_error(tmp_path, capsys):
    inputs = tmp_path / "items.jsonl"
    inputs.write_text(json.dumps({"id": "a", "requirement": EXAMPLE.read_text()}) + "\n")
    (tmp_path / "afile").write_text("x")
    code, _, err = run(capsys, "batch", inputs, "--out", tmp_path / "afile")
    assert code == 2
    one_error_line(err, "unwritable_out")


# --- chat /export ---------------------------------------------------------------------------


def test_chat_export_to_an_unknown_users_home_is_a_reply(tmp_path, monkeypatch):
    monkeypatch.setenv("SAGEWRIGHT_HOME", str(tmp_path / "home"))
    chat = ChatSession("s1", out_root=tmp_path / "out")
    try:
        reply = chat.send("/export ~no-such-user-sagewright/x")
    finally:
        chat.close()
    assert reply.text.startswith("Export failed:")


# --- LLM settings of the wrong type ---------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "0", "-3"])
def test_bad_timeout_environment_variable_is_a_typed_error(tmp_path, capsys, monkeypatch, value):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SAGEWRIGHT_TIMEOUT", value)
    code, _, err = run(capsys, "plan", "Train XGBoost on s3://acme/train/ with label y")
    assert code == 2
    one_error_line(err, "bad_settings")


@pytest.mark.parametrize(
    "body",
    [
        "llm = 5\n",
        "[llm]\nmodel = 5\n",
        '[llm]\nmax_retries = "2"\n',
        '[llm]\ntimeout = "x"\n',
        "[llm]\nrepair_rounds = -1\n",
        "[llm]\nbackoff_seconds = true\n",
    ],
)
def test_settings_file_value_of_the_wrong_type_is_a_typed_error(tmp_path, capsys, body):
    conf = tmp_path / "s.toml"
    conf.write_text(body)
    code, _, err = run(
        capsys, "plan", "Train XGBoost on s3://acme/train/ with label y", "--config", conf
    )
    assert code == 2
    one_error_line(err, "bad_settings_file")


def test_settings_file_with_right_types_still_loads(tmp_path):
    from sagewright.agents.llm import resolve_settings

    conf = tmp_path / "s.toml"
    conf.write_text(
        '[llm]\nmodel = "openai:m"\nbase_url = "http://127.0.0.1:9/v1"\ntimeout = 5\n'
        "max_retries = 0\nbackoff_seconds = 0.5\nrepair_rounds = 1\n"
    )
    settings = resolve_settings(config_file=conf)
    assert (settings.timeout, settings.max_retries, settings.repair_rounds) == (5, 0, 1)
