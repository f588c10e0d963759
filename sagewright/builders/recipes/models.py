"""Model recipes: create a SageMaker Model and register a model package version.

Both go through ``ModelBuilder`` with image, model data and env passed through
untouched, so the created and the registered model are the same.

Output references: :func:`model_name` (create model step) and
:func:`model_package_arn` (register model step).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sagewright.builders.recipes._common import Ref, SdkStep, _depends
from sagewright.builders.sdk import building_steps, quiet_sdk


def pytorch_inference_env(entry_point: str) -> dict[str, str]:
    """Environment for the PyTorch inference container to run our handler script.

    The script must be inside the model archive at ``code/<entry_point>`` (the
    training script or the Packaging step puts it there); no repack step runs.
    """
    return {"SAGEMAKER_PROGRAM": entry_point, "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code"}


def _model_builder(
    *, session: Any, role: str, image_uri: str, model_data: Ref, env: Mapping[str, str] | None
) -> Any:
    """A ``ModelBuilder`` that passes image, model data and env through untouched.

    ``dependencies={}`` matters: with the default ``{"auto": True}``, ``register()``
    treats the model as script mode and adds ``SAGEMAKER_PROGRAM=""`` (and three
    more variables) to the container, which ``build()`` does not, so the created
    and the registered model would differ.
    """
    from sagemaker.serve.model_builder import ModelBuilder

    with quiet_sdk():
        return ModelBuilder(
            image_uri=image_uri,
            s3_model_data_url=model_data,
            role_arn=role,
            sagemaker_session=session,
            env_vars=dict(env) if env else {},
            dependencies={},
            # The default (DEBUG) re-levels the SDK's shared utils logger process-wide.
            log_level=None,
        )


def create_model_step(
    name: str,
    *,
    session: Any,
    role: str,
    image_uri: str,
    model_data: Ref,
    env: Mapping[str, str] | None = None,
    depends_on: Sequence[Any] = (),
) -> SdkStep:
    """A ``ModelStep`` that creates a SageMaker Model (``ModelBuilder.build()``).

    XGBoost: the built-in image (same as training) and no env. PyTorch: the
    inference image and :func:`pytorch_inference_env`. Reference the created
    model with :func:`model_name`.
    """
    from sagemaker.mlops.workflow.model_step import ModelStep

    builder = _model_builder(
        session=session, role=role, image_uri=image_uri, model_data=model_data, env=env
    )
    with building_steps():
        step_args = builder.build()
        return ModelStep(name=name, step_args=step_args, depends_on=_depends(depends_on))


def model_name(step: SdkStep) -> Ref:
    """The name of the model a create-model step made, as a step property."""
    return step.properties.ModelName


# --------------------------------------------------------------------------- registry


def register_model_step(
    name: str,
    *,
    session: Any,
    role: str,
    image_uri: str,
    model_data: Ref,
    model_package_group: str,
    approval_status: Ref = "PendingManualApproval",
    content_types: Sequence[str] = ("text/csv",),
    response_types: Sequence[str] = ("text/csv",),
    inference_instance_types: Sequence[str] = ("ml.m5.xlarge",),
    transform_instance_types: Sequence[str] = ("ml.m5.xlarge",),
    env: Mapping[str, str] | None = None,
    sample_payload_url: Ref | None = None,
    metrics_report_uri: Ref | None = None,
    description: str | None = None,
    depends_on: Sequence[Any] = (),
) -> SdkStep:
    """A ``ModelStep`` registering a model package version (``ModelBuilder.register()``).

    ``approval_status`` is usually a ``ParameterString`` (:func:`parameter_string`);
    ``metrics_report_uri`` (an EvaluationReport JSON) is attached as the model
    quality statistics. Reference the package with :func:`model_package_arn`.
    """
    from sagemaker.core.model_metrics import MetricsSource, ModelMetrics
    from sagemaker.mlops.workflow.model_step import ModelStep

    if not re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}", model_package_group):
        raise ValueError(f"invalid model package group name {model_package_group!r}")
    metrics = None
    if metrics_report_uri is not None:
        metrics = ModelMetrics(
            model_statistics=MetricsSource(
                content_type="application/json", s3_uri=metrics_report_uri
            )
        )
    builder = _model_builder(
        session=session, role=role, image_uri=image_uri, model_data=model_data, env=env
    )
    with building_steps():
        step_args = builder.register(
            model_package_group_name=model_package_group,
            content_types=list(content_types),
            response_types=list(response_types),
            inference_instances=list(inference_instance_types),
            transform_instances=list(transform_instance_types),
            approval_status=approval_status,
            model_metrics=metrics,
            sample_payload_url=sample_payload_url,
            description=description or None,
        )
        return ModelStep(name=name, step_args=step_args, depends_on=_depends(depends_on))


def model_package_arn(step: SdkStep) -> Ref:
    """The ARN of the model package version a register step created, as a step property."""
    return step.properties.ModelPackageArn
