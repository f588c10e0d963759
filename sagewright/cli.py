"""The ``sagewright`` command line. Thin: parse flags, call the API, print.

Exit codes: 0 success, 1 the input was read but is invalid (e.g. checker errors),
2 bad input (missing file, malformed JSON, wrong types, unknown names).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sagewright.errors import SagewrightError

app = typer.Typer(
    name="sagewright",
    help="Turn an ML requirement into a validated, ready-to-deploy SageMaker pipeline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SagewrightError(f"{path}: file not found", code="file_not_found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SagewrightError(f"{path}: cannot read: {exc}", code="unreadable_file") from None


@app.command()
def steps(as_json: JsonFlag = False) -> None:
    """List the registered step types with their input and output ports."""
    from sagewright.registry import default_registry

    registry = default_registry()
    if as_json:
        print_json([spec.to_dict() for spec in registry])
        return
    table = Table(title=f"{len(registry)} step types", show_lines=False)
    table.add_column("step type", no_wrap=True)
    for column in ("SageMaker step", "inputs", "outputs", "purpose"):
        table.add_column(column)
    for spec in registry:
        inputs = "\n".join(
            f"{p.name}: {p.kind}" + ("" if p.mode == "required" else f" ({p.mode})")
            for p in spec.inputs
        )
        outputs = "\n".join(f"{p.name}: {p.kind}" for p in spec.outputs) or "(control)"
        table.add_row(spec.name, spec.sagemaker_step, inputs or "—", outputs, spec.description)
    out.print(table)


@app.command()
def validate(
    topology_file: Annotated[Path, typer.Argument(help="Topology JSON: {NODE: [PARENT, ...]}.")],
    existing_model: Annotated[
        bool,
        typer.Option(
            "--existing-model", help="An existing model file feeds or-config inputs from config."
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Check a topology; exit 0 when valid, 1 with structured errors."""
    from sagewright.checker import check_topology
    from sagewright.topology import Topology

    topology = Topology.from_json(read_text(topology_file), source=str(topology_file))
    result = check_topology(topology, existing_model=existing_model)
    if as_json:
        print_json({"valid": result.ok, "errors": [i.to_dict() for i in result.issues]})
    elif result.ok:
        out.print(f"[green]valid[/green]: {len(topology)} nodes, {len(result.wires)} data edges")
    else:
        for issue in result.issues:
            where = issue.node or "-"
            port = f".{issue.port}" if issue.port else ""
            out.print(f"[red]{issue.code}[/red] {where}{port}: {issue.message}")
            if issue.hint:
                out.print(f"    hint: {issue.hint}")
    if not result.ok:
        raise typer.Exit(1)


@app.command("config-schema")
def config_schema(
    step: Annotated[str, typer.Argument(help="Step type, e.g. XGBoostTraining.")],
    as_json: JsonFlag = False,
) -> None:
    """Show a step's config fields with tier, type, description and default."""
    from sagewright.registry import default_registry
    from sagewright.registry.schema import describe_fields

    spec = default_registry().get(step)
    docs = describe_fields(spec.config_class)
    if as_json:
        print_json(
            {
                "step": spec.name,
                "config_class": spec.config_class.__name__,
                "fields": [d.to_dict() for d in docs],
            }
        )
        return
    table = Table(title=f"{spec.name}: {spec.config_class.__name__}")
    for column in ("field", "tier", "type", "default", "description"):
        table.add_column(column)
    for doc in docs:
        label = doc.path + (f" [{doc.variant}]" if doc.variant else "")
        default = "" if doc.tier != "default" else json.dumps(doc.default, default=str)
        table.add_row(label, doc.tier, doc.type, default, doc.description)
    out.print(table)


def _report(exc: SagewrightError) -> None:
    hint = f" — {exc.hint}" if exc.hint else ""
    err.print(f"error[{exc.code}]: {exc.message}{hint}", markup=False, highlight=False)


def main(argv: list[str] | None = None) -> None:
    """Console entry: typed errors become one line on stderr and exit code 2."""
    try:
        code = app(args=argv, prog_name="sagewright", standalone_mode=False)
    except SagewrightError as exc:
        _report(exc)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: unknown option, missing argument
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err.print(f"error: {exc}", markup=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("aborted")
        sys.exit(130)
    except Exception as exc:  # last resort: one line, no traceback unless asked
        if os.environ.get("SAGEWRIGHT_DEBUG"):
            raise
        err.print(
            f"internal error: {type(exc).__name__}: {exc} (set SAGEWRIGHT_DEBUG=1 for details)",
            markup=False,
        )
        sys.exit(3)
    sys.exit(code if isinstance(code, int) else 0)
