import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sagewright.config_file import FORMAT_VERSION, dump_configs, load_configs, save_configs
from sagewright.errors import ConfigError
from sagewright.facts import PipelineValues
from sagewright.registry.fields import Tier, field_tier
from sagewright.registry.hyperparameters import PyTorchHyperparameters, XGBoostHyperparameters
from sagewright.registry.steps.data_loading import DataLoadingConfig
from sagewright.registry.steps.hyperparameter_tuning import HyperparameterTuningConfig
from sagewright.registry.steps.quality_gate import QualityGateConfig
from sagewright.registry.steps.tabular_preprocessing import TabularPreprocessingConfig
from sagewright.registry.steps.xgboost_training import XGBoostTrainingConfig
from sagewright.scaffold import build_configs
from sagewright.topology import Topology
from tests.conftest import FULL_VALUES

BASE = dict(FULL_VALUES)
HP = {"label_name": "is_fraud"}


def full_pipeline(case):
    values = PipelineValues.from_facts(case["facts"])
    values.shared.update(BASE)
    values.shared["id_name"] = "txn_id"
    return build_configs(Topology.parse(case["topology"]), values).configs


def test_full_pipeline_round_trips(tmp_path, e2e_case):
    configs = full_pipeline(e2e_case)
    path = save_configs(configs, tmp_path / "config.json")
    loaded = load_configs(path, topology=Topology.parse(e2e_case["topology"]))
    assert loaded == configs
    assert [type(c) for c in loaded.values()] == [type(c) for c in configs.values()]


def test_shared_fields_are_stored_once(e2e_case):
    data = dump_configs(full_pipeline(e2e_case))
    assert data["format_version"] == FORMAT_VERSION
    assert data["shared"]["region"] == "us-east-1"
    assert all("region" not in own for own in data["specific"].values())
    assert data["specific"]["DataLoading_calibration"]["s3_uri"] == "s3://acme-fraud-ml/raw/calib/"
    assert data["nodes"]["XGBoostTraining"] == {
        "step_type": "XGBoostTraining",
        "config_class": "XGBoostTrainingConfig",
    }
    assert "pipeline_s3_loc" not in json.dumps(data)  # derived, recomputed on load


def test_derived_values_are_computed():
    cfg = XGBoostTrainingConfig(**BASE, hyperparameters=XGBoostHyperparameters(**HP))
    assert cfg.pipeline_s3_loc == "s3://acme-ml-artifacts/sagewright/fraud-xgb"
    assert cfg.hyperparameters.num_classes == 2 and cfg.hyperparameters.is_binary
    assert field_tier(XGBoostTrainingConfig, "pipeline_s3_loc") is Tier.DERIVED
    assert field_tier(XGBoostTrainingConfig, "region") is Tier.ESSENTIAL
    assert field_tier(XGBoostTrainingConfig, "training_instance_type") is Tier.DEFAULT


def problem_fields(exc: ValidationError) -> str:
    return json.dumps(exc.errors(include_url=False), default=str)


@pytest.mark.parametrize(
    ("build", "field_name"),
    [
        (
            lambda: XGBoostTrainingConfig(
                **{**BASE, "role_arn": "arn:aws:iam::12:role/x"}, hyperparameters=HP
            ),
            "role_arn",
        ),
        (
            lambda: XGBoostTrainingConfig(**{**BASE, "region": "us-middle-7"}, hyperparameters=HP),
            "region",
        ),
        (
            lambda: XGBoostTrainingConfig(**{**BASE, "bucket": "Bad_Bucket"}, hyperparameters=HP),
            "bucket",
        ),
        (
            lambda: XGBoostTrainingConfig(
                **BASE, training_instance_type="m5.large", hyperparameters=HP
            ),
            "training_instance_type",
        ),
        (lambda: XGBoostHyperparameters(**HP, max_depth=-1), "max_depth"),
        (lambda: XGBoostHyperparameters(**HP, eta=0), "eta"),
        (lambda: PyTorchHyperparameters(**HP, dropout=1.0), "dropout"),
        (lambda: XGBoostHyperparameters(label_name="y", tab_field_list=["y", "x"]), "label_name"),
        (
            lambda: XGBoostHyperparameters(label_name="y", id_name="id", cat_field_list=["id"]),
            "id_name",
        ),
        (
            lambda: XGBoostHyperparameters(**HP, multiclass_categories=["a", "b", "c"]),
            "multiclass_categories",
        ),
        (lambda: XGBoostHyperparameters(**HP, objective="multi:softprob"), "multiclass_categories"),
        (lambda: DataLoadingConfig(**BASE, job_type="training", s3_uri="http://x/y"), "s3_uri"),
        (lambda: DataLoadingConfig(**BASE, job_type="training"), "s3_uri"),
        (
            lambda: DataLoadingConfig(
                **BASE, job_type="training", redshift_query="SELECT * FROM t"
            ),
            "redshift_cluster_id",
        ),
        (lambda: DataLoadingConfig(**BASE, job_type="holdout", s3_uri="s3://b/k/"), "job_type"),
        (lambda: TabularPreprocessingConfig(**BASE, job_type="training"), "label_name"),
        (
            lambda: TabularPreprocessingConfig(
                **BASE, job_type="training", label_name="y", train_ratio=0.9, val_ratio=0.1
            ),
            "train_ratio",
        ),
        (
            lambda: TabularPreprocessingConfig(
                **BASE, job_type="training", label_name="y", val_ratio=0
            ),
            "val_ratio",
        ),
        (
            lambda: TabularPreprocessingConfig(
                **BASE,
                job_type="training",
                label_name="y",
                cat_field_list=["color"],
                categories={"colour": ["red"]},
            ),
            "categories",
        ),
        (
            lambda: TabularPreprocessingConfig(
                **BASE,
                job_type="training",
                label_name="y",
                cat_field_list=["color"],
                categories={"color": ["red", "red"]},
            ),
            "categories",
        ),
        (lambda: QualityGateConfig(**BASE, metric="auc", threshold=1.5), "threshold"),
        (lambda: QualityGateConfig(**BASE, metric="gini", threshold=0.5), "metric"),
        (
            lambda: HyperparameterTuningConfig(
                **BASE,
                hyperparameters=HP,
                ranges={"epochs": {"type": "integer", "min_value": 1, "max_value": 5}},
            ),
            "epochs",
        ),
        (lambda: XGBoostTrainingConfig(**BASE, hyperparameters=HP, colour="red"), "colour"),
        (
            lambda: XGBoostTrainingConfig(
                **{**BASE, "pipeline_name": "fraud_xgb"}, hyperparameters=HP
            ),
            "pipeline_name",
        ),
    ],
)
def test_each_rule_names_its_field(build, field_name):
    with pytest.raises(ValidationError) as info:
        build()
    assert field_name in problem_fields(info.value)


