"""The offline planner: requirement -> minimal valid topology, deterministic, no network.

:mod:`sagewright.agents.requirement_reader` says what is asked (stages, job types, negations,
gate); this module places the asked steps and completes every required input through the
registry's ports: a consumer's required kind is fed by an existing producer when one fits
(same job type for data), else by a new producer picked from ``registry.producers(kind)``.
Optional inputs are wired only when the requirement asks for them (calibration mapping into
Packaging, payloads and metrics into ModelRegistration). Only registered step types are ever
emitted, whatever the text says.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from sagewright.agents.requirement_reader import (
    BATCH,
    CALIBRATE,
    GATE,
    JOB_ORDER,
    MODEL,
    PACKAGE,
    PAYLOAD,
    PREPROCESS,
    REGISTER,
    TRAIN,
    TUNE,
    Intent,
    read_requirement,
)
from sagewright.agents.text.asks import outside_catalogue
from sagewright.agents.text.leftovers import unread_note
from sagewright.agents.text.windows import locate
from sagewright.dag import descendants, has_path, topological_order
from sagewright.registry import DataKind, PortMode, Registry, StepSpec, default_registry
from sagewright.topology import Topology, qualifier_of, step_type_of

# The catalogue's step types the rules below refer to; a registry missing one is reported.
DATA_LOADING, PREPROCESSING = "DataLoading", "TabularPreprocessing"
TUNING, EVALUATION, CALIBRATION = "HyperparameterTuning", "ModelEvaluation", "ModelCalibration"
TRANSFORM, PACKAGING, PAYLOADS, REGISTRATION = (
    "BatchTransform",
    "Packaging",
    "PayloadGeneration",
    "ModelRegistration",
)
QUALITY_GATE = "QualityGate"
TRAINING = {"xgboost": "XGBoostTraining", "pytorch": "PyTorchTraining"}
MODEL_STEP = {"xgboost": "XGBoostModel", "pytorch": "PyTorchModel"}
GUARD_STEPS = {
    PACKAGE: PACKAGING,
    PAYLOAD: PAYLOADS,
    REGISTER: REGISTRATION,
    BATCH: TRANSFORM,
    CALIBRATE: CALIBRATION,
}


@dataclass(frozen=True)
class Asked:
    """A node the requirement asks for: a reader concept (``train``, ``evaluate``, ``data`` for a
    named source, ...) with its job type, or the span of a cue / gate in the read text."""

    concept: str
    job: str | None = None
    span: tuple[int, int] | None = None  # positions in ``Intent.text``


@dataclass(frozen=True)
class NeededBy:
    """A node added to feed ``consumer``'s input ``port``."""

    consumer: str
    port: str


Why = Asked | NeededBy


@dataclass
class OfflinePlan:
    topology: dict[str, list[str]]
    existing_model: bool  # or-config inputs are left to the config (a model file)
    intent: Intent
    notes: list[str] = field(default_factory=list)
    why: dict[str, Why] = field(default_factory=dict)  # each node's cause, for explanations


