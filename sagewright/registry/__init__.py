"""The step registry: step types, their ports, configs and builders."""

from sagewright.registry.catalogue import Registry, default_registry
from sagewright.registry.kinds import JOB_TYPES, DataKind
from sagewright.registry.spec import InputPort, OutputPort, PortMode, Stage, StepSpec

__all__ = [
    "JOB_TYPES",
    "DataKind",
    "InputPort",
    "OutputPort",
    "PortMode",
    "Registry",
    "Stage",
    "StepSpec",
    "default_registry",
]
