"""sagewright.dag gives the answers of the networkx functions it replaces, on random graphs."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from sagewright.dag import (
    CycleError,
    descendants,
    has_path,
    isomorphic,
    strongly_connected,
    topological_order,
)


def random_parents(rng: random.Random, size: int, *, acyclic: bool) -> dict[str, list[str]]:
    names = [f"n{i}" for i in rng.sample(range(100), size)]
    parents: dict[str, list[str]] = {}
    for i, node in enumerate(names):
        pool = names[:i] if acyclic else names
        parents[node] = rng.sample(pool, min(len(pool), rng.randint(0, 3)))
    return parents


def nx_graph(parents: dict[str, list[str]]) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(parents)
    graph.add_edges_from((p, c) for c, ps in parents.items() for p in ps)
    return graph


@pytest.mark.parametrize("seed", range(40))
def test_same_answers_as_networkx(seed: int) -> None:
    rng = random.Random(seed)
    parents = random_parents(rng, rng.randint(1, 14), acyclic=seed % 2 == 0)
    graph = nx_graph(parents)
    rank = {node: rng.random() for node in parents}
    try:
        expected = list(nx.lexicographical_topological_sort(graph, key=rank.__getitem__))
    except nx.NetworkXUnfeasible:
        with pytest.raises(CycleError):
            topological_order(parents, key=rank.__getitem__)
    else:
        assert topological_order(parents, key=rank.__getitem__) == expected
    assert sorted(map(sorted, strongly_connected(parents))) == sorted(
        map(sorted, nx.strongly_connected_components(graph))
    )
    for node in parents:
        assert descendants(parents, node) == nx.descendants(graph, node)
        other = rng.choice(list(parents))
        assert has_path(parents, node, other) == nx.has_path(graph, node, other)


@pytest.mark.parametrize("seed", range(40))
def test_isomorphic_agrees_with_networkx(seed: int) -> None:
    rng = random.Random(seed)
    a = random_parents(rng, rng.randint(1, 9), acyclic=True)
    labels = {node: rng.choice("ABC") for node in a}  # duplicate labels on purpose
    # b: a relabelled copy of a, sometimes with one edge moved
    rename = dict(zip(a, rng.sample([f"m{i}" for i in range(100)], len(a)), strict=True))
    b = {rename[c]: [rename[p] for p in ps] for c, ps in a.items()}
    b_labels = {rename[n]: label for n, label in labels.items()}
    if seed % 3 and len(b) > 2:
        child = rng.choice(list(b))
        b[child] = [p for p in rng.sample(list(b), 2) if p != child]
    edges_a = {(p, c) for c, ps in a.items() for p in ps}
    edges_b = {(p, c) for c, ps in b.items() for p in ps}
    ga, gb = nx_graph(a), nx_graph(b)
    nx.set_node_attributes(ga, labels, "label")
    nx.set_node_attributes(gb, b_labels, "label")
    expected = nx.is_isomorphic(ga, gb, node_match=lambda x, y: x["label"] == y["label"])
    assert isomorphic(labels, edges_a, b_labels, edges_b) == expected


def test_parents_that_are_not_nodes_come_last_in_first_seen_order() -> None:
    assert topological_order({"b": ["x"], "a": []}) == ["a", "x", "b"]
