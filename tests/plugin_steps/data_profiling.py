"""DataProfiling: a plugin step that says how a requirement asks for it and names its field."""

from __future__ import annotations

from typing import ClassVar

from sagewright.registry.config_base import ProcessingConfig
from sagewright.registry.fields import default
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import InputPort, OutputPort, StepSpec


class DataProfilingConfig(ProcessingConfig):
    step_type: ClassVar[str] = "DataProfiling"
    entry_point: ClassVar[str] = "data_profiling.py"

    max_bins: int = default(
        20, "Histogram bins per column.", cues=(r"max(?:imum)?[ _]bins", r"histogram bins"), ge=2
    )


SPEC = StepSpec(
    name="DataProfiling",
    sagemaker_step="ProcessingStep",
    description="Profile the processed data: per-column statistics and histograms.",
    when_to_use="The requirement asks for a data profile or column statistics.",
    when_not_to_use="No profiling is asked for.",
    inputs=(InputPort("data", DataKind.PROCESSED_DATA),),
    outputs=(OutputPort("profile", DataKind.EVALUATION_REPORT),),
    config_class=DataProfilingConfig,
    job_typed=True,
    cues=(r"\bprofil(?:e|es|ing)\b", r"\bcolumn statistics\b"),
    default_job_type="training",
)
