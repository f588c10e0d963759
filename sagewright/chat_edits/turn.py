"""One chat turn read as edits and applied to the pipeline under review, with its report.

Each clause of the turn is one operation (:mod:`sagewright.chat_edits.reading`): steps are changed
by :mod:`sagewright.chat_edits.steps`, values by :mod:`sagewright.chat_edits.values`
(provenance ``chat turn N``). The report says exactly what changed (steps added, removed,
replaced; framework; values with old -> new) and, for the rest, why not: not understood,
not supported, or an edit refused because it would break the pipeline.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sagewright.agents.extract_fields import (
    apply_key,
    clear_key,
    is_known_key,
    read_key,
    stated_keys,
)
from sagewright.agents.text.asks import outside_catalogue
from sagewright.chat_edits.fields import named_field
from sagewright.chat_edits.reading import ADD, REPLACE, SET, Edit, read_edits
from sagewright.chat_edits.steps import StepChange, apply_step_edit
from sagewright.chat_edits.values import TurnValues, values_of
from sagewright.facts import PipelineValues
from sagewright.registry import Registry


@dataclass
class TurnEdit:
    topology: dict[str, list[str]]
    existing_model: bool
    values: PipelineValues
    provenance: dict[str, str] = field(default_factory=dict)  # keys this turn set
    changed_steps: bool = False
    unsupported: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # what changed, one line each
    refused: list[str] = field(default_factory=list)  # what was not done, and why

    @property
    def changed(self) -> bool:
        return self.changed_steps or bool(self.provenance)

    def report(self) -> str:
        head = "Changed:" if self.changed else "Nothing changed."
        out = [head, *(f"  {line}" for line in self.lines)]
        out += [f"  {line}" for line in self.refused]
        return "\n".join(out)


def is_edit(text: str) -> bool:
    """A turn that edits the pipeline (it opens a clause with an edit verb), not more
    requirement ("the data is daily"), which the chat re-plans instead."""
    return bool(read_edits(text))


def edit_turn(
    text: str,
    topology: Mapping[str, Sequence[str]],
    *,
    existing_model: bool,
    values: PipelineValues,
    turn: int,
    registry: Registry,
) -> TurnEdit:
    """Apply every edit of ``text``; ``values`` is changed in place (the caller's copy)."""
    result = TurnEdit({n: list(p) for n, p in topology.items()}, existing_model, values)
    result.unsupported = outside_catalogue(text, registry)
    for edit in read_edits(text):
        if edit.op != SET:
            _steps(result, edit, registry)
        if edit.op in (SET, ADD):
            _values(result, edit, turn, registry)
    for note in result.unsupported:
        result.refused.append(note[0].upper() + note[1:])
    if not result.changed and not result.refused:
        result.refused.append(f"Not understood: '{text}' names no step or value I can change.")
    return result


def _steps(result: TurnEdit, edit: Edit, registry: Registry) -> None:
    change = apply_step_edit(
        result.topology, edit, existing_model=result.existing_model, registry=registry
    )
    for note in change.notes:
        if note.startswith("not supported:"):
            if note not in result.unsupported:
                result.unsupported.append(note)
        else:
            result.lines.append(note)
    if change.problem:
        result.refused.append(f"Did not '{edit.text}': {change.problem}; nothing else moved.")
        return
    if not change.changed:
        return
    result.topology, result.existing_model = change.topology, change.existing_model
    result.changed_steps = True
    result.lines.extend(_step_lines(change, edit))
    if change.framework:
        _switch_values(result, change.framework[1])


def _step_lines(change: StepChange, edit: Edit) -> list[str]:
    if change.framework:
        old, new = change.framework
        pairs = ", ".join(f"{a} -> {b}" for a, b in zip(change.removed, change.added, strict=False))
        return [f"framework: {old} -> {new}" + (f" ({pairs})" if pairs else "")]
    if edit.op == REPLACE:
        return [f"replaced {', '.join(change.removed)} with {', '.join(change.added)}"]
    lines = []
    if change.added:
        lines.append("added " + ", ".join(change.added))
    if change.removed:
        lines.append("removed " + ", ".join(change.removed))
    return lines


def _switch_values(result: TurnEdit, framework: str) -> None:
    """The other framework's hyperparameters do not apply any more: dropped, and said so."""
    values = result.values
    for key in list(stated_keys(values)):
        if key.startswith("hyperparameters.") and not is_known_key(key, framework):
            result.lines.append(f"dropped {key} = {read_key(values, key)} (not a {framework} one)")
            clear_key(values, key)
    if values.shared.get("framework") not in (None, framework):
        values.shared["framework"] = framework


def _values(result: TurnEdit, edit: Edit, turn: int, registry: Registry) -> None:
    named = named_field(edit.target, result.topology, registry=registry) if edit.op == SET else None
    if named is not None and (named.question or named.problem):
        result.refused.append(named.question or f"Not understood: '{edit.text}' ({named.problem}).")
        return
    if named is not None and named.key is not None:
        found = TurnValues({named.key: named.value})
    else:
        found = values_of(edit.text, result.topology, registry=registry, must_set=edit.op == SET)
    for key, value in found.values.items():
        old = read_key(result.values, key)
        if old == value:
            continue
        apply_key(result.values, key, value)
        result.provenance[key] = f"chat turn {turn}"
        shown = "default" if old is None else repr(old)
        result.lines.append(f"set {key}: {shown} -> {value!r}")
    for span in found.not_understood:
        result.refused.append(f"Not understood: '{span}' (no value was set from it).")


def values_copy(values: Mapping[str, Any]) -> PipelineValues:
    """A PipelineValues from its stored dict, sharing nothing with it."""
    return PipelineValues(**copy.deepcopy(dict(values))) if values else PipelineValues()
