"""Shared pieces of the SDK recipes: reference types, URIs, parameters, small helpers.

Everything here is imported by the per-step-kind modules of
:mod:`sagewright.builders.recipes`; nothing here imports them back. SageMaker is
imported lazily, inside the functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TypeAlias

from sagewright.builders.sdk import quiet_sdk

#: A string, or an SDK pipeline variable (step property, ``Join``, parameter...).
Ref: TypeAlias = Any
#: A SageMaker SDK step (``ProcessingStep``, ``TrainingStep``, ``ModelStep``...).
SdkStep: TypeAlias = Any

_CHANNEL_RE = re.compile(r"[A-Za-z0-9\-_.]{1,64}")


@lru_cache(maxsize=256)
def image_uri(
    framework: str,
    region: str,
    version: str,
    *,
    py_version: str | None = None,
    instance_type: str | None = None,
    image_scope: str | None = None,
) -> str:
    """ECR image URI of a SageMaker container, resolved offline from the SDK's tables.

    ``instance_type`` picks the CPU or GPU variant of framework images. Cached:
    each lookup parses botocore's endpoint table (about 0.08 s).
    """
    from sagemaker.core import image_uris

    with quiet_sdk():
        return str(
            image_uris.retrieve(
                framework,
                region,
                version=version,
                py_version=py_version,
                instance_type=instance_type,
                image_scope=image_scope,
            )
        )


def join_uri(base: Ref, *parts: str) -> Ref:
    """``base/part/...``: a plain string for a string base, else an SDK ``Join``.

    Use it for a sub-folder of another step's output (``join_uri(ref, "train")``).
    """
    clean = [p.strip("/") for p in parts if p.strip("/")]
    if isinstance(base, str):
        return "/".join([base.rstrip("/"), *clean])
    from sagemaker.core.workflow.functions import Join

    return Join(on="/", values=[base, *clean])


def execution_uri(root: Ref, *parts: str) -> Ref:
    """``root/<PipelineExecutionId>/part/...`` as a ``Join``: a per-execution S3 location.

    The execution id is resolved at run time, so the definition stays constant.
    ``root`` is an ``s3://`` string or a pipeline parameter holding one.
    """
    from sagemaker.core.workflow.execution_variables import ExecutionVariables
    from sagemaker.core.workflow.functions import Join

    clean = [p.strip("/") for p in parts if p.strip("/")]
    base = root.rstrip("/") if isinstance(root, str) else root
    return Join(on="/", values=[base, ExecutionVariables.PIPELINE_EXECUTION_ID, *clean])


def parameter_string(name: str, default: str) -> Any:
    """A pipeline ``ParameterString`` (e.g. the model approval status)."""
    from sagemaker.core.workflow.parameters import ParameterString

    return ParameterString(name=name, default_value=default)


def property_file(name: str, output_channel: str, path: str) -> Any:
    """A ``PropertyFile``: a JSON file in a processing output that ``JsonGet`` can read."""
    from sagemaker.core.workflow.properties import PropertyFile

    return PropertyFile(name=name, output_name=output_channel, path=path)


def _cache(expire_after: str | None) -> Any:
    """A ``CacheConfig`` when an ISO 8601 duration is given (``"P30D"``), else ``None``."""
    if expire_after is None:
        return None
    from sagemaker.mlops.workflow.steps import CacheConfig

    return CacheConfig(enable_caching=True, expire_after=expire_after)


def _depends(depends_on: Sequence[Any]) -> list[Any] | None:
    return list(depends_on) if depends_on else None


def _check_channel(channel: str, what: str) -> None:
    if not _CHANNEL_RE.fullmatch(channel):
        raise ValueError(
            f"{what} channel {channel!r} must be 1-64 letters, digits, '-', '_' or '.'"
        )


def _job_base(name: str) -> str:
    """A job-name prefix from a step name (the compiler drops job names anyway)."""
    return re.sub(r"[^A-Za-z0-9-]", "-", name)[:32].strip("-") or "job"
