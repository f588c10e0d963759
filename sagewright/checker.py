"""The topology checker: structured findings a user or an LLM can act on.

Edges connect ports by data kind: an edge ``P -> C`` feeds every input port of ``C`` whose
kind ``P`` outputs. QualityGate out-edges are control edges and feed nothing.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from sagewright.dag import strongly_connected
from sagewright.errors import TopologyError, TopologyIssue, UnknownStepError
from sagewright.registry import JOB_TYPES, PortMode, Registry, StepSpec, default_registry
from sagewright.topology import MAX_NODE_NAME, NODE_NAME, Topology, qualifier_of, step_type_of

ISSUE_CODES = (
    "bad_node_name",
    "unknown_step",
    "missing_job_type",
    "bad_job_type",
    "duplicate_node",
    "duplicate_parent",
    "missing_parent",
    "cycle",
    "edge_carries_nothing",
    "unfed_input",
    "input_fed_twice",
    "gate_guards_nothing",
)


@dataclass(frozen=True)
class Wire:
    """One data edge bound to ports: ``parent.output -> child.input``."""

    parent: str
    output: str
    child: str
    input: str
    kind: str


@dataclass(frozen=True)
class CheckResult:
    topology: Topology
    issues: tuple[TopologyIssue, ...]
    wires: tuple[Wire, ...]
    control_edges: tuple[tuple[str, str], ...]  # (gate, guarded child)
    config_fed: tuple[tuple[str, str], ...]  # (node, or-config port) left to the config

    @property
    def ok(self) -> bool:
        return not self.issues

    def inputs_of(self, node: str) -> dict[str, Wire]:
        return {w.input: w for w in self.wires if w.child == node}

    def raise_for_issues(self) -> CheckResult:
        if self.issues:
            first = self.issues[0]
            more = f" (+{len(self.issues) - 1} more)" if len(self.issues) > 1 else ""
            raise TopologyError(
                first.message + more, hint=first.hint, code=first.code, issues=list(self.issues)
            )
        return self


#: A pipeline needs a step. (The planner's empty plan is a valid *answer*; it builds nothing.)
EMPTY_TOPOLOGY = TopologyIssue(
    "empty_topology",
    "the topology has no nodes",
    hint='list the steps, e.g. {"DataLoading_training": [], '
    '"TabularPreprocessing_training": ["DataLoading_training"]}',
)


def require_steps(topology: Topology) -> None:
    """Raise ``empty_topology`` for a topology without nodes: there is nothing to build."""
    if not topology.parents:
        issue = EMPTY_TOPOLOGY
        raise TopologyError(issue.message, hint=issue.hint, code=issue.code, issues=[issue])


def check_topology(
    topology: Topology | Mapping[str, list[str]],
    *,
    existing_model: bool = False,
    registry: Registry | None = None,
) -> CheckResult:
    """Check a topology. ``existing_model``: or-config inputs may be left to the config."""
    topo = Topology.parse(topology)
    reg = registry or default_registry()
    issues: list[TopologyIssue] = []
    specs = _resolve_specs(topo, reg, issues)
    _check_links(topo, issues)
    _check_cycles(topo, issues)
    wires, control, config_fed = _check_ports(topo, specs, existing_model, issues)
    return CheckResult(topo, tuple(issues), tuple(wires), tuple(control), tuple(config_fed))


def _resolve_specs(
    topo: Topology, reg: Registry, issues: list[TopologyIssue]
) -> dict[str, StepSpec]:
    specs: dict[str, StepSpec] = {}
    for node in topo.duplicate_nodes:
        issues.append(
            TopologyIssue(
                "duplicate_node",
                f"node '{node}' is defined more than once",
                node=node,
                hint="merge the entries or give the second one its own qualifier",
            )
        )
    for node in topo.parents:
        if len(node) > MAX_NODE_NAME or not NODE_NAME.fullmatch(node):
            issues.append(
                TopologyIssue(
                    "bad_node_name",
                    f"node name '{node}' is not StepType or StepType_qualifier",
                    node=node,
                    hint="step type in CamelCase, optional '_' + lowercase letters/digits "
                    f"(e.g. TabularPreprocessing_training), at most {MAX_NODE_NAME} characters",
                )
            )
            continue
        step_type = step_type_of(node)
        try:
            spec = reg.get(step_type)
        except UnknownStepError as exc:
            issues.append(
                TopologyIssue(
                    "unknown_step",
                    f"node '{node}': {exc.message}",
                    node=node,
                    hint="use only registered step types: " + ", ".join(reg.names()),
                )
            )
            continue
        specs[node] = spec
        qualifier = qualifier_of(node)
        if spec.job_typed and qualifier is None:
            issues.append(
                TopologyIssue(
                    "missing_job_type",
                    f"node '{node}': {step_type} runs on one job type's data; name it "
                    f"{step_type}_<job type>",
                    node=node,
                    hint=f"job types: {', '.join(JOB_TYPES)} (e.g. {step_type}_training)",
                )
            )
        elif spec.job_typed and qualifier not in JOB_TYPES:
            issues.append(
                TopologyIssue(
                    "bad_job_type",
                    f"node '{node}': '{qualifier}' is not a job type",
                    node=node,
                    hint=f"job types: {', '.join(JOB_TYPES)}",
                )
            )
    return specs


def _check_links(topo: Topology, issues: list[TopologyIssue]) -> None:
    nodes = topo.parents
    for node, parents in nodes.items():
        seen: set[str] = set()
        for parent in parents:
            if parent in seen:
                issues.append(
                    TopologyIssue(
                        "duplicate_parent",
                        f"node '{node}' lists parent '{parent}' twice",
                        node=node,
                        hint="list each parent once",
                    )
                )
            seen.add(parent)
            if parent not in nodes:
                others = [n for n in nodes if n != node]
                close = difflib.get_close_matches(parent, others, n=1)
                issues.append(
                    TopologyIssue(
                        "missing_parent",
                        f"node '{node}' names parent '{parent}', which is not a node",
                        node=node,
                        hint=f"did you mean '{close[0]}'?"
                        if close
                        else f"add '{parent}' as a node or remove it from the parents",
                    )
                )


def _check_cycles(topo: Topology, issues: list[TopologyIssue]) -> None:
    known = {
        node: [p for p in parents if p in topo.parents] for node, parents in topo.parents.items()
    }
    for component in strongly_connected(known):
        members = sorted(component)
        if len(members) == 1 and members[0] not in known[members[0]]:
            continue
        issues.append(
            TopologyIssue(
                "cycle",
                "cycle between nodes: " + ", ".join(members),
                node=members[0],
                hint="a pipeline is acyclic: remove the parent that points back downstream",
                extra={"nodes": members},
            )
        )


def _check_ports(
    topo: Topology,
    specs: dict[str, StepSpec],
    existing_model: bool,
    issues: list[TopologyIssue],
) -> tuple[list[Wire], list[tuple[str, str]], list[tuple[str, str]]]:
    wires: list[Wire] = []
    control: list[tuple[str, str]] = []
    config_fed: list[tuple[str, str]] = []
    guarded: dict[str, int] = defaultdict(int)
    for child, parents in topo.parents.items():
        spec = specs.get(child)
        if spec is None:
            continue
        feeders: dict[str, list[Wire]] = defaultdict(list)
        for parent in dict.fromkeys(parents):
            parent_spec = specs.get(parent)
            if parent_spec is None or parent == child:
                continue
            if parent_spec.control:
                control.append((parent, child))
                guarded[parent] += 1
                continue
            carried = [
                (out, port)
                for out in parent_spec.outputs
                if (port := spec.input_for_kind(out.kind)) is not None
            ]
            if not carried:
                issues.append(_carries_nothing(parent, parent_spec, child, spec))
            for out, port in carried:
                feeders[port.name].append(Wire(parent, out.name, child, port.name, str(out.kind)))
        for port in spec.inputs:
            fed = feeders.get(port.name, [])
            wires.extend(fed)
            if len(fed) > 1:
                names = ", ".join(w.parent for w in fed)
                issues.append(
                    TopologyIssue(
                        "input_fed_twice",
                        f"node '{child}': input '{port.name}' ({port.kind}) is fed by "
                        f"{len(fed)} parents: {names}",
                        node=child,
                        port=port.name,
                        hint="keep exactly one parent producing "
                        f"{port.kind}; split the step per source if both are needed",
                    )
                )
            elif not fed and port.mode is PortMode.OR_CONFIG and existing_model:
                config_fed.append((child, port.name))
            elif not fed and port.mode is not PortMode.OPTIONAL:
                issues.append(_unfed(child, port.name, str(port.kind), port.mode))
    for node, spec in specs.items():
        if spec.control and not guarded[node]:
            issues.append(
                TopologyIssue(
                    "gate_guards_nothing",
                    f"node '{node}' guards no step",
                    node=node,
                    hint="list the gate as a parent of the first steps it guards "
                    "(e.g. Packaging or ModelRegistration), or remove it",
                )
            )
    return wires, control, config_fed


def _carries_nothing(parent: str, pspec: StepSpec, child: str, cspec: StepSpec) -> TopologyIssue:
    outs = ", ".join(str(k) for k in sorted(pspec.produced_kinds)) or "nothing"
    ins = ", ".join(str(k) for k in sorted(cspec.consumed_kinds)) or "nothing"
    return TopologyIssue(
        "edge_carries_nothing",
        f"edge '{parent}' -> '{child}' carries nothing: {parent} outputs {outs}; "
        f"{child} consumes {ins}",
        node=child,
        hint=f"remove '{parent}' from the parents of '{child}' or connect a step producing "
        f"what '{child}' consumes",
    )


def _unfed(child: str, port: str, kind: str, mode: PortMode) -> TopologyIssue:
    hint = f"add a parent that outputs {kind}"
    if mode is PortMode.OR_CONFIG:
        hint += " (e.g. the training step), or give an existing model file in the config"
    return TopologyIssue(
        "unfed_input",
        f"node '{child}': required input '{port}' ({kind}) has no parent producing it",
        node=child,
        port=port,
        hint=hint,
    )
