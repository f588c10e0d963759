"""#13 item 1: ``--out`` never deletes files sagewright did not write; ``--out .`` works."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sagewright.chat import ChatSession
from sagewright.folders import MARKER
from sagewright.generate import generate
from tests.reliability.helpers import E2E_TOPOLOGY, SMALL, run, tree, write_json

FACTS = {
    "region": "us-east-1",
    "role_arn": "arn:aws:iam::123456789012:role/Exec",
    "bucket": "team-ml",
    "pipeline_name": "p",
    "data.training.s3_uri": "s3://team-ml/train/",
    "label_name": "is_fraud",
}


def _project(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """A user's project: its own code, a manifest.json of theirs, a topology and a config."""
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "train.py").write_text("print('mine')\n")
    (folder / "manifest.json").write_text('{"mine": true}\n')
    topology = write_json(folder / "topology.json", E2E_TOPOLOGY)
    facts = write_json(folder / "facts.json", FACTS)
    config = folder / "config.json"
    code, _, err = run(
        capsys, "init-config", "--topology", str(topology), "--facts", str(facts),
        "--out", str(config),
    )  # fmt: skip
    assert code == 0, err
    return topology, config


def test_assemble_into_a_project_folder_is_refused(tmp_path, capsys, monkeypatch):
    topology, config = _project(tmp_path / "proj", capsys)
    before = tree(tmp_path / "proj")
    monkeypatch.chdir(tmp_path / "proj")
    for out in (str(tmp_path / "proj"), "."):
        code, _, err = run(
            capsys, "assemble", "--topology", str(topology), "--config", str(config),
            "--out", out,
        )  # fmt: skip
        assert code == 2, err
        assert len(err.strip().splitlines()) == 1 and "out_dir_exists" in err
        assert "manifest.json" in err and "src" in err
        assert tree(tmp_path / "proj") == before


def test_generate_refuses_a_folder_with_foreign_files_and_replaces_its_own(tmp_path):
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "topology.json").write_text("{}")  # looks like an output, is not ours
    (mixed / "notes.md").write_text("keep")
    with pytest.raises(Exception) as info:
        generate(SMALL, mixed)
    assert getattr(info.value, "code", "") == "out_dir_exists"
    assert tree(mixed) == {"notes.md": b"keep", "topology.json": b"{}"}
    out = tmp_path / "out"
    generate(SMALL, out)
    first = tree(out)
    assert json.loads(first[MARKER])["kind"] == "generate"
    generate(SMALL, out)  # our own, unedited: replaced
    assert tree(out) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mixed", "out"]  # no leftovers


def test_out_dot_writes_the_working_folder_and_keeps_it_usable(tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for _ in range(2):  # empty, then our own earlier output
        code, _, err = run(capsys, "generate", SMALL, "--out", ".", "--yes")
        assert code == 0, err
        assert Path.cwd() == work and os.path.samefile(".", work)
    assert {p.name for p in work.iterdir()} == {
        MARKER, "README.md", "config.json", "pipeline.json", "pipeline.mmd", "topology.json",
    }  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    (work / "mine.txt").write_text("x")
    code, _, err = run(capsys, "generate", SMALL, "--out", ".", "--yes")
    assert code == 2 and "mine.txt" in err and len(err.strip().splitlines()) == 1
    assert (work / "mine.txt").read_text() == "x"


def test_batch_keeps_a_summary_json_it_did_not_write(tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text(SMALL)
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"my": "report"}')
    code, _, err = run(capsys, "batch", str(inputs), "--out", str(out))
    assert code == 2 and "summary.json" in err and len(err.strip().splitlines()) == 1
    assert (out / "summary.json").read_text() == '{"my": "report"}'
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]  # no item ran
    fresh = tmp_path / "fresh"
    assert run(capsys, "batch", str(inputs), "--out", str(fresh))[0] == 0
    assert run(capsys, "batch", str(inputs), "--out", str(fresh))[0] == 0  # ours: replaced


def test_chat_export_refuses_a_foreign_folder(tmp_path):
    chat = ChatSession("s", db_path=tmp_path / "db.sqlite", out_root=tmp_path / "chats")
    try:
        for line in (SMALL, "ok"):
            chat.send(line)
        foreign = tmp_path / "foreign"
        foreign.mkdir()
        (foreign / "topology.json").write_text("{}")
        (foreign / "data.csv").write_text("a,b\n")
        reply = chat.send(f"/export {foreign}")
        assert "Export failed" in reply.text and "data.csv" in reply.text
        assert tree(foreign) == {"data.csv": b"a,b\n", "topology.json": b"{}"}
    finally:
        chat.close()
