"""The data kinds that flow along topology edges (see the step catalogue)."""

from enum import StrEnum


class DataKind(StrEnum):
    TABULAR_DATA = "TabularData"
    PROCESSED_DATA = "ProcessedData"
    MODEL_ARTIFACTS = "ModelArtifacts"
    MODEL = "Model"
    PREDICTIONS = "Predictions"
    EVALUATION_REPORT = "EvaluationReport"
    CALIBRATION_ARTIFACTS = "CalibrationArtifacts"
    PACKAGED_MODEL = "PackagedModel"
    PAYLOAD = "Payload"
    MODEL_PACKAGE = "ModelPackage"


JOB_TYPES: tuple[str, ...] = ("training", "calibration", "validation", "testing", "inference")
