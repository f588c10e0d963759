"""Condition steps (the QualityGate) and Fail steps."""

from __future__ import annotations

from typing import Any

from sagewright.local.context import StepContext, StepFailed

_COMPARE = {
    "GreaterThanOrEqualTo": lambda a, b: a >= b,
    "GreaterThan": lambda a, b: a > b,
    "LessThanOrEqualTo": lambda a, b: a <= b,
    "LessThan": lambda a, b: a < b,
    "Equals": lambda a, b: a == b,
}


def holds(ctx: StepContext, condition: dict[str, Any]) -> bool:
    kind = condition["Type"]
    if kind == "Not":
        return not holds(ctx, condition["Expression"])
    if kind == "Or":
        return any(holds(ctx, c) for c in condition["Conditions"])
    if kind == "In":
        return ctx.value(condition["QueryValue"]) in ctx.value(condition["Values"])
    left, right = ctx.value(condition["LeftValue"]), ctx.value(condition["RightValue"])
    if left is None:
        return False  # a null metric (e.g. auc with one class) never meets a threshold
    if kind not in _COMPARE:
        raise StepFailed(f"{ctx.name}: condition type {kind} is not supported by run-local")
    ctx.log(f"{kind}: {left!r} vs {right!r}")
    ctx.outcome.metrics.setdefault("left_value", left)
    result: bool = _COMPARE[kind](left, right)
    return result


def run_condition(ctx: StepContext) -> None:
    outcome = all(holds(ctx, c) for c in ctx.arguments.get("Conditions", []))
    ctx.outcome.decision = "if" if outcome else "else"
    ctx.set_properties(Outcome=outcome)
    ctx.log(f"outcome: {outcome} -> {ctx.outcome.decision} branch")


def run_fail(ctx: StepContext) -> None:
    message = str(ctx.value(ctx.arguments.get("ErrorMessage", "")))
    ctx.log(message)
    ctx.outcome.failed_by = message
