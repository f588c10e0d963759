"""DataLoading: pull one job type's dataset from S3, Athena or Redshift."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import model_validator

from sagewright.builders.base import BuiltStep, InputRef, StepBuilder
from sagewright.builders.processing import build_processing
from sagewright.registry.config_base import JobTypedConfig, ProcessingConfig
from sagewright.registry.fields import default, essential
from sagewright.registry.kinds import DATA_SOURCE_FIELDS, DataKind
from sagewright.registry.spec import OutputPort, Stage, StepSpec
from sagewright.registry.types import S3Uri, SqlQuery

if TYPE_CHECKING:
    from sagewright.builders.context import BuildContext


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
        given = [name for name in DATA_SOURCE_FIELDS if getattr(self, name)]
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


class DataLoadingBuilder(StepBuilder[DataLoadingConfig]):
    """A Processing job whose ``source`` channel is the S3 prefix or the query's result.

    Athena and Redshift queries run as Processing dataset definitions; their results are
    written as Parquet under the node's execution folder (``.../<node>/query``) and the
    script normalises them like any S3 shards.
    """

    def create_step(
        self,
        node: str,
        config: DataLoadingConfig,
        inputs: Mapping[str, InputRef],
        context: BuildContext,
    ) -> BuiltStep:
        from sagewright.builders.recipes import AthenaQuery, RedshiftQuery

        sources: dict[str, Any] = {}
        query: AthenaQuery | RedshiftQuery | None = None
        if config.athena_query:
            query = AthenaQuery(
                channel="source",
                query=config.athena_query,
                catalog=config.athena_catalog,
                database=config.athena_database,
                work_group=config.athena_workgroup,
                output_s3_uri=context.output_uri(node, "query"),
            )
        elif config.redshift_query:
            query = RedshiftQuery(
                channel="source",
                query=config.redshift_query,
                cluster_id=str(config.redshift_cluster_id),
                database=config.redshift_database,
                db_user=config.redshift_db_user,
                cluster_role_arn=config.role_arn,
                output_s3_uri=context.output_uri(node, "query"),
            )
        else:
            sources["source"] = config.s3_uri
        return build_processing(
            node,
            config,
            context,
            inputs=sources,
            outputs=["data"],
            arguments={"job_type": config.job_type, "source_format": config.source_format},
            dataset_definition=query,
        )


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
    builder_class=DataLoadingBuilder,
    job_typed=True,
    stage=Stage.DATA,
)
