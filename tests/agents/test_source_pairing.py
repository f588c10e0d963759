"""'A and B are at X and Y, respectively': sources pair with job words in order (both agents)."""

import pytest

from sagewright.agents.extractor import extract
from sagewright.agents.planner import plan
from sagewright.topology import Topology

CASES = [
    (
        "Train XGBoost. Training and hold-out data are at s3://acme/train/ and "
        "s3://acme/holdout/ respectively. Evaluate on the holdout.",
        {"training": "s3://acme/train/", "testing": "s3://acme/holdout/"},
    ),
    (
        "Train XGBoost and calibrate it. The calibration and training tables come from "
        "s3://acme/c1/ and s3://acme/t1/, respectively.",
        {"calibration": "s3://acme/c1/", "training": "s3://acme/t1/"},
    ),
]


@pytest.mark.parametrize(("requirement", "sources"), CASES)
def test_respectively_pairs_sources_in_order(requirement, sources):
    planned = plan(requirement)
    loaders = {n.split("_", 1)[1] for n in planned.topology if n.startswith("DataLoading_")}
    assert loaders == set(sources)
    extraction = extract(requirement, Topology.parse(planned.topology))
    assert extraction.conflicts == []
    assert {job: v["s3_uri"] for job, v in extraction.values.data.items()} == sources
