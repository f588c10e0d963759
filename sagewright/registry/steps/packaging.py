"""Packaging: bundle model artifacts, inference code and any calibration mapping for hosting."""

from __future__ import annotations

from typing import ClassVar

from sagewright.registry.config_base import ExistingModelConfig, FrameworkConfig, ProcessingConfig
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, PortMode, StepSpec


class PackagingConfig(ProcessingConfig, ExistingModelConfig, FrameworkConfig):
    step_type: ClassVar[str] = "Packaging"
    entry_point: ClassVar[str] = "packaging.py"


SPEC = StepSpec(
    name="Packaging",
    sagemaker_step="ProcessingStep",
    description=("Bundle model artifacts, inference code and any calibration mapping for hosting."),
    when_to_use="The requirement asks to package the model, or to register it (registration "
    "reads the packaged model).",
    when_not_to_use="Neither packaging nor registration is asked.",
    inputs=(
        InputPort(
            "model_artifacts", DataKind.MODEL_ARTIFACTS, PortMode.OR_CONFIG, "existing_model_uri"
        ),
        InputPort("calibration", DataKind.CALIBRATION_ARTIFACTS, PortMode.OPTIONAL),
    ),
    outputs=(OutputPort("packaged_model", DataKind.PACKAGED_MODEL),),
    config_class=PackagingConfig,
)
