"""Trainers shared by the training and tuning builders.

XGBoost runs the built-in container in algorithm mode (no code, CSV ``train`` and
``validation`` channels, label first). PyTorch runs ``pytorch_training.py`` from a
content-addressed ``sourcedir.tar.gz`` with ``train``, ``val`` and ``schema`` channels, and
its log lines (``epoch=3 train_loss=0.41 val_loss=0.44 val_accuracy=0.81``) are what the
tuner's metric definitions read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sagewright.builders.base import BuiltStep, InputRef
from sagewright.builders.context import BuildContext
from sagewright.builders.images import framework_image
from sagewright.errors import StepBuildError
from sagewright.registry.config_base import TrainingConfig
from sagewright.registry.frameworks import HYPERPARAMETER_ALIASES, default_versions
from sagewright.registry.hyperparameters import (
    PyTorchHyperparameters,
    XGBoostHyperparameters,
)

PYTORCH_ENTRY_POINT = "pytorch_training.py"
PYTORCH_BUNDLE = (PYTORCH_ENTRY_POINT, "_common.py", "inference.py")
_NUMBER = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"
#: Metrics ``pytorch_training.py`` prints once per epoch, as the tuner reads them.
PYTORCH_METRIC_DEFINITIONS = {
    "train:loss": rf"train_loss={_NUMBER}",
    "val:loss": rf"val_loss={_NUMBER}",
    "val:accuracy": rf"val_accuracy={_NUMBER}",
}
#: Config name -> XGBoost container name (``reg_lambda`` -> ``lambda``).
XGBOOST_NAMES = {config: container for container, config in HYPERPARAMETER_ALIASES.items()}


@dataclass(frozen=True)
class Trainer:
    """A ``ModelTrainer`` plus the channels and output path a training or tuning step needs."""

    trainer: Any
    channels: dict[str, Any]
    content_type: str | None
    output_path: Any


def pytorch_hyperparameters(hp: PyTorchHyperparameters) -> dict[str, Any]:
    """Script hyperparameters: numbers and strings as they are, lists as JSON text."""
    data = hp.model_dump(mode="json", exclude={"framework", "num_classes", "is_binary"})
    return {
        k: json.dumps(v) if isinstance(v, list) else v for k, v in data.items() if v is not None
    }


def make_trainer(
    node: str,
    config: TrainingConfig,
    context: BuildContext,
    hyperparameters: XGBoostHyperparameters | PyTorchHyperparameters,
    training_data: InputRef,
    *,
    framework_version: str | None = None,
    py_version: str | None = None,
) -> Trainer:
    """The trainer for ``hyperparameters.framework``, reading the training splits."""
    from sagewright.builders import recipes

    if training_data.job_type not in (None, "training"):
        raise StepBuildError(
            f"training reads the train/ and val/ splits, but its data comes from "
            f"'{training_data.node}' (job type {training_data.job_type})",
            node=node,
            field="training_data",
            hint="feed it from TabularPreprocessing_training",
            code="wrong_input",
        )
    processed = training_data.value
    framework = hyperparameters.framework
    default_version, default_py = default_versions(framework)
    version = framework_version or default_version
    python = py_version or default_py
    # Resolved here so that an unknown version names this node and field.
    framework_image(
        context,
        node,
        framework,
        version=version,
        py_version=python,
        instance_type=config.training_instance_type,
    )
    common: dict[str, Any] = {
        "session": context.session,
        "role": config.role_arn,
        "name": node,
        "region": context.region,
        "instance_type": context.instance_type(
            "training_instance_type", config.training_instance_type, node=node
        ),
        "output_path": context.output_uri(node, "models"),
        "instance_count": config.training_instance_count,
        "volume_size_gb": config.training_volume_size,
        "max_runtime_s": config.training_max_runtime_seconds,
    }
    train = recipes.join_uri(processed, "train")
    val = recipes.join_uri(processed, "val")
    if isinstance(hyperparameters, XGBoostHyperparameters):
        trainer = recipes.xgboost_trainer(
            hyperparameters=hyperparameters.container_hyperparameters(),
            framework_version=version,
            **common,
        )
        return Trainer(
            trainer, {"train": train, "validation": val}, "text/csv", common["output_path"]
        )
    bundle = context.script_bundle(PYTORCH_BUNDLE)
    trainer = recipes.pytorch_trainer(
        sourcedir_uri=bundle.sourcedir_uri,
        entry_point=PYTORCH_ENTRY_POINT,
        hyperparameters=pytorch_hyperparameters(hyperparameters),
        framework_version=version,
        py_version=str(python),
        **common,
    )
    channels = {"train": train, "val": val, "schema": recipes.join_uri(processed, "schema.json")}
    return Trainer(trainer, channels, None, common["output_path"])


def build_training(
    node: str,
    config: TrainingConfig,
    context: BuildContext,
    hyperparameters: XGBoostHyperparameters | PyTorchHyperparameters,
    training_data: InputRef,
    *,
    framework_version: str | None = None,
    py_version: str | None = None,
) -> BuiltStep:
    """A TrainingStep named ``node``; its ``model_artifacts`` output is the job's archive."""
    from sagewright.builders.recipes import model_artifacts_uri, training_step

    made = make_trainer(
        node,
        config,
        context,
        hyperparameters,
        training_data,
        framework_version=framework_version,
        py_version=py_version,
    )
    step = training_step(
        node, trainer=made.trainer, inputs=made.channels, content_type=made.content_type
    )
    return BuiltStep(step, {"model_artifacts": model_artifacts_uri(step)})
