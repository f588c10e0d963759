"""Model hyperparameters: the input schema (fields, label, id, classes) plus training knobs.

The classes carry a ``framework`` discriminator so a tuning config can hold either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field, model_validator

from sagewright.registry.fields import default, derived, essential
from sagewright.registry.types import ColumnName

#: What a model predicts: class probabilities, real values, or a ranking.
ModelTask = Literal["classification", "regression", "ranking"]


class ModelHyperparameters(BaseModel):
    """Input schema shared by every model: field lists, label, id and class labels."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)

    label_name: ColumnName = essential(
        "Name of the label (target) column.",
        example="is_fraud",
        pipeline=True,
        # the word that names it, then words that name it when followed by "is", ":" or a noun
        cues=(
            r"labels?",
            r"target",
            r"ground[ _-]truth",
            r"(?:outcome|response|dependent)(?=[ _](?:column|col|field|name|variable|label))",
        ),
    )
    id_name: ColumnName | None = default(
        None,
        "Name of the row id column, kept out of the features.",
        example="order_id",
        pipeline=True,
        cues=(
            r"ids?|identifier|row[ _-]?id|record[ _-]?id|primary[ _]key|key[ _]column",
            r"unique[ _]key",
        ),
    )
    full_field_list: list[ColumnName] = default(
        [], "All columns of the input table; empty means read them from the data.", pipeline=True
    )
    cat_field_list: list[ColumnName] = default(
        [], "Categorical feature columns.", example=["country", "channel"], pipeline=True
    )
    tab_field_list: list[ColumnName] = default(
        [], "Numeric feature columns; empty means every non-categorical column.", pipeline=True
    )
    multiclass_categories: list[int | str] = default(
        [0, 1], "Class labels of the target, in order.", example=[0, 1], pipeline=True
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def num_classes(self) -> int:
        return len(self.multiclass_categories)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_binary(self) -> bool:
        return self.num_classes == 2

    @model_validator(mode="after")
    def _check_schema(self) -> ModelHyperparameters:
        features = [*self.cat_field_list, *self.tab_field_list]
        if self.label_name in features:
            raise ValueError(f"label_name '{self.label_name}' must not be a feature column")
        if self.id_name and self.id_name in features:
            raise ValueError(f"id_name '{self.id_name}' must not be a feature column")
        if self.id_name and self.id_name == self.label_name:
            raise ValueError("id_name and label_name must be different columns")
        both = sorted(set(self.cat_field_list) & set(self.tab_field_list))
        if both:
            raise ValueError(f"cat_field_list and tab_field_list share {both}")
        if self.full_field_list:
            missing = sorted(set(features) | {self.label_name} - set(self.full_field_list))
            if missing:
                raise ValueError(f"full_field_list lacks {missing}")
        cats = self.multiclass_categories
        if len(cats) < 2 or len(set(map(str, cats))) != len(cats):
            raise ValueError("multiclass_categories needs at least two distinct class labels")
        return self


XGBoostObjective = Literal[
    "binary:logistic", "binary:logitraw", "binary:hinge",
    "multi:softprob", "multi:softmax",
    "reg:squarederror", "reg:logistic", "reg:absoluteerror", "reg:pseudohubererror",
    "count:poisson", "reg:tweedie", "rank:pairwise", "rank:ndcg",
]  # fmt: skip
#: XGBoost objectives whose predictions are real values (``reg:logistic`` predicts a probability
#: and is scored as a binary classifier).
XGBOOST_REGRESSION_OBJECTIVES = frozenset(
    {
        "reg:squarederror",
        "reg:absoluteerror",
        "reg:pseudohubererror",
        "reg:tweedie",
        "count:poisson",
    }
)
XGBoostMetric = Literal[
    "auc", "aucpr", "logloss", "error", "rmse", "mae", "mape", "mlogloss", "merror", "ndcg", "map"
]


#: The fields that describe the input data (not how to train): never tuned, never a knob.
DATA_DESCRIPTION_FIELDS = frozenset(ModelHyperparameters.model_fields)


class XGBoostHyperparameters(ModelHyperparameters):
    """Hyperparameters accepted by the SageMaker built-in XGBoost container."""

    framework: Literal["xgboost"] = derived("Model framework (fixed).", "xgboost")
    num_round: int = default(100, "Number of boosting rounds.", example=300, ge=1, le=100000)
    max_depth: int = default(6, "Maximum tree depth.", example=6, ge=0, le=64)
    eta: float = default(0.3, "Learning rate (shrinkage).", example=0.1, gt=0, le=1)
    gamma: float = default(0.0, "Minimum loss reduction to split.", ge=0)
    min_child_weight: float = default(1.0, "Minimum sum of instance weight in a child.", ge=0)
    subsample: float = default(1.0, "Row subsample ratio per tree.", gt=0, le=1)
    colsample_bytree: float = default(1.0, "Column subsample ratio per tree.", gt=0, le=1)
    reg_lambda: float = default(1.0, "L2 regularisation (the container's `lambda`).", ge=0)
    reg_alpha: float = default(0.0, "L1 regularisation (the container's `alpha`).", ge=0)
    scale_pos_weight: float = default(1.0, "Weight of positive examples.", gt=0)
    objective: XGBoostObjective = default(
        "binary:logistic", "Learning objective.", example="binary:logistic"
    )
    eval_metric: XGBoostMetric | None = default(
        None, "Validation metric; empty uses the objective's default.", example="auc"
    )
    tree_method: Literal["auto", "exact", "approx", "hist"] = default("auto", "Tree builder.")
    early_stopping_rounds: int | None = default(
        None, "Stop when validation does not improve for this many rounds.", ge=1
    )

    @property
    def task(self) -> ModelTask:
        if self.objective in XGBOOST_REGRESSION_OBJECTIVES:
            return "regression"
        return "ranking" if self.objective.startswith("rank:") else "classification"

    @property
    def task_reason(self) -> str:
        return f"objective {self.objective}"

    @model_validator(mode="after")
    def _check_objective(self) -> XGBoostHyperparameters:
        if self.objective.startswith("multi:") and self.num_classes < 3:
            raise ValueError(
                f"objective {self.objective} needs 3+ multiclass_categories, got {self.num_classes}"
            )
        if self.objective.startswith("binary:") and self.num_classes != 2:
            raise ValueError(
                f"objective {self.objective} needs exactly 2 multiclass_categories, "
                f"got {self.num_classes}"
            )
        return self

    def container_hyperparameters(self) -> dict[str, str]:
        """The names and string values the built-in XGBoost container accepts."""
        values: dict[str, object] = {
            "num_round": self.num_round,
            "max_depth": self.max_depth,
            "eta": self.eta,
            "gamma": self.gamma,
            "min_child_weight": self.min_child_weight,
            "subsample": self.subsample,
            "colsample_bytree": self.colsample_bytree,
            "lambda": self.reg_lambda,
            "alpha": self.reg_alpha,
            "scale_pos_weight": self.scale_pos_weight,
            "objective": self.objective,
            "tree_method": self.tree_method,
        }
        if self.eval_metric:
            values["eval_metric"] = self.eval_metric
        if self.early_stopping_rounds:
            values["early_stopping_rounds"] = self.early_stopping_rounds
        if self.objective.startswith("multi:"):
            values["num_class"] = self.num_classes
        return {k: str(v) for k, v in values.items()}


class PyTorchHyperparameters(ModelHyperparameters):
    """Hyperparameters of the project's PyTorch training script (a tabular MLP by default)."""

    framework: Literal["pytorch"] = derived("Model framework (fixed).", "pytorch")
    epochs: int = default(10, "Training epochs.", example=10, ge=1, le=10000)
    lr: float = default(1e-3, "Learning rate.", example=0.001, gt=0, le=1)
    batch_size: int = default(32, "Mini-batch size.", example=64, ge=1, le=65536)
    hidden_dims: list[int] = default([128, 64], "Hidden layer widths of the MLP.")
    dropout: float = default(0.1, "Dropout probability.", ge=0, lt=1)
    optimizer: Literal["adam", "adamw", "sgd"] = default("adam", "Optimizer.")
    weight_decay: float = default(0.0, "Weight decay.", ge=0)
    early_stopping_patience: int = default(3, "Epochs without improvement before stopping.", ge=1)
    seed: int = default(42, "Random seed.", ge=0)

    @property
    def task(self) -> ModelTask:
        return "classification"  # the training script's MLP is trained with cross-entropy

    @property
    def task_reason(self) -> str:
        return "the PyTorch training script (a classifier)"

    @model_validator(mode="after")
    def _check_layers(self) -> PyTorchHyperparameters:
        if not self.hidden_dims or any(d < 1 for d in self.hidden_dims):
            raise ValueError("hidden_dims needs one or more positive layer widths")
        return self

    def script_hyperparameters(self) -> dict[str, str]:
        """Flat string values passed to the training script."""
        data = self.model_dump(mode="json", exclude={"framework", "num_classes", "is_binary"})
        import json

        return {
            k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items() if v is not None
        }


def pipeline_model_task(configs: Mapping[str, object]) -> tuple[ModelTask, str] | None:
    """The task every model-training config of a pipeline agrees on, with its reason.

    None when no config carries hyperparameters (an existing model) or they disagree.
    """
    found = {
        (hp.task, f"{hp.task_reason} of node '{node}'")
        for node, config in configs.items()
        if isinstance(
            hp := getattr(config, "hyperparameters", None),
            XGBoostHyperparameters | PyTorchHyperparameters,
        )
    }
    tasks = {task for task, _ in found}
    if len(tasks) != 1:
        return None
    return min(found)
