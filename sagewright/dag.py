"""Small graph algorithms on parent-linked lists, without networkx.

The commands that need no SDK (``steps``, ``validate``, ``plan``...) must start fast, and
importing networkx alone costs about 0.15 s. The few algorithms they need are here, with
the behaviour of the networkx functions they replace (same orders, same tie-breaking).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Any

__all__ = [
    "CycleError",
    "descendants",
    "has_path",
    "isomorphic",
    "strongly_connected",
    "topological_order",
]

Parents = Mapping[str, Sequence[str]]


class CycleError(ValueError):
    """The graph has a cycle, so it has no topological order."""


def _graph(parents: Parents) -> tuple[list[str], dict[str, list[str]]]:
    """Nodes in first-seen order (the nodes, then parents that are not nodes) and children.

    Duplicate parents count once, as in a ``networkx.DiGraph``.
    """
    nodes = list(dict.fromkeys(parents))
    children: dict[str, list[str]] = {node: [] for node in nodes}
    for child, node_parents in parents.items():
        for parent in dict.fromkeys(node_parents):
            if parent not in children:
                children[parent] = []
                nodes.append(parent)
            children[parent].append(child)
    return nodes, children


def topological_order(parents: Parents, key: Callable[[str], Any] | None = None) -> list[str]:
    """Parents before children; among ready nodes the smallest ``key`` first.

    Same result as ``networkx.lexicographical_topological_sort`` on the graph of these
    edges. Raises :class:`CycleError` when there is a cycle.
    """
    nodes, children = _graph(parents)
    rank = key or (lambda node: node)
    position = {node: i for i, node in enumerate(nodes)}
    indegree = dict.fromkeys(nodes, 0)
    for node_children in children.values():
        for child in node_children:
            indegree[child] += 1
    ready = [(rank(n), position[n], n) for n in nodes if indegree[n] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        node = heapq.heappop(ready)[2]
        order.append(node)
        for child in children[node]:
            indegree[child] -= 1
            if indegree[child] == 0:
                heapq.heappush(ready, (rank(child), position[child], child))
    if len(order) != len(nodes):
        raise CycleError("the graph has a cycle")
    return order


def descendants(parents: Parents, node: str) -> set[str]:
    """Every node reachable from ``node``, never ``node`` itself (as networkx)."""
    _, children = _graph(parents)
    return set(_reachable(children, node)) - {node}


def has_path(parents: Parents, source: str, target: str) -> bool:
    """Whether ``target`` is ``source`` or reachable from it."""
    _, children = _graph(parents)
    return source == target or target in _reachable(children, source)


def _reachable(children: Mapping[str, list[str]], start: str) -> Iterator[str]:
    seen: set[str] = set()
    stack = list(children.get(start, ()))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        yield node
        stack.extend(children.get(node, ()))


def strongly_connected(parents: Parents) -> list[set[str]]:
    """Strongly connected components (Tarjan's algorithm, iterative)."""
    nodes, children = _graph(parents)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(children[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, pending = work[-1]
            child = next(pending, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(children[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def isomorphic(
    a_labels: Mapping[str, Hashable],
    a_edges: Iterable[tuple[str, str]],
    b_labels: Mapping[str, Hashable],
    b_edges: Iterable[tuple[str, str]],
) -> bool:
    """Whether two labelled directed graphs are isomorphic with equal node labels.

    Same answer as ``networkx.is_isomorphic`` with a label ``node_match``. Backtracking
    over nodes of equal label and degree: instant for pipelines, whose labels are
    nearly unique.
    """
    a_set, b_set = set(a_edges), set(b_edges)
    if len(a_labels) != len(b_labels) or len(a_set) != len(b_set):
        return False

    def signature(labels: Mapping[str, Hashable], edges: set[tuple[str, str]]) -> dict[str, Any]:
        out = dict.fromkeys(labels, 0)
        into = dict.fromkeys(labels, 0)
        for parent, child in edges:
            out[parent] += 1
            into[child] += 1
        return {n: (labels[n], out[n], into[n]) for n in labels}

    a_sig, b_sig = signature(a_labels, a_set), signature(b_labels, b_set)
    if sorted(map(repr, a_sig.values())) != sorted(map(repr, b_sig.values())):
        return False
    candidates = {n: [m for m in b_labels if b_sig[m] == a_sig[n]] for n in a_labels}
    order = sorted(a_labels, key=lambda n: len(candidates[n]))
    mapping: dict[str, str] = {}
    used: set[str] = set()

    def fits(node: str, image: str) -> bool:
        if ((node, node) in a_set) != ((image, image) in b_set):
            return False
        return all(
            ((node, m) in a_set) == ((image, mapping[m]) in b_set)
            and ((m, node) in a_set) == ((mapping[m], image) in b_set)
            for m in mapping
        )

    def extend(depth: int) -> bool:
        if depth == len(order):
            return True
        node = order[depth]
        for image in candidates[node]:
            if image in used or not fits(node, image):
                continue
            mapping[node] = image
            used.add(image)
            if extend(depth + 1):
                return True
            del mapping[node]
            used.discard(image)
        return False

    return extend(0)
