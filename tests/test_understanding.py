"""One reading of the requirement (issue 11): values whole, settings in words, asks named."""

from __future__ import annotations

import pytest

from sagewright.agents.offline_extractor import extract_offline
from sagewright.agents.planner import plan
from sagewright.agents.text.numbers import words_to_digits
from sagewright.eval_harness import facts_of
from sagewright.topology import Topology

TRAIN = {
    "DataLoading_training": [],
    "TabularPreprocessing_training": ["DataLoading_training"],
    "XGBoostTraining": ["TabularPreprocessing_training"],
}


def planned_facts(text: str) -> tuple[dict[str, object], list[str]]:
    result = plan(text)
    topology = Topology.parse(result.topology)
    extraction = extract_offline(text, topology)
    return facts_of(topology, extraction.values), [*result.notes, *extraction.notes]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Train XGBoost on s3://acme-ml/train/ with label fraudé.", "fraudé"),
        ("Train XGBoost on s3://acme-ml/train/ with label target.is_fraud.", "target.is_fraud"),
        ("Train XGBoost on s3://acme-ml/raw/$(id)/ with label y.", "s3://acme-ml/raw/$(id)/"),
        ("Train XGBoost on s3://acme-ml/train/ with max_depth=2**64.", "max_depth=2**64"),
    ],
)
def test_a_value_is_taken_whole_or_reported_not_understood(text: str, said: str) -> None:
    extraction = extract_offline(text, Topology.parse(TRAIN))
    stated = extraction.facts()
    assert not any(str(v) in said and str(v) != said for v in stated.values()), stated
    assert any("not understood" in n and said in n for n in extraction.notes), extraction.notes


def test_words_are_numbers() -> None:
    said = "twelve epochs, a learning rate of three e minus five, sixty-four, a couple of GPUs, 1k"
    assert words_to_digits(said) == "12 epochs, a learning rate of 3e-5, 64, 2 GPUs, 1000"
    assert words_to_digits("the one we trained") == "the one we trained"


def test_tuning_registration_and_athena_settings_from_words() -> None:
    facts, _ = planned_facts(
        "Tune XGBoost on the Athena query SELECT * FROM feats WHERE dt = '2025-01-01' "
        "(database: retail_feats, workgroup: ml-adhoc), label y: max_depth between 3 and 9, "
        "eta 0.01-0.2, 40 jobs max, 8 running in parallel, Bayesian strategy, minimize "
        "validation:logloss. Package it and register it into group fraud-xgb, approval: approved."
    )
    assert facts["data.training.athena_query"] == "SELECT * FROM feats WHERE dt = '2025-01-01'"
    assert facts["data.training.athena_database"] == "retail_feats"
    assert facts["data.training.athena_workgroup"] == "ml-adhoc"
    assert facts["tuning.ranges.max_depth"] == [3, 9]
    assert facts["tuning.ranges.eta"] == [0.01, 0.2]
    assert (facts["tuning.max_jobs"], facts["tuning.max_parallel_jobs"]) == (40, 8)
    assert facts["tuning.strategy"] == "Bayesian"
    assert facts["tuning.objective_metric"] == "validation:logloss"
    assert facts["tuning.objective_type"] == "Minimize"
    assert facts["registration.model_package_group"] == "fraud-xgb"
    assert facts["registration.approval_status"] == "Approved"
    assert "hyperparameters.max_depth" not in facts  # a range is not a value


def test_an_unsupported_framework_is_named_not_replaced() -> None:
    result = plan("Preprocess s3://acme-ml/rank/train/ (label grade) and train a LightGBM ranker.")
    assert set(result.topology) == {"DataLoading_training", "TabularPreprocessing_training"}
    assert any("lightgbm" in note and "not supported" in note for note in result.notes)


def test_a_schedule_and_an_endpoint_are_named() -> None:
    result = plan(
        "Train XGBoost on s3://acme-ml/train/, deploy it to a real-time endpoint and rerun it "
        "nightly via cron."
    )
    joined = " ".join(result.notes)
    for word in ("real-time endpoint", "nightly", "cron"):
        assert word in joined, joined


def test_both_sources_of_a_one_line_ask_are_read() -> None:
    facts, _ = planned_facts(
        "Train XGBoost on s3://bkt/train/ with label y, evaluate on s3://bkt/test/, "
        "package and register"
    )
    assert facts["data.training.s3_uri"] == "s3://bkt/train/"
    assert facts["data.testing.s3_uri"] == "s3://bkt/test/"


def test_a_plugin_step_is_planned_from_its_cues_and_its_field_filled(monkeypatch) -> None:
    from tests.plugin_steps import plugin_registry

    registry = plugin_registry(monkeypatch)
    text = "Load s3://acme-ml/train/ (label y), preprocess it and profile it with max_bins=40."
    result = plan(text, registry=registry)
    assert result.valid
    assert result.topology["DataProfiling_training"] == ["TabularPreprocessing_training"]
    topology = Topology.parse(result.topology)
    extraction = extract_offline(text, topology, registry=registry)
    facts = facts_of(topology, extraction.values, registry)
    assert facts["config.DataProfiling_training.max_bins"] == 40
    skipped = plan(text.replace("profile it", "skip profiling"), registry=registry)
    assert not any(node.startswith("DataProfiling") for node in skipped.topology)


def test_misspelt_step_words_are_read_and_english_words_are_not_misspellings() -> None:
    from sagewright.agents.requirement_reader import vocabulary
    from sagewright.agents.text.spelling import correct_typos

    result = plan(
        "traing xgboost on s3://b/train/ label y, evalute on s3://b/test/ and regsiter it"
    )
    assert {"ModelEvaluation_testing", "ModelRegistration"} <= set(result.topology)
    words = "registration is out of scope; auc clears 0.9; retain the id column"
    assert correct_typos(words, vocabulary().cues) == words


def test_a_later_substitution_drops_the_replaced_evaluation_and_its_data() -> None:
    result = plan(
        "Train XGBoost on s3://b/train/ (label y) and evaluate on s3://b/test/.\n"
        "Update: evaluate on the validation set s3://b/val/ instead of the test set."
    )
    assert "ModelEvaluation_validation" in result.topology
    assert not any(node.endswith("_testing") for node in result.topology)
