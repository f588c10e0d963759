"""The ``sagewright`` command line. Thin: parse flags, call the API, print.

Exit codes: 0 success, 1 the input was read but is invalid (e.g. checker errors),
2 bad input (missing file, malformed JSON, wrong types, unknown names).
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sagewright.errors import SagewrightError
from sagewright.files import read_text

app = typer.Typer(
    name="sagewright",
    help="Turn an ML requirement into a validated, ready-to-deploy SageMaker pipeline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# emoji=False: user text such as ":smile:" prints as typed (and rich's 4 MiB emoji
# table is never loaded).
out = Console(soft_wrap=True, emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)

#: validate prints at most this many issues; --json gives them all.
MAX_ISSUES_SHOWN = 50

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


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
        table.add_row(
            *map(escape, (spec.name, spec.sagemaker_step, inputs or "—", outputs)),
            escape(spec.description),
        )
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
    from sagewright.checker import EMPTY_TOPOLOGY, check_topology
    from sagewright.topology import Topology

    topology = Topology.from_json(read_text(topology_file), source=str(topology_file))
    result = check_topology(topology, existing_model=existing_model)
    if not len(topology):
        result = replace(result, issues=(EMPTY_TOPOLOGY,))
    if as_json:
        print_json({"valid": result.ok, "errors": [i.to_dict() for i in result.issues]})
    elif result.ok:
        out.print(f"[green]valid[/green]: {len(topology)} nodes, {len(result.wires)} data edges")
    else:
        for issue in result.issues[:MAX_ISSUES_SHOWN]:
            where = issue.node or "-"
            port = f".{issue.port}" if issue.port else ""
            out.print(f"[red]{issue.code}[/red] {escape(f'{where}{port}: {issue.message}')}")
            if issue.hint:
                out.print(f"    hint: {issue.hint}", markup=False)
        hidden = Counter(issue.code for issue in result.issues[MAX_ISSUES_SHOWN:])
        if hidden:
            counts = ", ".join(f"{code} x{n:,}" for code, n in hidden.most_common())
            out.print(
                f"... and {hidden.total():,} more issues ({counts}); --json lists them all",
                markup=False,
            )
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
        table.add_row(*map(escape, (label, doc.tier, doc.type, default, doc.description)))
    out.print(table)


# --- plan / eval (planning agent, eval harness) ---------------------------------------------

ModelFlag = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="'offline' (default) or a LangChain 'provider:model', e.g. openai:gpt-4.1-mini.",
    ),
]


@app.command("plan")
def plan_command(
    requirement: Annotated[str | None, typer.Argument(help="The requirement text.")] = None,
    requirement_file: Annotated[
        Path | None, typer.Option("--requirement-file", help="Read the requirement from a file.")
    ] = None,
    model: ModelFlag = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="OpenAI-compatible endpoint (vLLM, Ollama, a proxy)."),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Seconds per LLM call.", min=0.1)
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="Settings file with an [llm] table.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Plan a requirement into a topology; exit 0 when valid, 1 with checker errors."""
    from sagewright.agents.llm import OFFLINE
    from sagewright.agents.planner import plan

    if (requirement is None) == (requirement_file is None):
        raise SagewrightError(
            "give the requirement as TEXT or --requirement-file, not both or neither",
            hint='sagewright plan "Train XGBoost on s3://bucket/train/ ..."',
            code="bad_arguments",
        )
    text = read_text(requirement_file) if requirement_file is not None else requirement or ""
    result = plan(text, model=model, base_url=base_url, timeout=timeout, config_file=config)
    if result.valid and result.backend.startswith(OFFLINE):
        from sagewright.agents.extractor import extract
        from sagewright.agents.text.leftovers import fresh_notes

        unread = extract(text, result.graph()).not_understood  # stated values no field takes
        result.notes += fresh_notes(unread, result.notes)
    if as_json:
        print_json(result.to_dict())
    else:
        print_json(result.topology)
        for node, reason in result.reasons.items():
            err.print(f"why {node}: {reason.text}", markup=False)
        for note in result.notes:
            err.print(f"note: {note}", markup=False)
        for issue in result.errors:
            err.print(f"{issue.code} {issue.node or '-'}: {issue.message}", markup=False)
    if not result.valid:
        raise typer.Exit(1)


