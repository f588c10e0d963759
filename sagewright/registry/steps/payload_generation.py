"""PayloadGeneration: sample request payloads for the model's input schema."""

from __future__ import annotations

from typing import ClassVar

from sagewright.registry.config_base import ExistingModelConfig, FrameworkConfig, ProcessingConfig
from sagewright.registry.fields import default
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, PortMode, StepSpec
from sagewright.registry.types import ColumnName


class PayloadGenerationConfig(ProcessingConfig, ExistingModelConfig, FrameworkConfig):
    step_type: ClassVar[str] = "PayloadGeneration"
    entry_point: ClassVar[str] = "payload_generation.py"

    cat_field_list: list[ColumnName] = default(
        [], "Categorical feature columns.", example=["country"], pipeline=True
    )
    tab_field_list: list[ColumnName] = default(
        [], "Numeric feature columns; empty reads them from the model artifacts.", pipeline=True
    )
    num_samples: int = default(5, "Number of sample requests.", ge=1, le=1000)
    default_numeric_value: float = default(0.0, "Value used for numeric fields.")
    default_text_value: str = default("TEXT", "Value used for categorical / text fields.")


SPEC = StepSpec(
    name="PayloadGeneration",
    sagemaker_step="ProcessingStep",
    description=(
        "Generate sample request payloads from the model's input fields, for inference tests."
    ),
    when_to_use="The requirement mentions payloads, sample requests or example inputs.",
    when_not_to_use="No payloads are mentioned.",
    inputs=(
        InputPort(
            "model_artifacts", DataKind.MODEL_ARTIFACTS, PortMode.OR_CONFIG, "existing_model_uri"
        ),
    ),
    outputs=(OutputPort("payload", DataKind.PAYLOAD),),
    config_class=PayloadGenerationConfig,
)
