"""BatchTransform: score one job type's processed data offline with a SageMaker Model."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import computed_field

from sagewright.registry.config_base import JobTypedConfig
from sagewright.registry.fields import default
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, StepSpec
from sagewright.registry.types import InstanceType


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
    job_typed=True,
)
