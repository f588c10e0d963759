"""One row of the value-key table is one new value: the offline extractor reads it, facts carry
it, the questions ask it, the LLM reply schema has it and the README's provenance names it,
with no other change. The row below is added for the test only (processing volume size)."""

from collections.abc import Iterator

import pytest

from sagewright.agents.extract_fields import stated_keys
from sagewright.agents.extractor import extract
from sagewright.agents.llm_extractor import extraction_schema
from sagewright.agents.offline_extractor import extract_offline
from sagewright.agents.questions import questions_for
from sagewright.facts import PipelineValues
from sagewright.generate import config_sources
from sagewright.registry import default_registry
from sagewright.registry.config_base import ProcessingConfig
from sagewright.registry.value_keys import VALUE_KEYS, ValueKey, question_order
from sagewright.scaffold import build_configs
from sagewright.topology import Topology
from tests.llm_server import ScriptedLLM
from tests.test_llm_extractor import REQUIREMENT, TOPOLOGY, reply

ROW = ValueKey(
    "processing.volume_size",
    ProcessingConfig,
    "processing_volume_size",
    "pipeline",
    question="How many GB of disk should each Processing instance get?",
    format="a whole number of GB",
    order=0,  # asked first
    cues=(r"volume size",),
)
SAID = REQUIREMENT + "\nEvery processing job gets a volume size of 60 GB."


@pytest.fixture(autouse=True)
def volume_row(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(VALUE_KEYS, ROW.key, ROW)
    yield


def _processing_nodes(topology: Topology) -> list[str]:
    registry = default_registry()
    return [
        n
        for n in topology.nodes
        if issubclass(registry.get(n.split("_")[0]).config_class, ProcessingConfig)
    ]


def test_the_offline_extractor_fills_every_config_with_the_new_value() -> None:
    values = extract_offline(SAID, TOPOLOGY).values
    assert values.shared["processing_volume_size"] == 60
    assert values.facts()["processing.volume_size"] == 60
    assert PipelineValues.from_facts({ROW.key: 60}).shared == {"processing_volume_size": 60}
    assert stated_keys(values)[ROW.key] == 60
    configs = build_configs(TOPOLOGY, values, allow_placeholders=True).configs
    nodes = _processing_nodes(TOPOLOGY)
    assert len(nodes) >= 3
    assert {configs[n].model_dump()["processing_volume_size"] for n in nodes} == {60}
    sources = config_sources(configs, {ROW.key: "stated"})
    assert {f"{n}.processing_volume_size" for n in nodes} <= set(sources)


def test_questions_ask_it_with_the_row_text_format_and_order() -> None:
    said = REQUIREMENT + "\nUse a volume size of 50. Later: volume size 80."
    extraction = extract_offline(said, TOPOLOGY)
    [conflict] = [c for c in extraction.conflicts if c.key == ROW.key]
    assert conflict.values == (50, 80)
    question = questions_for(TOPOLOGY, extraction.values, conflicts=extraction.conflicts)[0]
    assert question.key == ROW.key and question.scope == "pipeline"
    assert ROW.question in question.text and question.format == ROW.format
    assert question_order()[:2] == [ROW.key, "region"]


def test_the_llm_reply_schema_asks_for_it_and_the_value_lands(llm_server: ScriptedLLM) -> None:
    schema = extraction_schema(TOPOLOGY, "xgboost", default_registry())
    values = schema["properties"]["values"]["properties"]
    assert values["processing_volume_size"]["type"] == ["string", "null"]
    assert ROW.key in schema["properties"]["conflicts"]["items"]["properties"]["key"]["enum"]
    llm_server.script({"json": reply(processing_volume_size="60")})
    result = extract(SAID, TOPOLOGY, model="openai:test-model")
    assert result.fallback is None and result.values.shared["processing_volume_size"] == 60


def test_without_the_row_nothing_knows_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(VALUE_KEYS, ROW.key)
    assert "processing_volume_size" not in extract_offline(SAID, TOPOLOGY).values.shared
    schema = extraction_schema(TOPOLOGY, "xgboost", default_registry())
    assert "processing_volume_size" not in schema["properties"]["values"]["properties"]


def test_every_row_names_a_real_field() -> None:
    registry = default_registry()
    for row in VALUE_KEYS.values():
        model = registry.get(row.model).config_class if isinstance(row.model, str) else row.model
        assert row.field in model.model_fields, row
