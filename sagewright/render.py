"""Pictures of a topology: a Mermaid flowchart and a Rich tree, nodes grouped by stage.

Data edges are solid and labelled with the data kind the checker bound them by; gate edges are
dashed. Every label is quoted and escaped, so any node name renders. With ``status`` (node ->
``succeeded`` / ``failed`` / ``skipped``) nodes are coloured by how their run went.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Protocol

from sagewright.checker import check_topology
from sagewright.errors import TopologyIssue
from sagewright.registry import Registry, Stage, default_registry
from sagewright.topology import Topology, step_type_of

if TYPE_CHECKING:
    from rich.tree import Tree


class ShownPlan(Protocol):
    """What a plan picture shows: :class:`sagewright.agents.planner.PlanResult` has it
    (declared here so that pictures do not import the planner that imports them)."""

    topology: dict[str, list[str]]
    errors: list[TopologyIssue]
    backend: str
    existing_model: bool
    notes: list[str]

    @property
    def valid(self) -> bool: ...


STATUS_STYLES = {
    "succeeded": "fill:#d7f5dd,stroke:#1a7f37,color:#0b3d1a",
    "failed": "fill:#ffd8d3,stroke:#cf222e,color:#5c0b0b",
    "skipped": "fill:#eeeeee,stroke:#8c959f,color:#57606a,stroke-dasharray:4 3",
}


def mermaid_label(text: str) -> str:
    """``text`` as a quoted Mermaid label: quotes and ``#`` become entity codes."""
    escaped = text.replace("#", "#35;").replace('"', "#quot;")
    return '"' + " ".join(escaped.split()) + '"'


def stage_of(node: str, registry: Registry | None = None) -> Stage:
    try:
        return (registry or default_registry()).get(step_type_of(node)).stage
    except Exception:  # an unknown step type still gets drawn, under "other"
        return Stage.OTHER


def nodes_by_stage(topology: Topology, registry: Registry | None = None) -> dict[Stage, list[str]]:
    """Stages in pipeline order, each with its nodes in topology order; empty stages left out."""
    return _grouped(topology.nodes, registry)


def _grouped(nodes: Iterable[str], registry: Registry | None = None) -> dict[Stage, list[str]]:
    grouped: dict[Stage, list[str]] = {stage: [] for stage in Stage}
    for node in nodes:
        grouped[stage_of(node, registry)].append(node)
    return {stage: members for stage, members in grouped.items() if members}


def _stage_lines(grouped: Mapping[Stage, list[str]], ids: Mapping[str, str]) -> list[str]:
    lines = []
    for stage, nodes in grouped.items():
        lines.append(f"    subgraph stage_{stage.value}[{mermaid_label(stage.value)}]")
        for node in nodes:
            label = mermaid_label(node)
            shape = f"{{{{{label}}}}}" if step_type_of(node) == "QualityGate" else f"[{label}]"
            lines.append(f"        {ids[node]}{shape}")
        lines.append("    end")
    return lines


def to_mermaid(
    topology: Topology,
    *,
    existing_model: bool = False,
    status: Mapping[str, str] | None = None,
    registry: Registry | None = None,
) -> str:
    result = check_topology(topology, existing_model=existing_model, registry=registry)
    lines = ["flowchart TD"]
    ids = {node: f"n{i}" for i, node in enumerate(topology.nodes)}
    lines += _stage_lines(nodes_by_stage(topology, registry), ids)
    labelled: set[tuple[str, str]] = set()
    for wire in result.wires:
        key = (wire.parent, wire.child)
        if key in labelled:
            continue
        labelled.add(key)
        kinds = sorted({w.kind for w in result.wires if (w.parent, w.child) == key})
        label = mermaid_label(", ".join(kinds))
        lines.append(f"    {ids[wire.parent]} -->|{label}| {ids[wire.child]}")
    for gate, child in result.control_edges:
        lines.append(f'    {ids[gate]} -.->|"passes"| {ids[child]}')
    drawn = labelled | set(result.control_edges)
    for parent, child in topology.edges():  # edges the checker could not bind still show
        if (parent, child) not in drawn and parent in ids:
            lines.append(f"    {ids[parent]} --> {ids[child]}")
    for node, port in result.config_fed:
        existing = mermaid_label(f"existing {port}")
        lines.append(f"    cfg_{ids[node]}[/{existing}/] -.-> {ids[node]}")
    lines += _status_classes(ids, status or {})
    return "\n".join(lines) + "\n"


