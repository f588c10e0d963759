"""sagewright: requirement text in, validated SageMaker pipeline out.

The public API, in the order data flows::

    plan(requirement) -> PlanResult                  # planner (offline or provider:model)
    extract(requirement, topology) -> Extraction     # stated values for the configs
    QuestionSession(topology, values)                # ask what is missing, validate answers
    build_definition(topology, configs) -> str       # SageMaker definition JSON, offline
    generate(requirement, out_dir) -> Generated      # all of the above, files written
    ChatSession(name)                                # the same flow as a conversation

plus the registry (``default_registry``), the checker (``check_topology``), the config file
(``save_configs`` / ``load_configs``) and the error root ``SagewrightError``. Names resolve
lazily so ``import sagewright`` stays light (no SageMaker SDK import).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "default_registry": "sagewright.registry",
    "Topology": "sagewright.topology",
    "check_topology": "sagewright.checker",
    "save_configs": "sagewright.config_file",
    "load_configs": "sagewright.config_file",
    "plan": "sagewright.agents.planner",
    "PlanResult": "sagewright.agents.planner",
    "extract": "sagewright.agents.extractor",
    "Extraction": "sagewright.agents.extractor",
    "QuestionSession": "sagewright.agents.qa_agent",
    "generate_pipeline": "sagewright.builders.assembler",
    "build_definition": "sagewright.builders.assembler",
    "generate": "sagewright.generate",
    "Generated": "sagewright.generate",
    "ChatSession": "sagewright.chat",
    "SagewrightError": "sagewright.errors",
    "ConfigError": "sagewright.errors",
    "TopologyError": "sagewright.errors",
    "BuildError": "sagewright.errors",
    "AgentError": "sagewright.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sagewright' has no attribute '{name}'")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """Keeps API names whose submodule shares the name (``generate``) bound to the API.

    Importing a submodule sets it as an attribute of its package, which would replace the
    function ``sagewright.generate`` with the module ``sagewright.generate``.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in _EXPORTS:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
