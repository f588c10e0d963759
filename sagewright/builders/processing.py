"""The one place where a step config becomes a Processing job running a container script.

Every Processing step (data loading, preprocessing, evaluation, calibration, packaging,
payload) goes through :func:`build_processing`: it picks the code bundle (the built-in
script with its helpers, or the config's ``source_dir``), the image, the instance-type
parameter, per-execution output locations named after the node and output channel, and
returns a :class:`BuiltStep` whose outputs are keyed by channel (= output port) name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sagewright.builders.base import BuiltStep
from sagewright.builders.code_bundle import CodeBundle
from sagewright.builders.context import BuildContext
from sagewright.builders.images import sklearn_image
from sagewright.errors import StepBuildError
from sagewright.registry.config_base import ProcessingConfig

#: Helper modules every built-in script imports.
COMMON = ("_common.py",)
#: Scripts that score or ship a model also import the serving code.
WITH_INFERENCE = ("_common.py", "inference.py")


def cli_args(values: Mapping[str, Any]) -> list[str]:
    """``{"job_type": "training", "cat_fields": ["a", "b"]}`` -> ``--job-type=training ...``.

    Each option is one ``--name=value`` token, so a value starting with ``--`` stays a value;
    lists go as JSON (``["a,b"]`` is one column, not two), as the scripts' ``comma_list``
    reads them. ``None``, empty strings and empty lists are left out (the script's default
    applies).
    """
    args: list[str] = []
    for name, value in values.items():
        if value is None or value == "" or value == []:
            continue
        text = (
            json.dumps(list(value), ensure_ascii=False)
            if isinstance(value, list | tuple)
            else str(value)
        )
        args.append(f"--{name.replace('_', '-')}={text}")
    return args


def code_prefix(
    node: str, config: ProcessingConfig, context: BuildContext, helpers: Sequence[str]
) -> str:
    """S3 prefix (ending in ``/``) of the code the job runs.

    ``source_dir`` replaces the built-in bundle: an ``s3://`` prefix is used as is (it is
    the user's to upload), a local folder is read into a content-addressed bundle.
    """
    source = config.source_dir
    if not source:
        return context.script_bundle([config.script_name, *helpers]).prefix_uri
    if source.startswith("s3://"):
        return source if source.endswith("/") else source + "/"
    return _local_bundle(node, Path(source), config.script_name, context).prefix_uri


def _local_bundle(node: str, folder: Path, script: str, context: BuildContext) -> CodeBundle:
    if not folder.is_dir():
        raise StepBuildError(
            f"source_dir {str(folder)!r} is not a folder",
            node=node,
            field="source_dir",
            hint="give a local folder holding the script, or an s3:// prefix",
            code="bad_source_dir",
        )
    files = {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and not any(part.startswith(".") or part == "__pycache__" for part in path.parts)
    }
    if script not in files:
        raise StepBuildError(
            f"source_dir {str(folder)!r} has no {script}",
            node=node,
            field="source_dir",
            hint=f"the folder must hold the entry point {script}",
            code="bad_source_dir",
        )
    return context.bundle(files)


def build_processing(
    node: str,
    config: ProcessingConfig,
    context: BuildContext,
    *,
    inputs: Mapping[str, Any] | None = None,
    outputs: Sequence[str] = (),
    arguments: Mapping[str, Any] | None = None,
    helpers: Sequence[str] = COMMON,
    image: str | None = None,
    property_files: Sequence[Any] = (),
    dataset_definition: Any = None,
) -> BuiltStep:
    """A ProcessingStep named ``node`` running the config's script.

    ``inputs``: channel -> S3 reference (lands at ``/opt/ml/processing/input/<channel>``);
    ``outputs``: channel names, each written to ``<OutputS3Prefix>/<execution>/<node>/<channel>``;
    ``arguments``: script options for :func:`cli_args`; ``image`` defaults to the
    scikit-learn image of ``processing_framework_version``.
    """
    from sagewright.builders import recipes

    step = recipes.processing_step(
        node,
        session=context.session,
        role=config.role_arn,
        image_uri=image or sklearn_image(context, node, config.processing_framework_version),
        instance_type=context.instance_type(
            "processing_instance_type", config.processing_instance_type, node=node
        ),
        instance_count=config.processing_instance_count,
        volume_size_gb=config.processing_volume_size,
        max_runtime_s=config.max_runtime_seconds,
        code_prefix_uri=code_prefix(node, config, context, helpers),
        script=config.script_name,
        inputs=inputs,
        outputs={channel: context.output_uri(node, channel) for channel in outputs},
        arguments=cli_args(arguments or {}),
        dataset_definition=dataset_definition,
        property_files=property_files,
    )
    return BuiltStep(
        step=step,
        outputs={channel: recipes.processing_output_uri(step, channel) for channel in outputs},
        property_files={pf.output_name: pf for pf in property_files},
    )
