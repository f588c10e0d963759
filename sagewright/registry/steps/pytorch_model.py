"""PyTorchModel: create a SageMaker Model from PyTorch artifacts."""

from __future__ import annotations

from typing import ClassVar

from sagewright.registry.config_base import ExistingModelConfig
from sagewright.registry.fields import default
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, PortMode, StepSpec
from sagewright.registry.types import InstanceType


class PyTorchModelConfig(ExistingModelConfig):
    step_type: ClassVar[str] = "PyTorchModel"

    framework_version: str = default("2.1", "Version of the SageMaker PyTorch inference image.")
    py_version: str = default("py310", "Python version of the PyTorch inference image.")
    inference_instance_type: InstanceType = default(
        "ml.m5.large", "Instance type the model is meant to run on.", pipeline=True
    )


SPEC = StepSpec(
    name="PyTorchModel",
    sagemaker_step="ModelStep (create)",
    description="Create a SageMaker Model from PyTorch artifacts.",
    when_to_use="A PyTorch model is needed as a SageMaker Model entity, e.g. for BatchTransform.",
    when_not_to_use="Only packaging / registration is asked (they read artifacts, not a Model).",
    inputs=(
        InputPort(
            "model_artifacts", DataKind.MODEL_ARTIFACTS, PortMode.OR_CONFIG, "existing_model_uri"
        ),
    ),
    outputs=(OutputPort("model", DataKind.MODEL),),
    config_class=PyTorchModelConfig,
)
