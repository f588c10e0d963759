"""Tuning recipe: a ``TuningStep`` over a trainer from :mod:`.training`.

Output reference: :func:`best_model_artifacts_uri` (step, output_path).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from sagewright.builders.recipes._common import Ref, SdkStep, _cache, _depends, _job_base
from sagewright.builders.recipes.training import _channels
from sagewright.builders.sdk import building_steps

ObjectiveType = Literal["Maximize", "Minimize"]


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
