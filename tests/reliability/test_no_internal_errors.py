"""Issue 13 item 8: inputs that ended in ``internal error`` (exit 3) are one typed line, exit 2.

Each case runs the real command line in-process and checks: the exit code, exactly one
``error[code]:`` line on stderr naming what is wrong, and no half-written file left behind.
"""

from __future__ import annotations

import errno
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sagewright.builders.deploy import write_deploy_folder
from sagewright.cli import main
from sagewright.config_file import dump_configs, load_configs
from sagewright.errors import ConfigError
from tests.builders.test_deploy import full_assembly
from tests.conftest import FULL_VALUES, golden_case

ROLE = FULL_VALUES["role_arn"]
E2E = "vis-10-xgb-e2e-calibration"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    captured = capsys.readouterr()
    return int(info.value.code or 0), captured.out, captured.err


def assert_typed(err: str, code: str, *mentions: str) -> None:
    """One ``error[code]:`` line on stderr, mentioning each of ``mentions``."""
    assert "Traceback" not in err and "internal error" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("error")]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error[{code}]:"), lines[0]
    for text in mentions:
        assert text in lines[0], lines[0]


def write(path: Path, data: Any) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


# ------------------------------------------------------------------ topologies and JSON


def test_empty_topology_is_invalid_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    topology = write(tmp_path / "t.json", {})
    code, out, _ = run(capsys, "validate", str(topology))
    assert code == 1 and "empty_topology" in out
    code, _, err = run(capsys, "init-config", "--topology", str(topology), "--out",
                       str(tmp_path / "c.json"))  # fmt: skip
    assert code == 2
    assert_typed(err, "empty_topology")
    assert not (tmp_path / "c.json").exists()
    config = write(tmp_path / "c0.json", {"format_version": 1, "nodes": {}})
    code, _, err = run(capsys, "assemble", "--topology", str(topology), "--config", str(config),
                       "--out", str(tmp_path / "d"))  # fmt: skip
    assert code == 2
    assert_typed(err, "empty_topology")


DEEP = {"array": "[" * 100_000 + "]" * 100_000, "object": '{"a":' * 100_000 + "1" + "}" * 100_000}


@pytest.mark.parametrize("shape", sorted(DEEP))
def test_deeply_nested_json_is_malformed_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    monkeypatch.chdir(tmp_path)
    deep = write(tmp_path / "deep.json", DEEP[shape])
    topology = write(tmp_path / "t.json", golden_case(E2E)["topology"])
    calls = [
        ["validate", str(deep)],
        ["init-config", "--topology", str(deep), "--out", "c.json"],
        ["assemble", "--topology", str(topology), "--config", str(deep), "--out", "d"],
        ["generate", "train xgboost", "--defaults", str(deep), "--out", "g", "--yes"],
        ["init-config", "--topology", str(topology), "--facts", str(deep), "--out", "c.json"],
    ]
    for argv in calls:
        code, _, err = run(capsys, *argv)
        assert code == 2, argv
        assert_typed(err, "malformed_json", "deep.json", "nested")
    jsonl = write(tmp_path / "deep.jsonl", DEEP[shape] + "\n")
    code, _, err = run(capsys, "batch", str(jsonl), "--out", "b")
    assert code == 2
    assert_typed(err, "malformed_json", "deep.jsonl:1")
    assert not any(tmp_path.glob("[cdgb]")), list(tmp_path.iterdir())


# ------------------------------------------------------------------ config and defaults files


