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
    # The per-process shared session set them once: the next build must make a new one
    # (else the SDK, missing SAGEMAKER_VALIDATE_ROLE=false, validates the role with IAM).
    from sagewright.builders.assembler import shared_session

    shared_session.cache_clear()
