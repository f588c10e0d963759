"""ModelEvaluation: score held-out data with the trained model and compute metrics."""

from __future__ import annotations

from typing import ClassVar

from sagewright.registry.config_base import (
    ExistingModelConfig,
    FrameworkConfig,
    JobTypedConfig,
    ProcessingConfig,
)
from sagewright.registry.fields import default, essential
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, PortMode, StepSpec
from sagewright.registry.types import ColumnName

METRICS_FILE = "metrics.json"


class ModelEvaluationConfig(ProcessingConfig, JobTypedConfig, ExistingModelConfig, FrameworkConfig):
    step_type: ClassVar[str] = "ModelEvaluation"
    entry_point: ClassVar[str] = "model_evaluation.py"

    label_name: ColumnName = essential(
        "Name of the label (target) column.", example="is_fraud", pipeline=True
    )
    id_name: ColumnName | None = default(
        None, "Name of the row id column.", example="order_id", pipeline=True
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
    job_typed=True,
)
