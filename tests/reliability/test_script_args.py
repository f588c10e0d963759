"""Issue 13 item 5: a config value reaches its container script whole.

A value holding a comma or starting with ``--`` must not become two values or an option
once the builder turns it into ``ContainerArguments``; column names no table can have are
refused when the config is validated.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import pytest

from sagewright.builders.assembler import build_definition
from sagewright.errors import ConfigError
from sagewright.facts import PipelineValues
from sagewright.registry import default_registry
from sagewright.scaffold import build_configs
from sagewright.topology import Topology
from tests.builders.test_assembler import load_script
from tests.conftest import golden_case

HOSTILE_TEXT = "--num-samples=999,--job-type=inference"


class _Parsed(Exception):
    pass


def _parse_with_script(script: str, args: list[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The namespace the script's own argparse makes of ``args`` (nothing else runs)."""
    module = load_script(script)
    original = argparse.ArgumentParser.parse_args

    def parse_then_stop(self: argparse.ArgumentParser, a: Any = None, ns: Any = None) -> Any:
        raise _Parsed(original(self, a, ns))

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", parse_then_stop)
    with pytest.raises(_Parsed) as parsed:  # SystemExit(2) = the script rejected an argument
        module.main(list(args))
    monkeypatch.undo()
    return parsed.value.args[0]


def _container_args(configs: dict[str, Any], node: str) -> list[str]:
    case = golden_case("vis-10-xgb-e2e-calibration")
    definition = json.loads(build_definition(Topology.parse(case["topology"]), configs))
    step = next(s for s in definition["Steps"] if s["Name"] == node)
    return list(step["Arguments"]["AppSpecification"]["ContainerArguments"])


def _configs(**overrides: dict[str, Any]) -> dict[str, Any]:
    case = golden_case("vis-10-xgb-e2e-calibration")
    values = PipelineValues.from_facts(case["facts"])
    built = build_configs(Topology.parse(case["topology"]), values, allow_placeholders=True)
    configs = dict(built.configs)
    for node, changes in overrides.items():
        configs[node] = configs[node].model_copy(update=changes)
    return configs


def test_value_starting_with_dashes_stays_one_value(monkeypatch: pytest.MonkeyPatch) -> None:
    configs = _configs(PayloadGeneration={"default_text_value": HOSTILE_TEXT, "num_samples": 3})
    args = _container_args(configs, "PayloadGeneration")
    parsed = _parse_with_script("payload_generation.py", args, monkeypatch)
    assert parsed.default_text == HOSTILE_TEXT
    assert parsed.num_samples == 3


def test_list_items_reach_the_script_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    columns = ["montant €", "pays du client", "x;y", "[z]"]
    configs = _configs(
        TabularPreprocessing_training={"cat_field_list": columns[:2], "tab_field_list": columns[2:]}
    )
    args = _container_args(configs, "TabularPreprocessing_training")
    parsed = _parse_with_script("tabular_preprocessing.py", args, monkeypatch)
    assert parsed.cat_fields == columns[:2]
    assert parsed.tab_fields == columns[2:]
    assert parsed.job_type == "training"


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("cat_field_list", ["country,amount"], "comma"),
        ("tab_field_list", ["am\nount"], "control character"),
        ("label_name", "--job-type=inference", "starts with '-'"),
        ("id_name", "txn\x00id", "control character"),
    ],
)
def test_impossible_column_names_are_refused_at_validation(
    field: str, value: Any, why: str
) -> None:
    config_class = default_registry().get("TabularPreprocessing").config_class
    configs = _configs()
    data = configs["TabularPreprocessing_training"].stored_fields()
    data[field] = value
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as exc:
        config_class.model_validate(data)
    assert why in str(exc.value)


def test_config_file_names_the_field_of_an_impossible_column() -> None:
    from sagewright.config_file import dump_configs, load_configs

    document = dump_configs(_configs())
    document["shared"]["label_name"] = "--job-type=inference"
    with pytest.raises(ConfigError) as exc:
        load_configs(document)
    assert "label_name" in str(exc.value)
    assert exc.value.code == "invalid_value"
