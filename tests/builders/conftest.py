"""Fixtures of the builder tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="module")
def restore_environ() -> Iterator[None]:
    """The offline session sets process environment variables; undo them after the module.

    Modules that build with the SDK use it with ``pytest.mark.usefixtures`` (module level).
    """
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
