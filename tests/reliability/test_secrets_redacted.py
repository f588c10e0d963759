"""#13 item 13: keys typed into a requirement are written nowhere; the session store is private."""

from __future__ import annotations

import stat
import subprocess

from sagewright.redact import redact
from tests.reliability.helpers import SMALL, run, sagewright

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
API_KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"
TYPED = (
    f"{SMALL} Use access key {ACCESS_KEY} with secret {SECRET_KEY}, "
    f"and api_key={API_KEY} for the LLM. Token: hunter2secret99."
)
SECRETS = (ACCESS_KEY, SECRET_KEY, API_KEY, "hunter2secret99")


def _everything_under(folder):
    return [p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*") if p.is_file()]


def test_generate_and_chat_write_no_typed_secret(tmp_path, capsys):
    code, _, err = run(capsys, "generate", TYPED, "--out", str(tmp_path / "gen"), "--yes")
    assert code == 0, err
    assert "warning: removed 4 value(s) that look like secrets" in err
    readme = (tmp_path / "gen" / "README.md").read_text()
    assert "[REDACTED aws-access-key]" in readme and "look like secrets" in readme
    home = tmp_path / "home"
    chat = sagewright(
        "chat", "--session", "s", "--out-root", str(tmp_path / "chat"),
        cwd=tmp_path, env={"SAGEWRIGHT_HOME": str(home)}, stdin=subprocess.PIPE,
    )  # fmt: skip
    out, err = chat.communicate(TYPED + "\nok\nok\n/quit\n", timeout=120)
    assert chat.returncode == 0, err
    assert "Warning: removed 4 value(s)" in out
    assert (tmp_path / "chat" / "s" / "pipeline.json").is_file(), out
    blobs = [*_everything_under(tmp_path), out, err]
    for secret in SECRETS:
        assert not any(secret in blob for blob in blobs), secret
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "sessions.sqlite").stat().st_mode) == 0o600


def test_redaction_keeps_what_is_not_a_secret():
    kept = (
        "Train on s3://acme-ml/raw/2024/train/ with label is_fraud, role "
        "arn:aws:iam::123456789012:role/Exec, region us-east-1, max_depth=6, the api key is "
        "required, token count 512, secret sauce."
    )
    assert redact(kept).text == kept and redact(kept).found == ()
    assert redact(f"key {ACCESS_KEY}.").text == "key [REDACTED aws-access-key]."
    assert redact(f"aws_secret_access_key = {SECRET_KEY}").found == ("aws-secret-key",)
