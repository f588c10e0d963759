"""Deploy folders, ``init-config`` / ``assemble`` / ``deploy`` commands, and a moto round trip.

A ``moto_server`` on 127.0.0.1 (a free port) stands in for AWS; deploy reaches it through
``AWS_ENDPOINT_URL`` exactly as it would reach AWS with the user's credentials.
"""

from __future__ import annotations

import json
import os
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sagewright.builders.assembler import Assembly, assemble
from sagewright.builders.deploy import (
    DEFINITION_FILE,
    MANIFEST_FILE,
    DeployError,
    deploy,
    write_deploy_folder,
)
from sagewright.cli import main
from sagewright.config_file import load_config_file
from tests.conftest import FULL_VALUES, golden_case

ROLE = "arn:aws:iam::123456789012:role/SageMakerPipelineRole"
BUCKET = FULL_VALUES["bucket"]
E2E = "vis-10-xgb-e2e-calibration"
GATED = "vis-25-fraud-full-gated"
PLACEHOLDER_ROLE = "arn:aws:iam::123456789012:role/SagewrightPlaceholderRole"


def full_facts(case_id: str) -> dict[str, Any]:
    return {**FULL_VALUES, **golden_case(case_id)["facts"]}


def full_assembly(case_id: str) -> Assembly:
    from sagewright.builders.scaffolding import scaffold_configs

    case = golden_case(case_id)
    return assemble(
        case["topology"], scaffold_configs(case["topology"], full_facts(case_id)).configs
    )


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    captured = capsys.readouterr()
    return int(info.value.code or 0), captured.out, captured.err


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def init_config(
    capsys: pytest.CaptureFixture[str],
    topology: Path,
    out: Path,
    *extra: str,
    facts: Path | None = None,
) -> tuple[int, str, str]:
    """``sagewright init-config --topology T [--facts F] --out C [extra...]``."""
    facts_args = ["--facts", str(facts)] if facts is not None else []
    return run(
        capsys, "init-config", "--topology", str(topology), *facts_args, "--out", str(out), *extra
    )


