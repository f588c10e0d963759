"""XGBoostModel: create a SageMaker Model from XGBoost artifacts."""

from __future__ import annotations

from typing import ClassVar

from sagewright.registry.config_base import ExistingModelConfig
from sagewright.registry.fields import default
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, PortMode, StepSpec
from sagewright.registry.types import InstanceType


class XGBoostModelConfig(ExistingModelConfig):
    step_type: ClassVar[str] = "XGBoostModel"

    framework_version: str = default("1.7-1", "Version of the built-in XGBoost inference image.")
    inference_instance_type: InstanceType = default(
        "ml.m5.large", "Instance type the model is meant to run on.", pipeline=True
    )


SPEC = StepSpec(
    name="XGBoostModel",
    sagemaker_step="ModelStep (create)",
    description="Create a SageMaker Model from XGBoost artifacts.",
    when_to_use="An XGBoost model is needed as a SageMaker Model entity, e.g. for BatchTransform.",
    when_not_to_use="Only packaging / registration is asked (they read artifacts, not a Model).",
    inputs=(
        InputPort(
            "model_artifacts", DataKind.MODEL_ARTIFACTS, PortMode.OR_CONFIG, "existing_model_uri"
        ),
    ),
    outputs=(OutputPort("model", DataKind.MODEL),),
    config_class=XGBoostModelConfig,
)
