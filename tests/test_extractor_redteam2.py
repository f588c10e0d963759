"""Red-team round 2 (facts): stated values in formats earlier rounds did not try.

The cases (requirement, catalogue topology, stated facts that the extractor must recover
exactly) are data now: ``eval/golden/extractor-regressions.jsonl``, tag ``extractor-redteam2``,
checked by ``tests/test_regression_sets.py``. Below: unit tests of the rules they brought in.
Formats covered: YAML / JSON / ``key=value`` snippets, markdown tables,
"set X to Y", values before their unit, scientific notation, percentages and worded
comparisons for gates, label / id phrasings, quoted names, upper-case regions, instance
types by role, existing-model wordings, multi-line SQL; and negative statements (values
ruled out, previous values replaced) that must not be taken.

Multi-line SQL: the query's lines are joined with single spaces (indentation dropped), so
the fact is the one-line query; a one-line query is kept exactly as written.
"""

from __future__ import annotations

from typing import Any

import pytest

from sagewright.agents.extractor import extract
from sagewright.agents.text.literals import find_mentions, flatten_layout, one_line
from sagewright.eval_harness import facts_of as harness_facts
from sagewright.topology import Topology

DL, TP = "DataLoading", "TabularPreprocessing"


def data(*jobs: str) -> dict[str, list[str]]:
    """``DataLoading_JOB -> TabularPreprocessing_JOB`` for each job type."""
    out: dict[str, list[str]] = {}
    for job in jobs:
        out[f"{DL}_{job}"] = []
        out[f"{TP}_{job}"] = [f"{DL}_{job}"]
    return out


XGB = {**data("training"), "XGBoostTraining": [f"{TP}_training"]}
TORCH = {**data("training"), "PyTorchTraining": [f"{TP}_training"]}
GATED = {
    **data("training", "testing"),
    "XGBoostTraining": [f"{TP}_training"],
    "ModelEvaluation_testing": ["XGBoostTraining", f"{TP}_testing"],
    "QualityGate": ["ModelEvaluation_testing"],
    "Packaging": ["XGBoostTraining", "QualityGate"],
}
EXISTING_MODEL = {"XGBoostModel": []}


def facts_for(requirement: str, topology: dict[str, list[str]]) -> dict[str, Any]:
    """Facts the extractor recovers for ``topology`` (the harness's read-back)."""
    topo = Topology.parse(topology)
    return harness_facts(topo, extract(requirement, topo).values)


# --- unit tests of the rules these cases brought in -------------------------------------------


def test_table_rows_and_quoted_keys_read_as_key_value() -> None:
    text = '| param | value |\n|---|---|\n| max_depth | 6 |\n{"eta": 0.1}'
    flat = flatten_layout(text)
    assert len(flat) == len(text)
    assert "max_depth : 6" in flat
    assert " eta : 0.1" in flat
    assert "---" not in flat


def test_multi_line_query_is_one_line_and_one_line_query_is_kept() -> None:
    assert one_line("SELECT *\n  FROM a.t\n  WHERE x = 1") == "SELECT * FROM a.t WHERE x = 1"
    assert one_line("SELECT  a FROM t") == "SELECT  a FROM t"


def test_unquoted_query_continues_only_on_a_clause_word() -> None:
    text = "Athena query: SELECT a,\n b FROM db.t\nWHERE ds = 1\nlabel is y"
    [query] = [m for m in find_mentions(text) if m.kind == "sql"]
    assert query.value == "SELECT a, b FROM db.t WHERE ds = 1"
    text = "Athena query: SELECT * FROM db.t\nTrain on ml.m5.xlarge."
    [query] = [m for m in find_mentions(text) if m.kind == "sql"]
    assert query.value == "SELECT * FROM db.t"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Train XGBoost on s3://bkt-a/train/ in us-west-2, not eu-west-1.", "us-west-2"),
        ("Train XGBoost on s3://bkt-a/train/. Avoid us-east-1; use ap-south-1.", "ap-south-1"),
        ("Train XGBoost on s3://bkt-a/train/ in eu-west-2 rather than us-east-1.", "eu-west-2"),
        ("Train XGBoost on s3://bkt-a/train/, region moved from us-east-1 to eu-north-1.",
         "eu-north-1"),
    ],
)  # fmt: skip
def test_ruled_out_values_are_not_taken(text: str, expected: str) -> None:
    assert facts_for(text, XGB)["region"] == expected


