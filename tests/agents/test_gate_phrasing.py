"""Which stages a gate guards. (Gate comparisons and verbs in words are eval cases:
``worded-gate-*`` and ``gate-verb-*`` in eval/golden/extractor-regressions.jsonl.)"""

from __future__ import annotations

from sagewright.agents.requirement_reader import REGISTER, read_requirement


def test_attributive_packaged_is_not_a_guarded_stage() -> None:
    intent = read_requirement(
        "Train XGBoost on s3://bkt-a/train/, evaluate on s3://bkt-a/test/ and register the "
        "packaged model only if AUC >= 0.8."
    )
    assert intent.gate is not None and intent.gate.guards == (REGISTER,)
