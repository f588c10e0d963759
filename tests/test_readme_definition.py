"""The README example's pipeline.json is byte-identical to the committed expected file.

Speed work (lazy imports, a shared botocore loader, a frozen GC) must not change a single
byte of the definition. A change that is *meant* to alter the definition (how values reach
scripts, a new field...) regenerates the expected file in the same commit, with this one
command from the repository root, and the diff is reviewed like code::

    .venv/bin/python -m tests.test_readme_definition

(it writes ``tests/data/readme_example_pipeline.json``: the ``pipeline.json`` that
``sagewright generate --requirement-file examples/fraud_xgboost_e2e.txt --yes --model
offline`` writes).
"""

from __future__ import annotations

import difflib

from sagewright.generate import generate
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "fraud_xgboost_e2e.txt"
EXPECTED = ROOT / "tests" / "data" / "readme_example_pipeline.json"


def readme_example_pipeline_json() -> str:
    result = generate(EXAMPLE.read_text(encoding="utf-8"), None, model="offline")
    return result.files["pipeline.json"]


def test_readme_example_pipeline_json_is_byte_identical() -> None:
    produced = readme_example_pipeline_json()
    expected = EXPECTED.read_text(encoding="utf-8")
    if produced != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                produced.splitlines(keepends=True),
                "expected",
                "produced",
                n=2,
            )
        )
        raise AssertionError(
            "pipeline.json of the README example changed; if intended, regenerate "
            "tests/data/readme_example_pipeline.json (command in this module's docstring)\n"
            + diff[:4000]
        )


if __name__ == "__main__":
    EXPECTED.write_text(readme_example_pipeline_json(), encoding="utf-8")
    print(f"wrote {EXPECTED.relative_to(ROOT)}")
