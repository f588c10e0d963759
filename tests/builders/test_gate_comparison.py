"""QualityGate comparisons in the real ``definition()`` JSON, for classifiers and regression."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sagewright.builders.assembler import assemble
from sagewright.errors import StepBuildError
from sagewright.facts import PipelineValues
from sagewright.scaffold import build_configs
from sagewright.topology import Topology
from tests.conftest import golden_case

CASE = golden_case("vis-13-loan-default-gate-register")
# A bucket of its own: assemble() caches one offline session per region and bucket, and the
# modules before this one restore the environment that session set up.
OWN_BUCKET = {"bucket": "gate-comparison-tests"}
REGRESSION = {"hyperparameters.objective": "reg:squarederror", "label_name": "loss_amount"}
CONDITION_TYPES = {
    ">=": "GreaterThanOrEqualTo",
    ">": "GreaterThan",
    "<=": "LessThanOrEqualTo",
    "<": "LessThan",
}


pytestmark = pytest.mark.usefixtures("restore_environ")


def configs_for(**facts: Any) -> dict[str, Any]:
    values = PipelineValues.from_facts({**CASE["facts"], **OWN_BUCKET, **facts})
    return build_configs(Topology.parse(CASE["topology"]), values, allow_placeholders=True).configs


def gate_condition(**facts: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The gate's only condition and its FailStep, from the assembled definition."""
    definition = json.loads(assemble(CASE["topology"], configs_for(**facts)).definition)
    gate = next(s for s in definition["Steps"] if s["Name"] == "QualityGate")
    (condition,) = gate["Arguments"]["Conditions"]
    (fail,) = gate["Arguments"]["ElseSteps"]
    return condition, fail


@pytest.mark.parametrize("comparison", list(CONDITION_TYPES))
def test_each_comparison_becomes_its_condition_type(comparison: str) -> None:
    condition, fail = gate_condition(
        **REGRESSION,
        **{"gate.metric": "rmse", "gate.threshold": 4.5},
        **{"gate.comparison": comparison},
    )
    assert condition["Type"] == CONDITION_TYPES[comparison]
    left = condition["LeftValue"]["Std:JsonGet"]
    assert left["Path"] == "rmse"
    assert left["PropertyFile"] == {
        "Get": "Steps.ModelEvaluation_testing.PropertyFiles.EvaluationReport"
    }
    assert condition["RightValue"] == 4.5
    assert f"rmse {comparison} 4.5" in fail["Arguments"]["ErrorMessage"]


@pytest.mark.parametrize(
    ("facts", "metric", "condition_type"),
    [
        ({**REGRESSION, "gate.metric": "mse", "gate.threshold": 6}, "mse", "LessThanOrEqualTo"),
        ({**REGRESSION, "gate.metric": "mae", "gate.threshold": 2}, "mae", "LessThanOrEqualTo"),
        ({**REGRESSION, "gate.metric": "r2", "gate.threshold": 0.7}, "r2", "GreaterThanOrEqualTo"),
        ({"gate.metric": "log_loss", "gate.threshold": 0.3}, "log_loss", "LessThanOrEqualTo"),
        ({}, "auc", "GreaterThanOrEqualTo"),
    ],
)
def test_without_a_comparison_the_metric_direction_decides(
    facts: dict[str, Any], metric: str, condition_type: str
) -> None:
    condition, _ = gate_condition(**facts)
    assert condition["Type"] == condition_type
    assert condition["LeftValue"]["Std:JsonGet"]["Path"] == metric


def test_the_assembler_refuses_a_gate_the_objective_cannot_feed() -> None:
    configs = configs_for(**REGRESSION, **{"gate.metric": "rmse", "gate.threshold": 4.0})
    configs["XGBoostTraining"] = configs["XGBoostTraining"].model_copy(
        update={
            "hyperparameters": configs["XGBoostTraining"].hyperparameters.model_copy(
                update={"objective": "binary:logistic"}
            )
        }
    )
    with pytest.raises(StepBuildError) as info:
        assemble(CASE["topology"], configs)
    assert info.value.code == "metric_objective_mismatch"
    assert (info.value.node, info.value.field) == ("QualityGate", "metric")
