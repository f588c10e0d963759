"""QualityGate: let its children run only if an evaluation metric meets a threshold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import model_validator

from sagewright.builders.base import BuiltStep, InputRef, StepBuilder, StepBuildError
from sagewright.registry.config_base import StepConfig
from sagewright.registry.fields import default, essential
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, Stage, StepSpec

if TYPE_CHECKING:
    from sagewright.builders.context import BuildContext

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


class QualityGateBuilder(StepBuilder[QualityGateConfig]):
    """A ConditionStep on ``metrics.json`` of the evaluation, failing the run otherwise.

    The assembler appends the guarded steps to ``step.if_steps``; the FailStep
    (``<node>_fail``) is the else branch.
    """

    def create_step(
        self,
        node: str,
        config: QualityGateConfig,
        inputs: Mapping[str, InputRef],
        context: BuildContext,
    ) -> BuiltStep:
        from sagewright.builders.recipes import quality_gate_steps

        report = inputs["metrics"]
        if report.step is None or report.property_file is None:
            raise StepBuildError(
                "the metrics input is not an evaluation report declared as a PropertyFile",
                node=node,
                field="metrics",
                hint="feed the gate from a ModelEvaluation step",
                code="wrong_input",
            )
        rule = f"{config.metric} {config.comparison} {config.threshold}"
        gate, fail = quality_gate_steps(
            node,
            evaluation_step=report.step,
            property_file=report.property_file,
            json_path=config.metric,
            metric=config.metric,
            threshold=config.threshold,
            comparison=config.comparison,
            fail_message=(
                f"{node}: metric '{config.metric}' of {report.node} did not meet {rule}; "
                "the guarded steps did not run"
            ),
        )
        return BuiltStep(gate, extra_steps=[fail])


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
    builder_class=QualityGateBuilder,
    control=True,
    stage=Stage.EVALUATION,
)