def test_previously_trained_model_is_still_the_existing_model() -> None:
    text = (
        "Create a SageMaker model from our previously trained XGBoost model at "
        "s3://bkt-a/models/model.tar.gz."
    )
    assert facts_for(text, EXISTING_MODEL) == {
        "existing_model_uri": "s3://bkt-a/models/model.tar.gz"
    }


@pytest.mark.parametrize(
    ("phrase", "comparison"),
    [
        ("AUC is no lower than 0.8", ">="),
        ("AUC must not be lower than 0.8", ">="),
        ("AUC stays at or above 0.8", ">="),
        ("AUC must not be below 0.8", ">="),
        ("log loss is no higher than 0.8", "<="),
        ("log loss stays at or below 0.8", "<="),
        ("AUROC >= 0.8", ">="),
    ],
)
def test_worded_gate_comparisons(phrase: str, comparison: str) -> None:
    text = f"Train XGBoost on s3://bkt-a/train/, evaluate on s3://bkt-a/test/, package if {phrase}."
    extraction = extract(text, Topology.parse(GATED))
    assert extraction.values.gate["threshold"] == 0.8
    assert extraction.values.gate.get("comparison", ">=") == comparison


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("PyTorch on s3://bkt-a/train/ with 128-sample batches.", "batch_size", 128),
        ("PyTorch on s3://bkt-a/train/ with mini-batches of 32.", "batch_size", 32),
        ("PyTorch on s3://bkt-a/train/ with a 1e-4 learning rate.", "lr", 0.0001),
        ("PyTorch on s3://bkt-a/train/ with a 0.3 dropout.", "dropout", 0.3),
    ],
)
def test_value_before_its_hyperparameter_name(text: str, key: str, value: Any) -> None:
    assert facts_for(text, TORCH)[f"hyperparameters.{key}"] == value


def test_hyphenated_depth_is_not_negative() -> None:
    assert (
        facts_for("XGBoost on s3://bkt-a/train/ with depth-5 trees.", XGB)[
            "hyperparameters.max_depth"
        ]
        == 5
    )


@pytest.mark.parametrize(
    "text",
    [
        "training_instance_type: ml.m5.2xlarge",
        "| Training instance | ml.m5.2xlarge |",
    ],
)
def test_instance_type_keys_with_underscores_or_table_cells(text: str) -> None:
    facts = facts_for(f"XGBoost on s3://bkt-a/train/\n{text}", XGB)
    assert facts["training.instance_type"] == "ml.m5.2xlarge"


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("Ground truth column: `is_bad`.", "label_name", "is_bad"),
        ("The outcome variable is defaulted.", "label_name", "defaulted"),
        ("y = churned", "label_name", "churned"),
        ("key: order_id", "id_name", "order_id"),
    ],
)
def test_label_and_id_phrasings(text: str, key: str, value: str) -> None:
    assert facts_for(f"XGBoost on s3://bkt-a/train/.\n{text}", XGB)[key] == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a key that is not a column, mid-sentence
        ("Train XGBoost on s3://bkt-a/train/; the api key: abc123 is in vault.", {}),
        # passive "used to train" is not a previous value
        (
            "XGBoost on s3://bkt-a/train/. Hyperparameters used to train the model: max_depth=6",
            {"hyperparameters.max_depth": 6},
        ),
        (
            "PyTorch on s3://bkt-a/train/. We previously used 5 epochs; now train for 10 epochs.",
            {"hyperparameters.epochs": 10},
        ),
        (
            "Train XGBoost on s3://bkt-a/train/ with eta=0.1 (not 0.3).",
            {"hyperparameters.eta": 0.1},
        ),
    ],
)
def test_ruling_out_is_narrow(text: str, expected: dict[str, Any]) -> None:
    topology = TORCH if "PyTorch" in text else XGB
    facts = facts_for(text, topology)
    facts.pop("data.training.s3_uri")
    assert facts == expected


def test_region_code_line_is_not_a_bucket_name() -> None:
    facts = facts_for("XGBoost on s3://bkt-a/train/\nregion: eu-west-3\nbucket: my-bkt", XGB)
    assert (facts["region"], facts["bucket"]) == ("eu-west-3", "my-bkt")
