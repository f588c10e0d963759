"""The values a chat turn sets ("set max_depth to 5"), read by the offline extractor.

The clause is read against the edited topology, so "add isotonic calibration on s3://..."
sets the calibration method and the calibration data's source. What the clause states but
the extractor could not take is returned as *not understood*, never dropped: a ``set``
clause that lands nothing is itself not understood.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sagewright.agents.extract_fields import stated_keys
from sagewright.agents.offline_extractor import extract_offline
from sagewright.registry import Registry
from sagewright.topology import Topology


@dataclass
class TurnValues:
    values: dict[str, Any] = field(default_factory=dict)  # key -> validated value
    not_understood: list[str] = field(default_factory=list)


def values_of(
    text: str,
    topology: Mapping[str, Sequence[str]],
    *,
    registry: Registry,
    must_set: bool = False,
) -> TurnValues:
    """Values ``text`` states for ``topology``; ``must_set``: landing nothing is reported."""
    if not topology:
        return TurnValues()
    extraction = extract_offline(text, Topology.parse(dict(topology)), registry=registry)
    found = stated_keys(extraction.values)
    missed = [note.removeprefix("not understood:").strip() for note in extraction.not_understood]
    missed += [f"{r.evidence or r.value} ({r.message})" for r in extraction.rejected]
    missed += [f"{c.key}: {' or '.join(map(str, c.values))}" for c in extraction.conflicts]
    if must_set and not found and not missed:
        missed.append(text)
    return TurnValues(found, missed)
