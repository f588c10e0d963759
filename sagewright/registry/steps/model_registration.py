"""ModelRegistration: register the packaged model in the SageMaker Model Registry."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import computed_field

from sagewright.registry.config_base import FrameworkConfig
from sagewright.registry.fields import default
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, PortMode, StepSpec
from sagewright.registry.types import InstanceType


class ModelRegistrationConfig(FrameworkConfig):
    step_type: ClassVar[str] = "ModelRegistration"

    model_package_group_name: str | None = default(
        None,
        "Model package group to register into; empty uses '<pipeline_name>-models'.",
        example="fraud-xgb-models",
        pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$",
    )
    approval_status: Literal["PendingManualApproval", "Approved", "Rejected"] = default(
        "PendingManualApproval", "Initial approval status (a pipeline parameter)."
    )
    inference_instance_types: list[InstanceType] = default(
        ["ml.m5.large"], "Instance types the model may be hosted on."
    )
    transform_instance_types: list[InstanceType] = default(
        ["ml.m5.large"], "Instance types the model may batch-transform on."
    )
    content_types: list[str] = default(["text/csv"], "Request content types.")
    response_types: list[str] = default(["text/csv"], "Response content types.")
    framework_version: str | None = default(
        None, "Inference image version; empty uses the framework's default."
    )
    model_description: str = default("", "Description stored with the model package.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def effective_group_name(self) -> str:
        return self.model_package_group_name or f"{self.pipeline_name}-models"


SPEC = StepSpec(
    name="ModelRegistration",
    sagemaker_step="ModelStep (register)",
    description=(
        "Register the packaged model in the SageMaker Model Registry, with sample payload and "
        "metrics when given."
    ),
    when_to_use="The requirement asks to register the model (model registry / model package).",
    when_not_to_use="Registration is not asked or explicitly declined.",
    inputs=(
        InputPort("packaged_model", DataKind.PACKAGED_MODEL),
        InputPort("payload", DataKind.PAYLOAD, PortMode.OPTIONAL),
        InputPort("metrics", DataKind.EVALUATION_REPORT, PortMode.OPTIONAL),
    ),
    outputs=(OutputPort("model_package", DataKind.MODEL_PACKAGE),),
    config_class=ModelRegistrationConfig,
)
