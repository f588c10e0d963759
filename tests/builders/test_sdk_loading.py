"""A build parses the SageMaker API model once for all our sessions, and freezes the SDK.

Runs ``generate`` on the README example in a fresh interpreter that counts botocore's reads
of ``sagemaker/.../service-2.json``. Two are expected: one through the shared loader
(offline session, argument check and the SDK's import-time clients), one by the SDK's
``PropertiesMeta``, which makes its own ``botocore.loaders.Loader()``.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

CHILD = """
import collections, gc, json, sys
import botocore.loaders as loaders
reads = collections.Counter()
original = loaders.JSONFileLoader.load_file
def load_file(self, file_path):
    reads[file_path.rsplit("/data/", 1)[-1]] += 1
    return original(self, file_path)
loaders.JSONFileLoader.load_file = load_file
from sagewright.generate import generate
first = generate(open(sys.argv[1]).read(), None, model="offline").files["pipeline.json"]
after_first = dict(reads)
second = generate(open(sys.argv[1]).read(), None, model="offline").files["pipeline.json"]
print(json.dumps({
    "first": after_first.get("sagemaker/2017-07-24/service-2", 0),
    "total": reads.get("sagemaker/2017-07-24/service-2", 0),
    "frozen": gc.get_freeze_count(),
    "same": first == second,
}))
"""


def test_sagemaker_model_parsed_twice_per_process_and_sdk_frozen() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT / "examples" / "fraud_xgboost_e2e.txt")],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["first"] == 2, result  # was 8: one per botocore session
    assert result["total"] == 2, result  # a second generate parses nothing again
    assert result["frozen"] > 100_000, result  # the SDK's objects are out of the GC's way
    assert result["same"]
