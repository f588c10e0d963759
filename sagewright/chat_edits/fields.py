"""A value set by naming its config field in words ("set the gate threshold to 0.9", "set the
number of tuning jobs to 30", "set the instance type of the preprocessing to ml.m5.2xlarge").

The field is looked up among the fields of the plan's nodes (a plugin step's too) from registry
data only: the words of the field's name, its description and its cue words; the words of a
step type's name and a node's job type name the node (:mod:`sagewright.chat_edits.step_words`).
The field matching most of the words, with the fewest name words left unsaid, wins. Two
fields, or one field of two nodes, that match alike make a question, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sagewright.agents.extract_fields import (
    HYPERPARAMETER_CLASSES,
    NOT_KNOBS,
    KeyRejected,
    key_for_config_path,
    validate_key,
)
from sagewright.chat_edits.step_words import name_words, named_nodes, same_stem
from sagewright.chat_edits.steps import framework_of
from sagewright.registry import Registry
from sagewright.registry.fields import Tier, field_cues, field_meta
from sagewright.registry.value_keys import named as named_key
from sagewright.topology import qualifier_of, step_type_of

SETTING = re.compile(
    r"^(?:the\s+)?(?P<name>[a-z][\w -]*?)"
    r"(?:\s+(?:of|for|in|on)\s+(?:the\s+)?(?P<step>[a-z][\w -]*?))?"
    r"\s*(?:\bto\b|=|:)\s*(?P<value>\S+?)[.!]?$",
    re.IGNORECASE,
)
# words that say nothing about which field ("the number of tuning jobs")
FILLER = frozenset({"the", "a", "an", "of", "for", "in", "on", "its", "number", "value", "setting"})


@dataclass(frozen=True)
class Named:
    """The field a ``set`` clause names: its key and checked value, or why not."""

    key: str | None = None
    value: Any = None
    question: str | None = None  # two fields match alike: which one?
    problem: str | None = None  # the field refuses the value


def named_field(
    words: str, topology: Mapping[str, Sequence[str]], *, registry: Registry
) -> Named | None:
    """The field ``words`` ("the gate threshold to 0.9") name among the plan's nodes, or None
    when they name none."""
    match = SETTING.match(words.strip())
    if match is None:
        return None
    readings = [(match["name"], match["step"])] if match["step"] else []
    readings.append((match.group(0)[: match.start("value")].strip(), None))
    framework = framework_of(topology)
    for name, step in readings:
        found = _best(name, step, topology, framework, registry)
        if len(found) > 1:
            listed = " or ".join(f"{key} ({', '.join(nodes)})" for key, nodes in found.items())
            return Named(question=f"Which one did you mean: {listed}? Nothing was set.")
        if found:
            (key,) = found
            try:
                value = validate_key(key, match["value"], framework=framework, registry=registry)
            except KeyRejected as exc:
                return Named(key, match["value"], problem=f"{key}: {exc.message}")
            return Named(key, value)
    return None


def _best(
    name: str,
    step: str | None,
    topology: Mapping[str, Sequence[str]],
    framework: str,
    registry: Registry,
) -> dict[str, list[str]]:
    """Key -> nodes of the fields that match ``name`` best (more than one: ambiguous)."""
    said = re.findall(r"[a-z0-9]+", re.sub(r"\bto\b.*$", "", name.lower()))
    nodes = [n for n in topology if step_type_of(n) in registry]
    if step:
        nodes = named_nodes(step, nodes, registry)
    ranked: dict[str, tuple[tuple[int, int], list[str]]] = {}
    for node in nodes:
        config = registry.get(step_type_of(node)).config_class
        own = [*name_words(step_type_of(node)), qualifier_of(node) or ""]
        for path, model, field in _fields(config, framework):
            rank = _rank(said, own, path, model, field)
            if rank is None:
                continue
            key = _key(path, node, field, topology, nodes if step else None, registry)
            best, at = ranked.get(key, (rank, []))
            ranked[key] = (max(best, rank), [*at, node])
    if not ranked:
        return {}
    top = max(rank for rank, _ in ranked.values())
    return {key: at for key, (rank, at) in ranked.items() if rank == top}


def _rank(
    said: list[str], own: list[str], path: str, model: type[BaseModel], field: str
) -> tuple[int, int] | None:
    """(words matched, -name words left unsaid), or None when a word names nothing here."""
    tokens = path.split(".")[-1].split("_")
    info = model.model_fields[field]
    described = re.findall(r"[a-z0-9]+", f"{info.description or ''} {field_cues(model, field)}")
    said = [w for w in said if w not in FILLER]
    matched = 0
    for word in said:
        if any(same_stem(word, t) for t in tokens):
            matched += 2
        elif any(same_stem(word, s) for s in own if s):
            continue  # names the node
        elif word in described:
            matched += 1
        else:
            return None
    if not any(any(same_stem(w, t) for t in tokens) for w in said):
        return None
    unsaid = [t for t in tokens if not any(same_stem(w, t) for w in said)]
    return matched, -len(unsaid)


def _fields(config: type[BaseModel], framework: str) -> Iterator[tuple[str, type[BaseModel], str]]:
    """(path, model, field name) of every field one can set (derived ones left out)."""
    for name in config.model_fields:
        if name == "hyperparameters":
            knobs = HYPERPARAMETER_CLASSES[framework]
            for knob in knobs.model_fields:
                if knob not in NOT_KNOBS:
                    yield f"hyperparameters.{knob}", knobs, knob
        elif field_meta(config, name).get("tier") != str(Tier.DERIVED):
            yield name, config, name


def _key(
    path: str,
    node: str,
    field: str,
    topology: Mapping[str, Sequence[str]],
    named: list[str] | None,
    registry: Registry,
) -> str:
    """The value key; a pipeline-wide key only when it changes no node the words did not name."""
    key = key_for_config_path(path, node) or f"{node}.{path}"
    row = named_key(key)
    if row is None or row.scope != "pipeline" or named is None:
        return key
    having = [n for n in topology if step_type_of(n) in registry]
    having = [n for n in having if field in registry.get(step_type_of(n)).config_class.model_fields]
    return key if set(having) <= set(named) else f"{node}.{path}"
