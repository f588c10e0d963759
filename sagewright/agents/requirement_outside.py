"""Asks a requirement makes that no catalogue step can do, so the plan can say so.

The planners never emit such steps; this only turns "silently left out" into a note the
user sees (``PlanResult.notes``).
"""

from __future__ import annotations

import re

from sagewright.registry import Registry

OUTSIDE = (
    (
        re.compile(r"\b(deploy\w*|host\w*|serve|serving)\b[^.;\n]{0,40}\bend-?points?\b", re.I),
        "endpoint deployment",
    ),
    (
        re.compile(r"\b(slack|e-?mail|pagerduty|notify|notification|alert the team)\b", re.I),
        "notifications",
    ),
    (
        re.compile(r"\b(model monitor\w*|data drift|drift detection|monitoring schedule)\b", re.I),
        "model monitoring",
    ),
    (re.compile(r"\bfeature store\b", re.I), "feature store ingestion"),
)
CAMEL_STEP = re.compile(r"\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+\b")
LITERALS = re.compile(r"`[^`]*`|\barn:\S+|\bs3://\S+|'[^'\n]*'")  # ARNs, URIs, SQL, quotes
NOT_STEPS = frozenset({"PyTorch", "SageMaker", "XGBoost", "MLOps", "DataFrame", "GitHub"})


def outside_catalogue(requirement: str, registry: Registry) -> list[str]:
    """Notes naming what was asked but is not a catalogue step (deduplicated, in order)."""
    text = LITERALS.sub(" ", requirement)
    found: list[str] = []
    for pattern, what in OUTSIDE:
        if pattern.search(text) and what not in found:
            found.append(what)
    for name in CAMEL_STEP.findall(text):
        if name not in registry and name not in NOT_STEPS and name not in found:
            found.append(name)
    return [
        f"'{what}' is not a catalogue step, so it is not in the plan "
        "(`sagewright steps` lists what exists)"
        for what in found
    ]