class _PlanBuilder:
    """Insertion-ordered parent lists plus the producer choices of one plan."""

    def __init__(self, intent: Intent, registry: Registry) -> None:
        self.intent = intent
        self.registry = registry
        self.parents: dict[str, list[str]] = {}
        self.why: dict[str, Why] = {}
        self.framework = intent.framework or "xgboost"
        self.train_negated = TRAIN in intent.negated and TUNE not in intent.asked
        self.existing_model = False
        self.calibration_scorer = TRANSFORM if intent.calibration_scorer == "batch" else EVALUATION

    # node helpers -------------------------------------------------------------------------
    def spec(self, node: str) -> StepSpec:
        return self.registry.get(step_type_of(node))

    def name(self, step_type: str, job_type: str | None = None) -> str:
        if self.registry.get(step_type).job_typed:
            return f"{step_type}_{job_type or 'training'}"
        return step_type

    def add(self, step_type: str, job_type: str | None = None, why: Why | None = None) -> str:
        node = self.name(step_type, job_type)
        if node not in self.parents:
            self.parents[node] = []
            if why is not None:
                self.why[node] = why
            self._complete(node)
        elif isinstance(why, Asked) and not isinstance(self.why.get(node), Asked):
            self.why[node] = why  # asked for in words after another step needed it
        return node

    def link(self, parent: str, child: str) -> None:
        if parent != child and parent not in self.parents[child]:
            self.parents[child].append(parent)

    def has_data(self, job_type: str) -> bool:
        return job_type in self.intent.data_job_types

    # port completion ----------------------------------------------------------------------
    def _complete(self, node: str) -> None:
        """Feed each input no parent feeds yet (a chat edit may have removed its producer)."""
        spec = self.spec(node)
        fed = {kind for parent in self.parents[node] for kind in self.spec(parent).produced_kinds}
        for port in spec.inputs:
            if port.mode is PortMode.OPTIONAL or port.kind in fed:
                continue  # optional ones are wired in _optional_inputs, only when asked
            if port.mode is PortMode.OR_CONFIG and not self._model_producer_wanted():
                self.existing_model = True
                continue
            producer = self._producer(port.kind, node, NeededBy(node, port.name))
            if producer is not None:
                self.link(producer, node)

    def _model_producer_wanted(self) -> bool:
        if any(step_type_of(n) in (TUNING, *TRAINING.values()) for n in self.parents):
            return True
        return not (self.intent.existing_model or self.train_negated)

    def _producer(self, kind: DataKind, consumer: str, why: NeededBy) -> str | None:
        job = qualifier_of(consumer) if self.spec(consumer).job_typed else "training"
        if kind is DataKind.TABULAR_DATA:
            return self.add(self._only_producer(kind, DATA_LOADING), job, why)
        if kind is DataKind.PROCESSED_DATA:
            # a test / validation job with no source of its own reads the training splits;
            # data to score (inference) is never a split of the training data
            own = job and (job in ("training", "inference") or self.has_data(job))
            source = job if own else "training"
            return self.add(self._only_producer(kind, PREPROCESSING), source, why)
        if kind is DataKind.MODEL_ARTIFACTS:
            return self.add(self._training_step(), why=why)
        if kind is DataKind.MODEL:
            return self.add(MODEL_STEP[self.framework], why=why)
        if kind is DataKind.PREDICTIONS:
            return self.add(self.calibration_scorer, job or "calibration", why)
        if kind is DataKind.EVALUATION_REPORT:
            return self.add(EVALUATION, self._gate_job(), why)
        existing = [n for n in self.parents if kind in self.spec(n).produced_kinds]
        if existing:
            return existing[0]
        producers = [p for p in self.registry.producers(kind) if not p.control]
        return self.add(producers[0].name, job, why) if producers else None

    def _only_producer(self, kind: DataKind, preferred: str) -> str:
        names = [p.name for p in self.registry.producers(kind)]
        return preferred if preferred in names or not names else names[0]

    def _training_step(self) -> str:
        existing = [n for n in self.parents if step_type_of(n) in (TUNING, *TRAINING.values())]
        if existing:
            return existing[0]
        return TUNING if self.intent.wants(TUNE) else TRAINING[self.framework]

    def _gate_job(self) -> str:
        gate = self.intent.gate
        if gate and gate.job_type:
            return gate.job_type
        evaluated = [j for j in self.intent.evaluate if j != "calibration"]
        if evaluated:
            return evaluated[0]
        return next((j for j in ("testing", "validation") if self.has_data(j)), "testing")


def plan_offline(requirement: str, *, registry: Registry | None = None) -> OfflinePlan:
    """Plan a requirement without an LLM. Deterministic; only registered steps."""
    reg = registry or default_registry()
    intent = read_requirement(requirement, reg)
    graph = _planned(_PlanBuilder(intent, reg))
    notes = outside_catalogue(requirement, reg)
    topology = _without_dead_data(_in_flow_order(graph.parents, reg))
    if not topology:
        notes.append("nothing in the requirement maps to a catalogue step; the plan is empty")
    notes += unplaced_asks(requirement, intent, topology, reg)
    existing = graph.existing_model or (
        intent.existing_model and not any(n in topology for n in _training_names())
    )
    why = {node: graph.why[node] for node in topology if node in graph.why}
    return OfflinePlan(topology, existing, intent, notes, why)


def _without_dead_data(topology: dict[str, list[str]]) -> dict[str, list[str]]:
    """Drop a data branch (loading, preprocessing) that no later step reads, when the plan goes
    past data preparation: a path whose job nothing asked for is not loaded for nothing."""
    data = {n for n in topology if step_type_of(n) in (DATA_LOADING, PREPROCESSING)}
    if data == set(topology):
        return topology  # "only the data preparation": the branches are the pipeline
    read = {p for node, parents in topology.items() if node not in data for p in parents}
    live = {n for n in data if n in read or descendants(topology, n) & read}
    return {n: ps for n, ps in topology.items() if n not in data or n in live}


