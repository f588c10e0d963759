"""Fixtures of the container-script tests."""

from __future__ import annotations

import pytest

from tests.scripts.script_helpers import Runner


@pytest.fixture(scope="module")
def run_script(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    """Run a script: ``run_script("tabular_preprocessing", {"data": path}, "--job-type", ...)``."""
    return Runner(tmp_path_factory.mktemp("jobs"))
