"""Tuning steps: a few candidate training jobs, the objective read from their logs.

Candidates: the midpoints of every range, then points sampled with the run's seed (2 by
default). Each runs as a training job of its own (:func:`sagewright.local.training.run_job`);
the objective metric is parsed with the definition's regex (the container's for built-in
XGBoost) and the best job's artifacts are the step's output, as
``TrainingJobSummaries[0]`` / ``BestTrainingJob`` name them.
"""

from __future__ import annotations

import math
import random
from typing import Any

from sagewright.local.context import StepContext, StepFailed
from sagewright.local.training import (
    is_script_mode,
    job_name,
    metric_regexes,
    parse_metrics,
    run_job,
)


def _as_float(text: Any) -> float:
    return float(str(text))


def _point(spec: dict[str, Any], kind: str, rng: random.Random | None) -> str:
    if kind == "Categorical":
        values = [str(v) for v in spec["Values"]]
        return values[len(values) // 2] if rng is None else rng.choice(values)
    low, high = _as_float(spec["MinValue"]), _as_float(spec["MaxValue"])
    logarithmic = spec.get("ScalingType") in ("Logarithmic", "ReverseLogarithmic") and low > 0
    if rng is None:
        value = math.sqrt(low * high) if logarithmic else (low + high) / 2
    elif logarithmic:
        value = math.exp(rng.uniform(math.log(low), math.log(high)))
    else:
        value = rng.uniform(low, high)
    return str(round(value)) if kind == "Integer" else f"{value:.6g}"


def candidates(ranges: dict[str, Any], count: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    points = []
    for index in range(count):
        point: dict[str, str] = {}
        for key, kind in (
            ("IntegerParameterRanges", "Integer"),
            ("ContinuousParameterRanges", "Continuous"),
            ("CategoricalParameterRanges", "Categorical"),
        ):
            for spec in ranges.get(key, []):
                point[spec["Name"]] = _point(spec, kind, None if index == 0 else rng)
        points.append(point)
    return points


def run_tuning(ctx: StepContext) -> None:
    arguments = ctx.arguments
    config = arguments["HyperParameterTuningJobConfig"]
    job = arguments["TrainingJobDefinition"]
    objective = config["HyperParameterTuningJobObjective"]
    static = {k: str(ctx.value(v)) for k, v in job.get("StaticHyperParameters", {}).items()}
    limit = int(config.get("ResourceLimits", {}).get("MaxNumberOfTrainingJobs", 2))
    count = max(1, min(ctx.options.tuning_candidates, limit))
    results: list[tuple[float, str, str, dict[str, str]]] = []
    for index, point in enumerate(candidates(config.get("ParameterRanges", {}), count, 11)):
        name = job_name(ctx, f"-{index + 1:03d}")
        hyperparameters = {**static, **point}
        if not is_script_mode(static):  # what the service adds for built-in algorithms
            hyperparameters["_tuning_objective_metric"] = objective["MetricName"]
        ctx.log(f"candidate {index + 1}/{count}: {point}")
        base = ctx.container / f"candidate-{index + 1}" / "opt" / "ml"
        model_uri, text = run_job(ctx, job, hyperparameters, name, base)
        metrics = parse_metrics(text, metric_regexes(job, hyperparameters))
        if objective["MetricName"] not in metrics:
            raise StepFailed(
                f"{ctx.name}: objective {objective['MetricName']} not found in the log of {name}"
            )
        value = metrics[objective["MetricName"]]
        ctx.log(f"candidate {index + 1}: {objective['MetricName']}={value}")
        results.append((value, name, model_uri, point))
    maximize = objective.get("Type", "Maximize") == "Maximize"
    best = (max if maximize else min)(results, key=lambda r: r[0])
    ctx.outcome.metrics[objective["MetricName"]] = best[0]
    ctx.outcome.notes.append(f"{len(results)} candidates; best {best[1]}: {best[3]}")
    ctx.set_properties(
        **{
            "TrainingJobSummaries[0].TrainingJobName": best[1],
            "BestTrainingJob.TrainingJobName": best[1],
            "BestTrainingJob.ModelArtifacts.S3ModelArtifacts": best[2],
        }
    )
