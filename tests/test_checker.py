import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sagewright.checker import ISSUE_CODES, check_topology
from sagewright.errors import TopologyError
from sagewright.registry import default_registry
from sagewright.topology import Topology
from tests.conftest import golden_cases

TRAIN = {
    "DataLoading_training": [],
    "TabularPreprocessing_training": ["DataLoading_training"],
    "XGBoostTraining": ["TabularPreprocessing_training"],
}


@pytest.mark.parametrize("case", golden_cases(), ids=lambda c: c["id"])
def test_every_golden_topology_is_valid(case):
    result = check_topology(case["topology"], existing_model="existing_model_uri" in case["facts"])
    assert result.ok, [i.to_dict() for i in result.issues]


def codes(topology, **kw):
    return [i.code for i in check_topology(topology, **kw).issues]


def test_wires_bind_named_ports():
    result = check_topology({**TRAIN, "Packaging": ["XGBoostTraining"]})
    wire = result.inputs_of("Packaging")["model_artifacts"]
    assert (wire.parent, wire.output, wire.kind) == (
        "XGBoostTraining",
        "model_artifacts",
        "ModelArtifacts",
    )


@pytest.mark.parametrize(
    ("topology", "code", "node"),
    [
        (
            {**TRAIN, "XGBTraining": ["TabularPreprocessing_training"]},
            "unknown_step",
            "XGBTraining",
        ),
        ({**TRAIN, "Packaging": ["XGBoostTrainin"]}, "missing_parent", "Packaging"),
        (
            {
                "DataLoading_training": ["TabularPreprocessing_training"],
                "TabularPreprocessing_training": ["DataLoading_training"],
            },
            "cycle",
            "DataLoading_training",
        ),
        ({"TabularPreprocessing_training": []}, "unfed_input", "TabularPreprocessing_training"),
        (
            {
                **TRAIN,
                "DataLoading_calibration": [],
                "TabularPreprocessing_calibration": ["DataLoading_calibration"],
                "Packaging": ["XGBoostTraining"],
                "XGBoostTraining": [
                    "TabularPreprocessing_training",
                    "TabularPreprocessing_calibration",
                ],
            },
            "input_fed_twice",
            "XGBoostTraining",
        ),
        (
            {**TRAIN, "Packaging": ["XGBoostTraining", "DataLoading_training"]},
            "edge_carries_nothing",
            "Packaging",
        ),
        ({**TRAIN, "xgboost-training": []}, "bad_node_name", "xgboost-training"),
        ({"DataLoading": []}, "missing_job_type", "DataLoading"),
        ({"DataLoading_holdout": []}, "bad_job_type", "DataLoading_holdout"),
        (
            {**TRAIN, "Packaging": ["XGBoostTraining", "XGBoostTraining"]},
            "duplicate_parent",
            "Packaging",
        ),
        (
            {
                **TRAIN,
                "DataLoading_testing": [],
                "TabularPreprocessing_testing": ["DataLoading_testing"],
                "ModelEvaluation_testing": ["XGBoostTraining", "TabularPreprocessing_testing"],
                "QualityGate": ["ModelEvaluation_testing"],
            },
            "gate_guards_nothing",
            "QualityGate",
        ),
    ],
)
def test_each_fault_has_its_own_code(topology, code, node):
    issues = check_topology(topology).issues
    assert code in [i.code for i in issues]
    found = next(i for i in issues if i.code == code)
    assert found.node == node and found.hint and node in found.message
    assert code in ISSUE_CODES


def test_duplicate_node_keys_are_caught_from_json_text():
    text = '{"DataLoading_training": [], "DataLoading_training": []}'
    assert codes(Topology.from_json(text)) == ["duplicate_node"]


def test_or_config_inputs_may_come_from_config():
    assert codes({"XGBoostModel": []}) == ["unfed_input"]
    assert codes({"XGBoostModel": []}, existing_model=True) == []
    result = check_topology({"XGBoostModel": []}, existing_model=True)
    assert result.config_fed == (("XGBoostModel", "model_artifacts"),)


def test_guarded_child_still_needs_its_data_parent():
    topo = {
        **TRAIN,
        "DataLoading_testing": [],
        "TabularPreprocessing_testing": ["DataLoading_testing"],
        "ModelEvaluation_testing": ["XGBoostTraining", "TabularPreprocessing_testing"],
        "QualityGate": ["ModelEvaluation_testing"],
        "Packaging": ["QualityGate"],
    }
    assert codes(topo) == ["unfed_input"]
    topo["Packaging"] = ["XGBoostTraining", "QualityGate"]
    result = check_topology(topo)
    assert result.ok and result.control_edges == (("QualityGate", "Packaging"),)


def test_raise_for_issues_carries_all_issues():
    with pytest.raises(TopologyError) as info:
        check_topology({"DataLoading": [], "Nope": []}).raise_for_issues()
    assert {i.code for i in info.value.issues} == {"missing_job_type", "unknown_step"}


def test_malformed_shapes_raise_one_clear_error():
    for bad in ([], {"A": "B"}, {"A": [1]}):
        with pytest.raises(TopologyError) as info:
            Topology.parse(bad)
        assert info.value.code == "malformed_topology"
    with pytest.raises(TopologyError) as info:
        Topology.from_json("{nope")
    assert info.value.code == "malformed_json"


NAMES = st.one_of(
    st.sampled_from(default_registry().names()).flatmap(
        lambda t: st.sampled_from([t, f"{t}_training", f"{t}_testing", f"{t}_x"])
    ),
    st.text(max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(NAMES, st.lists(NAMES, max_size=4), max_size=12), st.booleans())
def test_random_topologies_never_crash(topology, existing):
    result = check_topology(topology, existing_model=existing)
    for issue in result.issues:
        assert issue.code in ISSUE_CODES and issue.message


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_random_json_is_valid_or_a_typed_error(data):
    try:
        topology = Topology.from_json(json.dumps(data))
    except TopologyError as exc:
        assert exc.code in {"malformed_topology", "malformed_json"}
        return
    check_topology(topology)
