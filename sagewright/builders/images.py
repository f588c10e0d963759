"""Container images, resolved offline from the SDK's tables, with errors naming the field.

Default framework versions come from :mod:`sagewright.registry.frameworks`: steps that do
not name a version use the training default, so a model is scored and served by the
container family that trained it.
"""

from __future__ import annotations

from typing import Any

from sagewright.builders.context import BuildContext
from sagewright.errors import StepBuildError
from sagewright.registry.frameworks import default_versions


def resolve(context: BuildContext, node: str, field: str, framework: str, **kwargs: Any) -> str:
    """``recipes.image_uri``; an unknown version becomes a :class:`StepBuildError`."""
    from sagewright.builders.recipes import image_uri

    try:
        return image_uri(framework, context.region, **kwargs)
    except ValueError as exc:
        raise StepBuildError(
            f"the SageMaker SDK has no {framework} image for {kwargs.get('version')!r} in "
            f"{context.region}: {exc}",
            node=node,
            field=field,
            hint="use a version listed by sagemaker.core.image_uris for this framework",
            code="sdk_rejected_value",
        ) from None


def framework_image(
    context: BuildContext,
    node: str,
    framework: str,
    *,
    version: str | None = None,
    py_version: str | None = None,
    instance_type: str | None = None,
    scope: str = "training",
    field: str = "framework_version",
) -> str:
    """The XGBoost or PyTorch image (``scope`` training / inference; CPU/GPU by instance)."""
    default_version, default_py = default_versions(framework)
    if framework != "pytorch":
        return resolve(context, node, field, framework, version=version or default_version)
    return resolve(
        context,
        node,
        field,
        framework,
        version=version or default_version,
        py_version=py_version or default_py,
        instance_type=instance_type,
        image_scope=scope,
    )


def scoring_image(context: BuildContext, node: str, config: Any) -> str:
    """The framework image a processing job that loads the model runs in (it imports
    xgboost or torch, which the scikit-learn image lacks)."""
    return framework_image(
        context,
        node,
        config.framework,
        instance_type=config.processing_instance_type,
        field="framework",
    )


def sklearn_image(context: BuildContext, node: str, version: str) -> str:
    """The SageMaker scikit-learn image the processing scripts run in."""
    return resolve(context, node, "processing_framework_version", "sklearn", version=version)