def test_a_typo_under_shared_is_an_error() -> None:
    case = golden_case(E2E)
    from sagewright.builders.scaffolding import scaffold_configs

    document = dump_configs(scaffold_configs(case["topology"], case["facts"]).configs)
    document["shared"]["lable_name"] = "is_fraud"
    with pytest.raises(ConfigError) as exc:
        load_configs(document)
    assert exc.value.code == "unknown_field"
    assert "lable_name" in str(exc.value)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("region", "mars"),
        ("bucket", "Bad_Bucket"),
        ("hyperparameters.max_depth", "deep"),
        ("label_name", ["is_fraud"]),
    ],
)
def test_a_bad_defaults_value_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, value: Any
) -> None:
    defaults = write(tmp_path / "my-defaults.json", {**FULL_VALUES, key: value})
    requirement = golden_case(E2E)["requirement"]
    code, _, err = run(capsys, "generate", requirement, "--defaults", str(defaults),
                       "--out", str(tmp_path / "g"), "--yes")  # fmt: skip
    assert code == 2
    assert_typed(err, "invalid_value", "my-defaults.json", key)
    assert "^" not in err  # what a valid value looks like, not a raw regex
    assert not (tmp_path / "g").exists()


# ------------------------------------------------------------------ eval outputs and baseline


@pytest.mark.parametrize("flag", ["--report", "--predictions-out", "--update-baseline"])
def test_eval_output_that_is_a_folder_is_refused_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    golden = write(tmp_path / "g.jsonl", json.dumps(golden_case(E2E)) + "\n")
    folder = tmp_path / "a-folder"
    folder.mkdir()
    code, _, err = run(capsys, "eval", "--golden", str(golden), "--no-facts", flag, str(folder))
    assert code == 2
    assert_typed(err, "out_is_folder", flag, "a-folder")


def test_a_string_metric_in_the_baseline_is_a_typed_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    golden = write(tmp_path / "g.jsonl", json.dumps(golden_case(E2E)) + "\n")
    baseline = write(tmp_path / "b.json", {"exact": "high", "by_tag": {}})
    code, _, err = run(capsys, "eval", "--golden", str(golden), "--no-facts",
                       "--baseline", str(baseline))  # fmt: skip
    assert code == 2
    assert_typed(err, "bad_baseline", "exact")
    write(baseline, {"by_tag": {"chain": {"node_f1": [1]}}})
    code, _, err = run(capsys, "eval", "--golden", str(golden), "--no-facts",
                       "--baseline", str(baseline))  # fmt: skip
    assert code == 2
    assert_typed(err, "bad_baseline", "node_f1")


# ------------------------------------------------------------------ deploy manifest


def _edited(manifest: dict[str, Any], how: str) -> None:
    if how == "missing pipeline_name":
        del manifest["pipeline_name"]
    elif how == "missing code bucket":
        del manifest["code"][0]["bucket"]
    elif how == "bad bucket":
        manifest["code"][0]["bucket"] = "Not A Bucket"
    elif how == "absolute file":
        manifest["code"][0]["files"] = ["/etc/hostname"]
    elif how == "parent file":
        manifest["code"][0]["files"] = ["../../../etc/hostname"]
    elif how == "files not a list":
        manifest["code"][0]["files"] = 5


