"""Model creation and model registration: local records of what SageMaker would create."""

from __future__ import annotations

import json
from typing import Any

from sagewright.local.context import StepContext, StepFailed
from sagewright.local.external import provide_uri


def _write(ctx: StepContext, name: str, record: dict[str, Any]) -> None:
    ctx.folder.mkdir(parents=True, exist_ok=True)
    (ctx.folder / name).write_text(json.dumps(record, indent=2, default=str) + "\n")


def run_model(ctx: StepContext) -> None:
    """``CreateModel``: image, environment and model data, with the model file checked."""
    container = ctx.value(ctx.arguments.get("PrimaryContainer", {}))
    data = str(container.get("ModelDataUrl", ""))
    if data.startswith("s3://"):
        provide_uri(ctx, data, "model")
    name = f"{ctx.name}-{ctx.resolver.execution_id}"
    record = {
        "ModelName": name,
        "Image": container.get("Image"),
        "Environment": container.get("Environment", {}),
        "ModelDataUrl": data,
        "ModelDataPath": str(ctx.s3.path(data)) if data.startswith("s3://") else None,
        "ExecutionRoleArn": ctx.arguments.get("ExecutionRoleArn"),
    }
    _write(ctx, "model.json", record)
    ctx.resolver.properties.setdefault("_models", {})[name] = record
    ctx.set_properties(ModelName=name)


def run_registration(ctx: StepContext) -> None:
    """``CreateModelPackage``: model data, payload and metrics URIs, approval status."""
    arguments = ctx.value(ctx.arguments)
    files: dict[str, str] = {}
    containers = arguments.get("InferenceSpecification", {}).get("Containers", [])
    for index, container in enumerate(containers):
        files[f"model_data[{index}]"] = str(container.get("ModelDataUrl", ""))
    if arguments.get("SamplePayloadUrl"):
        files["sample_payload"] = str(arguments["SamplePayloadUrl"])
    metrics = arguments.get("ModelMetrics", {})
    for section, entries in metrics.items():
        for key, value in (entries or {}).items():
            if isinstance(value, dict) and "S3Uri" in value:
                files[f"metrics.{section}.{key}"] = str(value["S3Uri"])
    missing = [f"{k}: {u}" for k, u in files.items() if not ctx.s3.path(u).is_file()]
    if missing:
        raise StepFailed(f"{ctx.name}: registered files do not exist: {'; '.join(missing)}")
    record = {
        "ModelPackageGroupName": arguments.get("ModelPackageGroupName"),
        "ModelApprovalStatus": arguments.get("ModelApprovalStatus"),
        "InferenceSpecification": arguments.get("InferenceSpecification"),
        "files": {k: {"uri": u, "path": str(ctx.s3.path(u))} for k, u in files.items()},
        "CustomerMetadataProperties": arguments.get("CustomerMetadataProperties", {}),
    }
    _write(ctx, "model_package.json", record)
    arn = f"arn:aws:sagemaker:local:000000000000:model-package/{record['ModelPackageGroupName']}/1"
    ctx.set_properties(ModelPackageArn=arn)
    ctx.outcome.notes.append(f"model package {arn}")
