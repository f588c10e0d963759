"""Training jobs in a local ``opt/ml`` tree, laid out as SageMaker lays it out.

``input/config/hyperparameters.json`` holds the definition's ``HyperParameters`` verbatim
(SageMaker passes that string map unchanged; the SDK already JSON-encoded the values),
``inputdataconfig.json`` and ``resourceconfig.json`` describe the channels and the one host,
and each channel's objects are in ``input/data/<channel>``.

* Script mode (a ``sagemaker_program`` hyperparameter, e.g. PyTorch): the real
  ``sagemaker-training`` toolkit runs with ``SAGEMAKER_BASE_DIR`` at the tree and the
  ``sourcedir.tar.gz`` bundle unpacked in ``code/`` (it skips its download when ``code/``
  is filled), as the framework container's entry point does.
* Built-in XGBoost (algorithm mode): :mod:`sagewright.local.xgboost_algorithm`.

``model/`` is then packed as ``<S3OutputPath>/<job name>/output/model.tar.gz``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from sagewright.local.context import StepContext, StepFailed, python, tar_folder
from sagewright.local.external import provide_uri

HOST = "algo-1"
# The built-in XGBoost container's metric regex (aws/sagemaker-xgboost-container, 1.7-1 to 3.2-0,
# src/sagemaker_xgboost_container/algorithm_mode/metrics.py).
XGBOOST_METRIC = r".*\[[0-9]+\].*#011{data}-{metric}:(\S+)"


def job_name(ctx: StepContext, suffix: str = "") -> str:
    name = f"pipelines-{ctx.resolver.execution_id}-{ctx.name}{suffix}".lower()
    return re.sub(r"[^a-z0-9-]", "-", name)[:63]


def is_script_mode(hyperparameters: dict[str, Any]) -> bool:
    return "sagemaker_program" in hyperparameters


def _decoded(value: Any) -> str:
    try:
        return str(json.loads(value))
    except (TypeError, ValueError):
        return str(value)


def write_tree(
    ctx: StepContext, base: Path, job: dict[str, Any], hyperparameters: dict[str, str]
) -> None:
    config = base / "input" / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "hyperparameters.json").write_text(json.dumps(hyperparameters, indent=2))
    channels: dict[str, Any] = {}
    for channel in job.get("InputDataConfig", []):
        name = channel["ChannelName"]
        uri = str(ctx.value(channel["DataSource"]["S3DataSource"]["S3Uri"]))
        provide_uri(ctx, uri, name)
        if ctx.s3.download(uri, base / "input" / "data" / name) == 0:
            raise StepFailed(f"{ctx.name}: channel {name} is empty ({uri})")
        channels[name] = {
            "TrainingInputMode": channel.get("InputMode", "File"),
            "S3DistributionType": "FullyReplicated",
            "RecordWrapperType": "None",
        }
        if "ContentType" in channel:
            channels[name]["ContentType"] = channel["ContentType"]
    (config / "inputdataconfig.json").write_text(json.dumps(channels, indent=2))
    resources = job.get("ResourceConfig", {})
    instance = str(ctx.value(resources.get("InstanceType", "ml.m5.large")))
    resource_config = {
        "current_host": HOST,
        "current_instance_type": instance,
        "current_group_name": "homogeneousCluster",
        "hosts": [HOST],
        "instance_groups": [
            {
                "instance_group_name": "homogeneousCluster",
                "instance_type": instance,
                "hosts": [HOST],
            }
        ],
        "network_interface_name": "eth0",
    }
    (config / "resourceconfig.json").write_text(json.dumps(resource_config, indent=2))
    (base / "model").mkdir(exist_ok=True)
    (base / "output" / "data").mkdir(parents=True, exist_ok=True)


def run_job(
    ctx: StepContext, job: dict[str, Any], hyperparameters: dict[str, str], name: str, base: Path
) -> tuple[str, str]:
    """Run one training job in ``base``; returns ``(model S3 URI, its log text)``."""
    write_tree(ctx, base, job, hyperparameters)
    start = ctx.log_file.stat().st_size if ctx.log_file.exists() else 0
    env = {"SAGEMAKER_BASE_DIR": str(base), "SAGEWRIGHT_CONTAINER_ROOT": str(base.parent.parent)}
    if is_script_mode(hyperparameters):
        code = base / "code"
        code.mkdir(exist_ok=True)
        uri = _decoded(hyperparameters.get("sagemaker_submit_directory", ""))
        for file_name, data in ctx.pipeline.code_files(uri).items():
            (code / file_name).write_bytes(data)
        command = [python(), "-c", "from sagemaker_training import trainer; trainer.train()"]
        env["SAGEMAKER_REGION"] = _decoded(hyperparameters.get("sagemaker_region", "us-east-1"))
        # The toolkit's own switch for running outside SageMaker: skip waiting (up to 15
        # minutes) for the DNS name of each host (algo-1) that only SageMaker's network has.
        env["SM_STUDIO_LOCAL_MODE"] = "true"
    else:
        image = str(job.get("AlgorithmSpecification", {}).get("TrainingImage", ""))
        if "xgboost" not in image:
            raise StepFailed(f"{ctx.name}: run-local cannot run the image {image}")
        command = [python(), "-m", "sagewright.local.xgboost_algorithm"]
        env["SAGEWRIGHT_XGBOOST_IMAGE"] = image
    try:
        ctx.run(command, env=env)
    except StepFailed:
        failure = base / "output" / "failure"
        if failure.is_file() and failure.read_text().strip():
            last = failure.read_text().strip().splitlines()[-1]
            raise StepFailed(f"{ctx.name}: {last}") from None
        raise
    output = str(ctx.value(job["OutputDataConfig"]["S3OutputPath"])).rstrip("/")
    model_uri = f"{output}/{name}/output/model.tar.gz"
    tar_folder(base / "model", ctx.s3.path(model_uri))
    with ctx.log_file.open(encoding="utf-8") as handle:
        handle.seek(start)
        text = handle.read()
    return model_uri, text


def metric_regexes(job: dict[str, Any], hyperparameters: dict[str, str]) -> dict[str, str]:
    """The job's metric definitions; built-in XGBoost's come from the container."""
    spec = job.get("AlgorithmSpecification", {})
    found = {m["Name"]: m["Regex"] for m in spec.get("MetricDefinitions", [])}
    if not is_script_mode(hyperparameters) and "xgboost" in str(spec.get("TrainingImage", "")):
        metrics = _decoded(hyperparameters.get("eval_metric", "")).split(",")
        metrics.append(hyperparameters.get("_tuning_objective_metric", ":").split(":", 1)[1])
        for metric in [m.strip() for m in metrics if m.strip()] or ["logloss", "auc", "rmse"]:
            for data in ("train", "validation"):
                found.setdefault(
                    f"{data}:{metric}", XGBOOST_METRIC.format(data=data, metric=re.escape(metric))
                )
    return found


def parse_metrics(text: str, regexes: dict[str, str]) -> dict[str, float]:
    """The last value each metric regex finds in the log, as SageMaker reports it."""
    values: dict[str, float] = {}
    for name, regex in regexes.items():
        pattern = re.compile(regex)
        for line in text.splitlines():
            match = pattern.search(line)
            if match:
                try:
                    values[name] = float(match.group(1))
                except (ValueError, IndexError):
                    continue
    return values


def run_training(ctx: StepContext) -> None:
    job = ctx.arguments
    hyperparameters = {k: str(ctx.value(v)) for k, v in job.get("HyperParameters", {}).items()}
    name = job_name(ctx)
    base = ctx.container / "opt" / "ml"
    model_uri, text = run_job(ctx, job, hyperparameters, name, base)
    ctx.outcome.metrics.update(parse_metrics(text, metric_regexes(job, hyperparameters)))
    ctx.set_properties(**{"ModelArtifacts.S3ModelArtifacts": model_uri, "TrainingJobName": name})
    ctx.outcome.notes.append(f"model {model_uri}")


def reset(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
