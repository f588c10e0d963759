"""Metric names and comparison words: one grammar for the planner's gates and the extractor."""

from __future__ import annotations

import re

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
           "no lower than", "not lower than", "not be lower than", "no smaller than",
           "not smaller than", "no worse than", "not worse than", "not below", "not under",
           "not be below", "not be under", "reach", "reaches", "hit", "hits", "meet", "meets",
           "clear", "clears", "achieve", "achieves", "or higher", "or more", "or above",
           "or better", "or greater", "+"),
    ">": (">", "above", "over", "greater than", "higher than", "more than", "exceeds",
          "exceed", "exceeding", "beats", "strictly greater than", "strictly above",
          "strictly higher than", "strictly more than", "rises above", "goes above"),
    "<=": ("<=", "≤", "=<", "at most", "at or below", "no more than", "not more than",
           "no higher than", "not higher than", "no greater than", "not greater than",
           "no larger than", "not above", "not be above", "or lower", "or less", "or below",
           "less than or equal to", "max", "maximum"),
    "<": ("<", "below", "under", "less than", "lower than", "smaller than", "strictly below",
          "strictly less than", "strictly lower than", "drops below", "drop below",
          "falls below", "fall below", "dips below", "goes below", "drops under", "falls under"),
}  # fmt: skip
COMPARISON_OF = {word: op for op, words in COMPARISONS.items() for word in words}
INVERSE = {">=": "<", ">": "<=", "<=": ">", "<": ">="}


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
            return COMPARISON_OF[said]
        if said.startswith("less than"):
            return "<=" if "equal" in said else "<"
    return "<=" if metric in LOWER_IS_BETTER else ">="


# "if F1 is below 0.6, stop here": the condition names the failing case
FAILS_AFTER = re.compile(
    r"[^.;\n]{0,20}?,\s*(?:then\s+)?(?:stop|fail|abort|halt|block)\w*\b", re.IGNORECASE
)


def states_failure(text: str, end: int) -> bool:
    """Whether the condition ending at ``end`` is followed by a stop / fail consequence."""
    return bool(FAILS_AFTER.match(text, end))
