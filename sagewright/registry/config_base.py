"""The config base classes every step config builds on.

``BaseConfig`` holds what the whole pipeline shares (region, role, bucket, names ...);
``StepConfig`` is the root of per-step configs; ``ProcessingConfig`` adds what every
Processing job needs; ``JobTypedConfig`` adds the job type taken from the node name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, computed_field

from sagewright.registry.fields import default, derived, essential
from sagewright.registry.types import (
    VERSION_PATTERN,
    BucketName,
    Framework,
    InstanceType,
    JobType,
    PipelineName,
    Region,
    RoleArn,
    S3Prefix,
    S3Uri,
)


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field of a config; validation turns it into a ConfigError."""

    field: str  # dotted path, e.g. "hyperparameters.max_depth"; "" for whole-model rules
    message: str
    code: str = "invalid_value"  # the ConfigError code when the problem is raised

    def __str__(self) -> str:
        return f"field '{self.field}': {self.message}" if self.field else self.message


class BaseConfig(BaseModel):
    """Pipeline-wide settings. Every step config inherits them; the config file stores them once."""

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, validate_default=True, defer_build=True
    )

    region: Region = essential(
        "AWS region the pipeline runs in.", example="us-east-1", pipeline=True
    )
    role_arn: RoleArn = essential(
        "IAM role ARN SageMaker assumes to run the pipeline's jobs.",
        example="arn:aws:iam::123456789012:role/SageMakerExecutionRole",
        pipeline=True,
    )
    bucket: BucketName = essential(
        "S3 bucket for pipeline artifacts, code and outputs (name only, no s3://).",
        example="my-ml-bucket",
        pipeline=True,
    )
    pipeline_name: PipelineName = essential(
        "Name of the SageMaker pipeline (letters, digits and hyphens).",
        example="fraud-xgb",
        pipeline=True,
    )
    pipeline_version: str = default(
        "1.0.0",
        "Version of this pipeline definition.",
        pattern=VERSION_PATTERN,
        pipeline=True,
    )
    pipeline_description: str = default(
        "", "Free-text description of the pipeline.", max_length=3072, pipeline=True
    )
    author: str = default("sagewright", "Who owns the pipeline.", max_length=128, pipeline=True)
    s3_prefix: S3Prefix = default(
        "sagewright",
        "Key prefix under the bucket for everything the pipeline writes.",
        pipeline=True,
    )
    tags: dict[str, str] = default({}, "Tags put on the pipeline.", pipeline=True)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pipeline_s3_loc(self) -> str:
        """Root S3 location of this pipeline's artifacts (derived)."""
        return f"s3://{self.bucket}/{self.s3_prefix}/{self.pipeline_name}"


class StepConfig(BaseConfig):
    """Root of all per-step configs. ``step_type`` ties a config class to its registry entry."""

    step_type: ClassVar[str] = ""

    def stored_fields(self) -> dict[str, Any]:
        """Field values as stored in the config file (computed fields left out)."""
        return self.model_dump(mode="json", exclude_computed_fields=True)

    def pipeline_problems(self, configs: Mapping[str, StepConfig]) -> list[FieldProblem]:
        """Rules this node's values break given the pipeline's other configs (none by default).

        For what one config cannot know alone, e.g. a gate metric that the model's
        objective never reports; see :func:`~sagewright.registry.validation.check_across_nodes`.
        """
        return []


class JobTypedConfig(StepConfig):
    job_type: JobType = derived("Job type of the data this step runs on; taken from the node name.")


class ProcessingConfig(StepConfig):
    """What every SageMaker Processing job of the pipeline needs."""

    entry_point: ClassVar[str] = ""  # the step's built-in container script

    processing_instance_type: InstanceType = default(
        "ml.m5.xlarge", "Instance type for Processing jobs.", example="ml.m5.2xlarge", pipeline=True
    )
    processing_instance_count: int = default(
        1, "Number of instances per Processing job.", ge=1, le=100
    )
    processing_volume_size: int = default(30, "EBS volume size in GB per instance.", ge=1, le=16384)
    processing_framework_version: str = default(
        "1.2-1", "Version of the SageMaker scikit-learn image the scripts run in.", pipeline=True
    )
    max_runtime_seconds: int = default(
        86400, "Stop the job after this many seconds.", ge=60, le=432000
    )
    source_dir: str | None = default(
        None,
        "Local folder or s3:// URI of a custom script bundle replacing the built-in one.",
        example="./my_scripts",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def script_name(self) -> str:
        """File name of the script the container runs (derived from the step)."""
        return type(self).entry_point


class TrainingConfig(StepConfig):
    """What every SageMaker training (or tuning) job of the pipeline needs."""

    training_instance_type: InstanceType = default(
        "ml.m5.xlarge", "Instance type for training jobs.", example="ml.m5.2xlarge", pipeline=True
    )
    training_instance_count: int = default(1, "Number of training instances.", ge=1, le=100)
    training_volume_size: int = default(30, "EBS volume size in GB.", ge=1, le=16384)
    training_max_runtime_seconds: int = default(
        86400, "Stop training after this many seconds.", ge=60, le=2419200
    )


class ExistingModelConfig(StepConfig):
    """Steps whose model may come from config instead of a training parent (an or-config port)."""

    existing_model_uri: S3Uri | None = default(
        None,
        "S3 URI of an existing model.tar.gz, used when no training step feeds this step.",
        example="s3://my-bucket/models/model.tar.gz",
        pipeline=True,
    )


class FrameworkConfig(StepConfig):
    """Steps that handle a model and must know which framework made it."""

    framework: Framework = default(
        "xgboost", "Framework of the model (xgboost or pytorch).", pipeline=True
    )
