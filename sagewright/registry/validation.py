"""Turn Pydantic validation errors into messages that name the field and say what to do."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

from pydantic import ValidationError

from sagewright.errors import ConfigError
from sagewright.registry.config_base import FieldProblem, StepConfig
from sagewright.registry.types import PATTERN_DESCRIPTIONS


def field_problems(exc: ValidationError) -> list[FieldProblem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            message = "is required but missing"
        elif err["type"] == "extra_forbidden":
            message = "is not a known field (remove it or check its spelling)"
        elif err["type"] == "string_pattern_mismatch":
            pattern = str(err.get("ctx", {}).get("pattern", ""))
            wanted = PATTERN_DESCRIPTIONS.get(pattern, "a value of the documented format")
            message = f"{str(err['input'])[:80]!r} is not {wanted}"
        problems.append(FieldProblem(loc, message))
    return problems


def config_error(exc: ValidationError, where: str) -> ConfigError:
    """One ConfigError for a whole ValidationError; the first problem leads the message."""
    problems = field_problems(exc)
    first = problems[0] if problems else FieldProblem("", str(exc))
    more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
    return ConfigError(
        f"{where}: {first}{more}",
        hint="fix the value in the config and run again",
        code="invalid_value",
        where=f"{where}.{first.field}" if first.field else where,
    )


CROSS_NODE_HINT = "make the values agree, or change the other node's config"


def check_across_nodes(
    configs: Mapping[str, StepConfig],
    where: str = "",
    *,
    placeholders: Collection[tuple[str, str]] = (),
) -> None:
    """Raise a ConfigError for the first rule spanning nodes that the configs break.

    ``where`` prefixes the location (a config file path); the error's ``where`` is
    ``[<where>: ]node '<node>'.<field>``. Problems of ``placeholders`` ((node, field)
    pairs nobody stated yet) are left for when the real value is known.
    """
    prefix = f"{where}: " if where else ""
    for node, problem in across_node_problems(configs):
        if (node, problem.field) not in placeholders:
            raise ConfigError(
                f"{prefix}node '{node}': {problem}",
                hint=CROSS_NODE_HINT,
                code=problem.code,
                where=f"{prefix}node '{node}'.{problem.field}",
            )


def across_node_problems(configs: Mapping[str, StepConfig]) -> Iterator[tuple[str, FieldProblem]]:
    """``(node, problem)`` for every rule spanning nodes that the configs break."""
    for node, config in configs.items():
        for problem in config.pipeline_problems(configs):
            yield node, problem
