"""Shared LLM plumbing for the agents: model strings, settings, structured calls, usage.

Backends are chosen by a model string: ``offline`` (the built-in deterministic backend, the
default) or LangChain's ``provider:model`` (``openai:gpt-4.1-mini``, ``bedrock_converse:...``;
an OpenAI-compatible server such as vLLM or Ollama via ``base_url``).

Settings come from, in order: flags, environment (``SAGEWRIGHT_MODEL``,
``SAGEWRIGHT_BASE_URL``, ``SAGEWRIGHT_TIMEOUT``, ``SAGEWRIGHT_API_KEY``), a config file
(``./sagewright.toml`` or ``~/.config/sagewright/config.toml``, table ``[llm]``), defaults.

Failure outcomes of :func:`invoke_structured` (documented contract, each a typed AgentError):

=====================  ============================================================
what happened          outcome
=====================  ============================================================
HTTP 429               retried with capped exponential backoff (``max_retries``), then
                       ``LLMRateLimitedError`` (code ``llm_rate_limited``)
HTTP 500/502/503/504   retried the same way, then ``LLMUnavailableError``
timeout                retried (``max_retries``), then ``LLMTimeoutError`` (``llm_timeout``)
budget spent           ``LLMTimeoutError``: the whole plan / extraction has ``budget_seconds``
connection / auth /    ``LLMUnavailableError`` (``llm_unavailable``), no retry for auth
missing API key
mode rejected          a 400/500 naming the structured-output parameter: with
                       ``structured_output = "auto"`` the call is retried in the next mode
                       (``json_schema`` -> ``json_mode`` -> ``function_calling``); else
                       ``LLMUnavailableError``
refusal                ``LLMRefusedError`` (``llm_refused``): retrying will not help
malformed JSON,        ``LLMMalformedOutputError`` (``llm_malformed``) carrying the raw text
cut-off reply          (bounded) and a short note for the model, so the caller can send it
(``length`` stop),     back for repair
oversized reply
=====================  ============================================================

Every call is bounded: ``max_tokens`` (derived by the caller from what it asks for, or the
``max_tokens`` setting), the per-call ``timeout`` and the caller's overall budget. Every call is
recorded as an :class:`Attempt` (mode, finish reason, tokens, seconds, error with secrets
redacted, the rejected reply and the feedback sent back), so results can say what happened.

Nothing here logs prompts, replies or keys.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from sagewright.errors import AgentError

OFFLINE = "offline"
MODES = ("json_schema", "json_mode", "function_calling")
STRUCTURED_OUTPUT = ("auto", *MODES)
MAX_TIMEOUT = 600.0  # seconds per call; longer is a typo or `inf`
MAX_RETRIES = 10
MAX_BACKOFF = 30.0
MAX_REPLY_CHARS = 200_000  # a longer reply is malformed (runaway generation)
ECHO_CHARS = 4_000  # what of a rejected reply is sent back for repair and recorded
PROGRESS_SECONDS = 5.0
CONFIG_FILES = (Path("sagewright.toml"), Path.home() / ".config" / "sagewright" / "config.toml")


class LLMError(AgentError):
    code = "llm_error"


class LLMRefusedError(LLMError):
    code = "llm_refused"


class LLMMalformedOutputError(LLMError):
    code = "llm_malformed"

    def __init__(self, message: str, *, raw: str = "", hint: str = "", feedback: str = "") -> None:
        super().__init__(message, hint=hint)
        self.raw = raw
        self.feedback = feedback  # a short note for the model when the reply goes back
        # The same rejected reply came back after a repair note: at temperature 0 another
        # round would cost a full call and return it again (seen on a real 0.5B model).
        self.repeated = False


class LLMRateLimitedError(LLMError):
    code = "llm_rate_limited"


class LLMTimeoutError(LLMError):
    code = "llm_timeout"


class LLMUnavailableError(LLMError):
    code = "llm_unavailable"


@dataclass(frozen=True)
class ModelSettings:
    model: str = OFFLINE
    base_url: str | None = None
    timeout: float = 60.0
    max_retries: int = 2
    backoff_seconds: float = 1.0
    repair_rounds: int = 2
    structured_output: str = "auto"
    max_tokens: int | None = None  # None: derived from what is asked (~60 tokens per node)
    tokens_per_node: int = 60
    budget_seconds: float = 600.0  # all calls of one plan, or of one extraction

    @property
    def offline(self) -> bool:
        return self.model == OFFLINE

    @property
    def provider(self) -> str:
        return self.model.split(":", 1)[0] if not self.offline else OFFLINE


@dataclass
class Usage:
    """LLM calls and tokens, accumulated over one plan / extraction."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0

    def add_message(self, message: Any) -> None:
        self.calls += 1
        meta = getattr(message, "usage_metadata", None) or {}
        self.input_tokens += int(meta.get("input_tokens", 0))
        self.output_tokens += int(meta.get("output_tokens", 0))

    def add(self, other: Usage) -> None:
        self.calls += other.calls
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens

    def add_tokens(self, input_tokens: int, output_tokens: int) -> None:
        self.calls += 1
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens

    def to_dict(self) -> dict[str, int]:
        return {
            "calls": self.calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "total_tokens": self.input_tokens + self.output_tokens,
        }


