"""PyTorchTraining: train the project's PyTorch script in the SageMaker PyTorch container."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from sagewright.builders.base import BuiltStep, InputRef, StepBuilder
from sagewright.builders.training import build_training
from sagewright.registry.config_base import TrainingConfig
from sagewright.registry.cues import TRAINING_CUES
from sagewright.registry.fields import default
from sagewright.registry.frameworks import PYTORCH_PY_VERSION, PYTORCH_VERSION
from sagewright.registry.hyperparameters import PyTorchHyperparameters
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, Stage, StepSpec

if TYPE_CHECKING:
    from sagewright.builders.context import BuildContext


class PyTorchTrainingConfig(TrainingConfig):
    step_type: ClassVar[str] = "PyTorchTraining"
    entry_point: ClassVar[str] = "pytorch_training.py"

    framework_version: str = default(PYTORCH_VERSION, "Version of the SageMaker PyTorch container.")
    py_version: str = default(PYTORCH_PY_VERSION, "Python version of the PyTorch container.")
    hyperparameters: PyTorchHyperparameters


class PyTorchTrainingBuilder(StepBuilder[PyTorchTrainingConfig]):
    """A TrainingStep: the PyTorch container running ``pytorch_training.py`` from a bundle."""

    def create_step(
        self,
        node: str,
        config: PyTorchTrainingConfig,
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
            py_version=config.py_version,
        )


SPEC = StepSpec(
    name="PyTorchTraining",
    sagemaker_step="TrainingStep",
    description=(
        "Train a PyTorch model (SageMaker PyTorch container) with PyTorch hyperparameters."
    ),
    when_to_use="The requirement trains a PyTorch / neural-network model once.",
    when_not_to_use="Tuning is asked (use HyperparameterTuning), or the model already exists.",
    inputs=(InputPort("training_data", DataKind.PROCESSED_DATA),),
    outputs=(OutputPort("model_artifacts", DataKind.MODEL_ARTIFACTS),),
    config_class=PyTorchTrainingConfig,
    builder_class=PyTorchTrainingBuilder,
    stage=Stage.TRAINING,
    ask="train",
    cues=(*TRAINING_CUES,),
)
