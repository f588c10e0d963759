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

#: Training-split folders that TabularPreprocessing writes for job type ``training``.
TRAINING_SPLITS = {"training": "train", "validation": "val", "testing": "test"}

#: The DataLoading fields that name where a dataset comes from (exactly one is given).
DATA_SOURCE_FIELDS = ("s3_uri", "athena_query", "redshift_query")
