"""Pipeline recipes: the ``Pipeline`` of top-level steps and its definition JSON."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sagewright.builders.recipes._common import SdkStep
from sagewright.builders.sdk import quiet_sdk


def make_pipeline(
    name: str,
    steps: Sequence[SdkStep],
    parameters: Sequence[Any] = (),
    *,
    session: Any,
    experiment_tracking: bool = False,
) -> Any:
    """A ``Pipeline`` of the top-level steps (not the steps inside a condition's branches).

    ``experiment_tracking=False`` drops the SDK's default ``PipelineExperimentConfig``
    (an Experiment and Trial created per execution, and only in some regions).
    """
    from sagemaker.mlops.workflow.pipeline import Pipeline

    if not re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}", name):
        raise ValueError(f"invalid pipeline name {name!r}: letters, digits and single '-'")
    kwargs: dict[str, Any] = {}
    if not experiment_tracking:
        kwargs["pipeline_experiment_config"] = None
    with quiet_sdk():  # Pipeline() makes a scheduler client: botocore INFO chatter
        return Pipeline(
            name=name,
            parameters=list(parameters),
            steps=list(steps),
            sagemaker_session=session,
            **kwargs,
        )


def definition_json(pipeline: Any) -> str:
    """The pipeline definition, as the SDK serialises it.

    The SDK's output is already byte-stable for a given input (insertion-ordered
    dicts, no timestamps once job names are stripped), so it is returned as is.
    """
    with quiet_sdk():
        return str(pipeline.definition())
