"""Builders: topology + configs -> SageMaker pipeline definition, and deploying it.

Public entry points (imported lazily, so importing this package loads no SageMaker code)::

    generate_pipeline(topology, configs) -> sagemaker Pipeline
    build_definition(topology, configs) -> str          # the definition JSON text
    assemble(topology, configs) -> Assembly             # pipeline, definition, code bundles
    write_deploy_folder(assembly, out_dir) -> Path

and ``sagewright.builders.deploy.deploy(folder, role_arn=..., start=False, wait=False)``
(not re-exported here: the name is also the module's).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Assembly": "sagewright.builders.assembler",
    "assemble": "sagewright.builders.assembler",
    "build_definition": "sagewright.builders.assembler",
    "generate_pipeline": "sagewright.builders.assembler",
    "DeployResult": "sagewright.builders.deploy",
    "write_deploy_folder": "sagewright.builders.deploy",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sagewright.builders' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