@app.command("eval")
def eval_command(
    golden: Annotated[Path, typer.Option("--golden", help="Golden cases, JSONL.")],
    model: ModelFlag = None,
    predictions_out: Annotated[
        Path | None, typer.Option("--predictions-out", help="Write predictions JSONL here.")
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write a Markdown report here.")
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="Fail (exit 1) when a metric is worse than this file."),
    ] = None,
    update_baseline: Annotated[
        Path | None,
        typer.Option("--update-baseline", help="Write this run's summary as the new baseline."),
    ] = None,
    no_facts: Annotated[
        bool, typer.Option("--no-facts", help="Skip fact extraction (topologies only).")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Score the planner (and fact extraction) against golden topologies."""
    from sagewright.eval_harness import (
        baseline_regressions,
        load_golden,
        read_baseline,
        run_eval,
        write_baseline,
    )
    from sagewright.folders import write_file

    for flag, path in (
        ("--predictions-out", predictions_out),
        ("--report", report),
        ("--update-baseline", update_baseline),
    ):
        if path is not None and path.is_dir():
            raise SagewrightError(
                f"{flag} {path}: is a folder", hint="give a file path", code="out_is_folder"
            )
    cases = load_golden(golden)
    reference = read_baseline(baseline) if baseline else None
    run = run_eval(cases, model=model, extractor=None if no_facts else "default")
    summary = run.summary()
    if predictions_out:
        run.write_predictions(predictions_out)
    if report:
        write_file(report, run.report(title=f"Planner eval: {golden.name}"))
    if update_baseline:
        write_baseline(update_baseline, summary)
    if as_json:
        print_json(summary)
    else:
        table = Table(title=escape(f"{summary['cases']} cases, backend {run.backend}"))
        table.add_column("metric")
        table.add_column("value")
        for key in ("valid", "exact", "node_f1", "edge_f1", "ged", "facts", "facts_invented"):
            table.add_row(key, "n/a" if summary[key] is None else str(summary[key]))
        table.add_row("seconds/case", str(summary["usage"]["seconds_per_case"]))
        table.add_row("LLM calls", str(summary["usage"]["calls"]))
        table.add_row("LLM fallbacks (plan)", str(summary["usage"]["fallbacks"]))
        table.add_row("LLM fallbacks (extract)", str(summary["usage"]["extraction_fallbacks"]))
        out.print(table)
    if run.all_llm_failed:
        raise SagewrightError(
            f"every call to {run.backend} failed ({summary['usage']['fallbacks']} of "
            f"{summary['cases']} plans fell back): the scores above are the offline backend's",
            hint="check the model server and key; see the predictions' llm_attempts",
            code="llm_all_failed",
        )
    if reference is not None:
        worse = baseline_regressions(summary, reference)
        for line in worse:
            err.print(f"regression: {line}", markup=False)
        if worse:
            raise typer.Exit(1)


# --- init-config / assemble / deploy (builders) ----------------------------------------------

Force = Annotated[
    bool,
    typer.Option("--force", help="Replace an earlier output even where you edited it by hand."),
]

AllowPlaceholders = Annotated[
    bool,
    typer.Option(
        "--allow-placeholders", help="Accept invented placeholder values (previews and tests)."
    ),
]


def _read_json_object(path: Path) -> dict[str, Any]:
    from sagewright import jsonio

    try:
        data = jsonio.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise SagewrightError(
            f"{path}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            code="malformed_json",
        ) from None
    if not isinstance(data, dict):
        raise SagewrightError(f"{path}: expected a JSON object", code="malformed_json")
    return data


@app.command("init-config")
def init_config(
    topology_file: Annotated[Path, typer.Option("--topology", help="Topology JSON.")],
    out_file: Annotated[Path, typer.Option("--out", help="Config JSON to write.")],
    facts_file: Annotated[
        Path | None,
        typer.Option("--facts", help="Known values as {canonical key: value}, e.g. region."),
    ] = None,
    allow_placeholders: AllowPlaceholders = False,
    force: Force = False,
) -> None:
    """Scaffold the one-file configs: defaults, facts, and marked placeholders."""
    from sagewright.builders.scaffolding import write_scaffold
    from sagewright.topology import Topology

    topology = Topology.from_json(read_text(topology_file), source=str(topology_file))
    facts = _read_json_object(facts_file) if facts_file else {}
    scaffold = write_scaffold(
        topology, facts, out_file, allow_placeholders=allow_placeholders, force=force
    )
    out.print(f"wrote {out_file}: {len(scaffold.configs)} node configs", markup=False)
    _warn_same_sources(scaffold.configs)
    if scaffold.placeholders:
        fields = sorted({path for _, path in scaffold.placeholders})
        verb = "allowed" if allow_placeholders else "replace them before `sagewright assemble`"
        err.print(
            f"note: {len(scaffold.placeholders)} placeholder value(s) ({verb}): "
            + ", ".join(fields),
            markup=False,
        )


def _warn_same_sources(configs: Any) -> None:
    from sagewright.scaffold import same_source_warnings

    for warning in same_source_warnings(configs):
        err.print(f"warning: {warning}", markup=False, highlight=False)


@app.command("assemble")
def assemble_command(
    topology_file: Annotated[Path, typer.Option("--topology", help="Topology JSON.")],
    config_file: Annotated[Path, typer.Option("--config", help="Config JSON (init-config).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Deploy folder to write.")],
    allow_placeholders: AllowPlaceholders = False,
    force: Force = False,
) -> None:
    """Build the pipeline offline into DIR (pipeline.json, manifest.json, code/)."""
    from sagewright.builders.assembler import assemble
    from sagewright.builders.deploy import write_deploy_folder
    from sagewright.config_file import load_config_file
    from sagewright.folders import precheck
    from sagewright.topology import Topology

    precheck(out_dir, kind="deploy")
    topology = Topology.from_json(read_text(topology_file), source=str(topology_file))
    loaded = load_config_file(config_file, topology=topology)
    loaded.require_resolved(allow=allow_placeholders)
    _warn_same_sources(loaded.configs)
    assembly = assemble(topology, loaded.configs)
    write_deploy_folder(assembly, out_dir, force=force)
    out.print(
        f"wrote {out_dir / 'pipeline.json'}: pipeline {assembly.name}, {len(assembly.steps)} "
        f"steps, {len(assembly.definition):,} characters, {len(assembly.bundles)} code bundles",
        markup=False,
    )


@app.command("deploy")
def deploy_command(
    folder: Annotated[Path, typer.Argument(help="Deploy folder written by `assemble`.")],
    role: Annotated[str, typer.Option("--role", help="IAM role ARN the pipeline runs as.")],
    start: Annotated[bool, typer.Option("--start", help="Start an execution.")] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="Start and wait for the execution to finish.")
    ] = False,
    parameter: Annotated[
        list[str] | None,
        typer.Option("--parameter", help="Execution parameter NAME=VALUE (repeatable)."),
    ] = None,
) -> None:
    """Upload the code and upsert the pipeline with your AWS credentials; exit 1 if it fails."""
    from pydantic import TypeAdapter, ValidationError

    from sagewright.builders.deploy import deploy
    from sagewright.registry.types import RoleArn

    try:
        TypeAdapter(RoleArn).validate_python(role)
    except ValidationError:
        raise SagewrightError(
            f"--role {role!r} is not an IAM role ARN",
            hint="arn:aws:iam::123456789012:role/NAME",
            code="bad_role",
        ) from None
    values = {}
    for item in parameter or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise SagewrightError(f"--parameter {item!r} is not NAME=VALUE", code="bad_arguments")
        values[name] = value
    result = deploy(
        folder,
        role_arn=role,
        start=start,
        wait=wait,
        parameters=values,
        on_warning=lambda text: err.print(f"warning: {text}", markup=False),
    )
    verb = "created" if result.created else "updated"
    out.print(
        f"{verb} pipeline {result.pipeline_arn} ({len(result.uploaded)} code objects uploaded)",
        markup=False,
    )
    if result.execution_arn:
        out.print(f"execution {result.execution_arn}: {result.execution_status}", markup=False)
    if wait and result.execution_status != "Succeeded":
        raise typer.Exit(1)


@app.command("run-local")
def run_local_command(
    folder: Annotated[Path, typer.Argument(help="Folder written by `generate` or `assemble`.")],
    data: Annotated[
        list[str] | None,
        typer.Option("--data", help="NODE=PATH: a CSV/Parquet file or folder for a data node."),
    ] = None,
    rows: Annotated[
        int, typer.Option("--rows", min=20, help="Rows of each synthetic table.")
    ] = 2000,
    work: Annotated[
        Path | None, typer.Option("--work", help="Run folder (default DIR/local-run).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Run the pipeline end to end on this machine; exit 1 if a step fails."""
    from rich.progress import Progress

    from sagewright.local.context import RunOptions
    from sagewright.local.report import describe, print_result
    from sagewright.local.runner import run_local

    mapping: dict[str, Path] = {}
    for item in data or []:
        node, sep, path = item.partition("=")
        if not sep or not node or not path:
            raise SagewrightError(f"--data {item!r} is not NODE=PATH", code="bad_arguments")
        mapping[node] = Path(path)
    options = RunOptions(rows=rows, data=mapping)
    with Progress(console=err, transient=True, disable=as_json) as progress:
        task = progress.add_task("running", total=None)

        def on_step(record: Any) -> None:
            progress.console.print(describe(record))
            progress.update(task, description=f"after {record.name}")

        result = run_local(folder, work=work, options=options, on_step=on_step)
    if as_json:
        print_json(result.to_dict())
    else:
        print_result(result, out)
    if not result.ok:
        raise typer.Exit(1)


def _report(exc: SagewrightError) -> None:
    hint = f" — {exc.hint}" if exc.hint else ""
    err.print(f"error[{exc.code}]: {exc.message}{hint}", markup=False, highlight=False)


def main(argv: list[str] | None = None) -> None:
    """Console entry: typed errors become one line on stderr and exit code 2."""
    from sagewright.agents.llm import set_progress
    from sagewright.builders.sdk import lean_process

    lean_process()  # this process is ours: the SDK import may skip what builds never use
    set_progress(lambda line: err.print(line, markup=False, highlight=False))  # LLM calls
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
    except OSError as exc:  # e.g. a full disk while writing somewhere not checked earlier
        from sagewright.folders import os_reason

        err.print(f"error[os_error]: {os_reason(exc)}", markup=False, highlight=False)
        sys.exit(2)
    except Exception as exc:  # last resort: one line, no traceback unless asked
        if os.environ.get("SAGEWRIGHT_DEBUG"):
            raise
        err.print(
            f"internal error: {type(exc).__name__}: {exc} (set SAGEWRIGHT_DEBUG=1 for details)",
            markup=False,
        )
        sys.exit(3)
    sys.exit(code if isinstance(code, int) else 0)


def _requirement(text: str | None, path: Path | None, command: str) -> str:
    if (text is None) == (path is None):
        raise SagewrightError(
            "give the requirement as TEXT or --requirement-file, not both or neither",
            hint=f'sagewright {command} "Train XGBoost on s3://bucket/train/ ..."',
            code="bad_arguments",
        )
    return read_text(path) if path is not None else text or ""


@app.command("generate")
def generate_command(
    requirement: Annotated[str | None, typer.Argument(help="The requirement text.")] = None,
    requirement_file: Annotated[
        Path | None, typer.Option("--requirement-file", help="Read the requirement from a file.")
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out/pipeline"),
    model: ModelFlag = None,
    defaults_file: Annotated[
        Path | None,
        typer.Option("--defaults", help="JSON of values to use when not stated (region...)."),
    ] = None,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="Never ask: use defaults, fail listing what is missing."),
    ] = False,
    force: Force = False,
    as_json: JsonFlag = False,
) -> None:
    """Plan -> fill configs (asking for what is missing) -> assemble -> write DIR."""
    from sagewright.generate import generate, load_defaults

    text = _requirement(requirement, requirement_file, "generate")
    defaults = load_defaults(defaults_file) if defaults_file is not None else None
    interactive = not yes and sys.stdin.isatty()
    result = generate(
        text,
        out_dir,
        model=model,
        defaults=defaults,
        ask=_terminal_question if interactive else None,  # re-asks quote why, in the text
        tell=_print_warning,
        force=force,
    )
    if as_json:
        print_json(result.to_dict())
        return
    out.print(
        f"[green]wrote[/green] {escape(str(result.out_dir))}: "
        + escape(", ".join(sorted(result.files)))
    )
    out.print(f"{len(result.topology)} steps: {', '.join(result.topology.nodes)}", markup=False)