def test_tuning_picks_the_hyperparameter_class_by_framework():
    cfg = HyperparameterTuningConfig(
        **BASE, hyperparameters={"framework": "pytorch", **HP, "epochs": 3}
    )
    assert isinstance(cfg.hyperparameters, PyTorchHyperparameters)
    assert set(cfg.effective_ranges) == {"lr", "dropout", "batch_size"}


def test_container_hyperparameters_use_container_names():
    hp = XGBoostHyperparameters(
        **HP, reg_lambda=2, multiclass_categories=[0, 1, 2], objective="multi:softprob"
    )
    values = hp.container_hyperparameters()
    assert values["lambda"] == "2.0" and values["num_class"] == "3" and "label_name" not in values


def _file(tmp_path, data):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("mutate", "code", "needle"),
    [
        (lambda d: d.update(format_version=FORMAT_VERSION + 1), "newer_format", "format_version"),
        (lambda d: d.update(format_version=0), "malformed_config", "format_version"),
        (
            lambda d: d["nodes"]["XGBoostTraining"].update(config_class="XGBoostTrainingConfigV9"),
            "unknown_config_class",
            "XGBoostTraining",
        ),
        (
            lambda d: d["nodes"]["XGBoostTraining"].update(step_type="XGBTraining"),
            "unknown_step",
            "XGBoostTraining",
        ),
        (
            lambda d: d["specific"]["XGBoostTraining"]["hyperparameters"].update(max_depth=-1),
            "invalid_value",
            "hyperparameters.max_depth",
        ),
        (
            lambda d: d["specific"]["XGBoostTraining"].update(colour="red"),
            "invalid_value",
            "colour",
        ),
        (lambda d: d["specific"].update(Ghost={}), "node_without_config", "Ghost"),
        (lambda d: d.update(nodes=[]), "malformed_config", "nodes"),
    ],
)
def test_config_file_errors_name_the_node(tmp_path, e2e_case, mutate, code, needle):
    data = dump_configs(full_pipeline(e2e_case))
    mutate(data)
    with pytest.raises(ConfigError) as info:
        load_configs(_file(tmp_path, data))
    assert info.value.code == code
    assert needle in str(info.value)


def test_a_topology_node_without_config_is_named(tmp_path, e2e_case):
    data = dump_configs(full_pipeline(e2e_case))
    del data["nodes"]["Packaging"], data["specific"]["Packaging"]
    with pytest.raises(ConfigError, match="'Packaging'") as info:
        load_configs(_file(tmp_path, data), topology=Topology.parse(e2e_case["topology"]))
    assert info.value.code == "node_without_config"


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_configs(tmp_path / "none.json")
    assert info.value.code == "file_not_found"
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(ConfigError) as info:
        load_configs(bad)
    assert info.value.code == "malformed_json"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["format_version", "nodes", "shared", "specific", "x"]), JSON)
)
def test_random_json_never_crashes_the_loader(data):
    try:
        load_configs(data)
    except ConfigError as exc:
        assert exc.code and exc.message


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["XGBoostTraining", "DataLoading_training", "Nope_x"]),
        st.dictionaries(st.text(max_size=10), JSON, max_size=4),
        max_size=3,
    )
)
def test_random_node_values_never_crash_the_loader(specific):
    data = {
        "format_version": 1,
        "nodes": {n: {} for n in specific},
        "shared": {},
        "specific": specific,
    }
    try:
        load_configs(data)
    except ConfigError as exc:
        assert exc.code in {"invalid_value", "unknown_step", "malformed_config"}
