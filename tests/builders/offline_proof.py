"""Shared by the offline proofs of the builder tests: no credentials, every socket refused.

The test modules run themselves as scripts in fresh interpreters
(:func:`run_fresh_interpreters`); the script side calls :func:`refuse_sockets` first and
prints a JSON report whose last line the test reads.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
AWS_CREDENTIAL_VARS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
)


def refuse_sockets(monkeypatch: pytest.MonkeyPatch | None = None) -> list[str]:
    """Make every connect and name lookup fail; returns the list the attempts go to.

    With ``monkeypatch`` the patches are undone after the test; without, they last for
    the process (the script side of a fresh interpreter).
    """
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args[1:] or args))
        raise OSError("network disabled")

    patch = monkeypatch.setattr if monkeypatch is not None else setattr
    patch(socket.socket, "connect", refuse)
    patch(socket.socket, "connect_ex", refuse)
    patch(socket, "create_connection", refuse)
    patch(socket, "getaddrinfo", refuse)
    return attempts


def process_report(attempts: list[str]) -> dict[str, Any]:
    """What a fresh interpreter reports besides its definitions."""
    return {
        "sockets": attempts,
        "telemetry_threads": [t.name for t in threading.enumerate() if "telemetry" in t.name],
        "credential_vars": [v for v in AWS_CREDENTIAL_VARS if v in os.environ],
    }


def run_fresh_interpreters(script: str, args: Sequence[str], seeds: Sequence[str]) -> list[Any]:
    """Run ``script`` once per hash seed, concurrently, without AWS credentials.

    Each run must exit 0; returns the JSON of each run's last stdout line.
    """
    env = {k: v for k, v in os.environ.items() if k not in AWS_CREDENTIAL_VARS}
    env.update(
        PYTHONPATH=str(REPO), AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_CONFIG_FILE=os.devnull
    )
    procs = [
        subprocess.Popen(
            [sys.executable, script, *args],
            env={**env, "PYTHONHASHSEED": seed},
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in seeds
    ]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports
