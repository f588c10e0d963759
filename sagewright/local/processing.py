"""Processing steps: run ``ContainerEntrypoint`` + ``ContainerArguments`` in a subprocess.

Inputs land at their ``LocalPath`` and outputs are collected from theirs, under the step's
container root, which the scripts learn from ``SAGEWRIGHT_CONTAINER_ROOT`` (unset, i.e.
``/``, on SageMaker).
"""

from __future__ import annotations

import re
from typing import Any

from sagewright.local.context import StepContext, StepFailed, python
from sagewright.local.external import provide_table, provide_uri

CONTAINER_ROOT_ENV = "SAGEWRIGHT_CONTAINER_ROOT"
_CODE_URI = re.compile(r"/(?:code|sourcedir)/[0-9a-f]{64}/")
_METRIC_KEYS = ("auc", "accuracy", "f1", "precision", "recall", "log_loss", "rmse", "mae", "r2")


def stage_inputs(ctx: StepContext) -> None:
    for item in ctx.arguments.get("ProcessingInputs", []):
        name = str(item.get("InputName", ""))
        if "S3Input" in item:
            spec = item["S3Input"]
            uri = str(ctx.value(spec["S3Uri"]))
            local = ctx.local(spec["LocalPath"])
            if _CODE_URI.search(uri):
                local.mkdir(parents=True, exist_ok=True)
                for file_name, data in ctx.pipeline.code_files(uri).items():
                    (local / file_name).parent.mkdir(parents=True, exist_ok=True)
                    (local / file_name).write_bytes(data)
                continue
            provide_uri(ctx, uri, name)
            ctx.s3.download(uri, local)
        elif "DatasetDefinition" in item:
            spec = item["DatasetDefinition"]
            definition: dict[str, Any] = next(
                (v for k, v in spec.items() if k.endswith("DatasetDefinition")), {}
            )
            parquet = str(definition.get("OutputFormat", "")).upper() == "PARQUET"
            provide_table(ctx, ctx.local(spec["LocalPath"]), parquet=parquet)


def command(ctx: StepContext) -> list[str]:
    spec = ctx.arguments.get("AppSpecification", {})
    entry = [str(ctx.value(v)) for v in spec.get("ContainerEntrypoint", [])]
    arguments = [str(ctx.value(v)) for v in spec.get("ContainerArguments", [])]
    if not entry:
        raise StepFailed(f"{ctx.name}: no ContainerEntrypoint; run-local runs script steps only")
    mapped = [python() if entry[0] in ("python", "python3") else entry[0]]
    mapped += [str(ctx.local(p)) if p.startswith("/opt/ml/") else p for p in entry[1:]]
    return mapped + arguments


def run_processing(ctx: StepContext) -> None:
    stage_inputs(ctx)
    for item in ctx.arguments.get("ProcessingOutputConfig", {}).get("Outputs", []):
        ctx.local(item["S3Output"]["LocalPath"]).mkdir(parents=True, exist_ok=True)
    try:
        ctx.run(command(ctx), env={CONTAINER_ROOT_ENV: str(ctx.container)})
    except StepFailed:
        message = ctx.local("/opt/ml/output/message")
        if message.is_file():
            raise StepFailed(f"{ctx.name}: {message.read_text().strip()}") from None
        raise
    outputs: dict[str, Any] = {}
    for item in ctx.arguments.get("ProcessingOutputConfig", {}).get("Outputs", []):
        spec = item["S3Output"]
        uri = str(ctx.value(spec["S3Uri"]))
        ctx.s3.upload(ctx.local(spec["LocalPath"]), uri)
        outputs[f"ProcessingOutputConfig.Outputs['{item['OutputName']}'].S3Output.S3Uri"] = uri
        outputs[item["OutputName"]] = ctx.local(spec["LocalPath"])
    ctx.set_properties(**{k: v for k, v in outputs.items() if k.startswith("Processing")})
    for prop in ctx.step.get("PropertyFiles", []):
        folder = outputs.get(prop["OutputName"])
        if folder is None:
            continue
        path = folder / prop["FilePath"]
        ctx.resolver.property_files[
            f"Steps.{ctx.name}.PropertyFiles.{prop['PropertyFileName']}"
        ] = path
        if path.is_file():
            ctx.outcome.metrics.update(key_metrics(ctx.resolver.json_reader(path)))


def key_metrics(report: Any) -> dict[str, Any]:
    if not isinstance(report, dict):
        return {}
    return {k: report[k] for k in _METRIC_KEYS if isinstance(report.get(k), int | float)}
