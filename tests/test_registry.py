import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from sagewright.errors import RegistryError, UnknownStepError
from sagewright.registry import (
    DataKind,
    OutputPort,
    Registry,
    StepSpec,
    catalogue,
    default_registry,
)
from sagewright.registry.steps.data_loading import SPEC as DATA_LOADING
from sagewright.registry.steps.xgboost_training import XGBoostTrainingConfig

EXPECTED = json.loads((Path(__file__).parent / "data" / "catalogue_ports.json").read_text())


def test_registry_holds_exactly_the_catalogue_ports():
    registry = default_registry()
    assert sorted(registry.names()) == sorted(EXPECTED)
    for spec in registry:
        want = EXPECTED[spec.name]
        got = spec.to_dict()
        assert got["sagemaker_step"] == want["sagemaker_step"]
        assert [[p["name"], p["kind"], p["mode"]] for p in got["inputs"]] == want["inputs"]
        assert [[p["name"], p["kind"]] for p in got["outputs"]] == want["outputs"]
        assert spec.config_class.step_type == spec.name
        assert spec.when_to_use and spec.when_not_to_use and spec.description


def test_unknown_step_suggests_the_close_name():
    with pytest.raises(UnknownStepError, match="did you mean 'XGBoostTraining'"):
        default_registry().get("XGBTraining")


def test_sources_come_first():
    names = default_registry().names()
    assert (
        names.index("DataLoading")
        < names.index("TabularPreprocessing")
        < names.index("XGBoostTraining")
        < names.index("ModelRegistration")
    )


def _plugin(name="FeatureStoreIngest", kind=DataKind.TABULAR_DATA):
    return StepSpec(
        name=name,
        sagemaker_step="ProcessingStep",
        description="x",
        when_to_use="x",
        when_not_to_use="x",
        inputs=(),
        outputs=(OutputPort("data", kind),),
        config_class=DATA_LOADING.config_class,
    )


def _entry_points(monkeypatch, *loaded):
    eps = [
        SimpleNamespace(name=f"ep{i}", value=f"pkg:obj{i}", load=lambda o=o: o)
        for i, o in enumerate(loaded)
    ]
    monkeypatch.setattr(
        catalogue.importlib.metadata,
        "entry_points",
        lambda group: eps if group == "sagewright.steps" else [],
    )


def test_entry_point_steps_are_registered(monkeypatch):
    _entry_points(monkeypatch, _plugin())
    registry = Registry([*catalogue.builtin_specs(), *catalogue.entry_point_specs()])
    assert "FeatureStoreIngest" in registry


def test_entry_point_with_duplicate_name_is_rejected(monkeypatch):
    _entry_points(monkeypatch, _plugin(name="DataLoading"))
    with pytest.raises(RegistryError) as info:
        Registry([*catalogue.builtin_specs(), *catalogue.entry_point_specs()])
    assert info.value.code == "duplicate_step_type"


def test_entry_point_with_unknown_kind_is_rejected(monkeypatch):
    _entry_points(monkeypatch, _plugin(kind="Spreadsheet"))
    with pytest.raises(RegistryError) as info:
        Registry([*catalogue.builtin_specs(), *catalogue.entry_point_specs()])
    assert info.value.code == "unknown_kind"


def test_entry_point_that_is_not_a_spec_is_rejected(monkeypatch):
    _entry_points(monkeypatch, object())
    with pytest.raises(RegistryError) as info:
        catalogue.entry_point_specs()
    assert info.value.code == "bad_entry_point"


def test_specs_wired_by_kind_need_unique_input_kinds():
    bad = StepSpec(
        name="Twice",
        sagemaker_step="x",
        description="x",
        when_to_use="x",
        when_not_to_use="x",
        inputs=(),
        outputs=(OutputPort("a", DataKind.MODEL), OutputPort("b", DataKind.MODEL)),
        config_class=XGBoostTrainingConfig,
    )
    with pytest.raises(RegistryError, match="unique"):
        Registry([bad])
