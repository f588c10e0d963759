"""XGBoostModel: create a SageMaker Model from XGBoost artifacts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from sagewright.builders.base import BuiltStep, InputRef, StepBuilder
from sagewright.builders.images import framework_image
from sagewright.registry.config_base import ExistingModelConfig
from sagewright.registry.cues import MODEL_CUES
from sagewright.registry.fields import default
from sagewright.registry.frameworks import XGBOOST_VERSION
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, PortMode, Stage, StepSpec
from sagewright.registry.types import InstanceType

if TYPE_CHECKING:
    from sagewright.builders.context import BuildContext


class XGBoostModelConfig(ExistingModelConfig):
    step_type: ClassVar[str] = "XGBoostModel"

    framework_version: str = default(
        XGBOOST_VERSION, "Version of the built-in XGBoost inference image."
    )
    inference_instance_type: InstanceType = default(
        "ml.m5.large", "Instance type the model is meant to run on.", pipeline=True
    )


class XGBoostModelBuilder(StepBuilder[XGBoostModelConfig]):
    """A create-model ModelStep serving the artifacts with the built-in XGBoost image."""

    def create_step(
        self,
        node: str,
        config: XGBoostModelConfig,
        inputs: Mapping[str, InputRef],
        context: BuildContext,
    ) -> BuiltStep:
        from sagewright.builders.recipes import create_model_step, model_name

        step = create_model_step(
            node,
            session=context.session,
            role=config.role_arn,
            image_uri=framework_image(context, node, "xgboost", version=config.framework_version),
            model_data=inputs["model_artifacts"].value,
        )
        return BuiltStep(step, {"model": model_name(step)})


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
    builder_class=XGBoostModelBuilder,
    stage=Stage.MODEL,
    ask="model",
    guardable=True,
    cues=(*MODEL_CUES, r"\bxgboostmodel\b"),
)
