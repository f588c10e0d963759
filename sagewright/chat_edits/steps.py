"""Apply a chat edit to a topology: add, remove or replace steps, switch framework.

Added steps are placed and wired by the offline planner's own port completion
(:func:`~sagewright.agents.offline_planner.extend_plan`), so an added batch transform gets its
model and its data. A removed step's children are rewired to another producer of what they
read, take their model from config (or-config ports), or are removed with it when nothing
else can feed them; the data and scoring steps that only fed what was removed go too. The
result is checked; an edit that leaves the graph invalid, or a data branch that feeds
nothing, changes nothing and says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sagewright.agents.offline_planner import MODEL_STEP, TRAINING, extend_plan
from sagewright.agents.text.asks import outside_catalogue
from sagewright.chat_edits.reading import ADD, REMOVE, REPLACE, SWITCH, Edit, framework_named
from sagewright.chat_edits.step_words import named_nodes, named_step_types
from sagewright.checker import check_topology
from sagewright.registry import DataKind, PortMode, Registry, Stage
from sagewright.topology import qualifier_of, step_type_of

Parents = dict[str, list[str]]


@dataclass
class StepChange:
    """What one edit did to the topology, or why it did nothing (``problem``)."""

    topology: Parents
    existing_model: bool
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    framework: tuple[str, str] | None = None  # (from, to)
    notes: list[str] = field(default_factory=list)  # what now comes from config, unsupported
    problem: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.framework)


def framework_of(topology: Mapping[str, Sequence[str]]) -> str:
    types = {step_type_of(n) for n in topology}
    for name in TRAINING:
        if TRAINING[name] in types or MODEL_STEP[name] in types:
            return name
    return "xgboost"


def apply_step_edit(
    topology: Mapping[str, Sequence[str]],
    edit: Edit,
    *,
    existing_model: bool,
    registry: Registry,
) -> StepChange:
    parents: Parents = {n: list(p) for n, p in topology.items()}
    unchanged = StepChange(parents, existing_model)
    unsupported = outside_catalogue(edit.text, registry)
    if edit.op == REPLACE and framework_named(edit.new) in ("xgboost", "pytorch", "other"):
        return _switch(parents, existing_model, edit.new, unsupported)
    if edit.op == SWITCH:
        return _switch(parents, existing_model, edit.new, unsupported)
    if unsupported:
        unchanged.notes = unsupported
        return unchanged
    if edit.op == ADD:
        change = _add(parents, edit.target, existing_model, registry)
    elif edit.op == REMOVE:
        change = _remove(parents, edit.target, existing_model, registry)
    elif edit.op == REPLACE:
        change = _replace(parents, edit.target, edit.new, existing_model, registry)
    else:
        return unchanged
    if change.problem is None:
        change.problem = _invalid(change, registry)
    return change if change.problem is None else replace_problem(unchanged, change.problem)


def replace_problem(change: StepChange, problem: str) -> StepChange:
    change.problem = problem
    return change


def _add(parents: Parents, words: str, existing_model: bool, registry: Registry) -> StepChange:
    framework = framework_of(parents)
    plan = extend_plan(
        parents, words, framework=framework, existing_model=existing_model, registry=registry
    )
    added = [n for n in plan.topology if n not in parents]
    if not added:
        types = [t for t in named_step_types(words, registry) if _fits(t, framework)]
        if not types:
            present = named_nodes(words, parents, registry)
            problem = (
                f"{', '.join(present)} is already in the pipeline"
                if present
                else f"'{words}' names no step I know (`sagewright steps` lists them)"
            )
            return StepChange(parents, existing_model, problem=problem)
        spec = registry.get(types[0])
        plan = extend_plan(
            parents,
            "",
            framework=framework,
            existing_model=existing_model,
            registry=registry,
            steps=[(spec.name, spec.default_job_type)],
        )
        added = [n for n in plan.topology if n not in parents]
        if not added:
            problem = f"{', '.join(named_nodes(words, parents, registry))} is already there"
            return StepChange(parents, existing_model, problem=problem)
    topology = _adopt_new_data(plan.topology, added, registry)
    return StepChange(topology, plan.existing_model, added=added)


def _fits(step_type: str, framework: str) -> bool:
    """A framework's own step (XGBoostModel) fits only that framework."""
    other = [s for f, s in (*TRAINING.items(), *MODEL_STEP.items()) if f != framework]
    return step_type not in other


def _adopt_new_data(topology: Parents, added: list[str], registry: Registry) -> Parents:
    """New data of job type J feeds the steps already named for J (an evaluation on the test
    split reads the new test data instead)."""
    out = {n: list(p) for n, p in topology.items()}
    for node in added:
        spec = registry.get(step_type_of(node))
        job = qualifier_of(node)
        if spec.stage is not Stage.DATA or not job or _children(out, node):
            continue
        kinds = spec.produced_kinds
        for child, child_parents in out.items():
            if child in added or qualifier_of(child) != job:
                continue
            child_spec = registry.get(step_type_of(child))
            for i, parent in enumerate(child_parents):
                feeds = registry.get(step_type_of(parent)).produced_kinds
                if parent != node and feeds & kinds and child_spec.consumed_kinds & kinds:
                    child_parents[i] = node
    return out


