"""The registry: one table of :class:`StepSpec`, built-in modules plus entry points.

The planner, the checker, the assembler, the CLI and the docs all read this table.
Third-party packages add steps through the entry-point group ``sagewright.steps``; each
entry point names a ``StepSpec`` or a module holding ``SPEC``.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import importlib.metadata
import pkgutil
from collections.abc import Iterable, Iterator
from types import ModuleType

from sagewright.errors import RegistryError, UnknownStepError
from sagewright.registry import steps as builtin_steps
from sagewright.registry.config_base import StepConfig
from sagewright.registry.kinds import DataKind
from sagewright.registry.spec import STEP_TYPE_PATTERN, InputPort, OutputPort, PortMode, StepSpec

ENTRY_POINT_GROUP = "sagewright.steps"


class Registry:
    """An immutable, checked table of step types, ordered from sources to sinks."""

    def __init__(self, specs: Iterable[StepSpec]) -> None:
        table: dict[str, StepSpec] = {}
        for spec in specs:
            _check_spec(spec)
            if spec.name in table:
                raise RegistryError(
                    f"step type '{spec.name}' is registered twice",
                    hint="step type names must be unique; rename the third-party step",
                    code="duplicate_step_type",
                )
            table[spec.name] = spec
        self._specs = {name: table[name] for name in _flow_order(table)}

    def get(self, name: str) -> StepSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise UnknownStepError(
                f"unknown step '{name}'" + self._did_you_mean(name),
                hint="registered steps: " + ", ".join(self._specs),
            ) from None

    def _did_you_mean(self, name: str) -> str:
        lowered = {n.lower(): n for n in self._specs}
        close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.5)
        return f" — did you mean '{lowered[close[0]]}'?" if close else ""

    def suggest(self, name: str) -> str | None:
        lowered = {n.lower(): n for n in self._specs}
        close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.5)
        return lowered[close[0]] if close else None

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[StepSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def names(self) -> list[str]:
        return list(self._specs)

    def producers(self, kind: DataKind) -> list[StepSpec]:
        return [s for s in self if kind in s.produced_kinds]


def _check_spec(spec: StepSpec) -> None:
    where = f"step type '{spec.name}'"
    if not isinstance(spec, StepSpec):
        raise RegistryError(f"{spec!r} is not a StepSpec", code="bad_step_spec")
    if not STEP_TYPE_PATTERN.fullmatch(spec.name):
        raise RegistryError(
            f"{where}: name must be CamelCase letters and digits, no underscore",
            code="bad_step_spec",
        )
    if not (isinstance(spec.config_class, type) and issubclass(spec.config_class, StepConfig)):
        raise RegistryError(f"{where}: config_class must subclass StepConfig", code="bad_step_spec")
    ports: list[InputPort | OutputPort] = [*spec.inputs, *spec.outputs]
    for port in ports:
        if not isinstance(port.kind, DataKind):
            raise RegistryError(
                f"{where}: port '{port.name}' has unknown data kind {port.kind!r}",
                hint="use a sagewright.registry.DataKind",
                code="unknown_kind",
            )
    groups: list[tuple[str, list[InputPort] | list[OutputPort]]] = [
        ("input", list(spec.inputs)),
        ("output", list(spec.outputs)),
    ]
    for label, group in groups:
        names = [p.name for p in group]
        kinds = [p.kind for p in group]
        if len(set(names)) != len(names) or len(set(kinds)) != len(kinds):
            raise RegistryError(
                f"{where}: {label} ports need unique names and unique kinds "
                "(ports are wired by kind)",
                code="bad_step_spec",
            )
    for port in spec.inputs:
        if port.mode is PortMode.OR_CONFIG and (
            not port.config_field or port.config_field not in spec.config_class.model_fields
        ):
            raise RegistryError(
                f"{where}: or-config port '{port.name}' must name a field of "
                f"{spec.config_class.__name__}",
                code="bad_step_spec",
            )


def _flow_order(table: dict[str, StepSpec]) -> list[str]:
    """Sources first: depth = 1 + deepest producer of a non-optional input kind."""
    depth: dict[str, int] = {}

    def depth_of(name: str, seen: frozenset[str]) -> int:
        if name in depth:
            return depth[name]
        spec = table[name]
        levels = [
            depth_of(p.name, seen | {name})
            for port in spec.inputs
            if port.mode is not PortMode.OPTIONAL
            for p in table.values()
            if port.kind in p.produced_kinds and p.name not in seen | {name}
        ]
        depth[name] = 1 + max(levels) if levels else 0
        return depth[name]

    return sorted(table, key=lambda n: (depth_of(n, frozenset()), n))


def builtin_specs() -> list[StepSpec]:
    found = []
    for info in sorted(pkgutil.iter_modules(builtin_steps.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{builtin_steps.__name__}.{info.name}")
        spec = getattr(module, "SPEC", None)
        if isinstance(spec, StepSpec):
            found.append(spec)
    return found


def entry_point_specs() -> list[StepSpec]:
    found = []
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = ep.load()
        except Exception as exc:  # a broken plugin must name itself, not crash later
            raise RegistryError(
                f"entry point '{ep.name}' ({ep.value}) failed to load: {exc}",
                hint="fix or uninstall the package that provides it",
                code="bad_entry_point",
            ) from exc
        spec = loaded.SPEC if isinstance(loaded, ModuleType) else loaded
        if not isinstance(spec, StepSpec):
            raise RegistryError(
                f"entry point '{ep.name}' ({ep.value}) does not give a StepSpec",
                hint="point it at a StepSpec or at a module defining SPEC",
                code="bad_entry_point",
            )
        found.append(spec)
    return found


@functools.cache
def default_registry() -> Registry:
    """Built-in steps plus installed third-party steps, checked once per process."""
    return Registry([*builtin_specs(), *entry_point_specs()])