def extend_plan(
    topology: Mapping[str, Sequence[str]],
    request: str,
    *,
    framework: str,
    existing_model: bool = False,
    registry: Registry | None = None,
    steps: Sequence[tuple[str, str | None]] = (),
) -> OfflinePlan:
    """Place what ``request`` asks for, and ``steps`` (step type, job type), into an existing
    topology (a chat edit).

    Ports are completed exactly as in a fresh plan: an existing node of the right name is
    reused, a missing producer is added. Nodes left with a required input unfed (their
    producer was removed) are completed too, so the result never lacks a parent.
    """
    reg = registry or default_registry()
    intent = read_requirement(request, reg)
    present = {qualifier_of(n) for n in topology if step_type_of(n) == DATA_LOADING}
    intent.data_job_types = [j for j in JOB_ORDER if j in {*intent.data_job_types, *present}]
    intent.existing_model = intent.existing_model or existing_model
    graph = _PlanBuilder(intent, reg)
    graph.framework = framework
    graph.parents = {node: list(parents) for node, parents in topology.items()}
    _planned(graph, steps)
    for node in list(graph.parents):
        graph._complete(node)
    topology = _in_flow_order(graph.parents, reg)
    notes = outside_catalogue(request, reg) + unplaced_asks(request, intent, topology, reg)
    return OfflinePlan(topology, graph.existing_model, intent, notes)


def _training_names() -> Iterable[str]:
    return (TUNING, *TRAINING.values())


def _place_asked_steps(graph: _PlanBuilder, intent: Intent) -> None:
    """One loop over the registry: each step whose cues were asked for (plugins too) is placed
    on the job types the text names for it, else on its ``default_job_type``. The explicit
    rules are the job-type rule for data (one loading / preprocessing per named data) and the
    framework rule (which training or model step answers "train" / "tune" / "model")."""
    for job in intent.data_job_types:
        data = Asked("data", job)
        graph.add(DATA_LOADING if PREPROCESS in intent.negated else PREPROCESSING, job, data)
    for spec in graph.registry:
        ask, jobs = spec.asked_as, intent.jobs_for(spec.asked_as)
        if spec.control or ask == PREPROCESS or not (intent.wants(ask) or jobs):
            continue
        if ask in (TRAIN, TUNE):
            graph.add(graph._training_step(), why=Asked(TUNE if intent.wants(TUNE) else TRAIN))
        elif ask == MODEL:
            graph.add(MODEL_STEP[graph.framework], why=Asked(MODEL))
        else:
            for job in jobs or [spec.default_job_type or ""]:
                graph.add(spec.name, job or None, Asked(ask, job or None))


def _optional_inputs(graph: _PlanBuilder, intent: Intent) -> None:
    """Optional ports are fed only when the requirement asks for what they carry."""
    calibrations = [n for n in graph.parents if step_type_of(n) == CALIBRATION]
    if PACKAGING in graph.parents and calibrations:
        graph.link(calibrations[0], PACKAGING)
    if REGISTRATION in graph.parents:
        if PAYLOADS in graph.parents and not intent.payloads_apart:
            graph.link(PAYLOADS, REGISTRATION)
        for job in intent.attach_metrics:
            graph.link(graph.name(EVALUATION, job), REGISTRATION)


def _planned(graph: _PlanBuilder, steps: Sequence[tuple[str, str | None]] = ()) -> _PlanBuilder:
    """Place what the intent asks for, and ``steps``; feed optional inputs; place the gate."""
    _place_asked_steps(graph, graph.intent)
    for step_type, job_type in steps:
        graph.add(step_type, job_type)
    _optional_inputs(graph, graph.intent)
    _place_gate(graph, graph.intent)
    return graph


def _place_gate(graph: _PlanBuilder, intent: Intent) -> None:
    gate = intent.gate
    if gate is None:
        return
    guarded = [GUARD_STEPS[c] for c in gate.guards if c in GUARD_STEPS]
    if MODEL in gate.guards:
        guarded.append(MODEL_STEP[graph.framework])
    present = [
        node
        for node in graph.parents
        if step_type_of(node) in guarded and step_type_of(node) != QUALITY_GATE
    ]
    if not present:  # nothing named in the condition: guard the last publishing step
        fallback = [s for s in (REGISTRATION, PACKAGING, PAYLOADS) if s in graph.parents]
        present = fallback[:1]
    if not present:  # reported by unplaced_asks
        return
    parents = graph.parents
    first = [n for n in present if not any(has_path(parents, o, n) for o in present if o != n)]
    gate_node = graph.add(QUALITY_GATE, why=Asked(GATE, gate.job_type, gate.at))
    for node in first:
        graph.link(gate_node, node)


