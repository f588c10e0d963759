"""The value keys: one row per value a user states by name, and the config field it fills.

Facts (:mod:`sagewright.facts`), the questions, both extractors (the offline one's target
fields, the LLM one's reply schema) and the generated README's provenance all read
:data:`VALUE_KEYS`, so a new pipeline-wide value is one row here (and its config field).

Scopes say where a value lives in :class:`~sagewright.facts.PipelineValues` and which configs
it fills:

* ``pipeline``: every config that has the field (asked once); ``shared[field]``;
* ``gate``: the QualityGate config; ``gate[field]``;
* ``step``: every node of the step type ``model``; ``steps[model][field]``;
* ``data``: the DataLoading node of one job type, stated as ``data.JOBTYPE.FIELD``;
* ``node``: one node's own field, stated as ``NODE.FIELD`` (rows only give its answer format).

``model`` is the class that declares the field or the name of the step type whose config
does (looked up in the registry, never imported). Keys the table does not list by name:
``hyperparameters.NAME``, ``tuning.ranges.NAME`` and ``config.NODE.FIELD``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from sagewright.registry.config_base import (
    BaseConfig,
    ExistingModelConfig,
    FrameworkConfig,
    ProcessingConfig,
    TrainingConfig,
)
from sagewright.registry.hyperparameters import ModelHyperparameters

Scope = Literal["pipeline", "gate", "step", "data", "node"]
#: Scopes whose key is one literal string (the others name a family: data.JOBTYPE.F, NODE.F).
NAMED_SCOPES = ("pipeline", "gate", "step")


@dataclass(frozen=True)
class ValueKey:
    key: str
    model: type[BaseModel] | str  # the class declaring the field, or a step type's name
    field: str
    scope: Scope
    fact: bool = True  # a canonical fact key of the step catalogue (eval scores it)
    question: str = ""  # how a missing value is asked (else a question made from the key)
    format: str = ""  # the answer's format, shown with every question on this field
    order: int | None = None  # rank among pipeline questions; None: after those, by key
    cues: tuple[str, ...] = ()  # words the offline extractor reads it after ("WORD: VALUE")
    llm: Literal["string", "number"] | None = "string"  # its type in the LLM reply schema

    @property
    def prop(self) -> str:
        """Its property name in the LLM reply schema."""
        return self.field if self.scope == "data" else self.key.replace(".", "_")

    @property
    def in_hyperparameters(self) -> bool:
        """A data-description field: training configs hold it inside ``hyperparameters``."""
        return self.model is ModelHyperparameters


INSTANCE_TYPE = "a SageMaker instance type, ml.<family>.<size>"
COLUMN = "a column name"
SQL = "SQL text"
V = ValueKey  # one row a line
Hyper, Tuning, Loading = ModelHyperparameters, "HyperparameterTuning", "DataLoading"

# fmt: off
VALUE_KEYS: dict[str, ValueKey] = {row.key: row for row in (
    V("region", BaseConfig, "region", "pipeline", order=1, format="an AWS region code",
      question="Which AWS region should the pipeline run in?"),
    V("role_arn", BaseConfig, "role_arn", "pipeline", order=2,
      question="Which IAM role should SageMaker assume to run the pipeline's jobs?",
      format="arn:aws:iam::<12-digit account id>:role/<role name>"),
    V("bucket", BaseConfig, "bucket", "pipeline", order=3,
      question="Which S3 bucket should hold the pipeline's artifacts, code and outputs?",
      format="a bucket name only (3-63 lowercase letters, digits, dots, hyphens; no s3://)"),
    V("pipeline_name", BaseConfig, "pipeline_name", "pipeline", order=4,
      question="What should the pipeline be called?",
      format="letters, digits and hyphens, at most 80 characters"),
    V("framework", FrameworkConfig, "framework", "pipeline", fact=False, order=5,
      question="Which framework is the model: xgboost or pytorch?"),
    V("label_name", Hyper, "label_name", "pipeline", order=6, format=COLUMN,
      question="Which column is the label (target)?"),
    V("id_name", Hyper, "id_name", "pipeline", order=7, format=COLUMN,
      question="Which column is the row id?"),
    V("existing_model_uri", ExistingModelConfig, "existing_model_uri", "pipeline", order=8,
      question="Where is the existing model file (model.tar.gz) on S3?",
      format="an S3 URI, s3://bucket/path/model.tar.gz"),
    V("training.instance_type", TrainingConfig, "training_instance_type", "pipeline", order=9,
      format=INSTANCE_TYPE),
    V("processing.instance_type", ProcessingConfig, "processing_instance_type", "pipeline",
      order=10, format=INSTANCE_TYPE),
    V("data.JOBTYPE.s3_uri", Loading, "s3_uri", "data", format="an S3 URI, s3://bucket/prefix/",
      llm=None),
    V("data.JOBTYPE.athena_query", Loading, "athena_query", "data", format=SQL, llm=None),
    V("data.JOBTYPE.redshift_query", Loading, "redshift_query", "data", format=SQL, llm=None),
    V("data.JOBTYPE.redshift_cluster_id", Loading, "redshift_cluster_id", "data", fact=False),
    V("data.JOBTYPE.athena_database", Loading, "athena_database", "data", llm=None),
    V("data.JOBTYPE.athena_workgroup", Loading, "athena_workgroup", "data", llm=None),
    V("data.JOBTYPE.redshift_database", Loading, "redshift_database", "data", fact=False, llm=None),
    V("gate.metric", "QualityGate", "metric", "gate"),
    V("gate.threshold", "QualityGate", "threshold", "gate", llm="number"),
    V("gate.comparison", "QualityGate", "comparison", "gate"),
    V("training.instance_count", TrainingConfig, "training_instance_count", "pipeline"),
    V("tuning.max_jobs", Tuning, "max_jobs", "step"),
    V("tuning.max_parallel_jobs", Tuning, "max_parallel_jobs", "step"),
    V("tuning.strategy", Tuning, "strategy", "step"),
    V("tuning.objective_metric", Tuning, "objective_metric", "step"),
    V("tuning.objective_type", Tuning, "objective_type", "step"),
    V("registration.model_package_group", "ModelRegistration", "model_package_group_name", "step"),
    V("registration.approval_status", "ModelRegistration", "approval_status", "step"),
    V("calibration.method", "ModelCalibration", "method", "step"),
    V("cat_field_list", Hyper, "cat_field_list", "pipeline", fact=False, llm=None),
    V("tab_field_list", Hyper, "tab_field_list", "pipeline", fact=False, llm=None),
    # the declared values of each categorical column (a defaults file or an answer sets them)
    V("categories", "TabularPreprocessing", "categories", "pipeline", fact=False, llm=None),
    V("NODE.transform_instance_type", "BatchTransform", "transform_instance_type", "node",
      fact=False, format=INSTANCE_TYPE, llm=None),
)}
# fmt: on


def named(key: str) -> ValueKey | None:
    """The row of a key named as itself (``region``, ``gate.metric``, ``calibration.method``)."""
    row = VALUE_KEYS.get(key)
    return row if row is not None and row.scope in NAMED_SCOPES else None


def rows(*scopes: Scope) -> list[ValueKey]:
    """The rows of these scopes (every row when none are named), in table order."""
    return [row for row in VALUE_KEYS.values() if not scopes or row.scope in scopes]


def pipeline_row(field: str) -> ValueKey | None:
    """The pipeline-wide row of a config field name (``training_instance_type``)."""
    return next((row for row in rows("pipeline") if row.field == field), None)


def data_fields(*, facts_only: bool = False) -> tuple[str, ...]:
    """The DataLoading fields stated per job type (``data.JOBTYPE.FIELD``)."""
    return tuple(row.field for row in rows("data") if row.fact or not facts_only)


def answer_format(field: str) -> str:
    """The answer format a row gives for this field name, or ``""``."""
    return next((row.format for row in rows() if row.field == field and row.format), "")


def question_order() -> list[str]:
    """Pipeline keys in the order they are asked (rows with an ``order``)."""
    ranked = [row for row in rows() if row.order is not None]
    return [row.key for row in sorted(ranked, key=lambda row: row.order or 0)]
