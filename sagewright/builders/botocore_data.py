"""One botocore data loader per process, so each AWS API model is parsed once.

botocore parses a service's JSON model (``sagemaker``'s ``service-2.json`` is about 1 MB
of JSON with extras) once per *loader*, and every ``botocore.session.Session`` makes its
own loader. The offline session, the argument check and the SDK's import-time clients
used to parse the SageMaker model eight times per build. Sessions made here share one
loader through botocore's public ``register_component`` API. Needs botocore only.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

__all__ = ["botocore_session", "share_with_default_session", "shared_loader"]

_lock = threading.Lock()


@functools.cache
def shared_loader() -> Any:
    """The process's botocore ``Loader`` (its ``load_service_model`` results are cached)."""
    from botocore.loaders import create_loader

    return create_loader()


def botocore_session() -> Any:
    """A fresh botocore session that reads AWS models through :func:`shared_loader`."""
    from botocore.session import get_session

    session = get_session()
    session.register_component("data_loader", shared_loader())
    return session


def share_with_default_session() -> None:
    """Let ``boto3.client(...)`` calls on boto3's default session use the shared loader.

    The SageMaker SDK makes clients on the default session while it is imported
    (``sagemaker.ai_registry.air_hub``). If no default session exists yet, this sets up
    the one boto3 would create (same credential chain and region), with the shared
    loader; an existing default session is left alone.
    """
    import boto3

    with _lock:
        if boto3.DEFAULT_SESSION is None:
            boto3.setup_default_session(botocore_session=botocore_session())
