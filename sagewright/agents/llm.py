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
HTTP 429               retried with exponential backoff (``max_retries``), then
                       ``LLMRateLimitedError`` (code ``llm_rate_limited``)
timeout                retried (``max_retries``), then ``LLMTimeoutError`` (``llm_timeout``)
connection / auth      ``LLMUnavailableError`` (``llm_unavailable``), no retry for auth
refusal                ``LLMRefusedError`` (``llm_refused``): retrying will not help
malformed JSON         ``LLMMalformedOutputError`` (``llm_malformed``) carrying the raw
                       text, so the caller can send it back for repair
=====================  ============================================================

Nothing here logs prompts, replies or keys.
"""

from __future__ import annotations

import json
import os
import time
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from sagewright.errors import AgentError

OFFLINE = "offline"
CONFIG_FILES = (Path("sagewright.toml"), Path.home() / ".config" / "sagewright" / "config.toml")


class LLMError(AgentError):
    code = "llm_error"


class LLMRefusedError(LLMError):
    code = "llm_refused"


class LLMMalformedOutputError(LLMError):
    code = "llm_malformed"

    def __init__(self, message: str, *, raw: str = "", hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.raw = raw


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
        if not timeout > 0:
            raise AgentError(
                f"SAGEWRIGHT_TIMEOUT={env_timeout!r} is not a positive number of seconds",
                code="bad_settings",
            )
    settings = replace(
        settings,
        model=model or env.get("SAGEWRIGHT_MODEL") or settings.model,
        base_url=base_url or env.get("SAGEWRIGHT_BASE_URL") or settings.base_url,
        timeout=timeout or settings.timeout,
    )
    check_model_string(settings.model)
    return settings


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


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


_SETTING_CHECKS: dict[str, Any] = {
    "model": lambda v: isinstance(v, str),
    "base_url": lambda v: v is None or isinstance(v, str),
    "timeout": lambda v: _number(v) and v > 0,
    "max_retries": _count,
    "backoff_seconds": lambda v: _number(v) and v >= 0,
    "repair_rounds": _count,
}
_SETTING_KINDS = {
    "model": "a string",
    "base_url": "a string",
    "timeout": "a positive number of seconds",
    "max_retries": "a whole number >= 0",
    "backoff_seconds": "a number of seconds >= 0",
    "repair_rounds": "a whole number >= 0",
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
    if settings.base_url:
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
    except ValueError as exc:
        raise LLMUnavailableError(
            f"cannot create model '{settings.model}': {exc}",
            hint="check the provider name and its credentials",
        ) from None


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
    safe = requirement.replace("</requirement>", "</ requirement>")
    return f"{instruction}\n<requirement>\n{safe}\n</requirement>"


@dataclass
class StructuredReply:
    parsed: dict[str, Any]
    raw_text: str
    usage: Usage = field(default_factory=Usage)


def invoke_structured(
    llm: Any,
    messages: list[Any],
    *,
    schema: dict[str, Any],
    name: str,
    settings: ModelSettings,
    usage: Usage,
    sleep: Any = time.sleep,
) -> StructuredReply:
    """One structured call under a strict JSON schema, with the documented failure outcomes."""
    bound = llm.with_structured_output(
        {"name": name, "schema": schema, "strict": True},
        method="json_schema",
        include_raw=True,
    )
    attempt = 0
    while True:
        try:
            result = bound.invoke(messages)
            break
        except Exception as exc:  # provider SDKs raise their own classes; classify by shape
            kind = _classify(exc)
            if kind in ("rate_limited", "timeout", "connection") and attempt < settings.max_retries:
                sleep(_backoff(exc, attempt, settings.backoff_seconds))
                attempt += 1
                continue
            raise _typed(kind, exc, settings) from None
    raw = result.get("raw")
    usage.add_message(raw)
    error = result.get("parsing_error")
    raw_text = _text_of(raw)
    if (error is not None and "Refusal" in type(error).__name__) or _refusal_of(raw):
        raise LLMRefusedError(
            f"the model refused: {_refusal_of(raw) or error}",
            hint="rephrase the request; retrying the same request will not help",
        )
    parsed = _strict_json(raw_text)  # LangChain's parser is lenient with broken JSON
    if not isinstance(parsed, dict):
        raise LLMMalformedOutputError(
            f"the model's reply for '{name}' is not a JSON object: {raw_text[:120]!r}",
            raw=raw_text,
            hint="send the reply back with the parse error for repair",
        )
    return StructuredReply(parsed, raw_text, usage)


def _strict_json(text: str) -> Any:
    body = text.strip()
    if body.startswith("```"):
        body = body.strip("`").removeprefix("json").strip()
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        return None


def _text_of(message: Any) -> str:
    content = getattr(message, "content", "")
    return content if isinstance(content, str) else str(content)


def _refusal_of(message: Any) -> str:
    kwargs = getattr(message, "additional_kwargs", {}) or {}
    return str(kwargs.get("refusal") or "")


def _classify(exc: Exception) -> str:
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    if status == 429 or "RateLimit" in name:
        return "rate_limited"
    if "Timeout" in name:
        return "timeout"
    if status in (401, 403) or "Authentication" in name or "PermissionDenied" in name:
        return "auth"
    if "Connection" in name:
        return "connection"
    return "other"


def _backoff(exc: Exception, attempt: int, base: float) -> float:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    retry_after = headers.get("retry-after") if hasattr(headers, "get") else None
    try:
        if retry_after is not None:
            return min(float(retry_after), 30.0)
    except ValueError:
        pass
    return float(min(base * (2**attempt), 30.0))


def _typed(kind: str, exc: Exception, settings: ModelSettings) -> LLMError:
    short = f"{type(exc).__name__}: {str(exc)[:160]}"
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
    return LLMUnavailableError(
        f"call to '{settings.model}' failed ({short})", hint="check the endpoint and network"
    )
