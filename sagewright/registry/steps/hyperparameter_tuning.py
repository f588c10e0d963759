"""HyperparameterTuning: a tuning job over the XGBoost or PyTorch trainer, used instead of one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    computed_field,
    model_validator,
)

from sagewright.builders.base import BuiltStep, InputRef, StepBuilder
from sagewright.builders.training import (
    PYTORCH_METRIC_DEFINITIONS,
    XGBOOST_NAMES,
    make_trainer,
)
from sagewright.errors import StepBuildError
from sagewright.registry.config_base import TrainingConfig
from sagewright.registry.fields import default
from sagewright.registry.hyperparameters import (
    DATA_DESCRIPTION_FIELDS,
    PyTorchHyperparameters,
    XGBoostHyperparameters,
)
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, Stage, StepSpec

if TYPE_CHECKING:
    from sagewright.builders.context import BuildContext


class ParameterRange(BaseModel):
    """One tuned hyperparameter: a continuous or integer interval, or categorical values."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    type: Literal["continuous", "integer", "categorical"]
    min_value: float | None = None
    max_value: float | None = None
    values: list[str | int | float] = Field(default_factory=list)
    scaling: Literal["Auto", "Linear", "Logarithmic"] = "Auto"

    @model_validator(mode="after")
    def _check(self) -> ParameterRange:
        if self.type == "categorical":
            if not self.values:
                raise ValueError("a categorical range needs values")
        elif self.min_value is None or self.max_value is None or self.min_value >= self.max_value:
            raise ValueError("a continuous/integer range needs min_value < max_value")
        return self


#: Ranges tuned when the config names none, as plain data: ParameterRange objects are made
#: on first use (:func:`default_ranges`) so importing the registry builds no schema.
_DEFAULT_RANGES: dict[str, dict[str, dict[str, Any]]] = {
    "xgboost": {
        "eta": {"type": "continuous", "min_value": 0.01, "max_value": 0.3},
        "max_depth": {"type": "integer", "min_value": 3, "max_value": 10},
        "subsample": {"type": "continuous", "min_value": 0.5, "max_value": 1.0},
    },
    "pytorch": {
        "lr": {
            "type": "continuous",
            "min_value": 1e-5,
            "max_value": 1e-2,
            "scaling": "Logarithmic",
        },
        "dropout": {"type": "continuous", "min_value": 0.0, "max_value": 0.5},
        "batch_size": {"type": "categorical", "values": [16, 32, 64]},
    },
}


def default_ranges(framework: str) -> dict[str, ParameterRange]:
    """The default tuned ranges of a framework (``xgboost`` or ``pytorch``)."""
    return {name: ParameterRange(**r) for name, r in _DEFAULT_RANGES[framework].items()}


# PyTorch: a metric pytorch_training.py prints (see PYTORCH_METRIC_DEFINITIONS).
DEFAULT_OBJECTIVE = {"xgboost": "validation:auc", "pytorch": "val:accuracy"}


def _framework_of(value: object) -> str:
    """Discriminator: the ``framework`` of the hyperparameters, XGBoost when not stated."""
    if isinstance(value, dict):
        return str(value.get("framework", "xgboost"))
    return str(getattr(value, "framework", "xgboost"))


TunedHyperparameters = Annotated[
    Annotated[XGBoostHyperparameters, Tag("xgboost")]
    | Annotated[PyTorchHyperparameters, Tag("pytorch")],
    Discriminator(_framework_of),
]


