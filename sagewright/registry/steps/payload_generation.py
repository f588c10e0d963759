"""PayloadGeneration: sample request payloads for the model's input schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from sagewright.builders.base import BuiltStep, InputRef, StepBuilder
from sagewright.builders.images import scoring_image
from sagewright.builders.processing import build_processing
from sagewright.registry.config_base import ExistingModelConfig, FrameworkConfig, ProcessingConfig
from sagewright.registry.fields import default
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, PortMode, Stage, StepSpec
from sagewright.registry.types import ColumnName

if TYPE_CHECKING:
    from sagewright.builders.context import BuildContext


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


class PayloadGenerationBuilder(StepBuilder[PayloadGenerationConfig]):
    """A Processing job writing ``payload.csv``, ``payload.json`` and ``payload.tar.gz``.

    Without field lists the script reads the fields from the model artifacts; built-in
    XGBoost artifacts name none, so it loads the booster for its feature count, which needs
    the model's framework image (the scikit-learn image has no xgboost).
    """

    def create_step(
        self,
        node: str,
        config: PayloadGenerationConfig,
        inputs: Mapping[str, InputRef],
        context: BuildContext,
    ) -> BuiltStep:
        image = None
        if not (config.tab_field_list or config.cat_field_list):
            image = scoring_image(context, node, config)
        return build_processing(
            node,
            config,
            context,
            image=image,
            inputs={"model_artifacts": inputs["model_artifacts"].value},
            outputs=["payload"],
            arguments={
                "tab_fields": config.tab_field_list,
                "cat_fields": config.cat_field_list,
                "num_samples": config.num_samples,
                "default_numeric": config.default_numeric_value,
                "default_text": config.default_text_value,
            },
        )


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
    builder_class=PayloadGenerationBuilder,
    stage=Stage.PACKAGING,
    ask="payload",
    cues=(
        r"\bpayloads?\b|\b(?:sample|example|test)\s+(?:request|input|inference request)s?\b",
        r"\bpayloadgeneration\b",
    ),
    guardable=True,
)