def _print_warning(message: str) -> None:
    """Warnings (secrets removed) and notes (asks not supported, values not understood) on
    stderr; re-ask reasons are already in the question."""
    if message.startswith(("warning:", "note:")):
        err.print(message, markup=False, highlight=False)


def _terminal_question(question: Any) -> str:
    from rich.prompt import Prompt

    return Prompt.ask(
        f"[bold]?[/bold] {escape(question.text)}", console=err, default="", show_default=False
    )


@app.command("chat")
def chat_command(
    session: Annotated[str, typer.Option("--session", help="Session name (resumable).")] = (
        "default"
    ),
    model: ModelFlag = None,
    out_root: Annotated[
        Path, typer.Option("--out-root", help="Where confirmed pipelines are written.")
    ] = Path("out"),
) -> None:
    """Describe a pipeline in a conversation; every turn is saved, --session resumes it."""
    from sagewright.chat import ChatSession

    chat = ChatSession(session, model=model, out_root=out_root)
    out.print(chat.greeting(), markup=False)
    try:
        while True:
            try:
                line = input("you> ")
            except EOFError:
                break
            reply = chat.send(line)
            out.print(reply.text, markup=False, highlight=False)
            if reply.quit:
                break
    finally:
        chat.close()


@app.command("batch")
def batch_command(
    inputs: Annotated[Path, typer.Argument(help="Folder of .txt/.md files, or a JSONL file.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")],
    workers: Annotated[int, typer.Option("--workers", min=1, max=32)] = 2,
    model: ModelFlag = None,
    defaults_file: Annotated[
        Path | None, typer.Option("--defaults", help="JSON of values to use when not stated.")
    ] = None,
    as_json: JsonFlag = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Redo every item, replacing earlier outputs even where edited."
        ),
    ] = False,
) -> None:
    """Generate every requirement concurrently; failures are reported, never fatal."""
    import functools

    from rich.progress import Progress

    from sagewright.batch import prepare_out, read_items, run_batch
    from sagewright.generate import batch_item, load_defaults

    items = read_items(inputs)
    if defaults_file is not None:
        load_defaults(defaults_file)  # a bad file fails once here, not once per item
    prepare_out(out_dir, force=force)  # refusals come before the progress bar
    work = functools.partial(batch_item, model=model, defaults_file=defaults_file, force=force)
    settings = {
        "model": model,
        "defaults": read_text(defaults_file) if defaults_file is not None else None,
    }
    with Progress(console=err, transient=as_json) as progress:
        task = progress.add_task("generating", total=len(items))
        results = run_batch(
            items,
            out_dir,
            work,
            workers=workers,
            on_done=lambda _: progress.advance(task),
            settings=settings,
            force=force,
        )
    if as_json:
        print_json([vars(r) for r in results])
    else:
        table = Table(title=escape(f"batch: {len(results)} items -> {out_dir}"))
        for column in ("id", "status", "seconds", "reason"):
            table.add_column(column)
        for r in results:
            colour = {"ok": "green", "failed": "red"}.get(r.status, "dim")
            status = f"[{colour}]{escape(r.status)}[/{colour}]"
            table.add_row(escape(r.id), status, f"{r.seconds:.2f}", escape(r.reason))
        out.print(table)
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


@app.command("mcp")
def mcp_command(
    root: Annotated[
        Path, typer.Option("--root", help="The only folder the server reads and writes.")
    ] = Path("."),
    allow_deploy: Annotated[
        bool,
        typer.Option("--allow-deploy", help="Offer a deploy tool (uses your AWS credentials)."),
    ] = False,
) -> None:
    """Serve the registry, planner, extractor and assembler as MCP tools over stdio."""
    from sagewright.mcp_server import serve

    serve(root, allow_deploy=allow_deploy)
