"""Topology + configs -> SageMaker Pipeline, with explicit wiring and typed errors.

:func:`assemble` is the one implementation; :func:`generate_pipeline` and
:func:`build_definition` are views of it. The steps, in order:

1. the checker binds every input port to one parent output by exact port name and kind
   (``CheckResult.wires``); or-config ports left unfed take the node's config field
   (``existing_model_uri``). Unfed, doubly fed or doubly given ports are errors;
2. every node must have a config of exactly its step's config class, and the
   pipeline-wide settings (region, bucket, pipeline name, S3 prefix) must agree;
3. builders run in topological order (ties keep the topology's order), each step named
   exactly as its node; a QualityGate adds ``<node>_fail``;
4. the guarded subtree of a gate (the steps it guards and everything downstream of
   them) goes into the gate's ``if_steps``; everything else is a top-level step;
5. the definition is built with an offline session (one per region and bucket per
   process) and checked with :func:`sagewright.builders.arg_check.check_definition`.

Every failure is a :class:`sagewright.errors.BuildError` (or a ``TopologyError`` for a
malformed topology) whose code is stable and whose message names the node and field.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sagewright.builders.base import BuiltStep, InputRef
from sagewright.builders.code_bundle import CodeBundle
from sagewright.builders.context import INSTANCE_TYPE_PARAMETERS, BuildContext
from sagewright.checker import CheckResult, check_topology, require_steps
from sagewright.dag import descendants
from sagewright.errors import BuildError, SagewrightError, StepBuildError
from sagewright.registry import Registry, StepSpec, default_registry
from sagewright.registry.config_base import StepConfig
from sagewright.registry.validation import CROSS_NODE_HINT, across_node_problems
from sagewright.topology import Topology, qualifier_of, step_type_of

__all__ = ["Assembly", "assemble", "build_definition", "generate_pipeline"]

#: Settings every config of one pipeline must share.
PIPELINE_SETTINGS = ("region", "bucket", "pipeline_name", "s3_prefix")
#: Checker issues that are wiring problems of one port (reported as BuildErrors).
_PORT_ISSUES = {"unfed_input": "unwired_port", "input_fed_twice": "ambiguous_wire"}


@dataclass(frozen=True)
class Assembly:
    """A built pipeline plus what deploying it needs."""

    pipeline: Any
    definition: str
    name: str
    region: str
    bucket: str
    description: str
    tags: dict[str, str]
    parameters: dict[str, str]  # name -> default value
    bundles: tuple[CodeBundle, ...]
    steps: tuple[str, ...]  # every step name, in build order


def generate_pipeline(
    topology: Topology | Mapping[str, list[str]],
    configs: Mapping[str, StepConfig],
    *,
    registry: Registry | None = None,
) -> Any:
    """The SageMaker ``Pipeline`` of a topology and its configs (checked, offline)."""
    return assemble(topology, configs, registry=registry).pipeline


def build_definition(
    topology: Topology | Mapping[str, list[str]],
    configs: Mapping[str, StepConfig],
    *,
    registry: Registry | None = None,
) -> str:
    """The pipeline definition JSON text; byte-identical for the same inputs."""
    return assemble(topology, configs, registry=registry).definition


def assemble(
    topology: Topology | Mapping[str, list[str]],
    configs: Mapping[str, StepConfig],
    *,
    registry: Registry | None = None,
    check: bool = True,
) -> Assembly:
    """Build the pipeline; ``check`` runs the botocore argument check on the definition."""
    from sagewright.builders.recipes import definition_json, make_pipeline
    from sagewright.builders.sdk import refused_calls

    reg = registry or default_registry()
    topo = Topology.parse(topology)
    result = _check(topo, reg)
    specs = {node: reg.get(step_type_of(node)) for node in topo.nodes}
    _check_configs(topo, specs, configs)
    sources = _bind_config_inputs(result, specs, configs)
    settings = _pipeline_settings(topo, configs)
    order = topo.build_order()
    owner = _gate_owners(topo, result, order)

    session = shared_session(settings.region, settings.bucket)
    before = len(refused_calls(session))
    context = BuildContext(
        session=session,
        region=settings.region,
        bucket=settings.bucket,
        code_prefix=settings.s3_prefix,
        output_root=settings.pipeline_s3_loc,
        shared_instance_types=_shared_instance_types(configs),
    )
    built: dict[str, BuiltStep] = {}
    for node in order:
        inputs = _inputs_of(node, result, built, configs, sources)
        built[node] = _build_node(node, specs[node], configs[node], inputs, context)
    names = _check_step_names(order, built)
    top_level = []
    for node in order:
        if node in owner:
            built[owner[node]].step.if_steps.append(built[node].step)
        else:
            top_level.append(built[node].step)
    try:
        pipeline = make_pipeline(
            settings.pipeline_name, top_level, context.parameters, session=session
        )
        definition = definition_json(pipeline)
    except ValueError as exc:
        raise BuildError(
            f"the SageMaker SDK could not compile the pipeline: {exc}", code="sdk_rejected_value"
        ) from exc
    refused = refused_calls(session)[before:]
    if refused:
        call = refused[0]
        raise BuildError(
            f"building tried to call AWS ({call.service}.{call.operation}); definitions are "
            "built offline",
            hint="report this: a builder reached an SDK path that talks to AWS",
            code="aws_call_attempted",
        )
    if check:
        _check_definition(definition, settings.pipeline_name)
    return Assembly(
        pipeline=pipeline,
        definition=definition,
        name=settings.pipeline_name,
        region=settings.region,
        bucket=settings.bucket,
        description=settings.pipeline_description,
        tags=dict(settings.tags),
        parameters={p.name: str(p.default_value) for p in context.parameters},
        bundles=tuple(context.bundles),
        steps=tuple(names),
    )


@functools.cache
def shared_session(region: str, bucket: str) -> Any:
    """One offline session per region and bucket per process (the SDK import is slow)."""
    from sagewright.builders.sdk import offline_session

    return offline_session(region, bucket)


# --------------------------------------------------------------------------- checks


def _check(topo: Topology, reg: Registry) -> CheckResult:
    """Checker findings: structural ones raise TopologyError, port ones BuildError."""
    require_steps(topo)
    result = check_topology(topo, existing_model=True, registry=reg)
    structural = [i for i in result.issues if i.code not in _PORT_ISSUES]
    if structural:
        CheckResult(topo, tuple(structural), (), (), ()).raise_for_issues()
    for issue in result.issues:
        raise StepBuildError(
            issue.message.split(": ", 1)[-1],
            node=issue.node or "",
            field=issue.port or "",
            hint=issue.hint,
            code=_PORT_ISSUES[issue.code],
        )
    return result


def _check_configs(
    topo: Topology, specs: Mapping[str, StepSpec], configs: Mapping[str, StepConfig]
) -> None:
    extra = [node for node in configs if node not in topo.parents]
    if extra:
        raise BuildError(
            f"config for node '{extra[0]}', which is not in the topology",
            hint="remove it from the configs or add the node to the topology",
            code="unknown_node",
            node=extra[0],
        )
    for node, spec in specs.items():
        config = configs.get(node)
        if config is None:
            raise BuildError(
                f"node '{node}' has no config",
                hint=f"give it a {spec.config_class.__name__} (sagewright init-config scaffolds "
                "one for every node)",
                code="node_without_config",
                node=node,
            )
        if type(config) is not spec.config_class:
            raise StepBuildError(
                f"config is a {type(config).__name__}, the {spec.name} step needs a "
                f"{spec.config_class.__name__}",
                node=node,
                field="config_class",
                code="wrong_config_class",
            )
        qualifier = qualifier_of(node)
        if spec.job_typed and getattr(config, "job_type", None) != qualifier:
            raise StepBuildError(
                f"job_type is {getattr(config, 'job_type', None)!r} but the node name says "
                f"{qualifier!r}",
                node=node,
                field="job_type",
                hint="the job type is derived from the node name; rebuild the config",
                code="job_type_mismatch",
            )
    for node, problem in across_node_problems(configs):
        raise StepBuildError(
            problem.message,
            node=node,
            field=problem.field,
            hint=CROSS_NODE_HINT,
            code=problem.code,
        )


def _bind_config_inputs(
    result: CheckResult, specs: Mapping[str, StepSpec], configs: Mapping[str, StepConfig]
) -> dict[tuple[str, str], str]:
    """``(node, port) -> S3 URI`` for or-config ports; each port fed exactly one way."""
    sources: dict[tuple[str, str], str] = {}
    for node, port_name in result.config_fed:
        port = specs[node].input(port_name)
        field = str(port.config_field)
        value = getattr(configs[node], field, None)
        if not value:
            raise StepBuildError(
                f"input '{port_name}' ({port.kind}) has no parent and the config gives no {field}",
                node=node,
                field=field,
                hint=f"add a parent that outputs {port.kind}, or set {field} to an S3 URI",
                code="unwired_port",
            )
        sources[(node, port_name)] = str(value)
    for wire in result.wires:
        port = specs[wire.child].input(wire.input)
        if port.config_field and getattr(configs[wire.child], port.config_field, None):
            raise StepBuildError(
                f"input '{wire.input}' is fed by parent '{wire.parent}' and by "
                f"{port.config_field} in the config",
                node=wire.child,
                field=port.config_field,
                hint=f"remove {port.config_field} or the parent '{wire.parent}'",
                code="ambiguous_wire",
            )
    return sources


@dataclass(frozen=True)
class _Settings:
    region: str
    bucket: str
    pipeline_name: str
    s3_prefix: str
    pipeline_s3_loc: str
    pipeline_description: str
    tags: dict[str, str]


def _pipeline_settings(topo: Topology, configs: Mapping[str, StepConfig]) -> _Settings:
    first_node = topo.nodes[0]
    first = configs[first_node]
    for node in topo.nodes[1:]:
        for name in PIPELINE_SETTINGS:
            mine, theirs = getattr(configs[node], name), getattr(first, name)
            if mine != theirs:
                raise StepBuildError(
                    f"{name} is {mine!r} but node '{first_node}' says {theirs!r}",
                    node=node,
                    field=name,
                    hint="one pipeline has one region, bucket, name and S3 prefix",
                    code="inconsistent_setting",
                )
    return _Settings(
        region=first.region,
        bucket=first.bucket,
        pipeline_name=first.pipeline_name,
        s3_prefix=first.s3_prefix,
        pipeline_s3_loc=first.pipeline_s3_loc,
        pipeline_description=first.pipeline_description,
        tags=dict(first.tags),
    )


def _shared_instance_types(configs: Mapping[str, StepConfig]) -> dict[str, str]:
    """Instance-type fields every node agrees on: those become pipeline parameters."""
    shared = {}
    for field in INSTANCE_TYPE_PARAMETERS:
        values = {getattr(c, field) for c in configs.values() if hasattr(c, field)}
        if len(values) == 1:
            shared[field] = values.pop()
    return shared


def _check_definition(definition: str, pipeline_name: str) -> None:
    from sagewright.builders.arg_check import check_definition

    problems = check_definition(definition, pipeline_name=pipeline_name)
    if problems:
        first = problems[0]
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        raise BuildError(
            f"the definition fails the SageMaker API check: {first}{more}",
            hint="a builder produced arguments the service would reject",
            code="definition_rejected",
            node=first.step,
        )


# --------------------------------------------------------------------------- order and gates


def _gate_owners(topo: Topology, result: CheckResult, order: list[str]) -> dict[str, str]:
    """Node -> the innermost gate whose ``if_steps`` hold it (guarded subtrees)."""
    subtree: dict[str, set[str]] = {}
    for gate, child in result.control_edges:
        subtree.setdefault(gate, set()).update({child}, descendants(topo.parents, child))
    owner = {}
    for node in order:
        gates = [g for g in subtree if node in subtree[g]]
        if not gates:
            continue
        inner = [g for g in gates if all(o == g or g in subtree[o] for o in gates)]
        if not inner:
            raise StepBuildError(
                f"guarded by independent gates {', '.join(sorted(gates))}",
                node=node,
                hint="a step can sit in one gate's branch only; chain the gates "
                "(make one gate guarded by the other) or merge them",
                code="guarded_twice",
            )
        owner[node] = inner[0]
    return owner


# --------------------------------------------------------------------------- building


def _inputs_of(
    node: str,
    result: CheckResult,
    built: Mapping[str, BuiltStep],
    configs: Mapping[str, StepConfig],
    sources: Mapping[tuple[str, str], str],
) -> dict[str, InputRef]:
    inputs: dict[str, InputRef] = {}
    for port, wire in result.inputs_of(node).items():
        producer = built[wire.parent]
        if wire.output not in producer.outputs:
            raise StepBuildError(
                f"the builder of '{wire.parent}' gave no output '{wire.output}' for input '{port}'",
                node=node,
                field=port,
                code="missing_output",
            )
        inputs[port] = InputRef(
            value=producer.outputs[wire.output],
            node=wire.parent,
            output=wire.output,
            job_type=getattr(configs[wire.parent], "job_type", None),
            step=producer.step,
            property_file=producer.property_files.get(wire.output),
        )
    for (child, port), uri in sources.items():
        if child == node:
            inputs[port] = InputRef(value=uri)
    return inputs


def _build_node(
    node: str,
    spec: StepSpec,
    config: StepConfig,
    inputs: Mapping[str, InputRef],
    context: BuildContext,
) -> BuiltStep:
    if spec.builder_class is None:
        raise BuildError(
            f"step type {spec.name} has no builder",
            hint="set builder_class in its StepSpec",
            code="no_builder",
            node=node,
        )
    try:
        built: BuiltStep = spec.builder_class().create_step(node, config, inputs, context)
    except SagewrightError:
        raise
    except (ValueError, TypeError) as exc:
        detail = " ".join(str(exc).split())[:300]
        raise StepBuildError(
            f"the SageMaker SDK rejected a value: {detail}",
            node=node,
            hint=f"check the {spec.config_class.__name__} values of this node",
            code="sdk_rejected_value",
        ) from exc
    if getattr(built.step, "name", None) != node:
        raise BuildError(
            f"the builder of '{node}' named its step {getattr(built.step, 'name', None)!r}",
            code="step_name_mismatch",
            node=node,
        )
    return built


def _check_step_names(order: list[str], built: Mapping[str, BuiltStep]) -> list[str]:
    names: list[str] = []
    for node in order:
        for step in (built[node].step, *built[node].extra_steps):
            if step.name in names:
                raise BuildError(
                    f"step name '{step.name}' is used twice (node '{node}')",
                    hint="rename the node; a QualityGate also adds '<node>_fail'",
                    code="duplicate_step_name",
                    node=node,
                )
            names.append(step.name)
    return names
