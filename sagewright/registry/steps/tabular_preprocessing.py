"""TabularPreprocessing: clean one job type's table; split train/val/test for training."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import model_validator

from sagewright.builders.base import BuiltStep, InputRef, StepBuilder
from sagewright.builders.processing import build_processing
from sagewright.registry.config_base import JobTypedConfig, ProcessingConfig
from sagewright.registry.fields import default, essential
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, Stage, StepSpec
from sagewright.registry.types import ColumnName

if TYPE_CHECKING:
    from sagewright.builders.context import BuildContext


class TabularPreprocessingConfig(ProcessingConfig, JobTypedConfig):
    step_type: ClassVar[str] = "TabularPreprocessing"
    entry_point: ClassVar[str] = "tabular_preprocessing.py"

    label_name: ColumnName | None = essential(
        "Name of the label (target) column; may stay empty only for inference data.",
        example="is_fraud",
        pipeline=True,
        when="labeled",
    )
    id_name: ColumnName | None = default(
        None, "Name of the row id column.", example="order_id", pipeline=True
    )
    cat_field_list: list[ColumnName] = default(
        [], "Categorical feature columns.", example=["country"], pipeline=True
    )
    tab_field_list: list[ColumnName] = default(
        [], "Numeric feature columns; empty means all other columns.", pipeline=True
    )
    categories: dict[ColumnName, list[str]] = default(
        {},
        "Known values of each categorical column, in code order. Declared, every job type "
        "codes a value alike and an unseen value fails the job; otherwise each dataset's own "
        "sorted values set the codes, which shift when the sets differ.",
        example={"country": ["DE", "FR", "US"]},
        pipeline=True,
    )
    train_ratio: float = default(
        0.7, "Share of rows for train (training job type only).", gt=0, lt=1
    )
    val_ratio: float = default(
        0.15, "Share of rows for validation (training only; training reads val/).", gt=0, lt=1
    )
    seed: int = default(42, "Random seed of the split.", ge=0)

    @model_validator(mode="after")
    def _check(self) -> TabularPreprocessingConfig:
        if self.job_type != "inference" and not self.label_name:
            raise ValueError(f"label_name is required for {self.job_type} data")
        if self.train_ratio + self.val_ratio >= 1:
            raise ValueError("train_ratio + val_ratio must leave rows for the test split (< 1)")
        undeclared = sorted(set(self.categories) - set(self.cat_field_list))
        if undeclared:
            raise ValueError(f"categories name columns not in cat_field_list: {undeclared}")
        for column, values in self.categories.items():
            if not values or len(set(values)) != len(values):
                raise ValueError(f"categories of '{column}' must be distinct values")
        if self.label_name and self.label_name in [*self.cat_field_list, *self.tab_field_list]:
            raise ValueError(f"label_name '{self.label_name}' must not be a feature column")
        return self


class TabularPreprocessingBuilder(StepBuilder[TabularPreprocessingConfig]):
    """A Processing job cleaning the ``data`` channel into ``processed_data``."""

    def create_step(
        self,
        node: str,
        config: TabularPreprocessingConfig,
        inputs: Mapping[str, InputRef],
        context: BuildContext,
    ) -> BuiltStep:
        arguments: dict[str, Any] = {
            "job_type": config.job_type,
            "label_name": config.label_name,
            "id_name": config.id_name,
            "cat_fields": config.cat_field_list,
            "tab_fields": config.tab_field_list,
            "categories": json.dumps(config.categories, sort_keys=True)
            if config.categories
            else None,
        }
        if config.job_type == "training":
            arguments.update(
                train_ratio=config.train_ratio, val_ratio=config.val_ratio, seed=config.seed
            )
        return build_processing(
            node,
            config,
            context,
            inputs={"data": inputs["data"].value},
            outputs=["processed_data"],
            arguments=arguments,
        )


SPEC = StepSpec(
    name="TabularPreprocessing",
    sagemaker_step="ProcessingStep",
    description=(
        "Combine shards, check label and id fields, drop bad rows; for `training` also split "
        "train/val/test."
    ),
    when_to_use="After each DataLoading, same job type: every model step reads processed data.",
    when_not_to_use="When the requirement asks for the loading step alone.",
    inputs=(InputPort("data", DataKind.TABULAR_DATA),),
    outputs=(OutputPort("processed_data", DataKind.PROCESSED_DATA),),
    config_class=TabularPreprocessingConfig,
    builder_class=TabularPreprocessingBuilder,
    job_typed=True,
    stage=Stage.DATA,
    ask="preprocess",
    cues=(
        r"\bpre-?process\w*|\bdata prep\w*|\bprepare the data\b",
        r"\bclean(?:s|ing)? (?:the )?data\b",
    ),
)
