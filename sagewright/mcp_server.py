"""``sagewright mcp``: the registry, planner, extractor and assembler as MCP tools over stdio.

An agent host's own model designs pipelines with the registry as its guard rail: it plans,
validates, repairs from the checker's structured issues, fills configs and assembles. Safe by
default: files are read and written only under ``root`` (paths resolved, symlinks followed,
then checked), there is no deploy tool unless ``allow_deploy``, nothing here opens a network
connection but the model the user configured for ``plan`` / ``extract_values``, inputs are
bounded like the CLI's, and every failure is a tool error carrying the error's code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, is_dataclass
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sagewright.errors import SagewrightError

MAX_JSON_CHARS = 1_000_000  # a topology or facts object given inline
MIN_ROWS, MAX_ROWS = 20, 1_000_000  # run_local's synthetic table (the CLI's --rows min=20)

P = ParamSpec("P")
R = TypeVar("R")


class PathOutsideRoot(SagewrightError):
    code = "path_outside_root"


def resolve_under(root: Path, path: str) -> Path:
    """``path`` (relative to ``root``, or absolute) resolved; refused unless inside ``root``."""
    if not isinstance(path, str) or not path.strip() or "\0" in path:
        raise SagewrightError("a path must be a non-empty string", code="bad_path")
    target = (root / path).resolve()
    if not target.is_relative_to(root):
        raise PathOutsideRoot(
            f"{path}: outside the server's root {root}",
            hint="give a path under --root; the server reads and writes nothing else",
        )
    return target


def _plain(value: Any) -> Any:
    """JSON-ready copy of dataclasses, tuples and the like."""
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _bounded_json(value: Any, what: str) -> Any:
    if len(json.dumps(value, default=str)) > MAX_JSON_CHARS:
        raise SagewrightError(
            f"{what} is larger than {MAX_JSON_CHARS:,} characters", code="too_large"
        )
    return value


def build_server(root: Path, *, allow_deploy: bool = False) -> Any:
    """The MCP server (``mcp.server.mcpserver.MCPServer``) serving ``root``."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    root = root.resolve()
    server = MCPServer(
        "sagewright",
        log_level="WARNING",
        instructions=(
            "Design Amazon SageMaker pipelines from requirements. Plan with `plan`, check and "
            "repair a topology with `validate_topology` (fix each returned issue), fill values "
            "with `extract_values` and `init_config`, then `assemble` into a folder under the "
            "server root, and try it with `run_local` before deploying. Step names must come "
            "from `list_steps`."
        ),
    )

    def tool(func: Callable[P, R]) -> Callable[P, R]:
        """Register ``func``; a SagewrightError becomes a tool error naming its code."""

        @wraps(func)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return func(*args, **kwargs)
            except SagewrightError as exc:
                raise ToolError(f"{exc.code}: {exc}") from None
            except RecursionError:
                raise ToolError("too_deep: input nested too deeply") from None

        server.tool()(guarded)
        return guarded

    @tool
    def list_steps() -> list[dict[str, Any]]:
        """Every registered step type: purpose, SageMaker step and typed input/output ports."""
        from sagewright.registry import default_registry

        return [spec.to_dict() for spec in default_registry()]

    @tool
    def describe_step(step: str) -> dict[str, Any]:
        """One step type's ports and config fields, each with tier (essential/default/derived)."""
        from sagewright.registry import default_registry
        from sagewright.registry.schema import describe_fields

        spec = default_registry().get(step)
        fields = [_plain(d.to_dict()) for d in describe_fields(spec.config_class)]
        return {**spec.to_dict(), "config_class": spec.config_class.__name__, "fields": fields}

    @tool
    def validate_topology(
        topology: dict[str, list[str]], existing_model: bool = False
    ) -> dict[str, Any]:
        """Check a topology {NODE: [PARENT, ...]}; returns {valid, errors} to repair from."""
        from sagewright.checker import check_topology

        result = check_topology(_bounded_json(topology, "topology"), existing_model=existing_model)
        return {"valid": result.ok, "errors": [issue.to_dict() for issue in result.issues]}

    @tool
    def plan(requirement: str, model: str | None = None) -> dict[str, Any]:
        """Plan a requirement into a topology (offline unless ``model`` or settings name one)."""
        from sagewright.agents.planner import plan as plan_requirement

        planned: dict[str, Any] = _plain(plan_requirement(requirement, model=model).to_dict())
        return planned

    @tool
    def explain(
        requirement: str,
        topology: dict[str, list[str]] | None = None,
        node: str | None = None,
        model: str | None = None,
    ) -> dict[str, Any]:
        """Why each node is in a plan: the requirement's words that ask for it (quote, with start
        and end character offsets into the requirement) or the node and input it feeds. Without
        ``topology`` the requirement is planned first; ``node`` narrows the answer to one node."""
        from sagewright.agents.planner import plan as plan_requirement
        from sagewright.agents.reasons import explain as explain_topology
        from sagewright.agents.reasons import reason_for
        from sagewright.agents.text.requirement import requirement_text
        from sagewright.topology import Topology

        if topology is None:
            planned = plan_requirement(requirement, model=model)
            nodes, reasons = planned.topology, planned.reasons
        else:
            nodes = Topology.parse(_bounded_json(topology, "topology")).to_dict()
            reasons = explain_topology(requirement_text(requirement), nodes)
        if node is not None:
            reasons = {node: reason_for(reasons, node)}
        return {"topology": nodes, "reasons": {n: r.to_dict() for n, r in reasons.items()}}

    @tool
    def extract_values(
        requirement: str, topology: dict[str, list[str]], model: str | None = None
    ) -> dict[str, Any]:
        """The values a requirement states for a topology, as canonical fact keys, with notes."""
        from sagewright.agents.extractor import extract
        from sagewright.topology import Topology

        topo = Topology.parse(_bounded_json(topology, "topology"))
        extraction = extract(requirement, topo, model=model)
        return {
            "facts": _plain(extraction.facts()),
            "missing": list(extraction.missing),
            "conflicts": _plain(extraction.conflicts),
            "rejected": _plain(extraction.rejected),
            "notes": list(extraction.notes),
            "backend": extraction.backend,
        }

    @tool
    def init_config(
        topology: dict[str, list[str]],
        out: str,
        facts: dict[str, Any] | None = None,
        force: bool = False,
    ) -> dict[str, Any]:
        """Write the one-file configs to ``out`` (under the root): defaults, facts, placeholders."""
        from sagewright.builders.scaffolding import write_scaffold
        from sagewright.topology import Topology

        target = resolve_under(root, out)
        topo = Topology.parse(_bounded_json(topology, "topology"))
        facts_in = _bounded_json(facts or {}, "facts")
        scaffold = write_scaffold(topo, facts_in, target, allow_placeholders=True, force=force)
        return {
            "written": str(target.relative_to(root)),
            "nodes": len(scaffold.configs),
            "placeholders": sorted({path for _, path in scaffold.placeholders}),
        }

    @tool
    def assemble(
        topology_file: str, config_file: str, out: str, force: bool = False
    ) -> dict[str, Any]:
        """Build the pipeline offline into ``out`` (pipeline.json, manifest.json, code/)."""
        from sagewright.builders.assembler import assemble as assemble_pipeline
        from sagewright.builders.deploy import write_deploy_folder
        from sagewright.config_file import load_config_file
        from sagewright.files import read_text
        from sagewright.topology import Topology

        topo_path = resolve_under(root, topology_file)
        config_path = resolve_under(root, config_file)
        target = resolve_under(root, out)
        topo = Topology.from_json(read_text(topo_path), source=topology_file)
        loaded = load_config_file(config_path, topology=topo)
        loaded.require_resolved(allow=False)
        assembly = assemble_pipeline(topo, loaded.configs)
        write_deploy_folder(assembly, target, force=force)
        return {
            "written": str(target.relative_to(root)),
            "pipeline": assembly.name,
            "steps": len(assembly.steps),
            "definition_chars": len(assembly.definition),
        }

    @tool
    def run_local(
        folder: str,
        work: str | None = None,
        rows: int = 2000,
        data: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Run a generated or assembled pipeline folder end to end on this machine (no AWS).

        ``data`` maps DataLoading nodes to CSV/Parquet files under the root (else a synthetic
        table of ``rows`` rows). Returns each step's status, seconds, metrics and gate decision,
        the failed step with its log tail, and the DAG coloured by status (Mermaid).
        """
        from sagewright.local.context import RunOptions
        from sagewright.local.runner import run_local as run_pipeline

        if not isinstance(rows, int) or not MIN_ROWS <= rows <= MAX_ROWS:
            raise SagewrightError(
                f"rows must be an integer from {MIN_ROWS} to {MAX_ROWS:,}", code="bad_arguments"
            )
        source = resolve_under(root, folder)
        target = resolve_under(root, work) if work is not None else source / "local-run"
        mapping = {node: resolve_under(root, path) for node, path in (data or {}).items()}
        result = run_pipeline(source, work=target, options=RunOptions(rows=rows, data=mapping))
        dag = Path(result.status_dag) if result.status_dag else None
        return {
            "status": result.status,
            "seconds": result.seconds,
            "work": str(target.relative_to(root)),
            "failed_step": result.failed_step,
            "message": result.message,
            "log_tail": result.log_tail,
            "steps": [
                {
                    "name": step.name,
                    "type": step.type,
                    "status": step.status,
                    "seconds": step.seconds,
                    "metrics": _plain(step.metrics),
                    "decision": step.decision,
                    "message": step.message,
                }
                for step in result.steps
            ],
            "status_dag": dag.read_text(encoding="utf-8") if dag else None,
            "status_dag_file": str(dag.relative_to(root)) if dag else None,
        }

    @server.resource("sagewright://catalogue", mime_type="text/markdown")
    def catalogue() -> str:
        """The step catalogue: every step type with its ports and purpose."""
        from sagewright.registry import default_registry

        lines = ["| step type | inputs | outputs | purpose |", "|---|---|---|---|"]
        for spec in default_registry():
            ins = ", ".join(f"{p.name}: {p.kind} ({p.mode})" for p in spec.inputs) or "—"
            outs = ", ".join(f"{p.name}: {p.kind}" for p in spec.outputs) or "— (control)"
            lines.append(f"| {spec.name} | {ins} | {outs} | {spec.description} |")
        return "\n".join(lines) + "\n"

    if allow_deploy:

        @tool
        def deploy(folder: str, role: str, start: bool = False) -> dict[str, Any]:
            """Create or update the pipeline in AWS from an assembled folder (your credentials)."""
            from sagewright.builders.deploy import deploy as deploy_folder

            result = deploy_folder(resolve_under(root, folder), role_arn=role, start=start)
            deployed: dict[str, Any] = _plain(result)
            return deployed

    return server


def serve(root: Path, *, allow_deploy: bool = False) -> None:
    """Run the server over stdio until the host closes it."""
    if not root.is_dir():
        raise SagewrightError(f"{root}: not a folder", code="bad_root")
    build_server(root, allow_deploy=allow_deploy).run("stdio")
