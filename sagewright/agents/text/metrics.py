"""Metric names, comparison words and gate expressions: one grammar for the planner's gates
and the extractor's gate values."""

from __future__ import annotations

import re

from sagewright.agents.text.numbers import NUMBER

# A named group ``metric``; lower-case text or re.IGNORECASE. Regression metrics included.
METRIC = (
    r"(?P<metric>roc[ _-]?auc|auc[ _-]?roc|auroc|auc|area under (?:the )?(?:roc )?curve"
    r"|accuracy|acc|f1(?:[ -]score)?|precision|recall|log[ _-]?loss|logloss|cross[ -]entropy"
    r"|rmse|root mean squared? error|mse|mean squared? error|mae|mean absolute error"
    r"|r2|r-squared|r²)"
)
# Metrics where a smaller value is better: a bare "log_loss of 0.3" is an upper bound.
LOWER_IS_BETTER = frozenset({"log_loss", "rmse", "mse", "mae"})
# Metrics bounded by [0, 1], so "85" means 85 %.
FRACTIONS = frozenset({"auc", "accuracy", "f1", "precision", "recall"})
COMPARISONS = {
    ">=": ("≥", "=>", ">=", "at least", "of at least", "at or above", "no less than",
           "not less than", "no lower than", "not lower than", "no smaller than",
           "not smaller than", "no worse than", "not worse than", "not below", "not under",
           "reach", "reaches", "hit", "hits", "meet", "meets", "clear", "clears", "achieve",
           "achieves", "or higher", "or more", "or above", "or better", "or greater", "+",
           "greater than or equal to", "superior or equal to", "not inferior to"),
    ">": (">", "above", "over", "greater than", "higher than", "more than", "exceeds",
          "exceed", "exceeding", "beats", "strictly greater than", "strictly above",
          "strictly higher than", "strictly more than", "rises above", "rise above",
          "goes above", "go above", "better than", "superior to"),
    "<=": ("<=", "≤", "=<", "at most", "at or below", "no more than", "not more than",
           "no higher than", "not higher than", "no greater than", "not greater than",
           "no larger than", "not larger than", "not above", "or lower", "or less", "or below",
           "less than or equal to", "max", "maximum", "inferior or equal to", "not superior to"),
    "<": ("<", "below", "under", "less than", "lower than", "smaller than", "strictly below",
          "strictly less than", "strictly lower than", "drops below", "drop below",
          "falls below", "fall below", "dips below", "dip below", "goes below", "go below",
          "drops under", "drop under", "falls under", "fall under", "worse than", "inferior to",
          "not reach", "does not reach", "doesn't reach", "not reaching", "fails to reach",
          "misses"),
}  # fmt: skip
COMPARISON_OF = {word: op for op, words in COMPARISONS.items() for word in words}
INVERSE = {">=": "<", ">": "<=", "<=": ">", "<": ">="}
MIRROR = {">=": "<=", ">": "<", "<=": ">=", "<": ">"}
# words that judge the value, not its size: "MAE of 4.5 or better" is MAE <= 4.5
JUDGED = re.compile(r"better|worse|beat|superior|inferior")


def comparator(name: str, *extra: str) -> str:
    """Every comparison word (longest first) as one alternation, the named group ``name``."""
    words = sorted({*COMPARISON_OF, *extra}, key=len, reverse=True)
    alternatives = (
        re.escape(w).replace(r"\ ", r"\s+").replace(r"not\s+", r"not\s+(?:be\s+)?") for w in words
    )
    return rf"(?P<{name}>{'|'.join(alternatives)})"