def unplaced_asks(
    requirement: str, intent: Intent, topology: Mapping[str, Sequence[str]], registry: Registry
) -> list[str]:
    """Asks the reader saw (a step's cue words, a stated gate) that the plan could not place,
    each named with why, and every value stated for them as *not understood*.

    A step doing the same job answers an ask (tuning answers "train"). What an unplaced ask
    needs is read from a plan made as if every ask could be placed; the values are those the
    extractor takes from the requirement for that plan and not for the real one.
    """
    said = {m.concept for m in intent.mentions if not m.negated} - intent.negated
    said |= {GATE} if intent.gate else set()
    made = {kind for node in topology for kind in registry.get(step_type_of(node)).produced_kinds}
    placed = {registry.get(step_type_of(node)).asked_as for node in topology}
    missing = {
        spec.asked_as: spec
        for spec in registry
        if spec.cues
        and spec.asked_as in said - placed
        and not (spec.produced_kinds and spec.produced_kinds <= made)
    }
    if not missing:
        return []
    wished = replace(intent, asked=intent.asked | said, unsupported_model=None)
    alone = [s for s in missing.values() if sum(o.asked_as == s.asked_as for o in registry) == 1]
    steps = [(s.name, s.default_job_type) for s in alone]
    plans = []  # a model in a framework we lack: its values are read as each framework's
    for framework in TRAINING if intent.unsupported_model else [intent.framework or "xgboost"]:
        graph = _PlanBuilder(wished, registry)
        graph.framework = framework
        graph.parents = {node: list(parents) for node, parents in topology.items()}
        named = [(TRAINING[framework], None)] if intent.unsupported_model else []
        plans.append(_planned(graph, [*steps, *named]).parents)
    notes = [
        _unplaced(requirement, ask, spec, intent, plans[0], registry)
        for ask, spec in missing.items()
    ]
    return notes + _values_of_unplaced(requirement, topology, plans, registry)


def _unplaced(
    requirement: str,
    ask: str,
    spec: StepSpec,
    intent: Intent,
    wished: Mapping[str, Sequence[str]],
    reg: Registry,
) -> str:
    mention = next((m for m in intent.mentions if m.concept == ask and not m.negated), None)
    at = (mention.start, mention.end) if mention else intent.gate.at if intent.gate else None
    span = locate(requirement, intent.text[at[0] : at[1]]) if at else None
    words = f"'{requirement[span[0] : span[1]]}'" if span else ask
    if sum(s.asked_as == ask for s in reg) == 1:
        words += f" ({spec.name})"
    node = next((n for n in wished if reg.get(step_type_of(n)).asked_as == ask), spec.name)

    def trains(step: str) -> bool:
        return DataKind.MODEL_ARTIFACTS in reg.get(step_type_of(step)).produced_kinds

    model = node in wished and any(trains(n) and has_path(wished, n, node) for n in wished)
    if model and intent.unsupported_model:
        need = "it trains the model" if trains(node) else "it needs a trained model"
        why = f"{need}, and the asked framework '{intent.unsupported_model}' is not supported"
    elif spec.control:
        guardable = ", ".join(s.name for s in reg if s.guardable)
        why = f"it needs a later step to guard ({guardable}), and none is planned"
    else:
        why = "it needs steps the requirement does not ask for"
    return f"{words} was asked for but not planned: {why}"


def _values_of_unplaced(
    requirement: str,
    topology: Mapping[str, Sequence[str]],
    plans: Sequence[Mapping[str, Sequence[str]]],
    registry: Registry,
) -> list[str]:
    """What the requirement states for steps that are only in the wished ``plans``."""
    from sagewright.agents.offline_extractor import collect_offline

    def stated(parents: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        if not parents:
            return {}
        found = collect_offline(requirement, Topology.parse(dict(parents)), registry=registry)
        return {key: found.evidence(key) for key in found.stated_keys()}

    taken = stated(topology)
    said = {e for plan in plans for k, each in stated(plan).items() if k not in taken for e in each}
    said = {e for e in said if not any(e != other and e in other for other in said)}
    return [
        unread_note(evidence, "stated for a step that is not planned")
        for evidence in sorted(said, key=requirement.find)
    ]


def _in_flow_order(parents: dict[str, list[str]], registry: Registry) -> dict[str, list[str]]:
    """Topological order, ties broken by the registry's flow order and the job-type order."""
    rank = {name: i for i, name in enumerate(registry.names())}

    def key(node: str) -> tuple[int, int, str]:
        job = qualifier_of(node) or ""
        job_rank = JOB_ORDER.index(job) if job in JOB_ORDER else len(JOB_ORDER)
        return (job_rank if step_type_of(node) in (DATA_LOADING, PREPROCESSING) else 0,
                rank.get(step_type_of(node), len(rank)), node)  # fmt: skip

    order = topological_order(parents, key=key)
    return {node: list(parents[node]) for node in order}
