"""Training recipes: built-in XGBoost and PyTorch script mode via ``ModelTrainer``.

PyTorch training uses the framework container's ``sagemaker_program`` /
``sagemaker_submit_directory`` hyperparameters with a content-addressed
``sourcedir.tar.gz`` URI; XGBoost runs the built-in algorithm (no code at all).
``ModelTrainer(source_code=...)`` is avoided: it uploads under timestamped keys.

Output reference: :func:`model_artifacts_uri` (step).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sagewright.builders.recipes._common import (
    Ref,
    SdkStep,
    _cache,
    _check_channel,
    _depends,
    _job_base,
    image_uri,
)
from sagewright.builders.sdk import building_steps, quiet_sdk


def _trainer(
    *,
    session: Any,
    role: str,
    name: str,
    training_image: str,
    instance_type: str,
    instance_count: int,
    volume_size_gb: int,
    max_runtime_s: int,
    hyperparameters: Mapping[str, Any],
    output_path: Ref,
    environment: Mapping[str, str] | None = None,
) -> Any:
    from sagemaker.core.shapes import OutputDataConfig
    from sagemaker.train import ModelTrainer
    from sagemaker.train.configs import Compute, StoppingCondition

    with quiet_sdk():
        return ModelTrainer(
            training_image=training_image,
            role=role,
            sagemaker_session=session,
            base_job_name=_job_base(name),
            compute=Compute(
                instance_type=instance_type,
                instance_count=instance_count,
                volume_size_in_gb=volume_size_gb,
            ),
            stopping_condition=StoppingCondition(max_runtime_in_seconds=max_runtime_s),
            output_data_config=OutputDataConfig(s3_output_path=output_path),
            hyperparameters=dict(hyperparameters),
            environment=dict(environment) if environment else {},
        )


def _plain_hp(value: Any) -> Any:
    """Hyperparameter for a built-in algorithm: a plain string (``True`` -> ``"true"``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return value  # a pipeline variable


def _json_hp(value: Any) -> Any:
    """Hyperparameter for a framework container, JSON-encoded as the legacy SDK did.

    The training toolkit ``json.loads`` each value (falling back to the raw string),
    so ``"adam"`` stays a string and ``"10"`` becomes the integer 10.
    """
    if isinstance(value, str | int | float | bool):
        return json.dumps(value)
    return value  # a pipeline variable


def xgboost_trainer(
    *,
    session: Any,
    role: str,
    name: str,
    region: str,
    instance_type: str,
    hyperparameters: Mapping[str, Any],
    output_path: Ref,
    framework_version: str = "3.2-0",
    instance_count: int = 1,
    volume_size_gb: int = 30,
    max_runtime_s: int = 86_400,
) -> Any:
    """A ``ModelTrainer`` for the built-in SageMaker XGBoost container (algorithm mode).

    No source code: the container reads ``train``/``validation`` channels and the
    hyperparameters (as strings) itself, so nothing is uploaded.
    """
    return _trainer(
        session=session,
        role=role,
        name=name,
        training_image=image_uri("xgboost", region, framework_version),
        instance_type=instance_type,
        instance_count=instance_count,
        volume_size_gb=volume_size_gb,
        max_runtime_s=max_runtime_s,
        hyperparameters={k: _plain_hp(v) for k, v in hyperparameters.items()},
        output_path=output_path,
    )


def pytorch_trainer(
    *,
    session: Any,
    role: str,
    name: str,
    region: str,
    instance_type: str,
    sourcedir_uri: str,
    entry_point: str,
    hyperparameters: Mapping[str, Any],
    output_path: Ref,
    framework_version: str = "2.3",
    py_version: str = "py311",
    instance_count: int = 1,
    volume_size_gb: int = 30,
    max_runtime_s: int = 86_400,
    environment: Mapping[str, str] | None = None,
) -> Any:
    """A ``ModelTrainer`` for the SageMaker PyTorch training container in script mode.

    The container's training toolkit downloads ``sagemaker_submit_directory``
    (our content-addressed ``sourcedir.tar.gz``) to ``/opt/ml/code`` and runs
    ``sagemaker_program``; hyperparameters are JSON-encoded as that mechanism
    expects. The image's CPU/GPU variant follows ``instance_type``.
    """
    if not sourcedir_uri.startswith("s3://") or not sourcedir_uri.endswith(".tar.gz"):
        raise ValueError(f"sourcedir_uri must be an s3:// URI of a .tar.gz: {sourcedir_uri}")
    reserved = {"sagemaker_program", "sagemaker_submit_directory", "sagemaker_region"}
    clash = reserved & set(hyperparameters)
    if clash:
        raise ValueError(f"hyperparameters {sorted(clash)} are set by the recipe")
    hps = {k: _json_hp(v) for k, v in hyperparameters.items()}
    hps.update(
        sagemaker_program=json.dumps(entry_point),
        sagemaker_submit_directory=json.dumps(sourcedir_uri),
        sagemaker_region=json.dumps(region),
    )
    image = image_uri(
        "pytorch",
        region,
        framework_version,
        py_version=py_version,
        instance_type=instance_type,
        image_scope="training",
    )
    return _trainer(
        session=session,
        role=role,
        name=name,
        training_image=image,
        instance_type=instance_type,
        instance_count=instance_count,
        volume_size_gb=volume_size_gb,
        max_runtime_s=max_runtime_s,
        hyperparameters=hps,
        output_path=output_path,
        environment=environment,
    )


def _channels(inputs: Mapping[str, Ref], content_type: str | None) -> list[Any]:
    from sagemaker.core.shapes import Channel, DataSource, S3DataSource

    channels = []
    for channel, uri in inputs.items():
        _check_channel(channel, "training input")
        fields: dict[str, Any] = {
            "channel_name": channel,
            "input_mode": "File",
            "data_source": DataSource(
                s3_data_source=S3DataSource(
                    s3_data_type="S3Prefix",
                    s3_uri=uri,
                    s3_data_distribution_type="FullyReplicated",
                )
            ),
        }
        if content_type:
            fields["content_type"] = content_type
        channels.append(Channel(**fields))
    return channels


def training_step(
    name: str,
    *,
    trainer: Any,
    inputs: Mapping[str, Ref],
    content_type: str | None = None,
    depends_on: Sequence[Any] = (),
    cache: str | None = None,
) -> SdkStep:
    """A ``TrainingStep`` from a trainer made by :func:`xgboost_trainer` / :func:`pytorch_trainer`.

    Reference the model archive with :func:`model_artifacts_uri`.
    """
    from sagemaker.mlops.workflow.steps import TrainingStep

    if not inputs:
        raise ValueError("a training step needs at least one input channel")
    with building_steps():
        step_args = trainer.train(input_data_config=_channels(inputs, content_type))
        return TrainingStep(
            name=name,
            step_args=step_args,
            depends_on=_depends(depends_on),
            cache_config=_cache(cache),
        )


def xgboost_training_step(
    name: str,
    *,
    session: Any,
    role: str,
    region: str,
    instance_type: str,
    hyperparameters: Mapping[str, Any],
    train_uri: Ref,
    output_path: Ref,
    validation_uri: Ref | None = None,
    framework_version: str = "3.2-0",
    instance_count: int = 1,
    volume_size_gb: int = 30,
    max_runtime_s: int = 86_400,
    depends_on: Sequence[Any] = (),
    cache: str | None = None,
) -> SdkStep:
    """Built-in XGBoost training on CSV ``train`` (and ``validation``) channels.

    CSV for the built-in algorithm means: label in the first column, no header.
    """
    trainer = xgboost_trainer(
        session=session,
        role=role,
        name=name,
        region=region,
        instance_type=instance_type,
        hyperparameters=hyperparameters,
        output_path=output_path,
        framework_version=framework_version,
        instance_count=instance_count,
        volume_size_gb=volume_size_gb,
        max_runtime_s=max_runtime_s,
    )
    inputs = {"train": train_uri}
    if validation_uri is not None:
        inputs["validation"] = validation_uri
    return training_step(
        name,
        trainer=trainer,
        inputs=inputs,
        content_type="text/csv",
        depends_on=depends_on,
        cache=cache,
    )


def pytorch_training_step(
    name: str,
    *,
    session: Any,
    role: str,
    region: str,
    instance_type: str,
    sourcedir_uri: str,
    entry_point: str,
    hyperparameters: Mapping[str, Any],
    inputs: Mapping[str, Ref],
    output_path: Ref,
    framework_version: str = "2.3",
    py_version: str = "py311",
    instance_count: int = 1,
    volume_size_gb: int = 30,
    max_runtime_s: int = 86_400,
    environment: Mapping[str, str] | None = None,
    depends_on: Sequence[Any] = (),
    cache: str | None = None,
) -> SdkStep:
    """PyTorch script-mode training; each ``inputs`` channel appears as ``SM_CHANNEL_<NAME>``."""
    trainer = pytorch_trainer(
        session=session,
        role=role,
        name=name,
        region=region,
        instance_type=instance_type,
        sourcedir_uri=sourcedir_uri,
        entry_point=entry_point,
        hyperparameters=hyperparameters,
        output_path=output_path,
        framework_version=framework_version,
        py_version=py_version,
        instance_count=instance_count,
        volume_size_gb=volume_size_gb,
        max_runtime_s=max_runtime_s,
        environment=environment,
    )
    return training_step(name, trainer=trainer, inputs=inputs, depends_on=depends_on, cache=cache)


def model_artifacts_uri(step: SdkStep) -> Ref:
    """The ``model.tar.gz`` URI a training step produces, as a step property."""
    return step.properties.ModelArtifacts.S3ModelArtifacts