def _children(parents: Mapping[str, Sequence[str]], node: str) -> list[str]:
    return [child for child, ps in parents.items() if node in ps]


def _remove(parents: Parents, words: str, existing_model: bool, registry: Registry) -> StepChange:
    targets = named_nodes(words, parents, registry)
    if not targets:
        return StepChange(parents, existing_model, problem=f"'{words}' names no step of this plan")
    if len(targets) > 1 and len({step_type_of(t) for t in targets}) == 1:
        return StepChange(
            parents,
            existing_model,
            problem=f"'{words}' could be {' or '.join(targets)}; name the data it runs on",
        )
    return _cut(parents, targets, existing_model, registry)


def _cut(
    parents: Parents, targets: list[str], existing_model: bool, registry: Registry
) -> StepChange:
    out = {n: list(p) for n, p in parents.items()}
    notes: list[str] = []
    removed: list[str] = []
    queue = list(targets)
    while queue:
        node = queue.pop(0)
        if node not in out:
            continue
        removed.append(node)
        jobs = {qualifier_of(node)}
        guards = [p for p in out.pop(node) if registry.get(step_type_of(p)).control]
        for child in _children(out, node):
            out[child].remove(node)
            out[child] += [g for g in guards if g in out and g not in out[child]]
            spec = registry.get(step_type_of(child))
            fed = {k for p in out[child] for k in registry.get(step_type_of(p)).produced_kinds}
            for port in spec.inputs:
                if port.mode is PortMode.OPTIONAL or port.kind in fed:
                    continue
                if port.mode is PortMode.OR_CONFIG:
                    existing_model = True
                    notes.append(f"{child} now reads {port.kind} from its config")
                else:
                    queue.append(child)  # nothing else can feed it
        for parent in parents.get(node, []):
            if parent in out and not _children(out, parent) and _feeder(parent, jobs, registry):
                queue.append(parent)
        if not queue:  # a gate left guarding nothing goes too
            queue = [
                n for n in out if registry.get(step_type_of(n)).control and not _children(out, n)
            ]
    return StepChange(out, existing_model, removed=removed, notes=notes)


def _feeder(node: str, jobs: set[str | None], registry: Registry) -> bool:
    """A node left with no children that only served what was removed: a data step, or a
    step on the same data (the evaluation that scored calibration data for a calibration)."""
    spec = registry.get(step_type_of(node))
    if spec.stage is Stage.DATA or spec.control:
        return True
    job = qualifier_of(node)
    return job is not None and job in jobs and DataKind.PREDICTIONS in spec.produced_kinds


def _replace(
    parents: Parents, old: str, new: str, existing_model: bool, registry: Registry
) -> StepChange:
    targets = named_nodes(old, parents, registry)
    if not targets:
        return StepChange(parents, existing_model, problem=f"'{old}' names no step of this plan")
    if not new:
        return StepChange(parents, existing_model, problem=f"replace {old} with what?")
    out = {n: list(p) for n, p in parents.items()}
    for node in targets:
        del out[node]
        for child in _children(out, node):
            out[child].remove(node)
    added = _add(out, new, existing_model, registry)
    if added.problem:
        return added
    old_kinds = {k for t in targets for k in registry.get(step_type_of(t)).produced_kinds}
    named = set(named_step_types(new, registry))
    back = [
        n
        for n in added.added
        if registry.get(step_type_of(n)).produced_kinds & old_kinds and step_type_of(n) not in named
    ]
    if back or not added.added:
        return StepChange(
            parents,
            existing_model,
            problem=f"'{new}' does not give what the steps after {', '.join(targets)} read",
        )
    return StepChange(
        added.topology,
        added.existing_model,
        added=added.added,
        removed=targets,
    )


def _switch(
    parents: Parents, existing_model: bool, words: str, unsupported: list[str]
) -> StepChange:
    target = framework_named(words)
    if target not in TRAINING:
        notes = unsupported or [f"not supported: '{words}' is not a framework I can train"]
        return StepChange(parents, existing_model, notes=notes)
    current = framework_of(parents)
    if current == target:
        return StepChange(parents, existing_model, problem=f"the pipeline already uses {target}")
    rename = {TRAINING[current]: TRAINING[target], MODEL_STEP[current]: MODEL_STEP[target]}

    def renamed(node: str) -> str:
        step_type = step_type_of(node)
        if step_type not in rename:
            return node
        job = qualifier_of(node)
        return rename[step_type] + (f"_{job}" if job else "")

    out = {renamed(n): [renamed(p) for p in ps] for n, ps in parents.items()}
    change = StepChange(out, existing_model, framework=(current, target))
    change.removed = [n for n in parents if n not in out]
    change.added = [n for n in out if n not in parents]
    return change


def _invalid(change: StepChange, registry: Registry) -> str | None:
    result = check_topology(
        change.topology, existing_model=change.existing_model, registry=registry
    )
    if not result.ok:
        issue = result.issues[0]
        return f"the edited pipeline would be invalid: {issue.message}"
    for node in change.added:
        spec = registry.get(step_type_of(node))
        if spec.stage is Stage.DATA and not _children(change.topology, node):
            return (
                f"{node} would feed no step (a dead-end data branch); say which step "
                "should read it, e.g. 'evaluate on it' or 'batch transform it'"
            )
    return None
