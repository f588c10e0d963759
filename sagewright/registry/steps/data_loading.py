"""DataLoading: pull one job type's dataset from S3, Athena or Redshift."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import model_validator

from sagewright.registry.config_base import JobTypedConfig, ProcessingConfig
from sagewright.registry.fields import default, essential
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import OutputPort, StepSpec
from sagewright.registry.types import S3Uri, SqlQuery

SOURCE_FIELDS = ("s3_uri", "athena_query", "redshift_query")


class DataLoadingConfig(ProcessingConfig, JobTypedConfig):
    step_type: ClassVar[str] = "DataLoading"
    entry_point: ClassVar[str] = "data_loading.py"

    s3_uri: S3Uri | None = essential(
        "S3 prefix holding the dataset (CSV or Parquet shards).",
        example="s3://my-bucket/raw/train/",
        one_of="source",
    )
    athena_query: SqlQuery | None = essential(
        "Athena SQL query producing the dataset.",
        example="SELECT * FROM db.table",
        one_of="source",
    )
    redshift_query: SqlQuery | None = essential(
        "Redshift SQL query producing the dataset.",
        example="SELECT * FROM schema.table",
        one_of="source",
    )
    athena_database: str = default("default", "Athena (Glue) database the query runs in.")
    athena_catalog: str = default("AwsDataCatalog", "Athena data catalog.")
    athena_workgroup: str | None = default(None, "Athena workgroup; empty uses the default.")
    redshift_cluster_id: str | None = essential(
        "Redshift cluster identifier.", example="analytics-cluster", when="redshift_query"
    )
    redshift_database: str = default("dev", "Redshift database.")
    redshift_db_user: str = default("sagemaker", "Redshift database user.")
    source_format: Literal["auto", "csv", "parquet"] = default(
        "auto", "Format of the source files; auto detects from extensions."
    )

    @model_validator(mode="after")
    def _one_source(self) -> DataLoadingConfig:
        given = [name for name in SOURCE_FIELDS if getattr(self, name)]
        if len(given) != 1:
            raise ValueError(
                "give exactly one data source: s3_uri, athena_query or redshift_query"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.redshift_query and not self.redshift_cluster_id:
            raise ValueError("redshift_cluster_id is required when redshift_query is given")
        return self

    @property
    def source_type(self) -> Literal["s3", "athena", "redshift"]:
        if self.athena_query:
            return "athena"
        return "redshift" if self.redshift_query else "s3"


SPEC = StepSpec(
    name="DataLoading",
    sagemaker_step="ProcessingStep",
    description=(
        "Pull a dataset from an S3 prefix, an Athena query or a Redshift query "
        "(Processing dataset definitions) for one job type."
    ),
    when_to_use="Once per job type whose data the requirement names (training, calibration, "
    "validation, testing, inference); the first step of every data path.",
    when_not_to_use="When the requirement only works with an existing model and names no data.",
    inputs=(),
    outputs=(OutputPort("data", DataKind.TABULAR_DATA),),
    config_class=DataLoadingConfig,
    job_typed=True,
)
