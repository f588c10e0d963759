"""Metric functions on hand-made topology pairs."""

import networkx as nx
import pytest

from sagewright.eval_metrics import (
    Counts,
    edge_counts,
    edge_diff,
    edit_distance,
    exact_match,
    fact_score,
    micro_f1,
    node_counts,
    node_label,
    normalized_ged,
    score_topology,
    typed_graph,
    values_equal,
)

GOLD = {
    "DataLoading_training": [],
    "TabularPreprocessing_training": ["DataLoading_training"],
    "DataLoading_testing": [],
    "TabularPreprocessing_testing": ["DataLoading_testing"],
    "XGBoostTraining": ["TabularPreprocessing_training"],
    "ModelEvaluation_testing": ["XGBoostTraining", "TabularPreprocessing_testing"],
    "Packaging": ["XGBoostTraining"],
    "ModelRegistration": ["Packaging"],
}


def test_labels_keep_job_type_only_for_job_typed_steps():
    assert node_label("ModelEvaluation_testing") == "ModelEvaluation:testing"
    assert node_label("Packaging_main") == "Packaging"  # qualifier of a non-job-typed step
    assert node_label("EndpointDeployment_x") == "EndpointDeployment"  # unknown: step type


def test_identical_graph_scores_perfectly():
    score = score_topology(GOLD, GOLD)
    assert score.exact and score.ged == 0.0
    assert score.nodes.f1 == 1.0 and score.edges.f1 == 1.0


def test_relabelled_but_isomorphic_graph_is_exact():
    renamed = {
        "DataLoading_training": [],
        "TabularPreprocessing_training": ["DataLoading_training"],
        "DataLoading_testing": [],
        "TabularPreprocessing_testing": ["DataLoading_testing"],
        "XGBoostTraining_main": ["TabularPreprocessing_training"],
        "ModelEvaluation_testing": ["XGBoostTraining_main", "TabularPreprocessing_testing"],
        "Packaging_v2": ["XGBoostTraining_main"],
        "ModelRegistration_prod": ["Packaging_v2"],
    }
    shuffled = dict(reversed(list(renamed.items())))
    assert exact_match(shuffled, GOLD)
    assert normalized_ged(shuffled, GOLD) == 0.0


def test_missing_edge_lowers_edge_f1_not_node_f1():
    pred = {**GOLD, "ModelEvaluation_testing": ["XGBoostTraining"]}
    score = score_topology(pred, GOLD)
    assert not score.exact
    assert score.nodes.f1 == 1.0
    assert score.edges.f1 < 1.0
    assert score.edges == Counts(tp=6, predicted=6, golden=7)
    assert edge_diff(pred, GOLD) == (
        [],
        [("TabularPreprocessing:testing", "ModelEvaluation:testing")],
    )
    assert normalized_ged(pred, GOLD) == pytest.approx(1 / 15)  # 8 nodes + 7 edges


def test_wrong_job_type_on_one_node_lowers_node_and_edge_f1():
    pred = {k: v for k, v in GOLD.items() if k != "ModelEvaluation_testing"}
    pred["ModelEvaluation_validation"] = ["XGBoostTraining", "TabularPreprocessing_testing"]
    score = score_topology(pred, GOLD)
    assert not score.exact
    assert score.nodes.f1 < 1.0 and score.edges.f1 < 1.0
    assert score.nodes.tp == 7
    assert score.edges.tp == 5  # both edges into the relabelled node are wrong


def test_structure_difference_with_equal_multisets_is_not_exact():
    a = {"DataLoading_training": [], "DataLoading_testing": []}
    b = {"DataLoading_training": [], "DataLoading_testing": []}
    assert exact_match(a, b)
    gold = {"XGBoostTraining": [], "Packaging": ["XGBoostTraining"], "PayloadGeneration": []}
    pred = {"XGBoostTraining": [], "Packaging": [], "PayloadGeneration": ["XGBoostTraining"]}
    assert not exact_match(pred, gold)


def test_micro_average_sums_counts():
    counts = [Counts(1, 1, 2), Counts(3, 3, 3)]
    assert micro_f1(counts) == pytest.approx(2 * 4 / (4 + 5))
    assert Counts().f1 == 1.0  # empty vs empty
    assert Counts(0, 0, 3).f1 == 0.0


def test_empty_prediction_has_ged_one_and_zero_f1():
    assert normalized_ged({}, GOLD) == 1.0
    assert node_counts({}, GOLD).f1 == 0.0 and edge_counts({}, GOLD).f1 == 0.0


def test_label_aligned_ged_equals_networkx_ged_when_labels_are_unique():
    pred = {**GOLD, "ModelEvaluation_testing": ["XGBoostTraining"], "PayloadGeneration": []}
    del pred["ModelRegistration"]
    g1, g2 = typed_graph(pred), typed_graph(GOLD)
    exact = nx.graph_edit_distance(
        g1,
        g2,
        node_match=lambda a, b: a["label"] == b["label"],
        node_subst_cost=lambda a, b: 0 if a["label"] == b["label"] else 2,
        timeout=10,
    )
    assert edit_distance(pred, GOLD) == exact


def test_parents_outside_the_topology_are_ignored():
    pred = {"Packaging": ["Ghost"], "XGBoostTraining": []}
    assert edge_counts(pred, {"Packaging": [], "XGBoostTraining": []}).predicted == 0


def test_fact_values_compare_numbers_by_value():
    assert values_equal(2e-05, 0.00002) and values_equal("300", 300)
    assert values_equal(" is_fraud ", "is_fraud")
    assert not values_equal("auc", "accuracy") and not values_equal(True, 1)
    score = fact_score(
        {"label_name": "y", "hyperparameters.eta": 0.1, "region": "us-east-1", "bucket": "b"},
        {"label_name": "y", "hyperparameters.eta": 0.2, "id_name": "id", "region": "us-east-1"},
    )
    assert (score.recovered, score.golden, score.invented) == (2, 4, 1)
    assert score.wrong == ("hyperparameters.eta",) and score.missing == ("id_name",)
    assert score.invented_keys == ("bucket",)
