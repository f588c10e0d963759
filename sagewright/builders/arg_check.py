"""An independent check of a pipeline definition against the SageMaker API model.

The SDK builds step arguments from Python objects; this module reads only the
JSON it produced. Each step's ``Arguments`` are validated with botocore's
``ParamValidator`` against the input shape of the API call the step will make
(``CreateProcessingJob``, ``CreateTrainingJob``...), after replacing pipeline
expressions (``{"Get": ...}``, ``{"Std:Join": ...}``, ``{"Std:JsonGet": ...}``)
by dummies of the type the API expects there, and adding the job name the SDK
strips. On top of that: the service limits (definition size, pipeline and step
names), references to steps, parameters and property files that must exist,
and step keys the workflow service knows.

It needs botocore only (no SageMaker SDK, no network) and returns findings
instead of raising, so callers can show all of them at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

__all__ = ["MAX_DEFINITION_CHARS", "Problem", "check_definition"]

#: ``PipelineDefinition`` max length in the SageMaker service model.
MAX_DEFINITION_CHARS = 1_048_576
_PIPELINE_NAME_RE = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}")
_STEP_NAME_RE = re.compile(r"[A-Za-z0-9\-_]{1,64}")
_EXPR_KEYS = frozenset({"Get", "Std:Join", "Std:JsonGet"})
_EXECUTION_VARIABLES = frozenset(
    {
        "StartDateTime",
        "CurrentDateTime",
        "PipelineName",
        "PipelineArn",
        "PipelineExecutionId",
        "PipelineExecutionArn",
        "TrainingJobName",
        "ProcessingJobName",
    }
)
_STEP_KEYS = frozenset(
    {
        "Name",
        "Type",
        "Arguments",
        "DependsOn",
        "DisplayName",
        "Description",
        "CacheConfig",
        "RetryPolicies",
        "PropertyFiles",
    }
)
_CONDITION_TYPES = frozenset(
    {
        "Equals",
        "GreaterThan",
        "GreaterThanOrEqualTo",
        "LessThan",
        "LessThanOrEqualTo",
        "In",
        "Not",
        "Or",
    }
)

#: Step type -> (API operation, the name field the SDK strips from the arguments).
STEP_OPERATIONS: dict[str, tuple[str, str | None]] = {
    "Processing": ("CreateProcessingJob", "ProcessingJobName"),
    "Training": ("CreateTrainingJob", "TrainingJobName"),
    "Transform": ("CreateTransformJob", "TransformJobName"),
    "Tuning": ("CreateHyperParameterTuningJob", "HyperParameterTuningJobName"),
    "Model": ("CreateModel", "ModelName"),
    "RegisterModel": ("CreateModelPackage", None),
}


@dataclass(frozen=True)
class Problem:
    """One finding: the step it is about (``""`` for the whole definition) and what is wrong."""

    step: str
    message: str

    def __str__(self) -> str:
        return f"{self.step}: {self.message}" if self.step else self.message


def check_definition(definition: str, *, pipeline_name: str | None = None) -> list[Problem]:
    """All problems found in a pipeline definition JSON string; empty when it passes."""
    problems: list[Problem] = []
    if len(definition) > MAX_DEFINITION_CHARS:
        problems.append(
            Problem(
                "", f"definition is {len(definition):,} characters, over {MAX_DEFINITION_CHARS:,}"
            )
        )
    if pipeline_name is not None and not _PIPELINE_NAME_RE.fullmatch(pipeline_name):
        problems.append(
            Problem(
                "",
                f"pipeline name {pipeline_name!r} must be 1-256 letters, digits or hyphens, "
                "starting and ending with a letter or digit",
            )
        )
    try:
        doc = json.loads(definition)
    except json.JSONDecodeError as err:
        return [*problems, Problem("", f"definition is not JSON: {err}")]
    if not isinstance(doc, dict) or not isinstance(doc.get("Steps"), list):
        return [*problems, Problem("", "definition has no 'Steps' list")]

    steps = list(_walk_steps(doc["Steps"]))
    names = [str(s.get("Name", "")) for s, _ in steps]
    by_name = {str(s.get("Name")): s for s, _ in steps}
    parameters = {str(p.get("Name")) for p in doc.get("Parameters") or [] if isinstance(p, dict)}
    seen: set[str] = set()
    for name in names:
        if not _STEP_NAME_RE.fullmatch(name):
            problems.append(Problem(name, "step name must be 1-64 letters, digits, '-' or '_'"))
        if name in seen:
            problems.append(Problem(name, "step name is used more than once"))
        seen.add(name)

    for step, _in_branch in steps:
        name = str(step.get("Name", ""))
        problems.extend(Problem(name, m) for m in _check_step_keys(step, by_name))
        problems.extend(
            Problem(name, m) for m in _check_references(step.get("Arguments"), by_name, parameters)
        )
        problems.extend(Problem(name, m) for m in _check_arguments(step))
    return problems


def _walk_steps(steps: list[Any], in_branch: bool = False) -> Iterator[tuple[dict[str, Any], bool]]:
    """Every step, with the steps inside Condition branches after their condition."""
    for step in steps:
        if not isinstance(step, dict):
            continue
        yield step, in_branch
        if step.get("Type") == "Condition":
            args = step.get("Arguments") or {}
            for branch in ("IfSteps", "ElseSteps"):
                yield from _walk_steps(args.get(branch) or [], True)


def _check_step_keys(step: dict[str, Any], by_name: dict[str, Any]) -> Iterator[str]:
    unknown = sorted(set(step) - _STEP_KEYS)
    if unknown:
        yield f"unknown step keys {unknown}"
    for dep in step.get("DependsOn") or []:
        # A plain name, or {"Step": name, "Trigger": ...} for a run-condition dependency.
        dep_name = dep if isinstance(dep, str) else (dep or {}).get("Step")
        if dep_name not in by_name:
            yield f"DependsOn names unknown step {dep_name!r}"
        elif by_name[dep_name].get("Type") == "Condition":
            yield f"DependsOn names Condition step {dep_name!r}; the service rejects that"
    output_config = (step.get("Arguments") or {}).get("ProcessingOutputConfig") or {}
    outputs = {o.get("OutputName") for o in output_config.get("Outputs", [])}
    for pf in step.get("PropertyFiles") or []:
        if pf.get("OutputName") not in outputs:
            yield (
                f"property file {pf.get('PropertyFileName')!r} "
                f"reads unknown output {pf.get('OutputName')!r}"
            )


def _expressions(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in _EXPR_KEYS:
            yield value
        for v in value.values():
            yield from _expressions(v)
    elif isinstance(value, list):
        for v in value:
            yield from _expressions(v)


def _check_references(args: Any, by_name: dict[str, Any], parameters: set[str]) -> Iterator[str]:
    """``Get`` paths must name a declared parameter, a known step or execution variable."""
    for expr in _expressions(args):
        if "Std:Join" in expr:
            join = expr["Std:Join"]
            if not isinstance(join, dict) or not isinstance(join.get("Values"), list):
                yield f"malformed Std:Join {join!r}"
            continue
        if "Std:JsonGet" in expr:
            body = expr["Std:JsonGet"]
            if not isinstance(body, dict) or not body.get("Path"):
                yield f"malformed Std:JsonGet {body!r}"
            continue
        path = expr["Get"]
        if not isinstance(path, str):
            yield f"malformed Get {path!r}"
            continue
        head, _, rest = path.partition(".")
        if head == "Parameters":
            if rest not in parameters:
                yield f"reference to undeclared parameter {rest!r}"
        elif head == "Execution":
            if rest not in _EXECUTION_VARIABLES:
                yield f"unknown execution variable {rest!r}"
        elif head == "Steps":
            step_name, _, prop = rest.partition(".")
            target = by_name.get(step_name)
            if target is None:
                yield f"reference to unknown step {step_name!r}"
            elif prop.startswith("PropertyFiles."):
                pf_name = prop[len("PropertyFiles.") :]
                declared = {p.get("PropertyFileName") for p in target.get("PropertyFiles") or []}
                if pf_name not in declared:
                    yield f"step {step_name!r} declares no property file {pf_name!r}"
        else:
            yield f"unknown reference {path!r}"


def _check_arguments(step: dict[str, Any]) -> Iterator[str]:
    step_type = step.get("Type")
    args = step.get("Arguments")
    if not isinstance(args, dict):
        yield "step has no Arguments object"
        return
    if step_type == "Condition":
        for cond in args.get("Conditions") or []:
            if cond.get("Type") not in _CONDITION_TYPES:
                yield f"unknown condition type {cond.get('Type')!r}"
        if not args.get("Conditions"):
            yield "condition step has no conditions"
        return
    if step_type == "Fail":
        message = args.get("ErrorMessage")
        if not isinstance(message, str | dict):
            yield "fail step needs an ErrorMessage"
        return
    if step_type not in STEP_OPERATIONS:
        yield f"no argument check for step type {step_type!r}"
        return
    operation, name_field = STEP_OPERATIONS[step_type]
    if step_type == "Processing":
        for item in args.get("ProcessingInputs") or []:
            sources = [k for k in ("S3Input", "DatasetDefinition") if k in item]
            if len(sources) != 1:
                yield (
                    f"processing input {item.get('InputName')!r} needs exactly one of "
                    f"S3Input or DatasetDefinition, has {sources or 'none'}"
                )
    shape = _input_shape(operation)
    params = _fill(args, shape)
    if name_field and name_field not in params:
        params[name_field] = "sagewright-check"
    yield from _validate(params, shape, operation)


@cache
def _service_model() -> Any:
    from sagewright.builders.botocore_data import botocore_session

    return botocore_session().get_service_model("sagemaker")


@cache
def _input_shape(operation: str) -> Any:
    return _service_model().operation_model(operation).input_shape


def _is_expr(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _EXPR_KEYS


def _dummy(shape: Any) -> Any:
    """A value of the shape's type that meets its minimum constraints."""
    kind = shape.type_name
    minimum = shape.metadata.get("min", 0)
    if kind == "string":
        return "x" * max(int(minimum), 1)
    if kind in ("integer", "long"):
        return max(int(minimum), 1)
    if kind in ("float", "double"):
        return float(minimum)
    if kind == "boolean":
        return False
    return {"__expression_for__": kind}  # a structure/list/map: ParamValidator reports it


