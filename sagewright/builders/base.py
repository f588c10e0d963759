"""The builder contract: one builder per step type, building exactly one SageMaker step.

Builders import the SageMaker SDK only inside ``create_step``, so the registry (and the
``steps`` / ``validate`` commands) stay light.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sagewright.registry.config_base import StepConfig

ConfigT = TypeVar("ConfigT", bound=StepConfig)


@dataclass
class BuiltStep:
    """What a builder returns: the SDK step named as its node, and its outputs by port."""

    step: Any
    outputs: dict[str, Any] = field(default_factory=dict)
    extra_steps: list[Any] = field(default_factory=list)  # e.g. a QualityGate's FailStep


class StepBuilder(ABC, Generic[ConfigT]):
    """Builds one SageMaker step from its config and its parents' outputs."""

    @abstractmethod
    def create_step(
        self, node: str, config: ConfigT, inputs: Mapping[str, Any], context: Any
    ) -> BuiltStep:
        """``inputs`` maps this step's input port names to parent output references."""
