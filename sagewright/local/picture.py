"""The run's DAG coloured by step status, as Mermaid in the run folder (``dag.mmd``).

A folder that ``generate`` wrote keeps its topology: the picture is then the generated
README's DAG (:func:`sagewright.render.to_mermaid`), each node coloured succeeded, failed or
skipped (a step the run never reached counts as skipped; a gate whose Fail step ended the
run as failed). A folder from ``assemble`` has only the definition: its steps are drawn.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sagewright.errors import SagewrightError

RunResult = Any  # sagewright.local.runner.RunResult (which imports this module)

DAG_FILE = "dag.mmd"
FAIL_SUFFIX = "_fail"  # a QualityGate node builds a ConditionStep and '<node>_fail'
STATUS = {"Succeeded": "succeeded", "Failed": "failed", "Skipped": "skipped", "NotRun": "skipped"}


def step_status(result: RunResult) -> dict[str, str]:
    return {record.name: STATUS.get(record.status, "skipped") for record in result.steps}


def node_status(result: RunResult) -> dict[str, str]:
    """Status per topology node: a gate's Fail step folds into the gate."""
    status = step_status(result)
    for record in result.steps:
        gate = record.name.removesuffix(FAIL_SUFFIX)
        if record.type == "Fail" and gate != record.name and gate in status:
            if record.status == "Failed":
                status[gate] = "failed"
            del status[record.name]
    return status


def status_dag(result: RunResult, folder: Path) -> str:
    """Mermaid text of the run's DAG with each node coloured by its status."""
    from sagewright.render import steps_flowchart, to_mermaid
    from sagewright.topology import Topology

    topology_file = folder / "topology.json"
    if topology_file.is_file():
        try:
            topology = Topology.parse(json.loads(topology_file.read_text(encoding="utf-8")))
        except (OSError, ValueError, SagewrightError):
            topology = None  # unreadable: fall back to the definition's steps
        if topology is not None and set(topology.nodes) <= set(step_status(result)):
            # existing_model: a model input no parent feeds is drawn as read from the config
            return to_mermaid(topology, existing_model=True, status=node_status(result))
    parents = {record.name: record.parents for record in result.steps}
    return steps_flowchart(parents, step_status(result))


def write_status_dag(result: RunResult, folder: Path, work: Path) -> Path:
    path = work / DAG_FILE
    path.write_text(status_dag(result, folder), encoding="utf-8")
    return path
