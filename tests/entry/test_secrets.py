"""No secret from the environment appears in any output, log or session file."""

import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fraud_xgboost_e2e.txt"
SECRETS = {
    "OPENAI_API_KEY": "sk-live-SECRET-openai-0123456789",
    "AWS_ACCESS_KEY_ID": "AKIASECRETKEYID0000",
    "AWS_SECRET_ACCESS_KEY": "aws-SECRET-access-key-abcdefghijklmnop",
    "AWS_SESSION_TOKEN": "aws-SECRET-session-token-xyz",
}


def test_no_secret_is_written_anywhere(tmp_path):
    env = {**os.environ, **SECRETS, "SAGEWRIGHT_HOME": str(tmp_path / "home")}
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "fraud.txt").write_text(EXAMPLE.read_text())
    (inputs / "empty.txt").write_text("")
    runs = [
        ["generate", "--requirement-file", str(EXAMPLE), "--out", str(tmp_path / "gen"), "--yes"],
        ["batch", str(inputs), "--out", str(tmp_path / "batch")],
        ["plan", "--requirement-file", str(EXAMPLE), "--json"],
    ]
    captured = []
    for argv in runs:
        done = subprocess.run(
            [sys.executable, "-m", "sagewright", *argv],
            env=env,
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        captured += [done.stdout, done.stderr]
    chat = subprocess.run(
        [
            sys.executable,
            "-m",
            "sagewright",
            "chat",
            "--session",
            "s",
            "--out-root",
            str(tmp_path / "chat"),
        ],
        input=EXAMPLE.read_text().replace("\n", " ") + "\nok\nok\n/quit\n",
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    captured += [chat.stdout, chat.stderr]
    assert (tmp_path / "chat" / "s" / "pipeline.json").is_file(), chat.stdout + chat.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "sessions.sqlite" for p in written)
    blobs = captured + [p.read_bytes().decode("utf-8", "replace") for p in written]
    for name, secret in SECRETS.items():
        for blob in blobs:
            assert secret not in blob, name
