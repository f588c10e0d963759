"""Asks a requirement makes that no catalogue step can do, named so the user sees them.

The planners never emit such steps and never replace them by something close: a LightGBM
model is not planned as XGBoost, a real-time endpoint is not a batch transform. Each ask found
becomes one note naming the words the user wrote (``PlanResult.notes``, the generated README,
eval predictions). A negated ask ("no endpoint needed") is not an ask.
"""

from __future__ import annotations

import re

from sagewright.registry import Registry

# (what, pattern): matched on the text with literals blanked; the note quotes the match.
FRAMEWORKS = re.compile(
    r"\b(lightgbm|light gbm|lgbm|catboost|scikit-learn|sklearn|random forest|tensorflow|keras|"
    r"jax|prophet|spark ml(?:lib)?|h2o|autogluon|isolation forest|hugging ?face|fast\.?ai)\b",
    re.IGNORECASE,
)
OUTSIDE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("another framework", FRAMEWORKS),
    (
        "endpoint deployment",
        re.compile(
            r"\bserverless(?:\s+(?:inference|endpoint))?\b"
            r"|\b(?:real-?time|serverless|online|live|inference|sagemaker|hosted)\s+"
            r"(?:inference\s+)?end-?points?\b|\b(?:deploy\w*|host\w*|serv(?:e|ing))\b"
            r"[^.;\n]{0,40}\bend-?points?\b|\bend-?points?\b",
            re.IGNORECASE,
        ),
    ),
    (
        "schedule",
        re.compile(
            r"\b(?:schedul\w*|cron\w*|nightly|(?:every|each)\s+(?:night|day|morning|week|month|"
            r"hour|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|daily|weekly|"
            r"monthly|hourly)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "AutoML",
        re.compile(r"\b(?:autopilot|auto-?ml|sagemaker canvas)\b", re.IGNORECASE),
    ),
    (
        "bias and explainability reports",
        re.compile(r"\b(?:clarify|bias (?:report|detection|check)|explainability)\b", re.I),
    ),
    (
        "event triggers",
        re.compile(r"\b(?:lambda|eventbridge|step functions|airflow|webhook)\b", re.IGNORECASE),
    ),
    ("Spark/EMR", re.compile(r"\b(?:spark|pyspark|emr|glue job|databricks)\b", re.IGNORECASE)),
    (
        "model monitoring",
        re.compile(
            r"\b(?:model monitor\w*|monitor\w*|data drift|drift detection|drift|cloudwatch)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "notifications",
        re.compile(
            r"\b(?:slack|e-?mail (?:the|us|me)|pagerduty|notify|notification\w*|alert the team)\b",
            re.IGNORECASE,
        ),
    ),
    ("feature store ingestion", re.compile(r"\bfeature store\b", re.IGNORECASE)),
    (
        "another SageMaker feature",
        re.compile(
            r"\b(?:data wrangler|jumpstart|model cards?|inference recommender|sagemaker neo|"
            r"neo compil\w*|labell?ing jobs?|ground truth labell?ing)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "A/B testing",
        re.compile(
            r"\b(?:a/b test\w*|ab test\w*|split traffic|traffic split|canary|shadow "
            r"(?:mode|deployment|test))\b",
            re.IGNORECASE,
        ),
    ),
)
CAMEL_STEP = re.compile(r"\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+\b")
LITERALS = re.compile(r"`[^`]*`|\barn:\S+|\bs3://\S+|\bhttps?://\S+|'[^'\n]*'|\"[^\"\n]*\"")
NOT_STEPS = frozenset(
    {"PyTorch", "SageMaker", "XGBoost", "MLOps", "DataFrame", "GitHub", "RegisterModel", "FailStep"}
)
NEGATED = re.compile(
    r"\b(?:no|not|don't|do not|never|without|skip|nor)\b[^.;,\n]{0,25}$", re.IGNORECASE
)
SIGNATURE = re.compile(r"\n\s*(?:--\s*\n|(?:thanks|thank you|cheers|best|regards)\b[^\n]*\n)", re.I)


def unsupported_asks(requirement: str, registry: Registry) -> list[tuple[str, str]]:
    """``(what, words as written)`` for each ask outside the catalogue, in text order."""
    text = LITERALS.sub(" ", requirement)
    footer = SIGNATURE.search(text)
    if footer:  # an email's sign-off and footer ask for nothing
        text = text[: footer.start()]
    found: dict[str, tuple[int, str, str]] = {}
    for what, pattern in OUTSIDE:
        for match in pattern.finditer(text):
            if NEGATED.search(text[max(0, match.start() - 40) : match.start()]):
                continue
            words = " ".join(match.group().lower().split())
            found.setdefault(words, (match.start(), what, words))
    for match in CAMEL_STEP.finditer(text):
        name = match.group()
        if name not in registry and name not in NOT_STEPS and _step_like(name, registry):
            found.setdefault(name, (match.start(), name, name))
    return [(what, words) for _, what, words in sorted(found.values())]


# CamelCase words that name a kind of step ("DriftMonitor", "EMRStep", "ClarifyCheck"); other
# CamelCase words are values ("group CardFraud", "PendingManualApproval", "AbalonePipeline").
STEP_NOUNS = frozenset(
    {"Step", "Job", "Monitor", "Check", "Endpoint", "Deployment", "Deploy", "Notify",
     "Notification", "Alert", "Trigger", "Report", "Test"}
)  # fmt: skip


def _step_like(name: str, registry: Registry) -> bool:
    if any(spec.sagemaker_step.startswith(name) for spec in registry):
        return False  # the SDK's name of a catalogue step ("a ProcessingStep splits the data")
    last = re.findall(r"[A-Z][a-z0-9]*", name)[-1]
    return last in STEP_NOUNS or any(step.endswith(last) for step in registry.names())


NAMED_FRAMEWORK = re.compile(
    r"\b(?:py-?torch|torch|xgboost|xgb|gradient[- ]boost\w*|boosted trees?|gbdt|gbm)\b",
    re.IGNORECASE,
)


def framework_outside(requirement: str) -> str | None:
    """The model framework asked for when it is one the catalogue lacks ("a LightGBM ranker",
    "fine-tune a Hugging Face BERT"), unless a catalogue framework is named as well."""
    text = LITERALS.sub(" ", requirement)
    match = FRAMEWORKS.search(text)
    if match is None or NAMED_FRAMEWORK.search(text):
        return None
    return match.group().lower()


def outside_catalogue(requirement: str, registry: Registry) -> list[str]:
    """One note per kind of ask outside the catalogue, quoting each wording (in text order)."""
    kinds: dict[str, list[str]] = {}
    for what, words in unsupported_asks(requirement, registry):
        kinds.setdefault(what, []).append(words)
    notes = []
    for what, said in kinds.items():
        if said == [what]:  # a step name such as DriftMonitor
            notes.append(
                f"not supported: '{what}' is not a catalogue step, so it is not in the plan "
                "(`sagewright steps` lists what exists)"
            )
            continue
        quoted = ", ".join(f"'{w}'" for w in said)
        notes.append(
            f"not supported: {quoted} ({what}) is not a catalogue step or setting, so it is not "
            "in the plan and nothing replaces it (`sagewright steps` lists what exists)"
        )
    return notes
