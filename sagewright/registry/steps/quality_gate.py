"""QualityGate: let its children run only if an evaluation metric meets a threshold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import model_validator

from sagewright.builders.base import BuiltStep, InputRef, StepBuilder
from sagewright.errors import StepBuildError
from sagewright.registry.config_base import FieldProblem, StepConfig
from sagewright.registry.fields import default, essential
from sagewright.registry.hyperparameters import ModelTask, pipeline_model_task
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, Stage, StepSpec

if TYPE_CHECKING:
    from sagewright.builders.context import BuildContext

GateMetric = Literal[
    "auc", "accuracy", "f1", "precision", "recall", "log_loss", "mse", "rmse", "mae", "r2"
]  # fmt: skip
Comparison = Literal[">=", ">", "<=", "<"]
#: The model task whose evaluation report holds each metric (see model_evaluation.py).
METRIC_TASKS: dict[str, ModelTask] = {
    **dict.fromkeys(("auc", "accuracy", "f1", "precision", "recall", "log_loss"), "classification"),
    **dict.fromkeys(("mse", "rmse", "mae", "r2"), "regression"),
}
#: Errors and losses: a good model has a small value, so the gate defaults to ``<=``.
LOWER_IS_BETTER = frozenset({"log_loss", "mse", "rmse", "mae"})
#: Metrics bounded to [0, 1]; r2 is at most 1; the rest are at least 0.
UNIT_INTERVAL = frozenset({"auc", "accuracy", "f1", "precision", "recall"})


def default_comparison(metric: str) -> Comparison:
    """``<=`` for lower-is-better metrics, ``>=`` for the others."""
    return "<=" if metric in LOWER_IS_BETTER else ">="


class QualityGateConfig(StepConfig):
    step_type: ClassVar[str] = "QualityGate"

    metric: GateMetric = essential(
        "Metric of the evaluation report the gate checks: auc, accuracy, f1, precision, recall, "
        "log_loss (classifiers); mse, rmse, mae, r2 (regression models).",
        example="auc",
    )
    threshold: float = essential("Value the metric must meet.", example=0.85)
    comparison: Comparison | None = default(
        None,
        "How the metric must compare with the threshold to pass; empty means by the metric's "
        "direction: <= for mse, rmse, mae and log_loss, >= for the others.",
        example="<=",
    )

    @property
    def effective_comparison(self) -> Comparison:
        return self.comparison or default_comparison(self.metric)

    @model_validator(mode="after")
    def _check(self) -> QualityGateConfig:
        if self.metric in UNIT_INTERVAL and not 0 <= self.threshold <= 1:
            raise ValueError(f"threshold for {self.metric} must be between 0 and 1")
        if self.metric == "r2" and self.threshold > 1:
            raise ValueError("threshold for r2 must be at most 1")
        if self.metric != "r2" and self.threshold < 0:
            raise ValueError(f"threshold for {self.metric} must not be negative")
        return self

    def pipeline_problems(self, configs: Mapping[str, StepConfig]) -> list[FieldProblem]:
        known = pipeline_model_task(configs)
        if known is None or known[0] == METRIC_TASKS[self.metric]:
            return []
        task, reason = known
        choices = ", ".join(m for m, t in METRIC_TASKS.items() if t == task) or "none"
        return [
            FieldProblem(
                "metric",
                f"'{self.metric}' is a {METRIC_TASKS[self.metric]} metric, but the model is "
                f"{task} ({reason}); its evaluation report holds: {choices}",
                code="metric_objective_mismatch",
            )
        ]


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
        comparison = config.effective_comparison
        rule = f"{config.metric} {comparison} {config.threshold}"
        gate, fail = quality_gate_steps(
            node,
            evaluation_step=report.step,
            property_file=report.property_file,
            json_path=config.metric,
            metric=config.metric,
            threshold=config.threshold,
            comparison=comparison,
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
    "AUC >= 0.9', 'only if RMSE is at most 4'); reads a ModelEvaluation, and the first guarded "
    "steps list it as a parent.",
    when_not_to_use="No condition on a metric is stated, or it says register regardless.",
    inputs=(InputPort("metrics", DataKind.EVALUATION_REPORT),),
    outputs=(),
    config_class=QualityGateConfig,
    builder_class=QualityGateBuilder,
    control=True,
    stage=Stage.EVALUATION,
    ask="gate",
    cues=(r"\bquality[- ]gate\w*|\bgat(?:e|ed|es|ing)\b|\bqualitygate\b",),
)
