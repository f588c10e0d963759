"""What a step type is: named, typed ports plus its config and builder classes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from sagewright.registry.kinds import DataKind

if TYPE_CHECKING:
    from sagewright.registry.config_base import StepConfig

STEP_TYPE_PATTERN = re.compile(r"[A-Z][A-Za-z0-9]*")


class Builder(Protocol):
    """What the assembler calls on a step type's builder.

    Builders subclass :class:`sagewright.builders.base.StepBuilder`; this protocol keeps the
    registry core from importing builder code (imports point one way).
    """

    def create_step(
        self, node: str, config: Any, inputs: Mapping[str, Any], context: Any
    ) -> Any: ...


class Stage(StrEnum):
    """Where a step sits in an ML pipeline; pictures group nodes by it (in this order)."""

    DATA = "data"
    TRAINING = "training"
    MODEL = "model"
    INFERENCE = "inference"
    EVALUATION = "evaluation"
    PACKAGING = "packaging"
    REGISTRATION = "registration"
    OTHER = "other"


class PortMode(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    OR_CONFIG = "or-config"  # a config field may give an existing S3 URI instead of a parent


@dataclass(frozen=True)
class InputPort:
    name: str
    kind: DataKind
    mode: PortMode = PortMode.REQUIRED
    config_field: str | None = None  # for or-config ports: the field that can replace a parent


@dataclass(frozen=True)
class OutputPort:
    name: str
    kind: DataKind


@dataclass(frozen=True)
class StepSpec:
    """One registered step type. Immutable: the registry is a plain table of these."""

    name: str
    sagemaker_step: str
    description: str
    when_to_use: str
    when_not_to_use: str
    inputs: tuple[InputPort, ...]
    outputs: tuple[OutputPort, ...]
    config_class: type[StepConfig]
    builder_class: type[Builder] | None = None
    job_typed: bool = False  # runs on one job type's data; the node qualifier is the job type
    control: bool = False  # its out-edges are control edges (QualityGate)
    stage: Stage = Stage.OTHER
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    # How a requirement asks for this step (read by the offline planner, no edit to agents/):
    # ``cues`` are regular expressions matched on the lower-cased text ("profile the data");
    # ``ask`` names what they ask for when one step per framework answers it ("train"; else
    # the step name); ``guardable``: a quality gate may hold it back; ``default_job_type``
    # names the data it runs on when the text names none.
    cues: tuple[str, ...] = ()
    ask: str | None = None
    guardable: bool = False
    default_job_type: str | None = None

    @property
    def asked_as(self) -> str:
        return self.ask or self.name

    def input(self, name: str) -> InputPort:
        for port in self.inputs:
            if port.name == name:
                return port
        raise KeyError(name)

    def input_for_kind(self, kind: DataKind) -> InputPort | None:
        return next((p for p in self.inputs if p.kind == kind), None)

    @property
    def consumed_kinds(self) -> frozenset[DataKind]:
        return frozenset(p.kind for p in self.inputs)

    @property
    def produced_kinds(self) -> frozenset[DataKind]:
        return frozenset(p.kind for p in self.outputs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sagemaker_step": self.sagemaker_step,
            "description": self.description,
            "inputs": [
                {"name": p.name, "kind": str(p.kind), "mode": str(p.mode)} for p in self.inputs
            ],
            "outputs": [{"name": p.name, "kind": str(p.kind)} for p in self.outputs],
        }