class HyperparameterTuningConfig(TrainingConfig):
    step_type: ClassVar[str] = "HyperparameterTuning"

    hyperparameters: TunedHyperparameters
    ranges: dict[str, ParameterRange] = default(
        {}, "Tuned hyperparameters and their ranges; empty uses the framework's defaults."
    )
    objective_metric: str | None = default(
        None,
        "Metric the tuner optimises; empty uses the framework's default.",
        example="validation:auc",
    )
    objective_type: Literal["Maximize", "Minimize"] = default("Maximize", "Optimisation direction.")
    strategy: Literal["Bayesian", "Random", "Hyperband", "Grid"] = default(
        "Bayesian", "Search strategy."
    )
    max_jobs: int = default(10, "Total training jobs the tuner may run.", ge=1, le=500)
    max_parallel_jobs: int = default(2, "Training jobs run at once.", ge=1, le=100)
    framework_version: str | None = default(
        None, "Container version; empty uses the framework's default."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def framework(self) -> str:
        return self.hyperparameters.framework

    @computed_field  # type: ignore[prop-decorator]
    @property
    def effective_ranges(self) -> dict[str, ParameterRange]:
        return self.ranges or default_ranges(self.framework)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def effective_objective_metric(self) -> str:
        return self.objective_metric or DEFAULT_OBJECTIVE[self.framework]

    @model_validator(mode="after")
    def _ranges_are_hyperparameters(self) -> HyperparameterTuningConfig:
        known = set(type(self.hyperparameters).model_fields) - {"framework"}
        unknown = sorted(set(self.ranges) - known)
        if unknown:
            raise ValueError(
                f"ranges name unknown {self.framework} hyperparameters: {', '.join(unknown)}"
            )
        if self.max_parallel_jobs > self.max_jobs:
            raise ValueError("max_parallel_jobs cannot exceed max_jobs")
        return self


def _sdk_range(range_: ParameterRange) -> Any:
    from sagewright.builders import recipes

    if range_.type == "categorical":
        return recipes.CategoricalRange(tuple(str(v) for v in range_.values))
    low, high = float(range_.min_value or 0), float(range_.max_value or 0)
    if range_.type == "integer":
        return recipes.IntegerRange(int(low), int(high), range_.scaling)
    return recipes.ContinuousRange(low, high, range_.scaling)


class HyperparameterTuningBuilder(StepBuilder[HyperparameterTuningConfig]):
    """A TuningStep over the XGBoost or PyTorch trainer; outputs the best job's archive.

    XGBoost emits its own metrics (``validation:auc``...); for PyTorch the objective must
    be one of the metrics the training script prints.
    """

    def create_step(
        self,
        node: str,
        config: HyperparameterTuningConfig,
        inputs: Mapping[str, InputRef],
        context: BuildContext,
    ) -> BuiltStep:
        from sagewright.builders.recipes import best_model_artifacts_uri, tuning_step

        hp = config.hyperparameters
        objective = config.effective_objective_metric
        metrics = PYTORCH_METRIC_DEFINITIONS if config.framework == "pytorch" else None
        if metrics is not None and objective not in metrics:
            raise StepBuildError(
                f"objective metric {objective!r} is not printed by the PyTorch training script",
                node=node,
                field="objective_metric",
                hint="use one of " + ", ".join(metrics),
                code="invalid_value",
            )
        ranges = {}
        for name, range_ in config.effective_ranges.items():
            if name in DATA_DESCRIPTION_FIELDS:
                raise StepBuildError(
                    f"'{name}' describes the data and cannot be tuned",
                    node=node,
                    field=f"ranges.{name}",
                    code="invalid_value",
                )
            container_name = (
                XGBOOST_NAMES.get(name, name) if config.framework == "xgboost" else name
            )
            ranges[container_name] = _sdk_range(range_)
        made = make_trainer(
            node,
            config,
            context,
            hp,
            inputs["training_data"],
            framework_version=config.framework_version,
        )
        step = tuning_step(
            node,
            trainer=made.trainer,
            inputs=made.channels,
            ranges=ranges,
            objective_metric=objective,
            objective_type=config.objective_type,
            metric_definitions=metrics,
            max_jobs=config.max_jobs,
            max_parallel_jobs=config.max_parallel_jobs,
            strategy=config.strategy,
            content_type=made.content_type,
        )
        return BuiltStep(
            step, {"model_artifacts": best_model_artifacts_uri(step, made.output_path)}
        )


SPEC = StepSpec(
    name="HyperparameterTuning",
    sagemaker_step="TuningStep",
    description=(
        "Tune XGBoost or PyTorch hyperparameters; outputs the best job's artifacts. "
        "Used instead of a training step."
    ),
    when_to_use="The requirement asks to tune / search hyperparameters (a tuning job).",
    when_not_to_use="A single training run is asked; never together with a training step.",
    inputs=(InputPort("training_data", DataKind.PROCESSED_DATA),),
    outputs=(OutputPort("model_artifacts", DataKind.MODEL_ARTIFACTS),),
    config_class=HyperparameterTuningConfig,
    builder_class=HyperparameterTuningBuilder,
    stage=Stage.TRAINING,
    ask="tune",
    cues=(
        # not fine-tuning, nor tuning of performance, cost or instance sizes
        r"(?<!fine-)(?<!fine )(?<!perf )(?<!performance )(?<!cost )(?<!instance )"
        r"\b(?:tune|tunes|tuning|tuned)\b",
        r"\bhyper-?parameter\s+(?:search|optimi[sz]ation|sweep|tuning|job)\b|\bhpo\b",
        r"\b(?:grid|random|bayesian)[- ]search\w*|\bbayesian optimi[sz]ation\b",
        r"\bhyperparametertuning\b",
    ),
)
