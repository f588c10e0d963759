"""Batch transform recipe: a ``TransformStep`` scoring S3 data with a model.

Output reference: :func:`transform_output_uri` (step).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from sagewright.builders.recipes._common import Ref, SdkStep, _cache, _depends, _job_base
from sagewright.builders.sdk import building_steps


def transform_step(
    name: str,
    *,
    session: Any,
    model_name: Ref,
    instance_type: str,
    input_uri: Ref,
    output_path: Ref,
    instance_count: int = 1,
    content_type: str = "text/csv",
    accept: str = "text/csv",
    split_type: Literal["Line", "None", "RecordIO", "TFRecord"] = "Line",
    assemble_with: Literal["Line", "None"] = "Line",
    strategy: Literal["MultiRecord", "SingleRecord"] | None = None,
    max_payload_mb: int | None = None,
    input_filter: str | None = None,
    join_source: Literal["Input", "None"] | None = None,
    output_filter: str | None = None,
    max_concurrent_transforms: int | None = None,
    env: Mapping[str, str] | None = None,
    depends_on: Sequence[Any] = (),
    cache: str | None = None,
) -> SdkStep:
    """A ``TransformStep`` scoring ``input_uri`` with a model (usually :func:`model_name`).

    ``input_filter="$[1:]"`` drops the first CSV column (e.g. the label) before
    scoring; ``join_source="Input"`` appends predictions to the input rows, and
    ``output_filter`` selects the columns kept. Reference the result with
    :func:`transform_output_uri`.
    """
    from sagemaker.core.transformer import Transformer
    from sagemaker.mlops.workflow.steps import TransformStep

    transformer = Transformer(
        model_name=model_name,
        instance_count=instance_count,
        instance_type=instance_type,
        strategy=strategy,
        assemble_with=assemble_with,
        output_path=output_path,
        accept=accept,
        max_payload=max_payload_mb,
        max_concurrent_transforms=max_concurrent_transforms,
        env=dict(env) if env else None,
        base_transform_job_name=_job_base(name),
        sagemaker_session=session,
    )
    with building_steps():
        step_args = transformer.transform(
            data=input_uri,
            data_type="S3Prefix",
            content_type=content_type,
            split_type=split_type,
            input_filter=input_filter,
            join_source=join_source,
            output_filter=output_filter,
        )
        return TransformStep(
            name=name,
            step_args=step_args,
            depends_on=_depends(depends_on),
            cache_config=_cache(cache),
        )


def transform_output_uri(step: SdkStep) -> Ref:
    """The S3 prefix a transform step writes its predictions to, as a step property."""
    return step.properties.TransformOutput.S3OutputPath
