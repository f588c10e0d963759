"""BatchTransform: score one job type's processed data offline with a SageMaker Model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import computed_field

from sagewright.builders.base import BuiltStep, InputRef, StepBuilder
from sagewright.registry.config_base import JobTypedConfig
from sagewright.registry.fields import default
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, Stage, StepSpec
from sagewright.registry.types import InstanceType

if TYPE_CHECKING:
    from sagewright.builders.context import BuildContext


class BatchTransformConfig(JobTypedConfig):
    step_type: ClassVar[str] = "BatchTransform"

    transform_instance_type: InstanceType = default(
        "ml.m5.large", "Instance type of the transform job.", example="ml.m5.xlarge"
    )
    transform_instance_count: int = default(1, "Number of transform instances.", ge=1, le=100)
    content_type: Literal["text/csv", "application/json"] = default(
        "text/csv", "Content type of the records sent to the model."
    )
    accept: Literal["text/csv", "application/json"] = default(
        "text/csv", "Content type of the model's answers."
    )
    max_payload_mb: int = default(6, "Maximum request size in MB.", ge=1, le=100)
    max_concurrent_transforms: int = default(2, "Requests in flight per instance.", ge=1, le=64)
    join_source: Literal["Input", "None"] = default(
        "Input", "Join each prediction to its input record ('Input') or not ('None')."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def input_filter(self) -> str:
        """Labeled processed data has the label first; the model only sees the features."""
        return "$" if self.job_type == "inference" else "$[1:]"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def output_filter(self) -> str:
        """Joined labeled rows keep ``label,score`` (what ModelCalibration reads); else all."""
        labeled = self.job_type != "inference" and self.join_source == "Input"
        return "$[0,-1]" if labeled else "$"


class BatchTransformBuilder(StepBuilder[BatchTransformConfig]):
    """A TransformStep over the job type's split folder of the processed data.

    Split folders hold headerless CSV, label first (except for inference data), so
    ``input_filter`` drops the label and ``join_source=Input`` keeps it next to the score.
    """

    def create_step(
        self,
        node: str,
        config: BatchTransformConfig,
        inputs: Mapping[str, InputRef],
        context: BuildContext,
    ) -> BuiltStep:
        from sagewright.builders.recipes import join_uri, transform_output_uri, transform_step

        data = inputs["transform_data"]
        step = transform_step(
            node,
            session=context.session,
            model_name=inputs["model"].value,
            instance_type=context.instance_type(
                "transform_instance_type", config.transform_instance_type, node=node
            ),
            instance_count=config.transform_instance_count,
            input_uri=join_uri(data.value, data.split_folder(config.job_type)),
            output_path=context.output_uri(node, "predictions"),
            content_type=config.content_type,
            accept=config.accept,
            split_type="Line",
            assemble_with="Line",
            strategy="MultiRecord",
            max_payload_mb=config.max_payload_mb,
            max_concurrent_transforms=config.max_concurrent_transforms,
            input_filter=config.input_filter,
            join_source=config.join_source,
            output_filter=config.output_filter,
        )
        return BuiltStep(step, {"predictions": transform_output_uri(step)})


SPEC = StepSpec(
    name="BatchTransform",
    sagemaker_step="TransformStep",
    description="Score a dataset offline with a SageMaker Model.",
    when_to_use="The requirement asks to batch-score / run batch transform / score data offline "
    "with a Model (from XGBoostModel or PyTorchModel).",
    when_not_to_use="Metrics are asked (use ModelEvaluation).",
    inputs=(
        InputPort("model", DataKind.MODEL),
        InputPort("transform_data", DataKind.PROCESSED_DATA),
    ),
    outputs=(OutputPort("predictions", DataKind.PREDICTIONS),),
    config_class=BatchTransformConfig,
    builder_class=BatchTransformBuilder,
    job_typed=True,
    stage=Stage.INFERENCE,
    ask="batch",
    cues=(
        r"\bbatch[- ]?(?:transform\w*|scor\w*|inference|predict\w*)|\btransform (?:job|step)\b",
        r"\bbatchtransform\b|\b(?:scor(?:e|ing)|predict\w*|infer(?!ence)\w*)\b[^.;\n]{0,40}"
        r"\boffline\b|\boffline (?:scor|predict)\w*",
        r"\bbulk[- ]scor\w*|\bbatch (?:job|predictions?)\b|\boffline (?:inference|predictions?)\b",
        r"\b(?:generate|produce|make|get|compute)\s+(?:\w+\s+)?predictions\s+(?:for|on)\b",
        r"\bscor(?:e|es|ing)\b(?=[^.;\n]{0,40}(?:unlabell?ed|§data_inference§))",
    ),
    guardable=True,
)
