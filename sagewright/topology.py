"""The topology: a parent-linked list ``{"NODE": ["PARENT", ...]}`` and its node names.

Parsing only checks shape (a JSON object of string lists); what the names mean is the
checker's job (:mod:`sagewright.checker`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sagewright import jsonio
from sagewright.dag import topological_order
from sagewright.errors import TopologyError

if TYPE_CHECKING:
    import networkx as nx

NODE_NAME = re.compile(r"(?P<step>[A-Z][A-Za-z0-9]*)(?:_(?P<qualifier>[a-z0-9]+))?")
MAX_NODE_NAME = 64  # SageMaker step names: <= 64 chars


def step_type_of(node: str) -> str:
    """The step type is the part before the first underscore."""
    return node.split("_", 1)[0]


def qualifier_of(node: str) -> str | None:
    parts = node.split("_", 1)
    return parts[1] if len(parts) == 2 else None


@dataclass(frozen=True)
class Topology:
    """An ordered, immutable parent-linked list. Build it with :meth:`parse`."""

    parents: Mapping[str, tuple[str, ...]]
    duplicate_nodes: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def parse(cls, data: object, *, source: str = "topology") -> Topology:
        """Check the shape of already-decoded JSON; raise a one-line TopologyError if wrong."""
        if isinstance(data, Topology):
            return data
        if not isinstance(data, Mapping):
            raise TopologyError(
                f"{source}: expected a JSON object mapping node names to parent lists, "
                f"got {type(data).__name__}",
                hint='write it as {"NODE": ["PARENT", ...]}',
                code="malformed_topology",
            )
        parents: dict[str, tuple[str, ...]] = {}
        for node, value in data.items():
            if not isinstance(node, str):
                raise TopologyError(
                    f"{source}: node name {node!r} is not a string", code="malformed_topology"
                )
            if not isinstance(value, list | tuple) or not all(isinstance(p, str) for p in value):
                raise TopologyError(
                    f"{source}: node '{node}' must map to a list of parent names, "
                    f"got {json.dumps(value, default=str)[:80]}",
                    hint="a node without parents maps to []",
                    code="malformed_topology",
                )
            parents[node] = tuple(value)
        return cls(parents)

    @classmethod
    def from_json(cls, text: str, *, source: str = "topology") -> Topology:
        """Decode JSON text, keeping duplicate node keys (json.loads would drop them)."""
        duplicates: list[str] = []

        def keep_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for key, value in pairs:
                if key in out:
                    duplicates.append(key)
                out[key] = value
            return out

        try:
            data = jsonio.loads(text, object_pairs_hook=keep_pairs)
        except json.JSONDecodeError as exc:
            raise TopologyError(
                f"{source}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
                hint="fix the JSON syntax",
                code="malformed_json",
            ) from None
        topology = cls.parse(data, source=source)
        return cls(topology.parents, tuple(duplicates))

    @property
    def nodes(self) -> list[str]:
        return list(self.parents)

    def edges(self) -> Iterator[tuple[str, str]]:
        for child, parents in self.parents.items():
            for parent in parents:
                yield parent, child

    def children(self, node: str) -> list[str]:
        return [child for child, parents in self.parents.items() if node in parents]

    def build_order(self) -> list[str]:
        """Parents before children; among ready nodes, the one listed first.

        Raises :class:`sagewright.dag.CycleError` when there is a cycle.
        """
        position = {node: i for i, node in enumerate(self.parents)}
        return topological_order(self.parents, key=position.__getitem__)

    def graph(self) -> nx.DiGraph:
        """The topology as a networkx ``DiGraph`` (networkx is imported on first use)."""
        import networkx as nx

        graph = nx.DiGraph()
        graph.add_nodes_from(self.parents)
        graph.add_edges_from(self.edges())
        return graph

    def to_dict(self) -> dict[str, list[str]]:
        return {node: list(parents) for node, parents in self.parents.items()}

    def __len__(self) -> int:
        return len(self.parents)