def resolve_settings(
    model: str | None = None,
    *,
    base_url: str | None = None,
    timeout: float | None = None,
    config_file: Path | None = None,
) -> ModelSettings:
    """Flags beat environment, environment beats the config file, which beats defaults."""
    settings = _from_file(config_file)
    env = os.environ
    env_timeout = env.get("SAGEWRIGHT_TIMEOUT")
    if not timeout and env_timeout:
        try:
            timeout = float(env_timeout)
        except ValueError:
            timeout = -1.0
        if not _seconds(timeout):
            raise AgentError(
                f"SAGEWRIGHT_TIMEOUT={env_timeout!r} is not a number of seconds in "
                f"(0, {MAX_TIMEOUT:g}]",
                code="bad_settings",
            )
    if timeout is not None and timeout and not _seconds(timeout):
        raise AgentError(
            f"timeout {timeout!r} is not a number of seconds in (0, {MAX_TIMEOUT:g}]",
            code="bad_settings",
        )
    mode = env.get("SAGEWRIGHT_STRUCTURED_OUTPUT") or settings.structured_output
    if mode not in STRUCTURED_OUTPUT:
        raise AgentError(
            f"SAGEWRIGHT_STRUCTURED_OUTPUT={mode!r} is not one of {', '.join(STRUCTURED_OUTPUT)}",
            code="bad_settings",
        )
    settings = replace(
        settings,
        model=model or env.get("SAGEWRIGHT_MODEL") or settings.model,
        base_url=base_url or env.get("SAGEWRIGHT_BASE_URL") or settings.base_url,
        timeout=timeout or settings.timeout,
        structured_output=mode,
    )
    check_model_string(settings.model)
    return settings


def _seconds(value: float) -> bool:
    return math.isfinite(value) and 0 < value <= MAX_TIMEOUT


