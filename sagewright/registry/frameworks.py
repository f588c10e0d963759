"""Facts about the training frameworks that configs, builders and agents all read.

The default container versions live here, once: the training and model configs use them as
field defaults, and steps that leave the version empty (evaluation, tuning, registration)
get the same ones, so a model is scored and served by the container family that trained it.
"""

from __future__ import annotations

# The SageMaker XGBoost image: 3.2-0 runs xgboost 3.2, the library run-local trains with, so
# the model file (UBJSON xgboost-model) is the container's (see local/xgboost_algorithm.py).
XGBOOST_VERSION = "3.2-0"
PYTORCH_VERSION = "2.1"
PYTORCH_PY_VERSION = "py310"

#: Container hyperparameter names people use -> config field names (XGBoost's ``lambda``
#: is a Python keyword, so the config calls it ``reg_lambda``).
HYPERPARAMETER_ALIASES = {"lambda": "reg_lambda", "alpha": "reg_alpha"}


def default_versions(framework: str) -> tuple[str, str | None]:
    """``(framework_version, py_version)`` of ``framework`` (anything but PyTorch is XGBoost)."""
    if framework == "pytorch":
        return PYTORCH_VERSION, PYTORCH_PY_VERSION
    return XGBOOST_VERSION, None
