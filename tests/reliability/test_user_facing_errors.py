"""Issue 13, smaller things a user hit: deploy flags, checker hints, batch reasons, log noise,
and a validate listing that stays readable on a huge topology."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import NoCredentialsError

from sagewright.builders.deploy import DeployError, deploy, write_deploy_folder
from sagewright.checker import check_topology
from sagewright.cli import MAX_ISSUES_SHOWN
from tests.builders.test_deploy import full_assembly
from tests.conftest import FULL_VALUES, golden_case
from tests.reliability.test_no_internal_errors import run

E2E = "vis-10-xgb-e2e-calibration"
OTHER_ACCOUNT_ROLE = "arn:aws:iam::999999999999:role/Exec"


class _NoAws:
    """A boto3 session stand-in: any client call fails as missing credentials would."""

    def client(self, *_: Any, **__: Any) -> Any:
        raise NoCredentialsError()


@pytest.fixture(scope="module")
def deploy_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_deploy_folder(full_assembly(E2E), tmp_path_factory.mktemp("d") / "deploy")


def test_deploy_refuses_an_unknown_parameter_before_calling_aws(deploy_folder: Path) -> None:
    known = json.loads((deploy_folder / "manifest.json").read_text())["parameters"]
    assert known, "the e2e pipeline has parameters"
    with pytest.raises(DeployError) as exc:
        deploy(
            deploy_folder,
            role_arn=FULL_VALUES["role_arn"],
            start=True,
            parameters={"TrainingInstanceTyp": "ml.m5.large"},
            boto_session=_NoAws(),
        )
    assert exc.value.code == "unknown_parameter"
    assert "TrainingInstanceTyp" in str(exc.value)
    assert sorted(known)[0] in str(exc.value)  # names what exists


def test_deploy_warns_about_a_role_from_another_account(deploy_folder: Path) -> None:
    heard: list[str] = []
    with pytest.raises(DeployError):  # the stand-in session then refuses
        deploy(deploy_folder, role_arn=OTHER_ACCOUNT_ROLE, boto_session=_NoAws(),
               on_warning=heard.append)  # fmt: skip
    assert len(heard) == 1
    assert "999999999999" in heard[0] and "123456789012" in heard[0]
    heard.clear()
    with pytest.raises(DeployError):
        deploy(deploy_folder, role_arn=FULL_VALUES["role_arn"], boto_session=_NoAws(),
               on_warning=heard.append)  # fmt: skip
    assert heard == []


def test_missing_parent_hint_never_suggests_the_node_itself() -> None:
    result = check_topology({"XGBoostTraining": ["XGBoostTrainingg"]})
    issue = next(i for i in result.issues if i.code == "missing_parent")
    assert "did you mean 'XGBoostTraining'" not in issue.hint
    assert "XGBoostTrainingg" in issue.hint
    close = check_topology(
        {"TabularPreprocessing_training": ["DataLoading_trainin"], "DataLoading_training": []}
    )
    issue = next(i for i in close.issues if i.code == "missing_parent")
    assert "did you mean 'DataLoading_training'" in issue.hint


def test_bad_defaults_file_fails_batch_once_not_per_item(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text("".join(json.dumps({"id": f"i{n}", "requirement": "train xgboost"}) + "\n"
                             for n in range(3)))  # fmt: skip
    defaults = tmp_path / "defaults.json"
    defaults.write_text(json.dumps({"nope": 1}))
    code, _, err = run(capsys, "batch", str(items), "--out", str(tmp_path / "b"),
                         "--defaults", str(defaults))  # fmt: skip
    assert code == 2
    assert err.count("unknown key 'nope'") == 1
    assert not (tmp_path / "b").exists()


def test_no_botocore_info_lines_with_an_endpoint_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import logging

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.name.startswith(("botocore", "boto3")) and record.levelno < logging.WARNING:
                seen.append(record.getMessage())

    handler = Collect(level=logging.DEBUG)
    logging.getLogger().addHandler(handler)
    previous = logging.getLogger().level
    logging.getLogger().setLevel(logging.INFO)  # as the SDK configures it at import
    try:
        case = golden_case(E2E)
        write_deploy_folder(full_assembly(case["id"]), tmp_path / "d")
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(previous)
    assert seen == []


def test_validate_caps_a_huge_listing_and_summarises(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    topology = {"DataLoading_training": [], "TabularPreprocessing_training": [
        "DataLoading_training", *(f"P{n}" for n in range(5_000))]}  # fmt: skip
    path = tmp_path / "t.json"
    path.write_text(json.dumps(topology))
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 1
    assert len(out.splitlines()) <= 2 * MAX_ISSUES_SHOWN + 1
    assert f"and {5_000 - MAX_ISSUES_SHOWN:,} more issues (missing_parent x" in out
    code, out, _ = run(capsys, "validate", str(path), "--json")
    assert len(json.loads(out)["errors"]) == 5_000
