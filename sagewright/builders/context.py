"""What every builder shares while one pipeline is assembled.

The context owns the pipeline parameters (output prefix, instance types, approval status)
and the code bundles the steps reference, so that builders stay free of bookkeeping and
the assembler can write the deploy manifest from one place. Nothing here imports the SDK
at module level.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sagewright.builders.code_bundle import CodeBundle, make_bundle
from sagewright.errors import StepBuildError

#: Pipeline parameter holding the S3 prefix every execution writes under.
OUTPUT_PARAMETER = "OutputS3Prefix"
#: Config fields that become one pipeline parameter when every node agrees on the value.
INSTANCE_TYPE_PARAMETERS = {
    "processing_instance_type": "ProcessingInstanceType",
    "training_instance_type": "TrainingInstanceType",
    "transform_instance_type": "TransformInstanceType",
}
#: Where the built-in container scripts live (package data beside the step modules).
SCRIPTS_PACKAGE = "sagewright.registry.steps"


@functools.cache
def builtin_script(name: str) -> bytes:
    """Bytes of one built-in container script (``scripts/<name>``)."""
    return resources.files(SCRIPTS_PACKAGE).joinpath("scripts", name).read_bytes()


@dataclass
class BuildContext:
    """Session, S3 layout, parameters and code bundles of the pipeline being built."""

    session: Any
    region: str
    bucket: str
    code_prefix: str  # key prefix of the content-addressed code bundles
    output_root: str  # default of the OutputS3Prefix parameter
    shared_instance_types: Mapping[str, str] = field(default_factory=dict)
    _parameters: dict[str, Any] = field(default_factory=dict, init=False)
    _bundles: dict[str, CodeBundle] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._root = self._new_parameter(OUTPUT_PARAMETER, self.output_root)

    # ------------------------------------------------------------------ parameters

    @property
    def parameters(self) -> list[Any]:
        """Pipeline parameters in creation order (the output prefix first)."""
        return list(self._parameters.values())

    def _new_parameter(self, name: str, default: str) -> Any:
        from sagewright.builders.recipes import parameter_string

        self._parameters[name] = parameter_string(name, default)
        return self._parameters[name]

    def parameter(self, name: str, default: str, *, node: str, field: str) -> Any:
        """A ``ParameterString``, created on first use; later users must agree on the default."""
        existing = self._parameters.get(name)
        if existing is None:
            return self._new_parameter(name, default)
        if existing.default_value != default:
            raise StepBuildError(
                f"pipeline parameter {name} already defaults to {existing.default_value!r}, "
                f"this node wants {default!r}",
                node=node,
                field=field,
                hint="give every node the same value",
                code="conflicting_parameter",
            )
        return existing

    def instance_type(self, field: str, value: str, *, node: str) -> Any:
        """The instance-type parameter when every node shares ``value``, else the literal."""
        if self.shared_instance_types.get(field) != value:
            return value
        return self.parameter(INSTANCE_TYPE_PARAMETERS[field], value, node=node, field=field)

    def output_uri(self, node: str, *parts: str) -> Any:
        """``<OutputS3Prefix>/<execution id>/<node>/<part>...``: where a step writes."""
        from sagewright.builders.recipes import execution_uri

        return execution_uri(self._root, node, *parts)

    # ------------------------------------------------------------------ code

    @property
    def bundles(self) -> list[CodeBundle]:
        """Code bundles referenced by the pipeline, in first-use order."""
        return list(self._bundles.values())

    def bundle(self, files: Mapping[str, bytes]) -> CodeBundle:
        """A content-addressed bundle under ``s3://BUCKET/PREFIX/{code,sourcedir}/<sha256>/``."""
        made = make_bundle(files, bucket=self.bucket, prefix=self.code_prefix)
        return self._bundles.setdefault(made.sha256, made)

    def script_bundle(self, names: Iterable[str]) -> CodeBundle:
        """A bundle of built-in container scripts (entry point plus its helpers)."""
        return self.bundle({name: builtin_script(name) for name in names})
