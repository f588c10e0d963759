"""XGBoostTraining: train with the SageMaker built-in XGBoost container."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from sagewright.builders.base import BuiltStep, InputRef, StepBuilder
from sagewright.builders.training import build_training
from sagewright.registry.config_base import TrainingConfig
from sagewright.registry.cues import TRAINING_CUES
from sagewright.registry.fields import default
from sagewright.registry.frameworks import XGBOOST_VERSION
from sagewright.registry.hyperparameters import XGBoostHyperparameters
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, Stage, StepSpec

if TYPE_CHECKING:
    from sagewright.builders.context import BuildContext


class XGBoostTrainingConfig(TrainingConfig):
    step_type: ClassVar[str] = "XGBoostTraining"

    framework_version: str = default(XGBOOST_VERSION, "Version of the built-in XGBoost container.")
    hyperparameters: XGBoostHyperparameters


class XGBoostTrainingBuilder(StepBuilder[XGBoostTrainingConfig]):
    """A TrainingStep: built-in XGBoost on the ``train/`` and ``val/`` splits (CSV)."""

    def create_step(
        self,
        node: str,
        config: XGBoostTrainingConfig,
        inputs: Mapping[str, InputRef],
        context: BuildContext,
    ) -> BuiltStep:
        return build_training(
            node,
            config,
            context,
            config.hyperparameters,
            inputs["training_data"],
            framework_version=config.framework_version,
        )


SPEC = StepSpec(
    name="XGBoostTraining",
    sagemaker_step="TrainingStep",
    description=(
        "Train an XGBoost model (SageMaker XGBoost container) with XGBoost hyperparameters."
    ),
    when_to_use="The requirement trains an XGBoost / gradient-boosted tree model once.",
    when_not_to_use="Tuning is asked (use HyperparameterTuning), or the model already exists.",
    inputs=(InputPort("training_data", DataKind.PROCESSED_DATA),),
    outputs=(OutputPort("model_artifacts", DataKind.MODEL_ARTIFACTS),),
    config_class=XGBoostTrainingConfig,
    builder_class=XGBoostTrainingBuilder,
    stage=Stage.TRAINING,
    ask="train",
    cues=(*TRAINING_CUES,),
)
