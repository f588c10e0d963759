"""The pipeline folder ``run-local`` reads: ``pipeline.json`` plus the code bundles it names.

``assemble`` writes the bundles to ``code/<sha256>/``; ``generate`` writes none, so a bundle
missing there is looked for among this sagewright's own container scripts, and accepted only
when its content hash equals the one in the definition (the same bytes SageMaker would get).
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from sagewright.errors import SagewrightError

DEFINITION_FILE = "pipeline.json"
MARKERS = ("manifest.json", "topology.json")
_CODE_URI = re.compile(r"/(?:code|sourcedir)/([0-9a-f]{64})/")
HELPERS = ("_common.py", "inference.py")


class LocalRunError(SagewrightError):
    """Bad input to ``run-local``: not a sagewright folder, unknown node, unreadable data."""

    code = "bad_local_run"


@dataclass(frozen=True)
class PipelineFolder:
    """A folder holding a definition that sagewright wrote."""

    path: Path
    definition: dict[str, Any]

    @cached_property
    def steps(self) -> dict[str, dict[str, Any]]:
        """Every step by name, nested condition branches included."""
        found: dict[str, dict[str, Any]] = {}

        def walk(steps: list[dict[str, Any]]) -> None:
            for step in steps:
                found[step["Name"]] = step
                arguments = step.get("Arguments", {})
                if step.get("Type") == "Condition":
                    walk(arguments.get("IfSteps", []))
                    walk(arguments.get("ElseSteps", []))

        walk(self.definition.get("Steps", []))
        return found

    def check_code(self) -> None:
        """Every code bundle the definition names can be found (else a typed error)."""
        text = json.dumps(self.definition)
        for match in re.finditer(r"s3://[^\"]*?/(?:code|sourcedir)/[0-9a-f]{64}/", text):
            self.code_files(match.group(0))

    def code_files(self, uri: str) -> dict[str, bytes]:
        """The files of the content-addressed bundle a code URI names."""
        match = _CODE_URI.search(uri)
        if match is None:
            raise LocalRunError(
                f"code URI {uri} is not a sagewright code bundle",
                hint="run-local runs the bundles that assemble/generate name",
            )
        sha = match.group(1)
        folder = self.path / "code" / sha
        if folder.is_dir():
            return {
                p.relative_to(folder).as_posix(): p.read_bytes()
                for p in sorted(folder.rglob("*"))
                if p.is_file()
            }
        files = builtin_bundles().get(sha)
        if files is None:
            raise LocalRunError(
                f"code bundle {sha[:12]} is neither in {folder.parent} nor this sagewright's "
                "scripts",
                hint="run `sagewright assemble` (it writes code/) or re-run generate",
            )
        return files


def builtin_scripts() -> dict[str, bytes]:
    """This sagewright's container scripts by file name."""
    scripts = Path(__file__).resolve().parents[1] / "registry" / "steps" / "scripts"
    return {p.name: p.read_bytes() for p in scripts.glob("*.py")}


def builtin_bundles() -> dict[str, dict[str, bytes]]:
    """Content hash -> files of every bundle the builders can make from the bundled scripts."""
    from sagewright.builders.code_bundle import CodeFile, content_hash

    texts = builtin_scripts()
    bundles: dict[str, dict[str, bytes]] = {}
    for name in texts:
        if name in HELPERS or name == "__init__.py":
            continue
        for size in range(len(HELPERS) + 1):
            for helpers in itertools.combinations(HELPERS, size):
                files = {n: texts[n] for n in (name, *helpers) if n in texts}
                digest = content_hash([CodeFile(n, data) for n, data in files.items()])
                bundles[digest] = files
    return bundles


def read_folder(path: Path) -> PipelineFolder:
    """Read ``DIR/pipeline.json``; the folder must be one sagewright wrote."""
    if not path.is_dir():
        raise LocalRunError(f"{path}: not a folder", hint="give the folder generate/assemble wrote")
    if not any((path / marker).is_file() for marker in MARKERS):
        raise LocalRunError(
            f"{path}: not a folder made by sagewright (no manifest.json or topology.json)",
            hint="run-local runs what `sagewright generate` or `assemble` wrote",
        )
    try:
        definition = json.loads((path / DEFINITION_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LocalRunError(f"{path}: no {DEFINITION_FILE}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LocalRunError(f"{path / DEFINITION_FILE}: cannot read: {exc}") from None
    if not isinstance(definition, dict) or not isinstance(definition.get("Steps"), list):
        raise LocalRunError(f"{path / DEFINITION_FILE}: not a pipeline definition (no Steps)")
    return PipelineFolder(path, definition)