def assemble_args(topology: Path, config: Path, out_dir: Path) -> list[str]:
    """The argv of ``sagewright assemble --topology T --config C --out D``."""
    return ["assemble", "--topology", str(topology), "--config", str(config), "--out", str(out_dir)]


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", autouse=True)
def restore_environ() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Fresh moto state, its endpoint and dummy credentials; yields a boto3 session."""
    import boto3

    reset = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(reset) as response:
        assert response.status == 200
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    session = boto3.Session(region_name=FULL_VALUES["region"])
    session.client("s3").create_bucket(Bucket=BUCKET)
    yield session


@pytest.fixture(scope="module")
def e2e_assembly() -> Assembly:
    return full_assembly(E2E)


# ----------------------------------------------------------------------------- deploy


def test_deploy_uploads_code_upserts_and_starts(
    aws: Any, e2e_assembly: Assembly, tmp_path: Path
) -> None:
    folder = write_deploy_folder(e2e_assembly, tmp_path / "deploy")
    result = deploy(folder, role_arn=ROLE, start=True, wait=True, poll_seconds=0)
    assert result.created and result.pipeline_name == "fraud-xgb"
    assert result.execution_status == "Succeeded"
    expected_keys = [key for b in e2e_assembly.bundles for key, _ in b.objects()]
    assert result.uploaded == expected_keys

    s3 = aws.client("s3")
    for bundle in e2e_assembly.bundles:
        for code_file in bundle.files:
            key = bundle.file_uri(code_file.name).removeprefix(f"s3://{BUCKET}/")
            assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == code_file.data
        assert bundle.prefix_uri in e2e_assembly.definition
    sagemaker = aws.client("sagemaker")
    described = sagemaker.describe_pipeline(PipelineName="fraud-xgb")
    assert described["PipelineDefinition"] == e2e_assembly.definition
    assert described["RoleArn"] == ROLE
    executions = sagemaker.list_pipeline_executions(PipelineName="fraud-xgb")
    arns = [e["PipelineExecutionArn"] for e in executions["PipelineExecutionSummaries"]]
    assert arns == [result.execution_arn]

    again = deploy(folder, role_arn=ROLE, start=True)
    assert not again.created and again.uploaded == []  # content-addressed keys already there
    assert again.pipeline_arn == result.pipeline_arn
    executions = sagemaker.list_pipeline_executions(PipelineName="fraud-xgb")
    assert len(executions["PipelineExecutionSummaries"]) == 2


def test_deploy_reports_a_missing_bucket(aws: Any, e2e_assembly: Assembly, tmp_path: Path) -> None:
    aws.client("s3").delete_bucket(Bucket=BUCKET)
    folder = write_deploy_folder(e2e_assembly, tmp_path / "deploy")
    with pytest.raises(DeployError) as err:
        deploy(folder, role_arn=ROLE)
    assert "uploading code" in str(err.value) and BUCKET in str(err.value)


def test_deploy_refuses_an_edited_folder(e2e_assembly: Assembly, tmp_path: Path) -> None:
    folder = write_deploy_folder(e2e_assembly, tmp_path / "deploy")
    (folder / DEFINITION_FILE).write_text(e2e_assembly.definition + " ", encoding="utf-8")
    with pytest.raises(DeployError, match="changed since it was assembled"):
        deploy(folder, role_arn=ROLE)
    folder = write_deploy_folder(e2e_assembly, tmp_path / "deploy", force=True)  # edited
    code_file = next((folder / "code").rglob("*.py"))
    code_file.write_text("tampered", encoding="utf-8")
    with pytest.raises(DeployError, match="files changed"):
        deploy(folder, role_arn=ROLE)


def test_deploy_folder_layout(e2e_assembly: Assembly, tmp_path: Path) -> None:
    folder = write_deploy_folder(e2e_assembly, tmp_path / "out" / "deploy")
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    assert manifest["pipeline_name"] == "fraud-xgb" and manifest["region"] == "us-east-1"
    assert manifest["parameters"]["ModelApprovalStatus"] == "PendingManualApproval"
    assert manifest["steps"] == list(e2e_assembly.steps)
    assert (folder / DEFINITION_FILE).read_text() == e2e_assembly.definition
    stored = sorted(p.relative_to(folder).as_posix() for p in (folder / "code").rglob("*.py"))
    assert stored == sorted(
        f"code/{b.sha256}/{name}" for b in e2e_assembly.bundles for name in b.names
    )
    assert sorted(p.name for p in folder.parent.iterdir()) == ["deploy"]  # no staging left


# ----------------------------------------------------------------------------- CLI


def test_cli_init_config_assemble_deploy(
    aws: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    topology = write_json(tmp_path / "topology.json", golden_case(GATED)["topology"])
    facts = write_json(tmp_path / "facts.json", {**full_facts(GATED), "label_name": "is_fraud"})
    config = tmp_path / "config.json"
    code, out, err = init_config(capsys, topology, config, facts=facts)
    assert code == 0, err
    assert "placeholders" not in json.loads(config.read_text())
    loaded = load_config_file(config)
    assert loaded.configs["QualityGate"].model_dump()["threshold"] == 0.92

    out_dir = tmp_path / "deploy"
    code, out, err = run(capsys, *assemble_args(topology, config, out_dir))
    assert code == 0, err
    assert "pipeline fraud-xgb, 15 steps" in out
    assert {p.name for p in out_dir.iterdir()} == {
        "pipeline.json",
        "manifest.json",
        "code",
        ".sagewright.json",
    }

    code, out, err = run(capsys, "deploy", str(out_dir), "--role", ROLE, "--wait")
    assert code == 0, err
    assert "created pipeline" in out and "Succeeded" in out
    code, out, err = run(capsys, "deploy", str(out_dir), "--role", ROLE)
    assert code == 0 and "updated pipeline" in out and "0 code objects" in out


def test_cli_assemble_refuses_placeholders_unless_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = golden_case(E2E)
    topology = write_json(tmp_path / "topology.json", case["topology"])
    facts = write_json(tmp_path / "facts.json", case["facts"])
    config = tmp_path / "config.json"
    code, _, err = init_config(capsys, topology, config, facts=facts)
    assert code == 0 and "placeholder value(s)" in err and "role_arn" in err
    marked = json.loads(config.read_text())["placeholders"]
    assert ["DataLoading_training", "role_arn", PLACEHOLDER_ROLE] in marked

    out_dir = tmp_path / "deploy"
    args = assemble_args(topology, config, out_dir)
    code, _, err = run(capsys, *args)
    assert code == 2 and "unresolved_placeholders" in err and len(err.strip().splitlines()) == 1
    assert not out_dir.exists()
    code, _, err = run(capsys, *args, "--allow-placeholders")
    assert code == 0, err

    # Replacing the invented values resolves them, entry by entry.
    data = json.loads(config.read_text())
    data["shared"].update(FULL_VALUES)
    data["placeholders"] = [p for p in data["placeholders"] if p[1] in FULL_VALUES]
    write_json(config, data)
    code, _, err = run(capsys, *args)
    assert code == 0, err

    # A scaffold written with --allow-placeholders carries the permission.
    code, _, _ = init_config(capsys, topology, config, "--allow-placeholders", "--force")
    assert code == 0 and json.loads(config.read_text())["allow_placeholders"] is True
    assert run(capsys, *args)[0] == 0


def test_cli_init_config_marks_an_unknown_existing_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    topology = write_json(
        tmp_path / "topology.json", {"Packaging": [], "ModelRegistration": ["Packaging"]}
    )
    config = tmp_path / "config.json"
    code, _, err = init_config(capsys, topology, config)
    assert code == 0 and "existing_model_uri" in err
    args = assemble_args(topology, config, tmp_path / "d")
    code, _, err = run(capsys, *args, "--allow-placeholders")
    assert code == 0, err


def test_cli_assemble_is_atomic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = golden_case(E2E)
    topology = write_json(tmp_path / "topology.json", case["topology"])
    facts = write_json(tmp_path / "facts.json", full_facts(E2E))
    config = tmp_path / "config.json"
    assert init_config(capsys, topology, config, facts=facts)[0] == 0
    data = json.loads(config.read_text())
    data["specific"]["XGBoostTraining"]["framework_version"] = "0.42"
    broken = write_json(tmp_path / "broken.json", data)
    out_dir = tmp_path / "out" / "deploy"

    code, _, err = run(capsys, *assemble_args(topology, broken, out_dir))
    assert code == 2 and "sdk_rejected_value" in err and "framework_version" in err
    assert len(err.strip().splitlines()) == 1
    assert not out_dir.parent.exists() or list(out_dir.parent.iterdir()) == []

    args = assemble_args(topology, config, out_dir)
    assert run(capsys, *args)[0] == 0
    first = (out_dir / MANIFEST_FILE).read_text()
    assert run(capsys, *args)[0] == 0  # an earlier deploy folder is replaced
    assert (out_dir / MANIFEST_FILE).read_text() == first
    assert sorted(p.name for p in out_dir.parent.iterdir()) == ["deploy"]

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    code, _, err = run(capsys, *assemble_args(topology, config, foreign))
    assert code == 2 and "out_dir_exists" in err
    assert (foreign / "notes.txt").read_text() == "mine"


def test_cli_bad_inputs_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    topology = write_json(tmp_path / "topology.json", golden_case(E2E)["topology"])
    facts = write_json(tmp_path / "facts.json", {"colour": "blue"})
    code, _, err = init_config(capsys, topology, tmp_path / "c.json", facts=facts)
    assert code == 2 and "unknown_fact" in err and "colour" in err
    code, _, err = run(capsys, "deploy", str(tmp_path), "--role", "not-a-role")
    assert code == 2 and "bad_role" in err
    code, _, err = run(capsys, "deploy", str(tmp_path / "nothing"), "--role", ROLE)
    assert code == 2 and "bad_deploy_folder" in err and len(err.strip().splitlines()) == 1
