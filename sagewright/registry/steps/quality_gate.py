"""QualityGate: let its children run only if an evaluation metric meets a threshold."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import model_validator

from sagewright.registry.config_base import StepConfig
from sagewright.registry.fields import default, essential
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, StepSpec

GateMetric = Literal["auc", "accuracy", "f1", "precision", "recall", "log_loss"]


class QualityGateConfig(StepConfig):
    step_type: ClassVar[str] = "QualityGate"

    metric: GateMetric = essential(
        "Metric of the evaluation report the gate checks.", example="auc"
    )
    threshold: float = essential("Value the metric must meet.", example=0.85)
    comparison: Literal[">=", ">", "<=", "<"] = default(
        ">=", "How the metric is compared with the threshold (use <= for log_loss)."
    )

    @model_validator(mode="after")
    def _check(self) -> QualityGateConfig:
        if self.metric != "log_loss" and not 0 <= self.threshold <= 1:
            raise ValueError(f"threshold for {self.metric} must be between 0 and 1")
        if self.threshold < 0:
            raise ValueError("threshold must not be negative")
        return self


SPEC = StepSpec(
    name="QualityGate",
    sagemaker_step="ConditionStep (+ FailStep)",
    description=(
        "Let its children run only if a metric in the evaluation report meets a threshold; "
        "otherwise fail the execution with a message."
    ),
    when_to_use="The requirement makes a later step conditional on a metric ('only register if "
    "AUC >= 0.9'); reads a ModelEvaluation, and the first guarded steps list it as a parent.",
    when_not_to_use="No condition on a metric is stated, or it says register regardless.",
    inputs=(InputPort("metrics", DataKind.EVALUATION_REPORT),),
    outputs=(),
    config_class=QualityGateConfig,
    control=True,
)
