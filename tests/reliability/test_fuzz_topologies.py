"""Issue 13 fuzz test: generated topologies and configs, valid and broken, never crash.

Every input goes through what ``validate``, ``init-config`` and ``assemble`` run, in-process.
Each either succeeds or raises a :class:`SagewrightError` with a code; anything else (an
IndexError, a RecursionError, a pydantic ValidationError leaking out) fails the test.

Counts (derandomized, so CI sees the same inputs on every run):

* ``VALIDATE_EXAMPLES`` topology documents through ``Topology.from_json`` + the checker;
* ``INIT_CONFIG_EXAMPLES`` topologies with generated facts through ``scaffold_configs`` and
  ``dump_configs``;
* ``ASSEMBLE_EXAMPLES`` config documents (golden scaffolds with generated edits) through
  ``load_config_file`` and ``assemble``.

Total: 10,300 examples, about 40 s on two cores.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagewright.builders.assembler import assemble
from sagewright.builders.scaffolding import scaffold_configs
from sagewright.checker import check_topology, require_steps
from sagewright.config_file import dump_configs, load_config_file
from sagewright.errors import SagewrightError
from sagewright.registry import default_registry
from sagewright.topology import Topology
from tests.conftest import FULL_VALUES, golden_cases

VALIDATE_EXAMPLES = 6_000
INIT_CONFIG_EXAMPLES = 4_000
ASSEMBLE_EXAMPLES = 300
assert VALIDATE_EXAMPLES + INIT_CONFIG_EXAMPLES + ASSEMBLE_EXAMPLES >= 10_000

STEP_TYPES = sorted(default_registry().names())
JOB_TYPES = ["training", "calibration", "validation", "testing", "inference"]
GOLDEN = [c for c in golden_cases() if "existing_model_uri" not in c["facts"]]
HOSTILE_TEXT = ["", " ", "\n", "[/red]", "X\n", "--job-type=inference", "a,b", "é", "\x00", "$"]


def _profile(examples: int) -> Any:
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _typed(call: Any, *args: Any, **kwargs: Any) -> Any:
    """``call(...)``, or None when it raised a SagewrightError carrying a code."""
    try:
        return call(*args, **kwargs)
    except SagewrightError as exc:
        assert isinstance(exc.code, str) and exc.code, repr(exc)
        assert str(exc), repr(exc)
        return None


# ------------------------------------------------------------------ strategies

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(HOSTILE_TEXT)
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)

node_names = st.one_of(
    st.builds(
        lambda step, qualifier: step if qualifier is None else f"{step}_{qualifier}",
        st.sampled_from(STEP_TYPES),
        st.none() | st.sampled_from(JOB_TYPES) | st.sampled_from(["x", "2", "Training", "a_b"]),
    ),
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=12),
)


@st.composite
def built_topologies(draw: st.DrawFn) -> dict[str, Any]:
    """Node names from the catalogue (or not), parents mostly earlier nodes (or not)."""
    nodes = draw(st.lists(node_names, max_size=9, unique=True))
    topology: dict[str, Any] = {}
    for index, node in enumerate(nodes):
        pool = nodes[:index] if draw(st.integers(0, 9)) else nodes
        parent = st.sampled_from(pool) if pool else node_names
        topology[node] = draw(st.lists(parent | node_names, max_size=3))
    return topology


@st.composite
def mutated_golden(draw: st.DrawFn) -> dict[str, Any]:
    """A golden topology with a few edits: drop, rename or add nodes, rewire parents."""
    topology = copy.deepcopy(draw(st.sampled_from(GOLDEN))["topology"])
    for _ in range(draw(st.integers(0, 3))):
        nodes = list(topology)
        op = draw(st.sampled_from(["drop", "rename", "add", "rewire", "loop", "none"]))
        if op == "drop" and nodes:
            topology.pop(draw(st.sampled_from(nodes)))
        elif op == "rename" and nodes:
            old = draw(st.sampled_from(nodes))
            topology[draw(node_names)] = topology.pop(old)
        elif op == "add":
            topology[draw(node_names)] = draw(st.lists(st.sampled_from(nodes or ["X"]), max_size=2))
        elif op == "rewire" and nodes:
            topology[draw(st.sampled_from(nodes))] = draw(
                st.lists(st.sampled_from(nodes) | node_names, max_size=3)
            )
        elif op == "loop" and nodes:
            node = draw(st.sampled_from(nodes))
            topology[node] = [*topology[node], node]
    return topology


topology_documents = st.one_of(
    mutated_golden(),
    built_topologies(),
    json_values,  # not even an object
)

_ODD_KEYS = [
    "hyperparameters.nope",
    "data.training",
    "region.",
    "XGBoostTraining.max_depth",
    "[/red]",
]
FACT_KEYS = [
    *sorted({k for case in golden_cases() for k in case["facts"]} | set(FULL_VALUES)),
    *_ODD_KEYS,
]
facts_documents = st.dictionaries(
    st.sampled_from(FACT_KEYS) | st.text(max_size=8),
    json_values | st.sampled_from(list(FULL_VALUES.values())),
    max_size=6,
)


_GOLDEN_DOCUMENTS: dict[str, dict[str, Any]] = {}


def _golden_document(case: dict[str, Any]) -> dict[str, Any]:
    """The init-config document of a golden case with every value given (cached)."""
    if case["id"] not in _GOLDEN_DOCUMENTS:
        facts = {**FULL_VALUES, **case["facts"]}
        _GOLDEN_DOCUMENTS[case["id"]] = dump_configs(
            scaffold_configs(case["topology"], facts).configs
        )
    return _GOLDEN_DOCUMENTS[case["id"]]


@st.composite
def config_documents(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """(topology, config document): a golden scaffold with a few generated edits."""
    case = draw(st.sampled_from(GOLDEN))
    document = copy.deepcopy(_golden_document(case))
    nodes = list(document["nodes"])
    fields = sorted({k for d in document["specific"].values() for k in d} | set(document["shared"]))
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["shared", "specific", "node", "drop", "header", "extra"]))
        value = draw(json_values | st.sampled_from(HOSTILE_TEXT))
        key = draw(st.sampled_from(fields) | st.text(max_size=8))
        shared, specific, entries = (document.get(k) for k in ("shared", "specific", "nodes"))
        if op == "shared" and isinstance(shared, dict):
            shared[key] = value
        elif op == "specific" and isinstance(specific, dict):
            own = specific.setdefault(draw(st.sampled_from(nodes)), {})
            if isinstance(own, dict):
                own[key] = value
        elif op == "node" and isinstance(entries, dict):
            entries[draw(st.sampled_from(nodes) | node_names)] = value
        elif op == "drop" and isinstance(entries, dict):
            entries.pop(draw(st.sampled_from(nodes)), None)
        elif op == "header":
            document[draw(st.sampled_from(["format_version", "placeholders", "shared"]))] = value
        else:
            document[key] = value
    return case["topology"], document


# ------------------------------------------------------------------ properties


@pytest.mark.parametrize("case", GOLDEN[:1], ids=lambda c: c["id"])
def test_golden_documents_assemble(case: dict[str, Any]) -> None:
    """The fuzzed config documents start from scaffolds that do build."""
    topology = Topology.parse(case["topology"])
    loaded = load_config_file(_golden_document(case), topology=topology)
    assert assemble(topology, loaded.configs).definition


@_profile(VALIDATE_EXAMPLES)
@given(topology_documents, st.booleans())
def test_validate_never_crashes(document: Any, existing_model: bool) -> None:
    topology = _typed(Topology.from_json, json.dumps(document))
    if topology is not None:
        result = check_topology(topology, existing_model=existing_model)
        for issue in result.issues:
            assert issue.code and issue.message


@_profile(INIT_CONFIG_EXAMPLES)
@given(topology_documents | mutated_golden(), facts_documents)
def test_init_config_never_crashes(document: Any, facts: dict[str, Any]) -> None:
    topology = _typed(Topology.from_json, json.dumps(document))
    if topology is None:
        return
    scaffold = _typed(scaffold_configs, topology, facts)
    if scaffold is not None:
        json.dumps(dump_configs(scaffold.configs, placeholders=scaffold.placeholders))
        _typed(require_steps, topology)


@_profile(ASSEMBLE_EXAMPLES)
@given(config_documents())
def test_assemble_never_crashes(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    raw_topology, document = pair
    topology = Topology.parse(raw_topology)
    loaded = _typed(load_config_file, document, topology=topology)
    if loaded is None:
        return
    try:
        loaded.require_resolved()
    except SagewrightError as exc:
        assert exc.code
        return
    _typed(assemble, topology, loaded.configs)
