"""#13 items 3 and 12: two chats on one session, 20 writers on one folder, killed writers.

Real processes throughout: ``sagewright chat`` twice on one session (turn by turn, then
piped at once), and 20 processes writing a generate output into one folder at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sagewright.chat import ChatSession
from sagewright.folders import MARKER, read_marker, sha256
from sagewright.generate import generate
from tests.reliability.helpers import SMALL, sagewright, tree

WRITER = Path(__file__).with_name("writer.py")
PROMPT = "you> "


def _until_prompt(proc: subprocess.Popen[str]) -> str:
    """Read the chat's stdout up to its next ``you> `` prompt."""
    assert proc.stdout is not None
    seen = ""
    while not seen.endswith(PROMPT):
        char = proc.stdout.read(1)
        assert char, f"chat ended early: {seen!r} {proc.stderr.read() if proc.stderr else ''}"
        seen += char
    return seen


def _say(proc: subprocess.Popen[str], line: str) -> str:
    assert proc.stdin is not None
    proc.stdin.write(line + "\n")
    proc.stdin.flush()
    return _until_prompt(proc)


def _described_session(home: Path) -> None:
    chat = ChatSession("shared", db_path=home / "sessions.sqlite")
    try:
        assert chat.send(SMALL).phase == "review"
    finally:
        chat.close()


def _finish(procs: list[subprocess.Popen[str]]) -> None:
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "Error" not in err and "internal error" not in out + err, out + err


def _stored(home: Path) -> tuple[list[str], list[str]]:
    chat = ChatSession("shared", db_path=home / "sessions.sqlite")
    try:
        return [user for user, _ in chat.history()], chat.state.requirement
    finally:
        chat.close()


def _two_chats(tmp_path: Path) -> tuple[Path, list[subprocess.Popen[str]]]:
    """Two ``sagewright chat --session shared`` processes on a described session."""
    home = tmp_path / "home"
    home.mkdir()
    _described_session(home)
    env = {"SAGEWRIGHT_HOME": str(home)}
    args = ("chat", "--session", "shared", "--out-root", str(tmp_path / "out"))
    return home, [sagewright(*args, cwd=tmp_path, env=env, stdin=subprocess.PIPE) for _ in "ab"]


def test_two_chats_on_one_session_lose_no_turn(tmp_path):
    home, (a, b) = _two_chats(tmp_path)
    _until_prompt(a)
    _until_prompt(b)
    replies = []
    for i in range(3):  # strictly interleaved: each chat's state is stale at every turn
        replies.append(_say(a, f"Note a{i}: the data is daily."))
        replies.append(_say(b, f"Note b{i}: the data is daily."))
    assert "Another chat on session 'shared' stored 1 turn(s)" in replies[1]
    _finish([a, b])
    users, requirement = _stored(home)
    notes = [f"Note {who}{i}: the data is daily." for i in range(3) for who in "ab"]
    assert users == [SMALL, *notes]
    assert requirement == [SMALL, *notes]  # every change is in the state


def test_two_piped_chats_at_once_store_every_turn(tmp_path):
    home, procs = _two_chats(tmp_path)
    lines = {who: [f"Note {who}{i}: the data is daily." for i in range(5)] for who in "ab"}
    for proc, who in zip(procs, "ab", strict=True):
        assert proc.stdin is not None
        proc.stdin.write("\n".join(lines[who]) + "\n")
        proc.stdin.close()
        proc.stdin = None  # both run at once; communicate() only reads
    _finish(procs)
    users, requirement = _stored(home)
    assert sorted(users[1:]) == sorted(lines["a"] + lines["b"])
    assert sorted(requirement[1:]) == sorted(lines["a"] + lines["b"])
    for who in "ab":  # each chat's own turns stay in its order
        assert [u for u in users if u.startswith(f"Note {who}")] == lines[who]


def test_twenty_writers_on_one_folder(tmp_path):
    files = generate(SMALL, None).files
    files_json = tmp_path / "files.json"
    files_json.write_text(json.dumps(files))
    parent = tmp_path / "parent"
    parent.mkdir()
    out = parent / "o"
    writers = [
        subprocess.Popen(
            [sys.executable, str(WRITER), str(files_json), str(out), str(i)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(20)
    ]
    for proc in writers:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert [p.name for p in parent.iterdir()] == ["o"]  # no staging or old folder left
    written = tree(out)
    winner = next(i for i in range(20) if written["README.md"].endswith(f"writer {i}\n".encode()))
    expected = {**files, "README.md": files["README.md"] + f"\nwriter {winner}\n"}
    assert {k: v for k, v in written.items() if k != MARKER} == {
        k: v.encode() for k, v in expected.items()
    }
    marker = read_marker(out)
    assert marker is not None
    assert marker["files"] == {k: sha256(v.encode()) for k, v in expected.items()}


def test_a_killed_writer_leaves_nothing_after_the_next_run(tmp_path):
    files_json = tmp_path / "files.json"
    files_json.write_text(json.dumps(generate(SMALL, None).files))
    parent = tmp_path / "parent"
    parent.mkdir()
    killed = subprocess.run(
        [sys.executable, str(WRITER), str(files_json), str(parent / "o"), "0", "--die-before-swap"],
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -9
    left = [p.name for p in parent.iterdir()]
    assert len(left) == 1 and left[0].startswith(".o.sw-staging-")  # what a kill leaves
    generate(SMALL, parent / "other")  # any later write into the same parent clears it
    assert sorted(p.name for p in parent.iterdir()) == ["other"]


def test_a_symlinked_out_folder_stays_a_link(tmp_path, monkeypatch):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        generate(SMALL, Path("link"))
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert (real / "pipeline.json").is_file() and read_marker(real) is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]
