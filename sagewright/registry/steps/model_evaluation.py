"""ModelEvaluation: score held-out data with the trained model and compute metrics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from sagewright.builders.base import BuiltStep, InputRef, StepBuilder
from sagewright.builders.images import scoring_image
from sagewright.builders.processing import WITH_INFERENCE, build_processing
from sagewright.registry.config_base import (
    ExistingModelConfig,
    FrameworkConfig,
    JobTypedConfig,
    ProcessingConfig,
)
from sagewright.registry.fields import default, essential
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, PortMode, Stage, StepSpec
from sagewright.registry.types import ColumnName

if TYPE_CHECKING:
    from sagewright.builders.context import BuildContext

METRICS_FILE = "metrics.json"
#: Name of the PropertyFile a QualityGate's JsonGet reads (``metrics/metrics.json``).
REPORT_PROPERTY_FILE = "EvaluationReport"


class ModelEvaluationConfig(ProcessingConfig, JobTypedConfig, ExistingModelConfig, FrameworkConfig):
    step_type: ClassVar[str] = "ModelEvaluation"
    entry_point: ClassVar[str] = "model_evaluation.py"

    label_name: ColumnName = essential(
        "Name of the label (target) column.", example="is_fraud", pipeline=True
    )
    id_name: ColumnName | None = default(
        None, "Name of the row id column.", example="order_id", pipeline=True
    )


class ModelEvaluationBuilder(StepBuilder[ModelEvaluationConfig]):
    """A Processing job in the model's framework image, declaring metrics.json as PropertyFile.

    Scoring imports xgboost or torch, so the job runs in the XGBoost or PyTorch image of
    the training default version rather than the scikit-learn image.
    """

    def create_step(
        self,
        node: str,
        config: ModelEvaluationConfig,
        inputs: Mapping[str, InputRef],
        context: BuildContext,
    ) -> BuiltStep:
        from sagewright.builders.recipes import property_file

        eval_data = inputs["eval_data"]
        report = property_file(REPORT_PROPERTY_FILE, "metrics", METRICS_FILE)
        image = scoring_image(context, node, config)
        return build_processing(
            node,
            config,
            context,
            inputs={
                "model_artifacts": inputs["model_artifacts"].value,
                "eval_data": eval_data.value,
            },
            outputs=["metrics", "predictions"],
            arguments={
                "job_type": config.job_type,
                "framework": config.framework,
                "split": eval_data.split_folder(config.job_type),
                "label_name": config.label_name,
                "id_name": config.id_name,
            },
            helpers=WITH_INFERENCE,
            image=image,
            property_files=[report],
        )


SPEC = StepSpec(
    name="ModelEvaluation",
    sagemaker_step="ProcessingStep",
    description="Score a held-out dataset with the trained model and compute metrics.",
    when_to_use="The requirement asks to evaluate / report metrics on a test, validation or "
    "calibration set, gates on a metric, or scores calibration data for calibration.",
    when_not_to_use="Unlabeled data is only to be scored (use BatchTransform).",
    inputs=(
        InputPort(
            "model_artifacts", DataKind.MODEL_ARTIFACTS, PortMode.OR_CONFIG, "existing_model_uri"
        ),
        InputPort("eval_data", DataKind.PROCESSED_DATA),
    ),
    outputs=(
        OutputPort("metrics", DataKind.EVALUATION_REPORT),
        OutputPort("predictions", DataKind.PREDICTIONS),
    ),
    config_class=ModelEvaluationConfig,
    builder_class=ModelEvaluationBuilder,
    job_typed=True,
    stage=Stage.EVALUATION,
    ask="evaluate",
    cues=(
        r"\bevaluat\w*|\beval\b|\bmodelevaluation\b|\bassess\w*|\bmetrics? report\b",
        r"\b(?:report|compute|calculate|measure|get|check|track|log)\w*\s+(?:the\s+|its\s+)?"
        r"(?:auc|roc[- ]auc|accuracy|f1|precision|recall|log[- ]?loss|metrics|performance)\b",
        r"\bcheck\w*\s+(?:it|the model|them|its \w+)\s+(?:against|on)\b",
        r"\bvalidat(?:e|es|ing)\s+(?:the\s+|our\s+|this\s+|that\s+)?(?:[\w-]+\s+){0,2}?"
        r"(?:model|models|it|them|classifier|regressor|candidate|network|net)\b",
        r"\btest\s+(?:the\s+|our\s+)?(?:model|it)\s+on\b|\bbacktest\w*",
        r"\bmetrics\s+(?:on|for|over)\s+(?:the\s+)?(?:test|holdout|validation|val|§data)",
    ),
)