COMPARE = comparator("comp")
FILL = (
    r"(?:\s+(?:is|of|score|on|the|test|testing|validation|val|holdout|set|data|must|be|should"
    r"|stays?|remains?|reaches?|hits?|value|needs?|to|has|gets?|achieves?|evaluation|eval"
    r"|split|at)|\s+§\w+§|\s+\u2591+|\s*\([^()\n]{0,40}\)){0,8}"  # and a path or an aside
)
THRESHOLD = rf"(?P<value>{NUMBER})\s*(?P<percent>%|percent\b)?"
GATE_PATTERNS = [
    re.compile(rf"\b{METRIC}\b{FILL}\s*{COMPARE}\s*{THRESHOLD}", re.IGNORECASE),
    re.compile(
        rf"\b{METRIC}\b{FILL}\s*(?:of\s+)?{THRESHOLD}\s*"
        r"(?P<orwhat>or\s+(?:higher|more|better|above|greater|lower|less|below)|\+)",
        re.IGNORECASE,
    ),
    re.compile(rf"{COMPARE}\s*{THRESHOLD}\s*(?:test\s+|validation\s+)?{METRIC}\b", re.IGNORECASE),
    re.compile(rf"\b{METRIC}\s+threshold\s*(?:of|=|:|is)?\s*{THRESHOLD}", re.IGNORECASE),
    re.compile(
        rf"\b(?P<bound>minimum|min|maximum|max|required)\s+{METRIC}\s*(?:of|=|:|is)?\s*{THRESHOLD}",
        re.IGNORECASE,
    ),
    # "accuracy (minimum 0.8)", "AUC, min: 0.75"
    re.compile(
        rf"\b{METRIC}\b\s*[(,:]?\s*(?P<bound>minimum|min|maximum|max)\s*(?:of|=|:|is)?\s*"
        rf"{THRESHOLD}",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\bthreshold\s*(?:of|:|=|is)?\s*(?:an?\s+)?{METRIC}\s*(?:of|=|:|>=|≥)?\s*{THRESHOLD}",
        re.IGNORECASE,
    ),
    # "metric = precision and threshold = 0.7", "metric: auc\n threshold: 0.83"
    re.compile(
        rf"\bmetric\s*(?:[:=]|\bis\b|\bof\b)\s*[`'\"]?{METRIC}\b[`'\"]?[^.;]{{0,30}}?"
        rf"\b(?:threshold|(?P<bound>min|max)\w*)\s*(?:[:=]|\bis\b|\bof\b)\s*{THRESHOLD}",
        re.IGNORECASE,
    ),
]


def normal_metric(word: str) -> str:
    """The QualityGate name of a metric as written ("ROC-AUC" -> auc, "RMSE" -> rmse)."""
    lowered = re.sub(r"[\s_-]+", " ", word.lower())
    if "auc" in lowered or "auroc" in lowered or "area under" in lowered:
        return "auc"
    if lowered.startswith("acc"):
        return "accuracy"
    if lowered.startswith("f1"):
        return "f1"
    if lowered in ("r2", "r squared", "r²"):
        return "r2"
    if "root mean" in lowered:
        return "rmse"
    if "mean squared" in lowered or "mean square " in lowered + " ":
        return "mse"
    if "absolute" in lowered:
        return "mae"
    if "loss" in lowered or "entropy" in lowered:
        return "log_loss"
    return lowered


def comparison_of(word: str | None, metric: str) -> str:
    """The operator a comparison word means; none said: >=, or <= for lower-is-better metrics."""
    if word:
        said = re.sub(r"\bnot be\b", "not", " ".join(word.lower().split()))
        if said in COMPARISON_OF:
            op = COMPARISON_OF[said]
            return MIRROR[op] if metric in LOWER_IS_BETTER and JUDGED.search(said) else op
        if said.startswith("less than"):
            return "<=" if "equal" in said else "<"
    return "<=" if metric in LOWER_IS_BETTER else ">="


# "if F1 is below 0.6, stop here": the condition names the failing case
FAILS_AFTER = re.compile(
    r"(?:(?!otherwise|else|or\b)[^.;\n]){0,20}?(?:,\s*|\s+)(?:then\s+)?"
    r"(?:(?:the\s+)?(?:pipeline|run|execution|job|build)\s+)?"
    r"(?:(?:must|should|will|shall|has to)\s+)?(?:stop|fail|abort|halt|block)\w*\b",
    re.IGNORECASE,
)


def states_failure(text: str, end: int) -> bool:
    """Whether the condition ending at ``end`` is followed by a stop / fail consequence."""
    return bool(FAILS_AFTER.match(text, end))
