"""Processing recipe: a generic ``Processor`` running a script from a code bundle.

The entrypoint is ``python3 /opt/ml/processing/input/code/<script>`` with the
content-addressed bundle prefix as the ``code`` input channel (no upload during
``definition()``; ``ScriptProcessor`` with local code and ``FrameworkProcessor``
are avoided because they upload under timestamped keys). Athena and Redshift
dataset definitions land in an input channel too.

Output reference: :func:`processing_output_uri` (step, channel).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from sagewright.builders.recipes._common import (
    Ref,
    SdkStep,
    _cache,
    _check_channel,
    _depends,
    _job_base,
)
from sagewright.builders.sdk import building_steps

PROCESSING_INPUT_DIR = "/opt/ml/processing/input"
PROCESSING_OUTPUT_DIR = "/opt/ml/processing/output"
#: Where a processing job finds its code bundle; the entrypoint runs a script here.
CODE_DIR = f"{PROCESSING_INPUT_DIR}/code/"
_CODE_CHANNEL = "code"


@dataclass(frozen=True)
class AthenaQuery:
    """An Athena query whose result lands in a processing input channel."""

    channel: str
    query: str
    catalog: str
    database: str
    output_s3_uri: str
    output_format: Literal["PARQUET", "ORC", "AVRO", "JSON", "TEXTFILE"] = "PARQUET"
    work_group: str | None = None


@dataclass(frozen=True)
class RedshiftQuery:
    """A Redshift query whose result lands in a processing input channel."""

    channel: str
    query: str
    cluster_id: str
    database: str
    db_user: str
    cluster_role_arn: str
    output_s3_uri: str
    output_format: Literal["PARQUET", "CSV"] = "PARQUET"


def _dataset_input(source: AthenaQuery | RedshiftQuery) -> Any:
    from sagemaker.core.shapes import (
        AthenaDatasetDefinition,
        DatasetDefinition,
        ProcessingInput,
        RedshiftDatasetDefinition,
    )

    _check_channel(source.channel, "dataset")
    common = {
        "local_path": f"{PROCESSING_INPUT_DIR}/{source.channel}",
        "data_distribution_type": "FullyReplicated",
        "input_mode": "File",
    }
    if isinstance(source, AthenaQuery):
        athena: dict[str, Any] = {
            "catalog": source.catalog,
            "database": source.database,
            "query_string": source.query,
            "output_s3_uri": source.output_s3_uri,
            "output_format": source.output_format,
        }
        if source.work_group:
            athena["work_group"] = source.work_group
        definition = DatasetDefinition(
            athena_dataset_definition=AthenaDatasetDefinition(**athena), **common
        )
    else:
        definition = DatasetDefinition(
            redshift_dataset_definition=RedshiftDatasetDefinition(
                cluster_id=source.cluster_id,
                database=source.database,
                db_user=source.db_user,
                query_string=source.query,
                cluster_role_arn=source.cluster_role_arn,
                output_s3_uri=source.output_s3_uri,
                output_format=source.output_format,
            ),
            **common,
        )
    return ProcessingInput(input_name=source.channel, dataset_definition=definition)


def _s3_input(channel: str, uri: Ref, local_path: str) -> Any:
    from sagemaker.core.shapes import ProcessingInput, ProcessingS3Input

    return ProcessingInput(
        input_name=channel,
        s3_input=ProcessingS3Input(
            s3_uri=uri,
            local_path=local_path,
            s3_data_type="S3Prefix",
            s3_input_mode="File",
            s3_data_distribution_type="FullyReplicated",
            s3_compression_type="None",
        ),
    )


@lru_cache(maxsize=1)
def _processor_class() -> type[Any]:
    """``Processor`` that keeps dataset-definition inputs in the request.

    In 3.27 ``_processing_input_to_request_dict`` copies only ``S3Input``, so an
    Athena/Redshift ``DatasetDefinition`` input silently becomes ``{"InputName": ...}``.
    This subclass puts the serialised definition back into the request.
    """
    from sagemaker.core.processing import Processor
    from sagemaker.core.utils.utils import serialize

    class DatasetAwareProcessor(Processor):  # type: ignore[misc]
        def _get_process_args(self, inputs: Any, outputs: Any, experiment_config: Any) -> Any:
            args = super()._get_process_args(inputs, outputs, experiment_config)
            for request, processing_input in zip(args["inputs"], inputs, strict=True):
                definition = processing_input.dataset_definition
                if definition and "DatasetDefinition" not in request:
                    request["DatasetDefinition"] = serialize(definition)
            return args

    DatasetAwareProcessor.__module__ = __name__
    return DatasetAwareProcessor


def processing_step(
    name: str,
    *,
    session: Any,
    role: str,
    image_uri: str,
    instance_type: str,
    code_prefix_uri: str,
    script: str,
    instance_count: int = 1,
    volume_size_gb: int = 30,
    max_runtime_s: int = 86_400,
    inputs: Mapping[str, Ref] | None = None,
    outputs: Mapping[str, Ref] | None = None,
    arguments: Sequence[Ref] = (),
    env: Mapping[str, str] | None = None,
    dataset_definition: AthenaQuery | RedshiftQuery | None = None,
    property_files: Sequence[Any] = (),
    depends_on: Sequence[Any] = (),
    cache: str | None = None,
) -> SdkStep:
    """A ``ProcessingStep`` running ``python3 /opt/ml/processing/input/code/<script>``.

    The code bundle prefix (``code_prefix_uri``, ending in ``/``) is the ``code``
    input; each ``inputs`` channel lands at ``/opt/ml/processing/input/<channel>``
    and each ``outputs`` channel is uploaded from ``/opt/ml/processing/output/<channel>``.
    A dataset definition (Athena or Redshift) lands at its channel the same way.
    Reference an output with :func:`processing_output_uri`.
    """
    from sagemaker.core.shapes import ProcessingOutput, ProcessingS3Output
    from sagemaker.mlops.workflow.steps import ProcessingStep

    if not code_prefix_uri.startswith("s3://") or not code_prefix_uri.endswith("/"):
        raise ValueError(
            f"code_prefix_uri must be an s3:// prefix ending in '/': {code_prefix_uri}"
        )
    if script.startswith("/") or ".." in script.split("/") or not script.endswith(".py"):
        raise ValueError(f"script must be a .py path inside the code bundle: {script!r}")
    inputs = dict(inputs or {})
    outputs = dict(outputs or {})
    channels = list(inputs) + ([dataset_definition.channel] if dataset_definition else [])
    if _CODE_CHANNEL in channels:
        raise ValueError(f"input channel {_CODE_CHANNEL!r} is reserved for the code bundle")
    if len(set(channels)) != len(channels):
        raise ValueError(f"duplicate input channels in {channels}")

    processing_inputs = [_s3_input(_CODE_CHANNEL, code_prefix_uri, CODE_DIR)]
    for channel, uri in inputs.items():
        _check_channel(channel, "input")
        processing_inputs.append(_s3_input(channel, uri, f"{PROCESSING_INPUT_DIR}/{channel}"))
    if dataset_definition is not None:
        processing_inputs.append(_dataset_input(dataset_definition))
    processing_outputs = []
    for channel, uri in outputs.items():
        _check_channel(channel, "output")
        processing_outputs.append(
            ProcessingOutput(
                output_name=channel,
                s3_output=ProcessingS3Output(
                    s3_uri=uri,
                    local_path=f"{PROCESSING_OUTPUT_DIR}/{channel}",
                    s3_upload_mode="EndOfJob",
                ),
            )
        )
    for pf in property_files:
        if pf.output_name not in outputs:
            raise ValueError(
                f"property file {pf.name!r} reads output {pf.output_name!r}, "
                f"which is not among the outputs {sorted(outputs)}"
            )

    processor = _processor_class()(
        role=role,
        image_uri=image_uri,
        instance_count=instance_count,
        instance_type=instance_type,
        entrypoint=["python3", f"{CODE_DIR}{script}"],
        volume_size_in_gb=volume_size_gb,
        max_runtime_in_seconds=max_runtime_s,
        base_job_name=_job_base(name),
        sagemaker_session=session,
        env=dict(env) if env else None,
    )
    with building_steps():
        step_args = processor.run(
            inputs=processing_inputs,
            outputs=processing_outputs,
            arguments=list(arguments) if arguments else None,
        )
        return ProcessingStep(
            name=name,
            step_args=step_args,
            property_files=list(property_files) or None,
            depends_on=_depends(depends_on),
            cache_config=_cache(cache),
        )


def processing_output_uri(step: SdkStep, channel: str) -> Ref:
    """The S3 URI a processing step uploads ``channel`` to, as a step property."""
    return step.properties.ProcessingOutputConfig.Outputs[channel].S3Output.S3Uri