def steps_flowchart(parents: Mapping[str, list[str]], status: Mapping[str, str]) -> str:
    """A plain flowchart of named steps and their parents, coloured by ``status`` (for a
    pipeline folder without its topology, e.g. one ``assemble`` wrote)."""
    ids = {node: f"n{i}" for i, node in enumerate(parents)}
    lines = ["flowchart TD", *_stage_lines(_grouped(parents), ids)]
    for node, node_parents in parents.items():
        lines += [f"    {ids[p]} --> {ids[node]}" for p in node_parents if p in ids]
    lines += _status_classes(ids, status)
    return "\n".join(lines) + "\n"


def _status_classes(ids: Mapping[str, str], status: Mapping[str, str]) -> list[str]:
    lines = []
    for state, style in STATUS_STYLES.items():
        members = [ids[node] for node, value in status.items() if value == state and node in ids]
        if members:
            lines += [f"    classDef {state} {style}", f"    class {','.join(members)} {state}"]
    return lines


def mermaid_block(picture: str) -> str:
    """A flowchart as a fenced ```mermaid block (GitHub, GitLab, VS Code, Jupyter render it)."""
    return "```mermaid\n" + picture + "```\n"


def rich_tree(title: str, topology: Topology, registry: Registry | None = None) -> Tree:
    """A terminal picture: stages, their nodes, and what each node reads from its parents."""
    from rich.markup import escape
    from rich.tree import Tree

    result = check_topology(topology, registry=registry)
    tree = Tree(title)
    for stage, nodes in nodes_by_stage(topology, registry).items():
        branch = tree.add(f"[bold]{stage.value}[/bold]")
        for node in nodes:
            feeds = [f"{w.parent} ({w.kind})" for w in result.wires if w.child == node]
            feeds += [gate + " (passes)" for gate, child in result.control_edges if child == node]
            after = f"  [dim]<- {escape(', '.join(feeds))}[/dim]" if feeds else ""
            branch.add(f"[cyan]{escape(node)}[/cyan]{after}")
    return tree


def _plan_topology(result: ShownPlan) -> Topology | None:
    try:
        return Topology.parse(result.topology)
    except Exception:  # a malformed plan is shown by its errors, without a picture
        return None


def plan_markdown(result: ShownPlan) -> str:
    """A plan as Markdown: what made it, its Mermaid DAG, its checker errors and notes."""
    state = "valid" if result.valid else f"invalid ({len(result.errors)} checker errors)"
    lines = [f"**Plan** by `{result.backend}`: {len(result.topology)} steps, {state}", ""]
    topology = _plan_topology(result)
    if topology is not None and topology.nodes:
        lines.append(mermaid_block(to_mermaid(topology, existing_model=result.existing_model)))
    for error in result.errors:
        where = f" at `{error.node}`" if error.node else ""
        lines.append(f"- error `{error.code}`{where}: {error.message}")
    lines += [f"- note: {note}" for note in result.notes]
    return "\n".join(lines).rstrip() + "\n"


def plan_tree(result: ShownPlan) -> Tree:
    from rich.markup import escape
    from rich.tree import Tree

    state = "valid" if result.valid else f"invalid ({len(result.errors)} checker errors)"
    title = f"plan by {escape(result.backend)}: {len(result.topology)} steps, {state}"
    topology = _plan_topology(result)
    tree = rich_tree(title, topology) if topology is not None else Tree(title)
    for error in result.errors:
        tree.add(
            f"[red]{escape(error.code)}[/red] {escape(error.node or '')}: {escape(error.message)}"
        )
    for note in result.notes:
        tree.add(f"[yellow]note[/yellow] {escape(note)}")
    return tree