def _fill(value: Any, shape: Any) -> Any:
    """A copy of ``value`` with pipeline expressions replaced by typed dummies."""
    if _is_expr(value):
        return _dummy(shape)
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {
            k: _fill(v, shape.members[k]) if k in shape.members else v for k, v in value.items()
        }
    if kind == "list" and isinstance(value, list):
        return [_fill(v, shape.member) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _fill(v, shape.value) for k, v in value.items()}
    return value


def _validate(params: dict[str, Any], shape: Any, operation: str) -> Iterator[str]:
    from botocore.validate import ParamValidator

    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        for line in report.generate_report().splitlines():
            if line.strip() and not line.startswith("Parameter validation failed"):
                yield f"{operation}: {line.strip()}"
    yield from (f"{operation}: {m}" for m in _max_lengths(params, shape, operation))


def _max_lengths(value: Any, shape: Any, path: str) -> Iterator[str]:
    """``max`` length constraints, which botocore's validator does not check."""
    kind = shape.type_name
    maximum = shape.metadata.get("max")
    if kind == "string" and isinstance(value, str):
        if maximum is not None and len(value) > maximum:
            yield f"{path} is {len(value)} characters, over the maximum {maximum}"
    elif kind == "list" and isinstance(value, list):
        if maximum is not None and len(value) > maximum:
            yield f"{path} has {len(value)} items, over the maximum {maximum}"
        for i, item in enumerate(value):
            yield from _max_lengths(item, shape.member, f"{path}[{i}]")
    elif kind == "map" and isinstance(value, dict):
        if maximum is not None and len(value) > maximum:
            yield f"{path} has {len(value)} entries, over the maximum {maximum}"
        for k, item in value.items():
            yield from _max_lengths(k, shape.key, f"{path} key {k!r}")
            yield from _max_lengths(item, shape.value, f"{path}[{k!r}]")
    elif kind == "structure" and isinstance(value, dict):
        for k, item in value.items():
            if k in shape.members:
                yield from _max_lengths(item, shape.members[k], f"{path}.{k}")
