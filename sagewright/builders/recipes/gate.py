"""Quality gate recipe: a ``ConditionStep`` on an evaluation metric, with a ``FailStep``.

See the guarded-step notes in :mod:`sagewright.builders.recipes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from sagewright.builders.recipes._common import SdkStep

Comparison = Literal[">=", ">", "<=", "<", "=="]


def quality_gate_steps(
    name: str,
    *,
    evaluation_step: SdkStep,
    property_file: Any,
    json_path: str,
    metric: str,
    threshold: float,
    comparison: Comparison = ">=",
    if_steps: Sequence[SdkStep] = (),
    fail_message: str | None = None,
    fail_name: str | None = None,
) -> tuple[SdkStep, SdkStep]:
    """A ``ConditionStep`` on a metric of an evaluation report, failing the run otherwise.

    Returns ``(condition, fail)``; ``fail`` (default name ``<name>_fail``) is the
    condition's else-branch. Guarded steps go in ``if_steps`` here or are appended
    to ``condition.if_steps`` later (the list is read at ``definition()`` time);
    they must not also be passed to :func:`make_pipeline`, and they may reference
    each other. Only ``condition`` goes in the pipeline's step list.
    """
    from sagemaker.core.workflow.conditions import (
        ConditionEquals,
        ConditionGreaterThan,
        ConditionGreaterThanOrEqualTo,
        ConditionLessThan,
        ConditionLessThanOrEqualTo,
    )
    from sagemaker.core.workflow.functions import JsonGet
    from sagemaker.mlops.workflow.condition_step import ConditionStep
    from sagemaker.mlops.workflow.fail_step import FailStep

    kinds = {
        ">=": ConditionGreaterThanOrEqualTo,
        ">": ConditionGreaterThan,
        "<=": ConditionLessThanOrEqualTo,
        "<": ConditionLessThan,
        "==": ConditionEquals,
    }
    if comparison not in kinds:
        raise ValueError(f"comparison must be one of {sorted(kinds)}, not {comparison!r}")
    if property_file not in (evaluation_step.property_files or []):
        raise ValueError(
            f"property file {property_file.name!r} is not declared on step {evaluation_step.name!r}"
        )
    value = JsonGet(
        step_name=evaluation_step.name, property_file=property_file, json_path=json_path
    )
    fail = FailStep(
        name=fail_name or f"{name}_fail",
        error_message=fail_message
        or f"Quality gate {name}: {metric} did not satisfy {metric} {comparison} {threshold}",
    )
    condition = ConditionStep(
        name=name,
        conditions=[kinds[comparison](left=value, right=threshold)],
        if_steps=list(if_steps),
        else_steps=[fail],
    )
    return condition, fail
