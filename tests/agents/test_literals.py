"""Layouts and literals: tables, quoted keys, and SQL queries over one or more lines.

Multi-line SQL: the query's lines are joined with single spaces (indentation dropped), so
the fact is the one-line query; a one-line query is kept exactly as written.
"""

from __future__ import annotations

from sagewright.agents.requirement_reader import read_requirement
from sagewright.agents.text.literals import find_mentions, flatten_layout, one_line


def test_quoted_keys_read_as_key_value() -> None:  # tables: tests/test_text_layout.py
    text = '{"eta": 0.1}'
    flat = flatten_layout(text)
    assert len(flat) == len(text)
    assert " eta : 0.1" in flat


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


def test_fenced_query_is_a_source_with_its_heading_job_type() -> None:
    intent = read_requirement(
        "Train XGBoost. Training query:\n```sql\nSELECT * FROM a.tr\n```\n"
        "Test query:\n```\nSELECT * FROM a.te\n```\nEvaluate on the test data."
    )
    assert [(s.kind, s.value, s.job_type) for s in intent.sources] == [
        ("query", "SELECT * FROM a.tr", "training"),
        ("query", "SELECT * FROM a.te", "testing"),
    ]


def test_a_colon_after_a_source_starts_a_new_clause() -> None:
    intent = read_requirement(
        "Train XGBoost on s3://bkt-a/train/. Calibration data is at s3://bkt-a/cal/: score it "
        "with the evaluation step and fit a calibration."
    )
    assert [s.job_type for s in intent.sources] == ["training", "calibration"]


def test_a_voice_note_reads_without_its_fillers_and_stutters() -> None:
    from sagewright.agents.text.discourse import unfilled

    said = "we take the, the churn data, and, um, if the AUC is, like, above 0.85, uh, register"
    assert unfilled(said) == "we take the churn data, and if the AUC is above 0.85 register"
    assert unfilled("that that is fine; I like XGBoost") == "that that is fine; I like XGBoost"


def test_a_document_in_s3_is_a_page_to_read_not_data() -> None:
    from sagewright.agents.text.literals import find_mentions

    text = "Train on s3://acme-ml/train/. Runbook: s3://acme-wiki/runbook.pdf, s3://acme-ml/test/"
    assert [(m.kind, m.value) for m in find_mentions(text)] == [
        ("s3", "s3://acme-ml/train/"),
        ("url", "s3://acme-wiki/runbook.pdf"),
        ("s3", "s3://acme-ml/test/"),
    ]