def _from_file(path: Path | None) -> ModelSettings:
    candidates = [path] if path else [p for p in CONFIG_FILES if p.is_file()]
    for candidate in candidates:
        try:
            data = tomllib.loads(candidate.read_text(encoding="utf-8")).get("llm", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise AgentError(
                f"{candidate}: cannot read settings: {exc}", code="bad_settings_file"
            ) from None
        if not isinstance(data, dict):
            raise AgentError(
                f"{candidate}: 'llm' must be a table ([llm])", code="bad_settings_file"
            )
        known = {k: v for k, v in data.items() if k in ModelSettings.__dataclass_fields__}
        for key, value in known.items():
            if not _SETTING_CHECKS[key](value):
                raise AgentError(
                    f"{candidate}: [llm] {key} = {value!r} is not {_SETTING_KINDS[key]}",
                    code="bad_settings_file",
                )
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise AgentError(
                f"{candidate}: unknown [llm] settings: {', '.join(unknown)}",
                hint="known: " + ", ".join(ModelSettings.__dataclass_fields__),
                code="bad_settings_file",
            )
        try:
            return ModelSettings(**known)
        except TypeError as exc:
            raise AgentError(f"{candidate}: {exc}", code="bad_settings_file") from None
    return ModelSettings()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _count(value: Any, most: int = 1_000_000) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= most


_SETTING_CHECKS: dict[str, Any] = {
    "model": lambda v: isinstance(v, str),
    "base_url": lambda v: v is None or isinstance(v, str),
    "timeout": lambda v: _is_number(v) and _seconds(float(v)),
    "max_retries": lambda v: _count(v, MAX_RETRIES),
    "backoff_seconds": lambda v: _is_number(v) and 0 <= v <= MAX_BACKOFF,
    "repair_rounds": lambda v: _count(v, 10),
    "structured_output": lambda v: v in STRUCTURED_OUTPUT,
    "max_tokens": lambda v: v is None or (_count(v, 1_000_000) and v > 0),
    "tokens_per_node": lambda v: _count(v, 10_000) and v > 0,
    "budget_seconds": lambda v: _is_number(v) and 0 < v <= 24 * 3600,
}
_SETTING_KINDS = {
    "model": "a string",
    "base_url": "a string",
    "timeout": f"a number of seconds in (0, {MAX_TIMEOUT:g}]",
    "max_retries": f"a whole number in [0, {MAX_RETRIES}]",
    "backoff_seconds": f"a number of seconds in [0, {MAX_BACKOFF:g}]",
    "repair_rounds": "a whole number in [0, 10]",
    "structured_output": "one of " + ", ".join(STRUCTURED_OUTPUT),
    "max_tokens": "a whole number > 0",
    "tokens_per_node": "a whole number in [1, 10000]",
    "budget_seconds": "a number of seconds in (0, 86400]",
}


def check_model_string(model: str) -> None:
    if model == OFFLINE:
        return
    provider, _, name = model.partition(":")
    if not provider or not name:
        raise AgentError(
            f"model '{model}' is not 'offline' or 'provider:model'",
            hint="e.g. --model openai:gpt-4.1-mini, or --model offline",
            code="bad_model_string",
        )


def chat_model(settings: ModelSettings) -> Any:
    """A LangChain chat model for ``settings.model`` (retries are ours, not the client's)."""
    check_model_string(settings.model)
    from langchain.chat_models import init_chat_model

    kwargs: dict[str, Any] = {"temperature": 0, "timeout": settings.timeout, "max_retries": 0}
    if settings.provider in BEDROCK_PROVIDERS:
        kwargs = bedrock_kwargs(settings)
    elif settings.base_url:
        kwargs["base_url"] = settings.base_url
        key = os.environ.get("SAGEWRIGHT_API_KEY") or os.environ.get("OPENAI_API_KEY")
        kwargs["api_key"] = key or "not-needed"  # local OpenAI-compatible servers ignore it
    try:
        return init_chat_model(settings.model, **kwargs)
    except ImportError as exc:
        raise LLMUnavailableError(
            f"provider '{settings.provider}' is not installed: {exc}",
            hint=f"pip install langchain-{settings.provider.replace('_', '-')}",
        ) from None
    except Exception as exc:  # e.g. OpenAIError for a missing API key
        raise LLMUnavailableError(
            f"cannot create model '{settings.model}': {redact(str(exc))[:200]}",
            hint="set the provider's API key (e.g. OPENAI_API_KEY), or use --model offline",
        ) from None


BEDROCK_PROVIDERS = ("bedrock_converse", "bedrock")


def bedrock_kwargs(settings: ModelSettings) -> dict[str, Any]:
    """Amazon Bedrock through langchain-aws: our retries (botocore's are off), the call timeout,
    the region from ``AWS_REGION`` / ``AWS_DEFAULT_REGION``, and ``base_url`` as endpoint URL."""
    from botocore.config import Config

    kwargs: dict[str, Any] = {
        "temperature": 0,
        "config": Config(
            retries={"total_max_attempts": 1, "mode": "standard"},
            read_timeout=settings.timeout,
            connect_timeout=min(settings.timeout, 10.0),
        ),
    }
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        kwargs["region_name"] = region
    if settings.base_url:
        kwargs["endpoint_url"] = settings.base_url
    return kwargs


def prompt_template(version: str, family: str) -> Template:
    """The prompt ``sagewright/prompts/<version>.md``; ``family`` names its files in errors."""
    try:
        text = resources.files("sagewright.prompts").joinpath(f"{version}.md").read_text()
    except (FileNotFoundError, OSError):
        raise AgentError(
            f"prompt template '{version}' not found",
            hint=f"templates live in sagewright/prompts/ as {family}_vN.md",
            code="unknown_prompt_version",
        ) from None
    return Template(text)


def wrap_requirement(instruction: str, requirement: str) -> str:
    """The user message: ``instruction``, then the requirement fenced in ``<requirement>`` tags."""
    safe = _TAG.sub(lambda m: "&lt;" + m.group(1), requirement)
    return f"{instruction}\n<requirement>\n{safe}\n</requirement>"


# any spelling of an opening or closing requirement tag: </requirement>, < /REQUIREMENT >, ...
_TAG = re.compile(r"<(\s*/?\s*requirement)", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with the configured API key and anything that looks like a secret replaced."""
    from sagewright.redact import redact as redact_secrets

    for name in ("SAGEWRIGHT_API_KEY", "OPENAI_API_KEY"):
        value = os.environ.get(name)
        if value and len(value) >= 6:
            text = text.replace(value, "[REDACTED api-key]")
    return redact_secrets(text).text


def safe_note(text: str, limit: int = 500) -> str:
    """A model-written note made safe for Markdown and terminals: one line, escaped, bounded."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return re.sub(r"([\\`\[\]<>|])", r"\\\1", flat)


# ---------------------------------------------------------------------------------------------
# progress


Reporter = Callable[[str], None]
_reporter: Reporter | None = None


def set_progress(reporter: Reporter | None) -> Reporter | None:
    """Where progress lines of LLM calls go (the CLI passes stderr); returns the previous one."""
    global _reporter
    previous, _reporter = _reporter, reporter
    return previous


def report(line: str) -> None:
    if _reporter is not None:
        _reporter(line)


# ---------------------------------------------------------------------------------------------
# structured calls


@dataclass
class Attempt:
    """One call to the model: how it was asked, how it ended, what was sent back."""

    stage: str
    mode: str
    max_tokens: int | None = None
    finish_reason: str | None = None
    error: str | None = None  # "ErrorClass: message", secrets redacted
    rejected: str | None = None  # the reply that was not accepted (bounded)
    feedback: list[str] = field(default_factory=list)  # problems sent back for repair
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "mode": self.mode,
            "max_tokens": self.max_tokens,
            "finish_reason": self.finish_reason,
            "error": self.error,
            "rejected": self.rejected,
            "feedback": self.feedback,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class StructuredReply:
    parsed: dict[str, Any]
    raw_text: str
    usage: Usage = field(default_factory=Usage)
    mode: str = "json_schema"


def modes_for(settings: ModelSettings) -> list[str]:
    """The structured-output modes to try, in order."""
    if settings.structured_output != "auto":
        return [settings.structured_output]
    if settings.provider in BEDROCK_PROVIDERS:
        return ["function_calling"]  # Converse tool use; the schema is the tool's input schema
    if settings.provider in ("openai", "azure_openai") or settings.base_url:
        return list(MODES)
    return ["function_calling"]  # tool calling is what other providers' LangChain models do


class StructuredCaller:
    """Structured calls for one plan or one extraction: shared mode, budget and attempt log."""

    def __init__(
        self,
        llm: Any,
        settings: ModelSettings,
        usage: Usage,
        *,
        stage: str,
        max_tokens: int | None = None,
        sleep: Any = time.sleep,
    ) -> None:
        self.llm = llm
        self.settings = settings
        self.usage = usage
        self.stage = stage
        self.max_tokens = settings.max_tokens or max_tokens
        self.sleep = sleep
        self.modes = modes_for(settings)
        self.attempts: list[Attempt] = []
        self.deadline = time.monotonic() + settings.budget_seconds
        self._rejected: set[str] = set()  # hashes of the rejected replies of this plan/extraction

    @property
    def mode(self) -> str:
        return self.modes[0]

    def call(self, messages: list[Any], *, schema: dict[str, Any], name: str) -> StructuredReply:
        """One structured answer, with the documented failure outcomes (module notes)."""
        retries = 0
        while True:
            self._check_budget()
            try:
                return self._once(messages, schema, name)
            except _Retry as retry:
                if retry.switch_mode and len(self.modes) > 1:
                    report(f"{self.stage}: the server rejected {self.mode}; trying {self.modes[1]}")
                    self.modes.pop(0)
                    continue
                if retry.kind != "mode_rejected" and retries < self.settings.max_retries:
                    self.sleep(_backoff(retry.exc, retries, self.settings.backoff_seconds))
                    retries += 1
                    continue
                raise _typed(retry.kind, retry.exc, self.settings, self.mode) from None

    def _check_budget(self) -> None:
        if time.monotonic() >= self.deadline:
            raise LLMTimeoutError(
                f"the {self.stage} budget of {self.settings.budget_seconds:g} s is spent "
                f"after {len(self.attempts)} calls",
                hint="raise budget_seconds in [llm] settings, or use a faster model",
            )

    def _once(self, messages: list[Any], schema: dict[str, Any], name: str) -> StructuredReply:
        mode = self.mode
        attempt = Attempt(self.stage, mode, self.max_tokens)
        self.attempts.append(attempt)
        started = time.monotonic()
        try:
            reply = self._ask(messages, schema, name, mode, attempt)
        except LLMError as exc:
            attempt.error = f"{type(exc).__name__}: {redact(exc.message)[:300]}"
            raise
        except _Retry as retry:
            attempt.error = retry.describe()
            raise
        finally:
            attempt.seconds = time.monotonic() - started
        return reply

    def _ask(
        self, messages: list[Any], schema: dict[str, Any], name: str, mode: str, attempt: Attempt
    ) -> StructuredReply:
        bound = self._bind(schema, name, mode)
        try:
            asked = _with_schema(messages, schema, name) if mode == "json_mode" else messages
            result = self._run(bound, asked)
        except Exception as exc:  # provider SDKs raise their own classes; classify by shape
            if type(exc).__name__ == "LengthFinishReasonError":
                raise self._cut_off(exc, attempt) from None
            kind = _classify(exc, mode)
            if kind in ("rate_limited", "timeout", "connection", "server", "mode_rejected"):
                raise _Retry(kind, exc, switch_mode=kind == "mode_rejected") from None
            raise _typed(kind, exc, self.settings, mode) from None
        raw = result.get("raw") if isinstance(result, dict) else None
        meta = getattr(raw, "usage_metadata", None) or {}
        attempt.input_tokens = int(meta.get("input_tokens", 0))
        attempt.output_tokens = int(meta.get("output_tokens", 0))
        self.usage.add_message(raw)
        attempt.finish_reason = _finish_reason(raw)
        error = result.get("parsing_error") if isinstance(result, dict) else None
        raw_text = _text_of(raw)
        if (error is not None and "Refusal" in type(error).__name__) or _refusal_of(raw):
            raise LLMRefusedError(
                f"the model refused: {_refusal_of(raw) or error}",
                hint="rephrase the request; retrying the same request will not help",
            )
        if attempt.finish_reason == "length":
            raise self._malformed(
                f"the model's reply for '{name}' was cut off at {attempt.output_tokens} tokens",
                raw_text,
                attempt,
                feedback=CUT_OFF_FEEDBACK,
            )
        if len(raw_text) > MAX_REPLY_CHARS:
            raise self._malformed(
                f"the model's reply for '{name}' has {len(raw_text)} characters "
                f"(limit {MAX_REPLY_CHARS})",
                raw_text,
                attempt,
                feedback=CUT_OFF_FEEDBACK,
            )
        parsed = _tool_args(raw) if mode == "function_calling" else None
        if parsed is None:
            parsed = _strict_json(raw_text)  # LangChain's parser is lenient with broken JSON
        if not isinstance(parsed, dict):
            raise self._malformed(
                f"the model's reply for '{name}' is not a JSON object: {raw_text[:120]!r}",
                raw_text,
                attempt,
            )
        return StructuredReply(parsed, raw_text or json.dumps(parsed), self.usage, mode)

    def _malformed(
        self, message: str, raw_text: str, attempt: Attempt, *, feedback: str = ""
    ) -> LLMMalformedOutputError:
        attempt.rejected = raw_text[:ECHO_CHARS]
        exc = LLMMalformedOutputError(
            message,
            raw=raw_text[:ECHO_CHARS],
            hint="send the reply back with the parse error for repair",
        )
        exc.feedback = feedback
        digest = hashlib.sha256(raw_text.encode()).hexdigest()
        exc.repeated = bool(raw_text) and digest in self._rejected
        self._rejected.add(digest)
        if exc.repeated:
            exc.message += "; the model repeated a reply it had been asked to repair"
        return exc

    def _cut_off(self, exc: Exception, attempt: Attempt) -> LLMMalformedOutputError:
        completion = getattr(exc, "completion", None)
        usage = getattr(completion, "usage", None)
        attempt.input_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
        attempt.output_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        self.usage.add_tokens(attempt.input_tokens, attempt.output_tokens)
        attempt.finish_reason = "length"
        choices = getattr(completion, "choices", None) or []
        text = getattr(getattr(choices[0], "message", None), "content", "") if choices else ""
        return self._malformed(
            f"the model's reply was cut off at {attempt.output_tokens} tokens",
            str(text or ""),
            attempt,
            feedback=CUT_OFF_FEEDBACK,
        )

    def _bind(self, schema: dict[str, Any], name: str, mode: str) -> Any:
        llm = self.llm
        if self.max_tokens and "max_tokens" in getattr(type(llm), "model_fields", {}):
            llm = llm.model_copy(update={"max_tokens": self.max_tokens})
        spec: dict[str, Any] = {"name": name, "schema": schema, "strict": True}
        if mode == "json_mode":
            return llm.with_structured_output(spec["schema"], method="json_mode", include_raw=True)
        if mode == "function_calling":
            tool = {"name": name, "description": f"Reply with the {name}.", "parameters": schema}
            return llm.with_structured_output(tool, method="function_calling", include_raw=True)
        return llm.with_structured_output(spec, method="json_schema", include_raw=True)

    def _run(self, bound: Any, messages: list[Any]) -> Any:
        """``bound.invoke`` in a worker thread, so progress shows and the budget holds."""
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["result"] = bound.invoke(messages)
            except BaseException as exc:  # handed to the caller's thread
                box["error"] = exc

        worker = threading.Thread(target=work, daemon=True, name=f"sagewright-{self.stage}")
        started = time.monotonic()
        worker.start()
        while True:
            left = self.deadline - time.monotonic()
            worker.join(max(0.0, min(PROGRESS_SECONDS, left)))
            if not worker.is_alive():
                break
            elapsed = time.monotonic() - started
            if time.monotonic() >= self.deadline:
                raise LLMTimeoutError(
                    f"the {self.stage} budget of {self.settings.budget_seconds:g} s ran out "
                    f"during a call ({elapsed:.0f} s into it)",
                    hint="raise budget_seconds in [llm] settings, or use a faster model",
                )
            report(
                f"{self.stage}: waiting for {self.settings.model} ({self.mode}, call "
                f"{len(self.attempts)}): {elapsed:.0f} s"
            )
        if "error" in box:
            raise box["error"]
        return box["result"]


CUT_OFF_FEEDBACK = (
    "Your reply was cut off (too long). Emit each item once, no repetition, and close the JSON."
)


class _Retry(Exception):
    """A failed call that may be retried (backoff) or re-asked in the next mode."""

    def __init__(self, kind: str, exc: Exception, *, switch_mode: bool = False) -> None:
        super().__init__(kind)
        self.kind = kind
        self.exc = exc
        self.switch_mode = switch_mode

    def describe(self) -> str:
        return f"{type(self.exc).__name__}: {redact(str(self.exc))[:300]}"


def invoke_structured(
    llm: Any,
    messages: list[Any],
    *,
    schema: dict[str, Any],
    name: str,
    settings: ModelSettings,
    usage: Usage,
    sleep: Any = time.sleep,
    max_tokens: int | None = None,
) -> StructuredReply:
    """One structured call (a one-off :class:`StructuredCaller`)."""
    caller = StructuredCaller(llm, settings, usage, stage=name, max_tokens=max_tokens, sleep=sleep)
    return caller.call(messages, schema=schema, name=name)


def _with_schema(messages: list[Any], schema: dict[str, Any], name: str) -> list[Any]:
    """json_mode asks for "a JSON object": the schema goes into the system message."""
    from langchain_core.messages import SystemMessage

    hint = (
        f"\n\nReply with only one JSON object, the {name}, matching this JSON schema:\n"
        + json.dumps(schema, separators=(",", ":"))
    )
    first = messages[0] if messages else None
    if isinstance(first, SystemMessage) and isinstance(first.content, str):
        return [SystemMessage(first.content + hint), *messages[1:]]
    return [SystemMessage(hint.strip()), *messages]


def _tool_args(message: Any) -> dict[str, Any] | None:
    calls = getattr(message, "tool_calls", None) or []
    args = calls[0].get("args") if calls and isinstance(calls[0], dict) else None
    return args if isinstance(args, dict) else None


def _finish_reason(message: Any) -> str | None:
    meta = getattr(message, "response_metadata", None) or {}
    if not isinstance(meta, dict):
        return None
    reason = meta.get("finish_reason") or meta.get("stopReason")  # OpenAI / Bedrock Converse
    return "length" if reason == "max_tokens" else str(reason) if reason else None


def _strict_json(text: str) -> Any:
    body = text.strip()
    if body.startswith("```"):
        body = body.strip("`").removeprefix("json").strip()
    try:
        return json.loads(body)
    except (json.JSONDecodeError, RecursionError):
        return None


def _text_of(message: Any) -> str:
    content = getattr(message, "content", "")
    return content if isinstance(content, str) else str(content)


def _refusal_of(message: Any) -> str:
    kwargs = getattr(message, "additional_kwargs", {}) or {}
    return str(kwargs.get("refusal") or "")


_MODE_WORDS = {
    "json_schema": ("response_format", "json_schema"),
    "json_mode": ("response_format", "json_object"),
    "function_calling": ("tool_choice", "tools", "function"),
}


_AWS_KINDS = {  # botocore ClientError codes from Bedrock
    "ThrottlingException": "rate_limited",
    "TooManyRequestsException": "rate_limited",
    "ServiceQuotaExceededException": "rate_limited",
    "ModelTimeoutException": "timeout",
    "AccessDeniedException": "auth",
    "UnrecognizedClientException": "auth",
    "ExpiredTokenException": "auth",
    "InternalServerException": "server",
    "ServiceUnavailableException": "server",
    "ModelNotReadyException": "server",
}


def _classify(exc: Exception, mode: str = "json_schema") -> str:
    name = type(exc).__name__
    aws = getattr(exc, "response", None)
    if isinstance(aws, dict) and isinstance(aws.get("Error"), dict):
        return _AWS_KINDS.get(str(aws["Error"].get("Code")), "other")
    if name in ("NoCredentialsError", "PartialCredentialsError", "NoRegionError"):
        return "auth"
    status = getattr(exc, "status_code", None)
    if status == 429 or "RateLimit" in name:
        return "rate_limited"
    if "Timeout" in name:
        return "timeout"
    if status in (401, 403) or "Authentication" in name or "PermissionDenied" in name:
        return "auth"
    text = str(exc).lower()
    if status in (400, 422, 500) and any(word in text for word in _MODE_WORDS[mode]):
        return "mode_rejected"
    if status in (500, 502, 503, 504):
        return "server"
    if "Connection" in name:
        return "connection"
    return "other"


def _backoff(exc: Exception, attempt: int, base: float) -> float:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    retry_after = headers.get("retry-after") if hasattr(headers, "get") else None
    try:
        if retry_after is not None:
            return max(0.0, min(float(retry_after), MAX_BACKOFF))
    except ValueError:
        pass
    return float(min(base * (2 ** min(attempt, 10)), MAX_BACKOFF))


def _typed(kind: str, exc: Exception, settings: ModelSettings, mode: str = "") -> LLMError:
    short = f"{type(exc).__name__}: {redact(str(exc))[:200]}"
    if kind == "rate_limited":
        return LLMRateLimitedError(
            f"rate limited by '{settings.provider}' after {settings.max_retries + 1} tries "
            f"({short})",
            hint="wait and retry, or lower the request rate",
        )
    if kind == "timeout":
        return LLMTimeoutError(
            f"'{settings.model}' did not answer within {settings.timeout:g} s "
            f"({settings.max_retries + 1} tries)",
            hint="raise SAGEWRIGHT_TIMEOUT or use a faster model",
        )
    if kind == "auth":
        return LLMUnavailableError(
            f"'{settings.provider}' rejected the credentials ({type(exc).__name__})",
            hint="check the provider's API key environment variable",
        )
    if kind == "mode_rejected":
        return LLMUnavailableError(
            f"'{settings.model}' rejected structured output mode {mode} ({short})",
            hint="set structured_output in [llm] settings (auto, json_schema, json_mode, "
            "function_calling) or SAGEWRIGHT_STRUCTURED_OUTPUT",
        )
    if kind == "server":
        return LLMUnavailableError(
            f"'{settings.model}' kept failing after {settings.max_retries + 1} tries ({short})",
            hint="check the model server; retry later",
        )
    return LLMUnavailableError(
        f"call to '{settings.model}' failed ({short})", hint="check the endpoint and network"
    )
