"""S3 on disk: ``s3://bucket/key`` is ``ROOT/bucket/key``; reads follow S3Prefix semantics."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LocalS3:
    root: Path

    def path(self, uri: str) -> Path:
        """Local path of an ``s3://`` URI."""
        if not uri.startswith("s3://"):
            raise ValueError(f"not an s3:// URI: {uri}")
        return self.root / uri[len("s3://") :].strip("/")

    def exists(self, uri: str) -> bool:
        return self.path(uri).exists()

    def download(self, uri: str, destination: Path) -> int:
        """Copy every object under the prefix ``uri`` into ``destination``; returns the count.

        A prefix naming one object lands as that object's file name, as SageMaker does.
        """
        source = self.path(uri)
        destination.mkdir(parents=True, exist_ok=True)
        if source.is_file():
            shutil.copy2(source, destination / source.name)
            return 1
        if not source.is_dir():
            return 0
        count = 0
        for path in sorted(source.rglob("*")):
            if path.is_file():
                target = destination / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
                count += 1
        return count

    def upload(self, source: Path, uri: str) -> None:
        """Copy a file, or a folder's files under the prefix ``uri``."""
        target = self.path(uri)
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            return
        target.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source, target, dirs_exist_ok=True)
