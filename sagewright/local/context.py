"""What every step executor gets: its definition, folders, the resolver and the local S3."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sagewright.local.expressions import Resolver
from sagewright.local.folder import PipelineFolder
from sagewright.local.s3 import LocalS3


class StepFailed(Exception):
    """The step ran and failed; the message is what SageMaker would report."""


@dataclass(frozen=True)
class RunOptions:
    rows: int = 2000
    seed: int = 7
    data: dict[str, Path] = field(default_factory=dict)
    tuning_candidates: int = 2


@dataclass
class Outcome:
    """What a step left behind for ``run.json``."""

    metrics: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    decision: str | None = None  # condition steps: "if" or "else"
    failed_by: str | None = None  # fail steps: their message


@dataclass
class StepContext:
    name: str
    step: dict[str, Any]
    folder: Path
    pipeline: PipelineFolder
    resolver: Resolver
    s3: LocalS3
    options: RunOptions
    outcome: Outcome = field(default_factory=Outcome)

    @property
    def arguments(self) -> dict[str, Any]:
        return dict(self.step.get("Arguments", {}))

    @property
    def log_file(self) -> Path:
        return self.folder / "log.txt"

    @property
    def container(self) -> Path:
        """The step's container root: its ``opt/ml/...`` inputs and outputs live here."""
        return self.folder / "container"

    def value(self, item: Any) -> Any:
        return self.resolver.value(item)

    def local(self, container_path: str) -> Path:
        return self.container / container_path.lstrip("/")

    def set_properties(self, **properties: Any) -> None:
        self.resolver.properties.setdefault(self.name, {}).update(properties)

    def log(self, message: str) -> None:
        with self.log_file.open("a", encoding="utf-8") as handle:
            handle.write(message.rstrip("\n") + "\n")

    def run(self, command: list[str], env: dict[str, str] | None = None) -> None:
        """Run a container process; its output goes to the step log; non-zero exit fails."""
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}
        # Containers here share the machine's cores: OpenMP threads (xgboost, torch) that
        # spin while waiting make a busy machine 20-100x slower; sleeping changes no result.
        full_env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        full_env.update(env or {})
        self.log("$ " + " ".join(command))
        with self.log_file.open("a", encoding="utf-8") as handle:
            code = subprocess.call(
                command, stdout=handle, stderr=subprocess.STDOUT, cwd=self.container, env=full_env
            )
        if code != 0:
            raise StepFailed(f"{self.name}: the container exited with code {code}")


def python() -> str:
    """The interpreter containers run with locally (``python3`` in the images)."""
    return sys.executable


def tar_folder(source: Path, target: Path) -> None:
    """``model.tar.gz`` of a folder's contents, as SageMaker packs ``/opt/ml/model``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(target, "w:gz") as tar:
        for path in sorted(source.rglob("*")):
            tar.add(path, arcname=path.relative_to(source).as_posix(), recursive=False)
