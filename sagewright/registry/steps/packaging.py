"""Packaging: bundle model artifacts, inference code and any calibration mapping for hosting."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from sagewright.builders.base import BuiltStep, InputRef, StepBuilder
from sagewright.builders.processing import WITH_INFERENCE, build_processing
from sagewright.registry.config_base import ExistingModelConfig, FrameworkConfig, ProcessingConfig
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, PortMode, Stage, StepSpec

if TYPE_CHECKING:
    from sagewright.builders.context import BuildContext


class PackagingConfig(ProcessingConfig, ExistingModelConfig, FrameworkConfig):
    step_type: ClassVar[str] = "Packaging"
    entry_point: ClassVar[str] = "packaging.py"


class PackagingBuilder(StepBuilder[PackagingConfig]):
    """A Processing job writing ``model.tar.gz`` with ``code/inference.py`` (and calibration)."""

    def create_step(
        self,
        node: str,
        config: PackagingConfig,
        inputs: Mapping[str, InputRef],
        context: BuildContext,
    ) -> BuiltStep:
        channels = {port: ref.value for port, ref in inputs.items()}
        return build_processing(
            node,
            config,
            context,
            inputs=channels,
            outputs=["packaged_model"],
            arguments={"framework": config.framework},
            helpers=WITH_INFERENCE,
        )


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
    builder_class=PackagingBuilder,
    stage=Stage.PACKAGING,
    ask="package",
    cues=(
        r"\bpackag(?:e|es|ed|ing)\b(?!\s+group)|\bbundl\w*|\bready for (?:hosting|serving)\b",
        r"\bprepar\w*\s+(?:\w+\s+){0,2}for\s+(?:hosting|deployment|serving)\b",
    ),
    guardable=True,
)