@pytest.mark.parametrize(
    "how",
    [
        "missing pipeline_name",
        "missing code bucket",
        "bad bucket",
        "absolute file",
        "parent file",
        "files not a list",
    ],
)
def test_hand_edited_manifest_is_refused_before_reading_files(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    folder = write_deploy_folder(full_assembly(E2E), tmp_path / "deploy")
    manifest = json.loads((folder / "manifest.json").read_text())
    _edited(manifest, how)
    write(folder / "manifest.json", manifest)
    read: list[str] = []
    original = Path.read_bytes

    def spy(self: Path) -> bytes:
        read.append(str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    code, _, err = run(capsys, "deploy", str(folder), "--role", ROLE)
    assert code == 2
    assert_typed(err, "bad_deploy_folder", "manifest.json")
    assert not [p for p in read if "hostname" in p]


# ------------------------------------------------------------------ chat session store


@pytest.mark.parametrize("broken", ["home is a file", "corrupt store"])
def test_session_store_that_cannot_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    if broken == "home is a file":
        home = write(tmp_path / "home", "not a folder")
    else:
        home = tmp_path
        write(tmp_path / "sessions.sqlite", "this is not a database " * 100)
    monkeypatch.setenv("SAGEWRIGHT_HOME", str(home))
    monkeypatch.setattr("sys.stdin", _lines("hello"))
    code, _, err = run(capsys, "chat", "--session", "s")
    assert code == 2
    assert_typed(err, "session_store")


def test_unknown_key_in_saved_chat_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAGEWRIGHT_HOME", str(tmp_path))
    with sqlite3.connect(tmp_path / "sessions.sqlite") as db:
        db.execute(
            "CREATE TABLE turns (session TEXT, seq INTEGER, user TEXT, reply TEXT, state TEXT, "
            "PRIMARY KEY (session, seq))"
        )
        db.execute(
            "INSERT INTO turns VALUES ('s', 1, 'hi', 'hello', ?)",
            (json.dumps({"phase": "describe", "from_the_future": 1}),),
        )
    db.close()
    monkeypatch.setattr("sys.stdin", _lines("hello"))
    code, _, err = run(capsys, "chat", "--session", "s")
    assert code == 2
    assert_typed(err, "bad_session_state", "'s'")


def _lines(*lines: str) -> Any:
    import io

    return io.StringIO("".join(line + "\n" for line in lines))


# ------------------------------------------------------------------ a full disk


def _disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: Path, *args: Any, **kwargs: Any) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_text", full)
    monkeypatch.setattr(Path, "write_bytes", full)


def _leftovers(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.name.startswith(".")
        or p.name.endswith(".tmp")
        or (p.is_file() and not p.stat().st_size)
    )


@pytest.mark.parametrize("command", ["generate", "assemble", "batch"])
def test_full_disk_is_one_line_and_leaves_nothing_half_written(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    case = golden_case(E2E)
    defaults = write(tmp_path / "defaults.json", FULL_VALUES)
    topology = write(tmp_path / "t.json", case["topology"])
    from sagewright.builders.scaffolding import scaffold_configs

    configs = scaffold_configs(case["topology"], {**FULL_VALUES, **case["facts"]}).configs
    config = write(tmp_path / "c.json", dump_configs(configs))
    items = write(tmp_path / "items.jsonl", json.dumps({"id": "a", **case}) + "\n")
    argv: dict[str, list[str]] = {
        "generate": ["generate", case["requirement"], "--defaults", str(defaults), "--out", "o",
                     "--yes"],
        "assemble": ["assemble", "--topology", str(topology), "--config", str(config), "--out",
                     "o"],
        "batch": ["batch", str(items), "--out", "o", "--defaults", str(defaults)],
    }  # fmt: skip
    before = set(tmp_path.iterdir())
    _disk_full(monkeypatch)
    code, _, err = run(capsys, *argv[command])
    monkeypatch.undo()
    assert code == 2, err
    assert_typed(err, "unwritable_out", "No space left on device")
    created = set(tmp_path.iterdir()) - before
    assert all(p.is_dir() and not any(p.iterdir()) for p in created) or command == "batch", created
    assert _leftovers(tmp_path) == []


def test_full_disk_in_chat_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sagewright.chat import ChatSession

    monkeypatch.setenv("SAGEWRIGHT_HOME", str(tmp_path))
    real_execute: Callable[..., Any] = sqlite3.Connection.execute

    class FullDisk(sqlite3.Connection):
        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
            if sql.startswith("INSERT"):
                raise sqlite3.OperationalError("database or disk is full")
            return real_execute(self, sql, *args)

    original_connect = sqlite3.connect
    monkeypatch.setattr(
        sqlite3, "connect", lambda *a, **k: original_connect(*a, **k, factory=FullDisk)
    )
    monkeypatch.setattr("sys.stdin", _lines("train xgboost on s3://acme-ml/train/ label y"))
    code, _, err = run(capsys, "chat", "--session", "s")
    assert code == 2
    assert_typed(err, "session_store", "disk is full")
    assert ChatSession  # the module imported; the store holds no half turn
    monkeypatch.undo()
    with original_connect(tmp_path / "sessions.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM turns").fetchone() == (0,)
