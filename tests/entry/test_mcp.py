"""The MCP server, driven by the official SDK client over stdio, as an agent host drives it."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest

mcp = pytest.importorskip("mcp")

from mcp import Client  # noqa: E402
from mcp.client.stdio import StdioServerParameters  # noqa: E402

REQUIREMENT = (
    "Train XGBoost on s3://acme-ml/fraud/train/ (label is_fraud, id txn_id), "
    "evaluate on s3://acme-ml/fraud/test/, package and register it. Region us-west-2, "
    "role arn:aws:iam::123456789012:role/SageMakerExec, bucket acme-ml-artifacts, "
    "pipeline name fraud-xgb."
)


def _server(root: Path, *extra: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable, args=["-m", "sagewright", "mcp", "--root", str(root), *extra]
    )


def _data(result: Any) -> Any:
    assert not result.is_error, result.content
    if result.structured_content is not None:
        content = result.structured_content
        return content.get("result", content) if set(content) == {"result"} else content
    return json.loads(result.content[0].text)


def _error(result: Any) -> str:
    """The tool error's text after the SDK's 'Error executing tool NAME: ' prefix."""
    assert result.is_error
    return str(result.content[0].text).split(": ", 1)[1]


def test_an_agent_host_plans_repairs_fills_and_assembles(tmp_path: Path) -> None:
    async def session() -> None:
        async with Client(_server(tmp_path), read_timeout_seconds=120) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            assert {
                "list_steps",
                "describe_step",
                "validate_topology",
                "plan",
                "extract_values",
                "init_config",
                "assemble",
                "explain",
            } <= tools
            assert "deploy" not in tools  # only with --allow-deploy

            steps = {s["name"] for s in _data(await client.call_tool("list_steps", {}))}
            assert "XGBoostTraining" in steps
            described = _data(await client.call_tool("describe_step", {"step": "XGBoostTraining"}))
            assert {f["tier"] for f in described["fields"]} >= {"essential", "default"}

            planned = _data(await client.call_tool("plan", {"requirement": REQUIREMENT}))
            assert planned["valid"], planned["errors"]
            topology = planned["topology"]
            assert "XGBoostTraining" in topology

            # A host model's broken edit: registration without its packaged model.
            broken = {k: v for k, v in topology.items() if k != "Packaging"}
            broken["ModelRegistration"] = [
                p for p in topology["ModelRegistration"] if p != "Packaging"
            ]
            checked = _data(await client.call_tool("validate_topology", {"topology": broken}))
            assert not checked["valid"]
            issue = next(e for e in checked["errors"] if e["node"] == "ModelRegistration")
            assert issue["code"] == "unfed_input" and issue["port"] == "packaged_model"
            # Repair from the returned issue: feed the port from the step that outputs its kind.
            repaired = dict(broken)
            repaired["Packaging"] = topology["Packaging"]
            repaired["ModelRegistration"] = [*broken["ModelRegistration"], "Packaging"]
            again = _data(await client.call_tool("validate_topology", {"topology": repaired}))
            assert again == {"valid": True, "errors": []}
            # Why each node of the repaired plan is there: the requirement's words, or the input
            # it feeds; every quote is the requirement's text at its span.
            why = _data(
                await client.call_tool(
                    "explain", {"requirement": REQUIREMENT, "topology": repaired}
                )
            )
            assert set(why["reasons"]) == set(repaired) == set(planned["reasons"])
            for reason in why["reasons"].values():
                if reason["kind"] == "asked":
                    assert REQUIREMENT[reason["start"] : reason["end"]] == reason["quote"]
                else:
                    assert reason["kind"] == "needed_by", reason
            assert why["reasons"]["Packaging"]["quote"] == "package"
            one = _data(
                await client.call_tool(
                    "explain", {"requirement": REQUIREMENT, "node": "ModelEvaluation_testing"}
                )
            )
            assert one["reasons"]["ModelEvaluation_testing"]["quote"].startswith("evaluate on")

            values = _data(
                await client.call_tool(
                    "extract_values", {"requirement": REQUIREMENT, "topology": repaired}
                )
            )
            assert values["facts"]["label_name"] == "is_fraud"
            (tmp_path / "topology.json").write_text(json.dumps(repaired))
            made = _data(
                await client.call_tool(
                    "init_config",
                    {"topology": repaired, "out": "config.json", "facts": values["facts"]},
                )
            )
            assert made["written"] == "config.json" and made["placeholders"] == []
            built = _data(
                await client.call_tool(
                    "assemble",
                    {
                        "topology_file": "topology.json",
                        "config_file": "config.json",
                        "out": "deploy",
                    },
                )
            )
            assert built["steps"] >= len(repaired)
            definition = json.loads((tmp_path / "deploy" / "pipeline.json").read_text())
            assert {s["Name"] for s in definition["Steps"]} >= {"XGBoostTraining"}

            catalogue = await client.read_resource("sagewright://catalogue")
            assert "ModelRegistration" in catalogue.contents[0].text

    asyncio.run(session())


def test_paths_outside_the_root_and_bad_input_are_tool_errors(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret.json").write_text("{}")
    (root / "link").symlink_to(tmp_path)

    async def session() -> None:
        async with Client(_server(root), read_timeout_seconds=120) as client:
            for out in ("../escape.json", str(tmp_path / "abs.json"), "link/through.json"):
                message = _error(
                    await client.call_tool(
                        "init_config", {"topology": {"XGBoostTraining": []}, "out": out}
                    )
                )
                assert message.startswith("path_outside_root:"), message
            message = _error(
                await client.call_tool(
                    "assemble",
                    {"topology_file": "../secret.json", "config_file": "c.json", "out": "d"},
                )
            )
            assert message.startswith("path_outside_root:")
            message = _error(
                await client.call_tool(
                    "explain", {"requirement": REQUIREMENT, "node": "XGBoostTrainer"}
                )
            )
            assert message.startswith("unknown_node:") and "XGBoostTraining" in message
            message = _error(await client.call_tool("describe_step", {"step": "XGBoostTrainer"}))
            assert message.startswith("unknown_step:") and "XGBoostTraining" in message
            cyclic = {"DataLoading_training": ["TabularPreprocessing_training"]}
            cyclic["TabularPreprocessing_training"] = ["DataLoading_training"]
            checked = _data(await client.call_tool("validate_topology", {"topology": cyclic}))
            assert "cycle" in {e["code"] for e in checked["errors"]}
        assert not (tmp_path / "escape.json").exists() and not (tmp_path / "abs.json").exists()

    asyncio.run(session())


def test_deploy_is_offered_only_when_allowed(tmp_path: Path) -> None:
    async def tools(*extra: str) -> set[str]:
        async with Client(_server(tmp_path, *extra), read_timeout_seconds=120) as client:
            return {t.name for t in (await client.list_tools()).tools}

    assert "deploy" in asyncio.run(tools("--allow-deploy"))


def test_run_local_runs_a_folder_and_returns_statuses_and_the_status_dag(tmp_path: Path) -> None:
    from tests.local.golden import assemble_case, golden_cases

    assemble_case(golden_cases()["vis-05-calibration-data-prep"], tmp_path / "pipeline")
    (tmp_path / "not-ours").mkdir()
    (tmp_path / "not-ours" / "pipeline.json").write_text("{}")

    async def session() -> None:
        async with Client(_server(tmp_path), read_timeout_seconds=120) as client:
            report = _data(await client.call_tool("run_local", {"folder": "pipeline", "rows": 50}))
            assert report["status"] == "Succeeded" and report["failed_step"] is None
            assert [(s["name"], s["status"]) for s in report["steps"]] == [
                ("DataLoading_calibration", "Succeeded"),
                ("TabularPreprocessing_calibration", "Succeeded"),
            ]
            assert all(s["seconds"] > 0 for s in report["steps"])
            assert report["work"] == "pipeline/local-run"
            assert report["status_dag_file"] == "pipeline/local-run/dag.mmd"
            assert report["status_dag"].startswith("flowchart TD")
            assert "class n0,n1 succeeded" in report["status_dag"]
            for arguments, code in (
                ({"folder": "../pipeline"}, "path_outside_root"),
                ({"folder": "pipeline", "work": "/tmp/elsewhere"}, "path_outside_root"),
                (
                    {"folder": "pipeline", "data": {"DataLoading_calibration": "../t.csv"}},
                    "path_outside_root",
                ),
                ({"folder": "not-ours"}, "bad_local_run"),
                ({"folder": "pipeline", "rows": 5}, "bad_arguments"),
            ):
                message = _error(await client.call_tool("run_local", arguments))
                assert message.startswith(f"{code}:"), (arguments, message)
        assert (tmp_path / "pipeline" / "local-run" / "run.json").is_file()

    asyncio.run(session())
