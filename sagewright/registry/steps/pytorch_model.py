"""PyTorchModel: create a SageMaker Model from PyTorch artifacts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from sagewright.builders.base import BuiltStep, InputRef, StepBuilder
from sagewright.builders.images import framework_image
from sagewright.registry.config_base import ExistingModelConfig
from sagewright.registry.cues import MODEL_CUES
from sagewright.registry.fields import default
from sagewright.registry.frameworks import PYTORCH_PY_VERSION, PYTORCH_VERSION
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, PortMode, Stage, StepSpec
from sagewright.registry.types import InstanceType

if TYPE_CHECKING:
    from sagewright.builders.context import BuildContext


class PyTorchModelConfig(ExistingModelConfig):
    step_type: ClassVar[str] = "PyTorchModel"

    framework_version: str = default(
        PYTORCH_VERSION, "Version of the SageMaker PyTorch inference image."
    )
    py_version: str = default(PYTORCH_PY_VERSION, "Python version of the PyTorch inference image.")
    inference_instance_type: InstanceType = default(
        "ml.m5.large", "Instance type the model is meant to run on.", pipeline=True
    )


class PyTorchModelBuilder(StepBuilder[PyTorchModelConfig]):
    """A create-model ModelStep: PyTorch inference image running ``code/inference.py``.

    The training script (and Packaging) put ``code/inference.py`` inside the archive, so
    no repack step is needed.
    """

    def create_step(
        self,
        node: str,
        config: PyTorchModelConfig,
        inputs: Mapping[str, InputRef],
        context: BuildContext,
    ) -> BuiltStep:
        from sagewright.builders.recipes import create_model_step, model_name, pytorch_inference_env

        image = framework_image(
            context,
            node,
            "pytorch",
            version=config.framework_version,
            py_version=config.py_version,
            instance_type=config.inference_instance_type,
            scope="inference",
        )
        step = create_model_step(
            node,
            session=context.session,
            role=config.role_arn,
            image_uri=image,
            model_data=inputs["model_artifacts"].value,
            env=pytorch_inference_env("inference.py"),
        )
        return BuiltStep(step, {"model": model_name(step)})


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
    builder_class=PyTorchModelBuilder,
    stage=Stage.MODEL,
    ask="model",
    guardable=True,
    cues=(*MODEL_CUES, r"\bpytorchmodel\b"),
)
