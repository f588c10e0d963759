"""SDK recipes: one function per SageMaker step kind, plain values in, SDK step out.

Each recipe takes strings, numbers, mappings and SDK pipeline references (step
properties, ``Join``, parameters) and returns the SageMaker SDK (3.27) step named
exactly as given. Per-step builders are thin glue over these; nothing here knows
about sagewright's config classes or topology.

Design rules, each one measured on SDK 3.27.0:

* **No uploads during ``definition()``.** Code reaches a job only through
  content-addressed S3 URIs computed offline (:mod:`sagewright.builders.code_bundle`)
  and uploaded at deploy time. Processing runs a generic ``Processor`` whose
  entrypoint is ``python3 /opt/ml/processing/input/code/<script>`` with the bundle
  prefix as an input channel; PyTorch training uses the framework container's
  ``sagemaker_program`` / ``sagemaker_submit_directory`` hyperparameters with a
  ``sourcedir.tar.gz`` URI; XGBoost runs the built-in algorithm (no code at all).
  ``ModelTrainer(source_code=...)``, ``ScriptProcessor`` with local code and
  ``FrameworkProcessor`` are avoided: they upload under timestamped keys.
* **Byte-deterministic JSON.** Every value that reaches a definition is given
  explicitly (output paths, job settings); job names, which carry timestamps, are
  stripped by the SDK's pipeline compiler.
* **SageMaker is imported lazily**, inside the functions, so importing this module
  is cheap; the session passed in (:func:`sagewright.builders.sdk.offline_session`)
  has already prepared the environment the SDK needs at import time.

Output references (pass them to downstream recipes as inputs):

=====================  ===================================================
step                   reference
=====================  ===================================================
processing             :func:`processing_output_uri` (step, channel)
training               :func:`model_artifacts_uri` (step)
tuning                 :func:`best_model_artifacts_uri` (step, output_path)
create model           :func:`model_name` (step)
transform              :func:`transform_output_uri` (step)
register model         :func:`model_package_arn` (step)
=====================  ===================================================

Guarded steps (measured on 3.27, see ``tests/builders/test_recipes.py``):

* ``condition.if_steps`` is read when ``definition()`` runs, so steps can be
  appended after the ``ConditionStep`` is built (topological assembly works).
* A step in ``if_steps`` must not also be in ``Pipeline(steps=...)``: the SDK
  raises ``ValueError`` ("cannot be added in the Pipeline steps list"); the
  SDK's ``Pipeline`` docstring says the service rejects it too. Steps inside
  ``if_steps`` may reference each other.
* A top-level step may reference a guarded step's properties; it compiles (the
  reference is a plain ``Get``, no ``DependsOn``). With a ``FailStep`` in the
  else branch it can only run when the guard passed, but it is safer to put the
  whole guarded subtree in ``if_steps``.
* The condition itself must be in the pipeline's steps: if it is missing, the
  compiler pulls referenced guarded steps in as top-level steps, unguarded.
* ``depends_on=[condition]`` compiles, but the service rejects a dependency on a
  condition step; :func:`sagewright.builders.arg_check.check_definition` flags it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, TypeAlias

from sagewright.builders.sdk import building_steps, quiet_sdk

__all__ = [
    "CODE_DIR",
    "PROCESSING_INPUT_DIR",
    "PROCESSING_OUTPUT_DIR",
    "AthenaQuery",
    "CategoricalRange",
    "ContinuousRange",
    "IntegerRange",
    "ParameterRange",
    "RedshiftQuery",
    "Ref",
    "best_model_artifacts_uri",
    "create_model_step",
    "definition_json",
    "execution_uri",
    "image_uri",
    "join_uri",
    "make_pipeline",
    "model_artifacts_uri",
    "model_name",
    "model_package_arn",
    "parameter_string",
    "processing_output_uri",
    "processing_step",
    "property_file",
    "pytorch_inference_env",
    "pytorch_trainer",
    "pytorch_training_step",
    "quality_gate_steps",
    "register_model_step",
    "training_step",
    "transform_output_uri",
    "transform_step",
    "tuning_step",
    "xgboost_trainer",
    "xgboost_training_step",
]

#: A string, or an SDK pipeline variable (step property, ``Join``, parameter...).
Ref: TypeAlias = Any
#: A SageMaker SDK step (``ProcessingStep``, ``TrainingStep``, ``ModelStep``...).
SdkStep: TypeAlias = Any

PROCESSING_INPUT_DIR = "/opt/ml/processing/input"
PROCESSING_OUTPUT_DIR = "/opt/ml/processing/output"
#: Where a processing job finds its code bundle; the entrypoint runs a script here.
CODE_DIR = f"{PROCESSING_INPUT_DIR}/code/"
_CODE_CHANNEL = "code"
_CHANNEL_RE = re.compile(r"^[A-Za-z0-9\-_.]{1,64}$")

Comparison = Literal[">=", ">", "<=", "<", "=="]
ObjectiveType = Literal["Maximize", "Minimize"]


# --------------------------------------------------------------------------- helpers


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
    if not _CHANNEL_RE.match(channel):
        raise ValueError(f"{what} channel {channel!r} must match {_CHANNEL_RE.pattern}")


# --------------------------------------------------------------------------- processing


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


# --------------------------------------------------------------------------- training


def _job_base(name: str) -> str:
    """A job-name prefix from a step name (the compiler drops job names anyway)."""
    return re.sub(r"[^A-Za-z0-9-]", "-", name)[:32].strip("-") or "job"


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
    framework_version: str = "1.7-1",
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
    framework_version: str = "1.7-1",
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


# --------------------------------------------------------------------------- tuning


@dataclass(frozen=True)
class ContinuousRange:
    """A real-valued hyperparameter range."""

    min_value: float
    max_value: float
    scaling: Literal["Auto", "Linear", "Logarithmic", "ReverseLogarithmic"] = "Auto"


@dataclass(frozen=True)
class IntegerRange:
    """An integer hyperparameter range."""

    min_value: int
    max_value: int
    scaling: Literal["Auto", "Linear", "Logarithmic", "ReverseLogarithmic"] = "Auto"


@dataclass(frozen=True)
class CategoricalRange:
    """A hyperparameter chosen among listed values."""

    values: tuple[str, ...]


ParameterRange: TypeAlias = ContinuousRange | IntegerRange | CategoricalRange


def _sdk_range(r: ParameterRange) -> Any:
    from sagemaker.core.parameter import (
        CategoricalParameter,
        ContinuousParameter,
        IntegerParameter,
    )

    if isinstance(r, ContinuousRange):
        if not r.min_value < r.max_value:
            raise ValueError(f"empty range {r}")
        return ContinuousParameter(r.min_value, r.max_value, scaling_type=r.scaling)
    if isinstance(r, IntegerRange):
        if not r.min_value < r.max_value:
            raise ValueError(f"empty range {r}")
        return IntegerParameter(r.min_value, r.max_value, scaling_type=r.scaling)
    if not r.values:
        raise ValueError("a categorical range needs at least one value")
    return CategoricalParameter([str(v) for v in r.values])


def tuning_step(
    name: str,
    *,
    trainer: Any,
    inputs: Mapping[str, Ref],
    ranges: Mapping[str, ParameterRange],
    objective_metric: str,
    objective_type: ObjectiveType = "Maximize",
    metric_definitions: Mapping[str, str] | None = None,
    max_jobs: int = 10,
    max_parallel_jobs: int = 2,
    strategy: Literal["Bayesian", "Random", "Hyperband", "Grid"] = "Bayesian",
    early_stopping: Literal["Off", "Auto"] = "Off",
    content_type: str | None = None,
    depends_on: Sequence[Any] = (),
    cache: str | None = None,
) -> SdkStep:
    """A ``TuningStep`` over a trainer from :func:`xgboost_trainer` or :func:`pytorch_trainer`.

    Built-in XGBoost emits its own metrics (``validation:auc``...), so leave
    ``metric_definitions`` empty; a PyTorch script needs ``{metric name: regex}``
    matching its log lines. Tuned names are removed from the static
    hyperparameters. Reference the best model with :func:`best_model_artifacts_uri`.
    """
    from sagemaker.mlops.workflow.steps import TuningStep
    from sagemaker.train.tuner import HyperparameterTuner

    if not ranges:
        raise ValueError("a tuning step needs at least one hyperparameter range")
    if metric_definitions and objective_metric not in metric_definitions:
        raise ValueError(
            f"objective metric {objective_metric!r} has no regex in metric_definitions"
        )
    reserved = {h for h in ranges if h.startswith("sagemaker_")}
    if reserved:
        raise ValueError(f"cannot tune reserved hyperparameters {sorted(reserved)}")
    with building_steps():
        tuner = HyperparameterTuner(
            model_trainer=trainer,
            objective_metric_name=objective_metric,
            hyperparameter_ranges={k: _sdk_range(v) for k, v in ranges.items()},
            metric_definitions=(
                [{"Name": k, "Regex": v} for k, v in metric_definitions.items()]
                if metric_definitions
                else None
            ),
            strategy=strategy,
            objective_type=objective_type,
            max_jobs=max_jobs,
            max_parallel_jobs=max_parallel_jobs,
            early_stopping_type=early_stopping,
            base_tuning_job_name=_job_base(name)[:20],
        )
        step_args = tuner.tune(inputs=_channels(inputs, content_type))
        return TuningStep(
            name=name,
            step_args=step_args,
            depends_on=_depends(depends_on),
            cache_config=_cache(cache),
        )


def best_model_artifacts_uri(step: SdkStep, output_path: Ref) -> Ref:
    """``model.tar.gz`` of the best training job of a tuning step.

    ``output_path`` is the trainer's output path: the service writes each job's
    archive to ``<output_path>/<job name>/output/``. It is a plain ``s3://``
    string or a ``"/"``-``Join`` (e.g. :func:`execution_uri`), whose values are
    spliced in so the result stays one flat ``Std:Join``.
    """
    from sagemaker.core.workflow.functions import Join

    job_name = step.properties.TrainingJobSummaries[0].TrainingJobName
    if isinstance(output_path, Join):
        if output_path.on != "/":
            raise ValueError("output_path must be a Join on '/'")
        return Join(on="/", values=[*output_path.values, job_name, "output", "model.tar.gz"])
    if not isinstance(output_path, str) or not output_path.startswith("s3://"):
        raise ValueError(f"output_path must be an s3:// string or a Join: {output_path!r}")
    bucket, _, prefix = output_path[len("s3://") :].partition("/")
    return step.get_top_model_s3_uri(top_k=0, s3_bucket=bucket, prefix=prefix.strip("/"))


# --------------------------------------------------------------------------- models


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


# --------------------------------------------------------------------------- transform


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


# --------------------------------------------------------------------------- quality gate


def quality_gate_steps(
    name: str,
    *,
    evaluation_step: SdkStep,
    property_file: Any,
    json_path: str,
    metric: str,
    threshold: float,
    comparison: Comparison = ">=",
    if_steps: Sequence[SdkStep] = (),
    fail_message: str | None = None,
    fail_name: str | None = None,
) -> tuple[SdkStep, SdkStep]:
    """A ``ConditionStep`` on a metric of an evaluation report, failing the run otherwise.

    Returns ``(condition, fail)``; ``fail`` (default name ``<name>_fail``) is the
    condition's else-branch. Guarded steps go in ``if_steps`` here or are appended
    to ``condition.if_steps`` later (the list is read at ``definition()`` time);
    they must not also be passed to :func:`make_pipeline`, and they may reference
    each other. Only ``condition`` goes in the pipeline's step list.
    """
    from sagemaker.core.workflow.conditions import (
        ConditionEquals,
        ConditionGreaterThan,
        ConditionGreaterThanOrEqualTo,
        ConditionLessThan,
        ConditionLessThanOrEqualTo,
    )
    from sagemaker.core.workflow.functions import JsonGet
    from sagemaker.mlops.workflow.condition_step import ConditionStep
    from sagemaker.mlops.workflow.fail_step import FailStep

    kinds = {
        ">=": ConditionGreaterThanOrEqualTo,
        ">": ConditionGreaterThan,
        "<=": ConditionLessThanOrEqualTo,
        "<": ConditionLessThan,
        "==": ConditionEquals,
    }
    if comparison not in kinds:
        raise ValueError(f"comparison must be one of {sorted(kinds)}, not {comparison!r}")
    if property_file not in (evaluation_step.property_files or []):
        raise ValueError(
            f"property file {property_file.name!r} is not declared on step {evaluation_step.name!r}"
        )
    value = JsonGet(
        step_name=evaluation_step.name, property_file=property_file, json_path=json_path
    )
    fail = FailStep(
        name=fail_name or f"{name}_fail",
        error_message=fail_message
        or f"Quality gate {name}: {metric} did not satisfy {metric} {comparison} {threshold}",
    )
    condition = ConditionStep(
        name=name,
        conditions=[kinds[comparison](left=value, right=threshold)],
        if_steps=list(if_steps),
        else_steps=[fail],
    )
    return condition, fail


# --------------------------------------------------------------------------- pipeline


def make_pipeline(
    name: str,
    steps: Sequence[SdkStep],
    parameters: Sequence[Any] = (),
    *,
    session: Any,
    experiment_tracking: bool = False,
) -> Any:
    """A ``Pipeline`` of the top-level steps (not the steps inside a condition's branches).

    ``experiment_tracking=False`` drops the SDK's default ``PipelineExperimentConfig``
    (an Experiment and Trial created per execution, and only in some regions).
    """
    from sagemaker.mlops.workflow.pipeline import Pipeline

    if not re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}", name):
        raise ValueError(f"invalid pipeline name {name!r}: letters, digits and single '-'")
    kwargs: dict[str, Any] = {}
    if not experiment_tracking:
        kwargs["pipeline_experiment_config"] = None
    return Pipeline(
        name=name,
        parameters=list(parameters),
        steps=list(steps),
        sagemaker_session=session,
        **kwargs,
    )


def definition_json(pipeline: Any) -> str:
    """The pipeline definition, as the SDK serialises it.

    The SDK's output is already byte-stable for a given input (insertion-ordered
    dicts, no timestamps once job names are stripped), so it is returned as is.
    """
    with quiet_sdk():
        return str(pipeline.definition())
