"""Rich output of a local run: live progress, the DAG with statuses, a failure's log tail."""

from __future__ import annotations

from rich.console import Console
from rich.tree import Tree

from sagewright.local.runner import RunResult, StepRecord

COLOURS = {"Succeeded": "green", "Failed": "red", "Skipped": "yellow", "NotRun": "dim"}


def describe(record: StepRecord) -> str:
    colour = COLOURS.get(record.status, "white")
    text = f"[bold]{record.name}[/bold] ({record.type}) [{colour}]{record.status}[/{colour}]"
    if record.status in ("Succeeded", "Failed"):
        text += f" {record.seconds:.1f}s"
    shown = {k: v for k, v in record.metrics.items() if isinstance(v, int | float)}
    if shown:
        text += " " + ", ".join(f"{k}={v:.4g}" for k, v in list(shown.items())[:4])
    if record.decision:
        text += f" -> {record.decision} branch"
    return text


def dag(result: RunResult) -> Tree:
    """Each step under its first parent (others listed), in run order."""
    tree = Tree(f"pipeline [bold]{result.pipeline}[/bold]")
    nodes: dict[str, Tree] = {}
    for record in result.steps:
        parent = nodes.get(record.parents[0]) if record.parents else None
        label = describe(record)
        if len(record.parents) > 1:
            label += f" [dim](also after {', '.join(record.parents[1:])})[/dim]"
        nodes[record.name] = (parent or tree).add(label)
    return tree


def print_result(result: RunResult, console: Console) -> None:
    console.print(dag(result))
    if result.status_dag:
        console.print(f"status DAG (Mermaid, coloured by step status): {result.status_dag}")
    if result.ok:
        console.print(
            f"[green]succeeded[/green] in {result.seconds:.1f}s; run folder {result.work}"
        )
        return
    console.print(f"[red]failed at {result.failed_step}[/red]: {result.message}", markup=True)
    if result.log_tail:
        console.print(f"[dim]--- last lines of {result.failed_step}'s log ---[/dim]")
        for line in result.log_tail:
            console.print(line, markup=False, highlight=False)
    console.print(f"run folder {result.work}", markup=False)
