"""ModelRegistration: register the packaged model in the SageMaker Model Registry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import computed_field

from sagewright.builders.base import BuiltStep, InputRef, StepBuilder
from sagewright.builders.images import framework_image
from sagewright.registry.config_base import FrameworkConfig
from sagewright.registry.fields import default
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, PortMode, Stage, StepSpec
from sagewright.registry.types import PACKAGE_GROUP_PATTERN, InstanceType

if TYPE_CHECKING:
    from sagewright.builders.context import BuildContext


class ModelRegistrationConfig(FrameworkConfig):
    step_type: ClassVar[str] = "ModelRegistration"

    model_package_group_name: str | None = default(
        None,
        "Model package group to register into; empty uses '<pipeline_name>-models'.",
        example="fraud-xgb-models",
        pattern=PACKAGE_GROUP_PATTERN,
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


#: Pipeline parameter holding the approval status of the registered model package.
APPROVAL_PARAMETER = "ModelApprovalStatus"
#: Files the producers write: Packaging, PayloadGeneration and ModelEvaluation.
PACKAGE_FILE, PAYLOAD_FILE, METRICS_FILE = "model.tar.gz", "payload.tar.gz", "metrics.json"


class ModelRegistrationBuilder(StepBuilder[ModelRegistrationConfig]):
    """A register ModelStep: the packaged model, served by its ``code/inference.py``.

    The approval status is the pipeline parameter ``ModelApprovalStatus``; the sample
    payload and the metrics report are attached when those ports are fed.
    """

    def create_step(
        self,
        node: str,
        config: ModelRegistrationConfig,
        inputs: Mapping[str, InputRef],
        context: BuildContext,
    ) -> BuiltStep:
        from sagewright.builders import recipes

        image = framework_image(
            context,
            node,
            config.framework,
            version=config.framework_version,
            instance_type=next(iter(config.inference_instance_types), None),
            scope="inference",
        )
        payload, metrics = inputs.get("payload"), inputs.get("metrics")
        step = recipes.register_model_step(
            node,
            session=context.session,
            role=config.role_arn,
            image_uri=image,
            model_data=recipes.join_uri(inputs["packaged_model"].value, PACKAGE_FILE),
            model_package_group=config.effective_group_name,
            approval_status=context.parameter(
                APPROVAL_PARAMETER, config.approval_status, node=node, field="approval_status"
            ),
            content_types=config.content_types,
            response_types=config.response_types,
            inference_instance_types=config.inference_instance_types,
            transform_instance_types=config.transform_instance_types,
            env=recipes.pytorch_inference_env("inference.py"),
            sample_payload_url=recipes.join_uri(payload.value, PAYLOAD_FILE) if payload else None,
            metrics_report_uri=recipes.join_uri(metrics.value, METRICS_FILE) if metrics else None,
            description=config.model_description,
        )
        return BuiltStep(step, {"model_package": recipes.model_package_arn(step)})


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
    builder_class=ModelRegistrationBuilder,
    stage=Stage.REGISTRATION,
    ask="register",
    cues=(
        r"\bregist(?:er|ers|ered|ering|ration)\b|\bmodel registry\b|\bmodel package group\b",
        r"\bmodelregistration\b|\bregistry\b|\bmodel package\b(?!\s+group)",
        r"\bmodel catalog(?:ue)?\b",
    ),
    guardable=True,
)
