"""The builder contract: one builder per step type, building exactly one SageMaker step.

Builders import the SageMaker SDK only inside ``create_step``, so the registry (and the
``steps`` / ``validate`` commands) stay light. A builder sees its node name, its validated
config, one :class:`InputRef` per fed input port and the :class:`BuildContext`; it returns a
:class:`BuiltStep` whose ``outputs`` are keyed by its output port names. The assembler does
the wiring, so a builder never looks at the topology.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sagewright.registry.config_base import StepConfig
from sagewright.registry.kinds import TRAINING_SPLITS

if TYPE_CHECKING:
    from sagewright.builders.context import BuildContext

ConfigT = TypeVar("ConfigT", bound=StepConfig)


@dataclass(frozen=True)
class InputRef:
    """What feeds one input port: a parent's output, or an S3 URI from the node's config.

    ``value`` is what SDK recipes take (a step property, a ``Join`` or an ``s3://`` string).
    ``node`` / ``output`` name the producer (``None`` when the config gives the value);
    ``job_type`` is the producer's job type when it has one; ``step`` and ``property_file``
    let a QualityGate read an evaluation report.
    """

    value: Any
    node: str | None = None
    output: str | None = None
    job_type: str | None = None
    step: Any = None
    property_file: Any = None

    def split_folder(self, job_type: str) -> str:
        """The processed-data folder a ``job_type`` step reads from this producer.

        TabularPreprocessing writes ``train/ val/ test/`` for ``training`` and one folder
        named after the job type otherwise; a ``testing`` step reading the training
        preprocessing therefore reads ``test/``.
        """
        producer = self.job_type or job_type
        if producer == "training":
            return TRAINING_SPLITS.get(job_type, "test")
        return producer


@dataclass
class BuiltStep:
    """What a builder returns: the SDK step named as its node, and its outputs by port."""

    step: Any
    outputs: dict[str, Any] = field(default_factory=dict)
    property_files: dict[str, Any] = field(default_factory=dict)  # output port -> PropertyFile
    extra_steps: list[Any] = field(default_factory=list)  # e.g. a QualityGate's FailStep


class StepBuilder(ABC, Generic[ConfigT]):
    """Builds one SageMaker step from its config and its parents' outputs."""

    @abstractmethod
    def create_step(
        self, node: str, config: ConfigT, inputs: Mapping[str, InputRef], context: BuildContext
    ) -> BuiltStep:
        """``inputs`` maps this step's fed input port names to what feeds them."""
