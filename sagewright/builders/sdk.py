"""Put the SageMaker Python SDK (3.27) into an offline, deterministic state.

Everything sagewright does to the SDK's environment lives here, so the rest of
the builders can treat the SDK as a pure function from arguments to JSON:

* :func:`prepare_environment` sets the variables the SDK reads at import time
  (a region, no IAM role validation, no instance-metadata probing, no SDK
  defaults files). It must run before ``sagemaker`` is imported, so this module
  never imports it at the top.
* :func:`offline_session` returns a ``PipelineSession`` whose AWS calls never
  leave the process: a botocore ``before-call`` handler answers every call with
  a local refusal (recorded, see :func:`refused_calls`), ``default_bucket()``
  returns the configured bucket without touching S3, dummy credentials stop
  botocore from walking the credential chain, and SDK telemetry is silenced.
* :func:`quiet_sdk` mutes the SDK's per-call warnings and INFO logs;
  :func:`building_steps` adds what step construction needs on top of that.

The session is for building definitions only; deploying needs a real session
(or plain boto3) because this one refuses every call. Importing this module is
cheap and imports no SageMaker code.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = [
    "OFFLINE_ERROR_CODE",
    "RefusedCall",
    "building_steps",
    "is_lean",
    "lean_process",
    "load_sdk",
    "offline_session",
    "prepare_environment",
    "quiet_sdk",
    "refused_calls",
    "sagemaker_imported",
]

#: Error code of the ``ClientError`` every intercepted AWS call raises.
OFFLINE_ERROR_CODE = "SagewrightOffline"

# Dummy credentials: with explicit keys botocore never walks the credential chain
# (profiles, credential_process, SSO, container or instance metadata), so a build
# reads nothing from the user's AWS setup and needs no credentials at all.
_DUMMY_ACCESS_KEY = "SAGEWRIGHTOFFLINE"
_DUMMY_SECRET_KEY = "sagewright-offline-no-credentials"

_ENV_DEFAULTS = {
    # IAM role validation (ModelTrainer, upsert) calls IAM; skip it.
    "SAGEMAKER_VALIDATE_ROLE": "false",
    # Without credentials botocore probes the EC2 instance metadata service.
    "AWS_EC2_METADATA_DISABLED": "true",
    # The SDK merges "intelligent defaults" from /etc/xdg/sagemaker/config.yaml and
    # ~/.config/sagemaker/config.yaml (subnets, KMS keys, tags, ...) into requests.
    # Pointing both at an empty file keeps a definition independent of the machine.
    "SAGEMAKER_ADMIN_CONFIG_OVERRIDE": os.devnull,
    "SAGEMAKER_USER_CONFIG_OVERRIDE": os.devnull,
}

#: The SDK modules the recipes use: imported together by :func:`load_sdk`. Importing any
#: ``sagemaker.mlops`` module runs ``sagemaker/mlops/__init__.py``, which imports
#: ``sagemaker.serve.model_builder``; ``sagemaker/core/__init__.py`` imports its
#: serializers, which import pandas, numpy and scipy. Neither can be skipped without
#: patching the SDK, so they are paid here, once.
SDK_MODULES = (
    "sagemaker.core.workflow.pipeline_context",
    "sagemaker.core.workflow.conditions",
    "sagemaker.core.workflow.execution_variables",
    "sagemaker.core.workflow.functions",
    "sagemaker.core.workflow.parameters",
    "sagemaker.core.workflow.properties",
    "sagemaker.core.image_uris",
    "sagemaker.core.model_metrics",
    "sagemaker.core.parameter",
    "sagemaker.core.processing",
    "sagemaker.core.shapes",
    "sagemaker.core.telemetry.telemetry_logging",
    "sagemaker.core.transformer",
    "sagemaker.mlops.workflow.condition_step",
    "sagemaker.mlops.workflow.fail_step",
    "sagemaker.mlops.workflow.model_step",
    "sagemaker.mlops.workflow.pipeline",
    "sagemaker.mlops.workflow.steps",
    "sagemaker.serve.model_builder",
    "sagemaker.train",
    "sagemaker.train.configs",
    "sagemaker.train.tuner",
)

#: Installed packages that pandas imports eagerly when present but no build path uses.
#: pyarrow (a sagemaker-mlops requirement) alone holds ~32 MiB of peak RSS.
UNUSED_BY_BUILDS = ("pyarrow",)

_lock = threading.Lock()
_session_class: type[Any] | None = None
_lean = False
_quiet_depth = 0


@dataclass(frozen=True)
class RefusedCall:
    """One AWS API call the offline session answered locally instead of sending."""

    service: str
    operation: str


def prepare_environment(region: str) -> None:
    """Set the environment the SDK needs before it is first imported.

    ``sagemaker.serve`` and the pipeline module make boto3 clients at import time
    and fail with ``NoRegionError`` without a region, hence ``AWS_DEFAULT_REGION``.
    The region always wins over an inherited value so builds do not depend on the
    caller's shell. Idempotent; calling it after ``sagemaker`` was imported still
    sets the variables, but import-time clients keep the region they were made with.
    """
    if not region:
        raise ValueError("prepare_environment needs a region, e.g. 'us-east-1'")
    os.environ["AWS_DEFAULT_REGION"] = region
    os.environ.update(_ENV_DEFAULTS)


def sagemaker_imported() -> bool:
    """Whether any ``sagemaker`` module is loaded in this process."""
    return any(name == "sagemaker" or name.startswith("sagemaker.") for name in sys.modules)


def offline_session(region: str, bucket: str, *, default_bucket_prefix: str | None = None) -> Any:
    """Return a ``PipelineSession`` that never talks to AWS.

    Every botocore call made through it (S3, STS, IAM, SageMaker...) is answered
    locally with a ``ClientError`` of code :data:`OFFLINE_ERROR_CODE` and recorded
    in :func:`refused_calls`, so ``definition()`` opens no socket and needs no
    credentials. A non-empty :func:`refused_calls` after a build means some SDK
    path tried to reach AWS; recipes are written so that it stays empty.
    """
    if not bucket:
        raise ValueError("offline_session needs the S3 bucket that will hold pipeline data")
    prepare_environment(region)
    import boto3

    from sagewright.builders.botocore_data import botocore_session

    boto_session = boto3.Session(
        botocore_session=botocore_session(),
        aws_access_key_id=_DUMMY_ACCESS_KEY,
        aws_secret_access_key=_DUMMY_SECRET_KEY,
        region_name=region,
    )
    refused: list[RefusedCall] = []
    # Registered before the SageMaker session creates its clients: clients copy the
    # session's event hooks when they are created.
    boto_session.events.register("before-call", _refusing_handler(refused))
    cls = _offline_session_class()
    with quiet_sdk():
        return cls(
            boto_session=boto_session,
            bucket=bucket,
            refused=refused,
            default_bucket_prefix=default_bucket_prefix,
        )


def refused_calls(session: Any) -> list[RefusedCall]:
    """The AWS calls an :func:`offline_session` intercepted, in call order."""
    calls = getattr(session, "_sagewright_refused", None)
    if calls is None:
        raise TypeError("refused_calls() needs a session made by offline_session()")
    return list(calls)


@contextmanager
def quiet_sdk() -> Iterator[None]:
    """Silence the SDK's per-call chatter while building steps.

    Under a ``PipelineSession`` every ``run()``/``train()`` warns "No Wait, No Logs"
    and every compiled step logs that its job name was popped; the SDK also
    configures INFO logging at import. None of it is actionable for a generated
    pipeline, so records below ERROR from ``sagemaker.*`` are dropped inside the block.
    Logger levels are process state: the block is re-entrant but not thread-safe.
    """
    global _quiet_depth
    if _quiet_depth:  # nested: the outer block already did the work
        yield
        return
    # Children without a level inherit from "sagemaker"; some SDK modules set their
    # own level, so those are lowered too.
    # botocore says at INFO where it found an endpoint (AWS_ENDPOINT_URL): not ours to show.
    loggers = [logging.getLogger(name) for name in ("sagemaker", "botocore", "boto3")] + [
        lg
        for name, lg in list(logging.root.manager.loggerDict.items())
        if name.startswith(("sagemaker.", "botocore.", "boto3."))
        and isinstance(lg, logging.Logger)
        and lg.level != logging.NOTSET
    ]
    previous = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    _quiet_depth += 1
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Running within a PipelineSession")
            yield
    finally:
        _quiet_depth -= 1
        for lg, level in zip(loggers, previous, strict=True):
            lg.setLevel(level)


@contextmanager
def building_steps() -> Iterator[None]:
    """Scope for constructing SDK steps: :func:`quiet_sdk`, and no local-mode sessions.

    ``ProcessingStep`` and ``TransformStep`` evaluate
    ``LocalSagemakerClient().create_..._job.__name__`` in their constructors only
    to learn a method name; that builds a local-mode session on a fresh
    ``boto3.Session()`` (the user's credential chain, a dozen clients, about 0.3 s
    per step) outside the offline session. Inside this block the module attribute
    is a stand-in that has the same method names and nothing else.
    """
    from sagemaker.mlops.workflow import steps as steps_module

    original = steps_module.LocalSagemakerClient
    steps_module.LocalSagemakerClient = _MethodNamesOnly
    try:
        with quiet_sdk():
            yield
    finally:
        steps_module.LocalSagemakerClient = original


class _MethodNamesOnly:
    """Stands in for ``LocalSagemakerClient`` where only method names are read."""

    def create_processing_job(self) -> None:
        raise NotImplementedError

    def create_transform_job(self) -> None:
        raise NotImplementedError


def _refusing_handler(refused: list[RefusedCall]) -> Any:
    """A botocore ``before-call`` handler that answers every call with an error.

    Returning ``(http_response, parsed)`` from ``before-call`` short-circuits the
    request before it is signed or sent; a status >= 300 makes botocore raise the
    usual ``ClientError``, which SDK code paths already handle.
    """
    from botocore.awsrequest import AWSResponse

    def handler(model: Any, context: Any = None, **_: Any) -> tuple[Any, dict[str, Any]]:
        service = model.service_model.service_name
        operation = model.name
        refused.append(RefusedCall(service, operation))
        message = (
            f"sagewright builds pipeline definitions offline; {service}.{operation} "
            "was answered locally and not sent to AWS"
        )
        response = AWSResponse(url="", status_code=403, headers={}, raw=None)
        parsed = {
            "Error": {"Code": OFFLINE_ERROR_CODE, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": 403, "HTTPHeaders": {}},
        }
        return response, parsed

    return handler


def _offline_session_class() -> type[Any]:
    """Build (once) the ``PipelineSession`` subclass; imports the SDK lazily."""
    global _session_class
    with _lock:
        if _session_class is None:
            load_sdk()
            _silence_telemetry()
            _session_class = _make_session_class()
        return _session_class


def lean_process() -> None:
    """Declare this process ours (the CLI): the SDK import may skip :data:`UNUSED_BY_BUILDS`.

    Library users keep their pandas as they configured it; the CLI, its batch workers,
    chat and the MCP server hide pyarrow from pandas while the SDK loads (pandas then
    uses Python string storage) and allow it again afterwards, so ``read_parquet``
    still imports it on demand.
    """
    global _lean
    _lean = True


def is_lean() -> bool:
    """Whether :func:`lean_process` was called in this process."""
    return _lean


def load_sdk() -> None:
    """Import :data:`SDK_MODULES` once, then keep the garbage collector off them.

    The import creates about a million long-lived objects (pydantic models of the
    whole SageMaker API); every full collection afterwards would walk them all again
    (about 0.15 s each, several per build). The collector is paused during the import
    and the survivors are frozen (``gc.freeze``): they stay alive and are never
    scanned. The SDK's import-time clients and our sessions share one botocore loader
    (:mod:`sagewright.builders.botocore_data`). Call after :func:`prepare_environment`.
    """
    from sagewright.builders.botocore_data import share_with_default_session

    share_with_default_session()
    hidden = [m for m in UNUSED_BY_BUILDS if _lean and m not in sys.modules]
    paused = gc.isenabled()
    gc.disable()
    try:
        for name in hidden:
            sys.modules[name] = None  # type: ignore[assignment]  # "import" fails fast
        for name in SDK_MODULES:
            importlib.import_module(name)
    finally:
        for name in hidden:
            sys.modules.pop(name, None)
        if paused:
            gc.enable()
    gc.freeze()


def _silence_telemetry() -> None:
    """Make the SDK's usage telemetry a no-op for this process.

    3.27 has no environment switch. Its documented opt-out is the SDK-defaults key
    ``SageMaker.PythonSDK.Modules.TelemetryOptOut``, but any non-empty SDK config
    makes every config lookup re-validate the whole JSON schema (about 0.1 s each,
    several seconds per ``definition()``). ``_telemetry_emitter`` looks up the
    module-level ``_send_telemetry_request`` at call time (it would call STS and
    GET an S3 URL from a background thread), so replacing that one function turns
    every emitter off without slowing the build.
    """
    from sagemaker.core.telemetry import telemetry_logging

    def _no_telemetry(*_args: Any, **_kwargs: Any) -> None:
        return None

    telemetry_logging._send_telemetry_request = _no_telemetry
    # The "will collect telemetry" notice would be false now; mark it as shown.
    telemetry_logging._telemetry_msg_shown = True


def _make_session_class() -> type[Any]:
    from sagemaker.core.workflow.pipeline_context import PipelineSession

    class OfflinePipelineSession(PipelineSession):  # type: ignore[misc]
        """``PipelineSession`` with a fixed bucket whose AWS calls never leave the process."""

        def __init__(
            self,
            *,
            boto_session: Any,
            bucket: str,
            refused: list[RefusedCall],
            default_bucket_prefix: str | None,
        ) -> None:
            self._sagewright_refused = refused
            super().__init__(
                boto_session=boto_session,
                default_bucket=bucket,
                default_bucket_prefix=default_bucket_prefix,
            )

        def default_bucket(self) -> str:
            """The configured bucket; the base class would call S3 to check or create it."""
            return str(self._default_bucket_name_override)

    OfflinePipelineSession.__module__ = __name__
    return OfflinePipelineSession
