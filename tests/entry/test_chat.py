"""Chat sessions through the Python API and through a pseudo-terminal."""

import os
import signal
import sqlite3
import sys
from pathlib import Path

import pexpect
import pytest

from sagewright.chat import ChatSession

REQUIREMENT = (
    "Train XGBoost on s3://acme-fraud-ml/raw/train/ (label is_fraud, id txn_id), package it, "
    "generate sample payloads and register it in the model registry."
)


def answer_all_after(chat, reply, answers):
    while reply.phase == "questions":
        reply = chat.send(answers[reply.question.key])
    return reply


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("SAGEWRIGHT_HOME", str(tmp_path / "home"))
    return tmp_path


def answer_all(chat, answers):
    return answer_all_after(chat, chat.send("ok"), answers)


ANSWERS = {
    "region": "us-east-1",
    "role_arn": "arn:aws:iam::123456789012:role/Exec",
    "bucket": "team-ml",
    "pipeline_name": "fraud-chat",
}


def test_change_request_reask_and_export(home):
    chat = ChatSession("s1", out_root=home / "out")
    reply = chat.send(REQUIREMENT)
    assert reply.phase == "review" and "PayloadGeneration" in reply.text
    reply = chat.send("drop the payload step, no sample payloads needed")
    assert "removed PayloadGeneration" in reply.text
    assert "PayloadGeneration" not in chat.state.topology
    reply = chat.send("ok")
    assert reply.question.key == "region"
    reply = chat.send("mars-north-1")
    assert reply.question.key == "region" and "mars-north-1" in reply.text
    reply = chat.send("us-east-1")
    while reply.phase == "questions":
        reply = chat.send(ANSWERS[reply.question.key])
    assert reply.phase == "confirm"
    reply = chat.send("ok")
    assert reply.phase == "done"
    assert (Path(reply.out_dir) / "pipeline.json").is_file()
    readme = (Path(reply.out_dir) / "README.md").read_text()
    assert "| `region` | `us-east-1` | answered |" in readme


def test_values_no_field_takes_are_said_in_the_chat_and_the_readme(home):
    chat = ChatSession("s-unread", out_root=home / "out")
    chat.send(REQUIREMENT + " Use LightGBM with num_leaves=63.")
    reply = chat.send("ok")
    assert reply.phase == "questions"
    assert "Note: not understood: 'num_leaves=63'" in reply.text
    reply = answer_all_after(chat, reply, ANSWERS)
    reply = chat.send("ok")
    readme = (Path(reply.out_dir) / "README.md").read_text()
    assert "not understood: 'num_leaves=63'" in readme


def test_resume_show_and_undo(home):
    chat = ChatSession("s2", out_root=home / "out")
    chat.send(REQUIREMENT)
    chat.send("ok")
    chat.send("us-east-1")
    chat.close()
    resumed = ChatSession("s2", out_root=home / "out")
    assert resumed.state.question["key"] == "role_arn"
    assert "region = us-east-1  (answered)" in resumed.send("/show").text
    assert resumed.send("/undo").phase == "questions"
    assert resumed.state.question["key"] == "region"
    assert "Unknown command" in resumed.send("/nope").text


def test_export_command(home):
    chat = ChatSession("s3", out_root=home / "out")
    chat.send(REQUIREMENT)
    assert "Not ready" in chat.send(f"/export {home / 'x'}").text
    answer_all(chat, ANSWERS)
    reply = chat.send(f"/export {home / 'x'}")
    assert (home / "x" / "pipeline.json").is_file(), reply.text
    assert (
        "- `Packaging`: the requirement says “package it”" in (home / "x" / "README.md").read_text()
    )


def test_why_quotes_the_words_or_names_the_input_it_feeds(home):
    chat = ChatSession("s4", out_root=home / "out")
    assert chat.send("/why Packaging").text.startswith("No pipeline yet")
    chat.send(REQUIREMENT)
    start = REQUIREMENT.index("generate sample payloads")
    assert chat.send("/why PayloadGeneration").text == (
        f'PayloadGeneration: "generate sample payloads" (characters {start}-{start + 24})'
    )
    assert chat.send("/why DataLoading_training").text == (
        "DataLoading_training: needed by TabularPreprocessing_training's input data"
    )
    chat.send("drop the payload step")
    reply = chat.send("/why PayloadGeneration").text
    assert reply.startswith("unknown_node: no node 'PayloadGeneration'") and "Packaging" in reply
    assert chat.send("/why").text.startswith("Usage: /why NODE, one of: DataLoading_training")


def _spawn(home, session):
    env = {**os.environ, "SAGEWRIGHT_HOME": str(home / "home"), "PYTHONUNBUFFERED": "1"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "sagewright", "chat", "--session", session, "--out-root", str(home / "out")],
        env=env,
        encoding="utf-8",
        timeout=60,
    )


def test_pty_session_survives_sigkill(home):
    child = _spawn(home, "tty")
    child.expect("Describe the pipeline")
    child.sendline(REQUIREMENT)
    child.expect("Say 'ok'")
    child.sendline("ok")
    child.expect("region")
    child.sendline("not-a-region")
    child.expect("Not accepted")
    child.sendline("us-west-2")
    child.expect("role")
    child.sendline(ANSWERS["role_arn"])
    child.expect("bucket")
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    rows = (
        sqlite3.connect(home / "home" / "sessions.sqlite")
        .execute("SELECT COUNT(*) FROM turns WHERE session = 'tty'")
        .fetchone()[0]
    )
    assert rows == 5
    child = _spawn(home, "tty")
    child.expect("Resumed")
    child.expect("bucket")  # region and role are not asked again
    child.sendline("team-ml")
    child.expect("pipeline")
    child.sendline("fraud-tty")
    child.expect("Say 'ok' to write")
    child.sendline("ok")
    child.expect("Wrote")
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    readme = (home / "out" / "tty" / "README.md").read_text()
    assert "| `region` | `us-west-2` | answered |" in readme
