"""ModelCalibration: fit a score calibration mapping on scored calibration data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Literal

from sagewright.builders.base import BuiltStep, InputRef, StepBuilder
from sagewright.builders.processing import build_processing
from sagewright.registry.config_base import JobTypedConfig, ProcessingConfig
from sagewright.registry.cues import NOT_DATA
from sagewright.registry.fields import default
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, Stage, StepSpec
from sagewright.registry.types import ColumnName
from sagewright.topology import step_type_of

if TYPE_CHECKING:
    from sagewright.builders.context import BuildContext


class ModelCalibrationConfig(ProcessingConfig, JobTypedConfig):
    step_type: ClassVar[str] = "ModelCalibration"
    entry_point: ClassVar[str] = "model_calibration.py"

    method: Literal["isotonic", "platt"] = default(
        "isotonic", "Calibration method.", example="isotonic"
    )
    score_field: ColumnName = default("prob", "Column of the predictions holding the raw score.")
    label_field: ColumnName = default("label", "Column of the predictions holding the true label.")


def predictions_layout(predictions: InputRef) -> str:
    """BatchTransform writes headerless ``label,score`` lines; ModelEvaluation a headed CSV."""
    producer = predictions.node or ""
    return "label-score" if step_type_of(producer) == "BatchTransform" else "header"


class ModelCalibrationBuilder(StepBuilder[ModelCalibrationConfig]):
    """A Processing job fitting ``calibration.json`` on the ``predictions`` channel."""

    def create_step(
        self,
        node: str,
        config: ModelCalibrationConfig,
        inputs: Mapping[str, InputRef],
        context: BuildContext,
    ) -> BuiltStep:
        return build_processing(
            node,
            config,
            context,
            inputs={"predictions": inputs["predictions"].value},
            outputs=["calibration"],
            arguments={
                "job_type": config.job_type,
                "method": config.method,
                "score_field": config.score_field,
                "label_field": config.label_field,
                "layout": predictions_layout(inputs["predictions"]),
            },
        )


SPEC = StepSpec(
    name="ModelCalibration",
    sagemaker_step="ProcessingStep",
    description="Fit a score calibration mapping (e.g. isotonic, GAM) on scored calibration data.",
    when_to_use="The requirement asks to calibrate scores; reads the predictions of a "
    "ModelEvaluation or BatchTransform run on calibration data.",
    when_not_to_use="No calibration is asked.",
    inputs=(InputPort("predictions", DataKind.PREDICTIONS),),
    outputs=(OutputPort("calibration", DataKind.CALIBRATION_ARTIFACTS),),
    config_class=ModelCalibrationConfig,
    builder_class=ModelCalibrationBuilder,
    job_typed=True,
    stage=Stage.EVALUATION,
    ask="calibrate",
    cues=(
        r"\bcalibrat(?:e|es|ed|ing)\b",
        r"\bcalibration\b" + NOT_DATA + r"(?!\s*job\b)",
        r"\bisotonic\b|\bplatt\b|\bmodelcalibration\b",
    ),
    guardable=True,
    default_job_type="calibration",
)
