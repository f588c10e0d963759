"""XGBoostTraining: train with the SageMaker built-in XGBoost container."""

from __future__ import annotations

from typing import ClassVar

from sagewright.registry.config_base import TrainingConfig
from sagewright.registry.fields import default
from sagewright.registry.hyperparameters import XGBoostHyperparameters
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, StepSpec


class XGBoostTrainingConfig(TrainingConfig):
    step_type: ClassVar[str] = "XGBoostTraining"

    framework_version: str = default("1.7-1", "Version of the built-in XGBoost container.")
    hyperparameters: XGBoostHyperparameters


SPEC = StepSpec(
    name="XGBoostTraining",
    sagemaker_step="TrainingStep",
    description=(
        "Train an XGBoost model (SageMaker XGBoost container) with XGBoost hyperparameters."
    ),
    when_to_use="The requirement trains an XGBoost / gradient-boosted tree model once.",
    when_not_to_use="Tuning is asked (use HyperparameterTuning), or the model already exists.",
    inputs=(InputPort("training_data", DataKind.PROCESSED_DATA),),
    outputs=(OutputPort("model_artifacts", DataKind.MODEL_ARTIFACTS),),
    config_class=XGBoostTrainingConfig,
)
