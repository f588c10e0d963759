"""Typed errors. Every error the user can meet is a :class:`SagewrightError`.

::

    SagewrightError                (code, message, hint)
    ├── RegistryError              unknown step type, bad third-party step
    ├── TopologyError              unparseable topology, failed checks (.issues)
    ├── ConfigError                invalid config value, bad config file
    ├── BuildError                 wiring / SDK errors while assembling
    └── AgentError                 planner / question agent / LLM failures

Codes are stable strings; tests and docs refer to codes, never to message text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class SagewrightError(Exception):
    """Root of every error sagewright raises on purpose."""

    code: str = "error"

    def __init__(self, message: str, *, hint: str = "", code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class RegistryError(SagewrightError):
    code = "registry_error"


class UnknownStepError(RegistryError):
    code = "unknown_step"


class TopologyError(SagewrightError):
    """A topology that cannot be parsed or does not pass the checker."""

    code = "invalid_topology"

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        code: str | None = None,
        issues: list[TopologyIssue] | None = None,
    ) -> None:
        super().__init__(message, hint=hint, code=code)
        self.issues = issues or []


class ConfigError(SagewrightError):
    """An invalid config value or config file; ``where`` names the node/field."""

    code = "invalid_config"

    def __init__(
        self, message: str, *, hint: str = "", code: str | None = None, where: str = ""
    ) -> None:
        super().__init__(message, hint=hint, code=code)
        self.where = where


class BuildError(SagewrightError):
    code = "build_error"

    def __init__(
        self, message: str, *, hint: str = "", code: str | None = None, node: str = ""
    ) -> None:
        super().__init__(message, hint=hint, code=code)
        self.node = node


class StepBuildError(BuildError):
    """A build error about one field (or input port) of one node."""

    def __init__(
        self, message: str, *, node: str, field: str = "", hint: str = "", code: str | None = None
    ) -> None:
        where = f"node '{node}'" + (f", field '{field}'" if field else "")
        super().__init__(f"{where}: {message}", hint=hint, code=code, node=node)
        self.field = field


class AgentError(SagewrightError):
    code = "agent_error"


@dataclass(frozen=True)
class TopologyIssue:
    """One structured checker finding, shaped to be fed back to an LLM."""

    code: str
    message: str
    node: str | None = None
    port: str | None = None
    hint: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "node": self.node,
            "port": self.port,
            "message": self.message,
            "hint": self.hint,
        }
