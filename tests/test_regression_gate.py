"""Regression gates in config: metrics, thresholds, comparison defaults, metric vs objective."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from sagewright.config_file import dump_configs, load_configs
from sagewright.errors import ConfigError
from sagewright.facts import PipelineValues, facts_from_configs
from sagewright.registry.hyperparameters import XGBOOST_REGRESSION_OBJECTIVES
from sagewright.registry.steps.quality_gate import QualityGateConfig
from sagewright.registry.steps.scripts import inference
from sagewright.scaffold import build_configs
from sagewright.topology import Topology
from tests.conftest import FULL_VALUES, golden_case

GATED = golden_case("vis-13-loan-default-gate-register")
TUNED = golden_case("vis-32-aml-tuning-gate-metrics")
PYTORCH = golden_case("vis-26-routing-pytorch-gate-register")


def configs_for(case: dict[str, Any], **facts: Any) -> dict[str, Any]:
    values = PipelineValues.from_facts({**case["facts"], **FULL_VALUES, **facts})
    return build_configs(Topology.parse(case["topology"]), values).configs


def gate(metric: str, threshold: float, **more: Any) -> QualityGateConfig:
    return QualityGateConfig(**FULL_VALUES, metric=metric, threshold=threshold, **more)


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("mse", "<="),
        ("rmse", "<="),
        ("mae", "<="),
        ("log_loss", "<="),
        ("r2", ">="),
        ("auc", ">="),
        ("accuracy", ">="),
    ],
)
def test_comparison_defaults_to_the_metric_direction(metric: str, expected: str) -> None:
    config = gate(metric, 0.5)
    assert config.comparison is None
    assert config.effective_comparison == expected


def test_a_stated_comparison_wins_over_the_direction() -> None:
    assert gate("rmse", 4.0, comparison="<").effective_comparison == "<"
    assert gate("auc", 0.8, comparison=">").effective_comparison == ">"


@pytest.mark.parametrize(
    ("metric", "threshold"),
    [("mse", 6.0), ("rmse", 1250.5), ("mae", 0.0), ("r2", -0.3), ("r2", 1.0), ("log_loss", 3.2)],
)
def test_regression_thresholds_are_not_probabilities(metric: str, threshold: float) -> None:
    assert gate(metric, threshold).threshold == threshold


@pytest.mark.parametrize(
    ("metric", "threshold", "needle"),
    [
        ("rmse", -1.0, "must not be negative"),
        ("mse", -0.5, "must not be negative"),
        ("r2", 1.5, "at most 1"),
        ("f1", 2.0, "between 0 and 1"),
    ],
)
def test_impossible_thresholds_name_the_rule(metric: str, threshold: float, needle: str) -> None:
    with pytest.raises(ValidationError, match=needle):
        gate(metric, threshold)


def test_an_unknown_comparison_is_a_field_error() -> None:
    with pytest.raises(ValidationError) as info:
        gate("rmse", 4.0, comparison="=>")
    assert [e["loc"] for e in info.value.errors()] == [("comparison",)]


def test_a_regression_gate_builds_for_a_regression_objective() -> None:
    configs = configs_for(
        GATED,
        **{"hyperparameters.objective": "reg:squarederror", "gate.metric": "rmse"},
        **{"gate.threshold": 4.0},
    )
    assert configs["QualityGate"].metric == "rmse"
    assert configs["QualityGate"].effective_comparison == "<="


@pytest.mark.parametrize(
    ("case", "facts", "needle"),
    [
        (GATED, {"hyperparameters.objective": "reg:squarederror"}, "'auc' is a classification"),
        (GATED, {"gate.metric": "rmse", "gate.threshold": 4.0}, "objective binary:logistic"),
        (TUNED, {"hyperparameters.objective": "count:poisson"}, "node 'HyperparameterTuning'"),
        (PYTORCH, {"gate.metric": "mae", "gate.threshold": 2.0}, "PyTorch training script"),
    ],
)
def test_a_metric_the_model_never_reports_is_a_typed_error(
    case: dict[str, Any], facts: dict[str, Any], needle: str
) -> None:
    with pytest.raises(ConfigError) as info:
        configs_for(case, **facts)
    assert info.value.code == "metric_objective_mismatch"
    assert info.value.where == "node 'QualityGate'.metric"
    assert needle in info.value.message
    assert "field 'metric'" in info.value.message


def test_reg_logistic_is_scored_as_a_classifier() -> None:
    configs = configs_for(GATED, **{"hyperparameters.objective": "reg:logistic"})
    assert configs["QualityGate"].metric == "auc"


def test_a_placeholder_metric_is_not_blamed() -> None:
    values = PipelineValues.from_facts(
        {**FULL_VALUES, "label_name": "y", "hyperparameters.objective": "reg:squarederror"}
    )
    scaffold = build_configs(
        Topology.parse(GATED["topology"]), values, allow_placeholders=True
    )  # the gate metric is unknown: its placeholder must not fail the build
    assert ("QualityGate", "metric") in scaffold.placeholders


def test_a_config_file_with_a_mismatched_gate_names_file_node_and_field(tmp_path: Any) -> None:
    configs = configs_for(
        GATED, **{"hyperparameters.objective": "reg:squarederror", "gate.metric": "mse"}
    )
    data = dump_configs(configs)
    data["specific"]["XGBoostTraining"]["hyperparameters"]["objective"] = "binary:logistic"
    path = tmp_path / "config.json"
    path.write_text(__import__("json").dumps(data))
    with pytest.raises(ConfigError) as info:
        load_configs(path)
    assert info.value.code == "metric_objective_mismatch"
    assert info.value.where == f"{path}: node 'QualityGate'.metric"


def test_gate_comparison_is_a_fact_only_when_stated() -> None:
    stated = configs_for(
        GATED,
        **{"hyperparameters.objective": "reg:squarederror", "gate.metric": "mse"},
        **{"gate.threshold": 6, "gate.comparison": "<="},
    )
    assert facts_from_configs(stated)["gate.comparison"] == "<="
    unstated = configs_for(GATED)
    assert "gate.comparison" not in facts_from_configs(unstated)
    values = PipelineValues.from_facts({"gate.comparison": "<"})
    assert values.gate == {"comparison": "<"} and values.facts() == {"gate.comparison": "<"}


def test_the_container_scripts_agree_on_the_regression_objectives() -> None:
    """inference.py is standalone (no sagewright imports), so it keeps its own copy."""
    assert inference.REGRESSION_OBJECTIVES == XGBOOST_REGRESSION_OBJECTIVES
