"""Pure metric functions for scoring predicted topologies and facts against golden ones.

A topology becomes a *typed graph*: every node is labelled with its step type, plus its job
type for the registry's job-typed steps (``ModelEvaluation_testing`` -> ``ModelEvaluation:testing``,
``Packaging_x`` -> ``Packaging``). Node names themselves never matter.

* **exact** -- the typed graphs are isomorphic with equal labels (:func:`sagewright.dag.isomorphic`,
  the answer of ``nx.is_isomorphic``; networkx is not imported, for a fast start).
* **node / edge counts** -- true positives, predicted and golden sizes over label multisets
  (an edge's label is ``(parent label, child label)``); summed over cases, they give
  micro-averaged precision, recall and F1.
* **normalized GED** -- the graph edit distance with unit costs, no substitution (a relabelled
  node is one deletion plus one insertion), under the label-aligned node mapping: nodes pair up
  when their labels are equal. It equals ``|node label multisets' symmetric difference| +
  |edge label multisets' symmetric difference|``, which is the exact GED whenever labels are
  unique within each graph (true for catalogue pipelines) and otherwise an upper bound for the
  best pairing of duplicate labels. Divided by the golden graph's nodes + edges and capped at
  1.0 (0 = identical, 1 = nothing right or worse). Milliseconds per case, unlike
  ``nx.graph_edit_distance``.
* **facts** -- golden facts recovered with an equal value (numbers compared with a relative
  tolerance of 1e-9, strings after stripping) and invented facts (predicted keys the golden
  case does not state).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sagewright.dag import isomorphic
from sagewright.registry import Registry, default_registry
from sagewright.topology import qualifier_of, step_type_of

if TYPE_CHECKING:
    import networkx as nx

Parents = Mapping[str, Sequence[str]]


def node_label(node: str, registry: Registry | None = None) -> str:
    """Step type, plus ``:job type`` for job-typed steps of the registry."""
    reg = registry or default_registry()
    step_type = step_type_of(node)
    qualifier = qualifier_of(node)
    if qualifier and step_type in reg and reg.get(step_type).job_typed:
        return f"{step_type}:{qualifier}"
    return step_type


def typed_graph(topology: Parents, registry: Registry | None = None) -> nx.DiGraph:
    """A DiGraph with a ``label`` attribute per node; parents that are not nodes are dropped."""
    import networkx as nx

    reg = registry or default_registry()
    graph = nx.DiGraph()
    for node in topology:
        graph.add_node(node, label=node_label(node, reg))
    for child, parents in topology.items():
        for parent in parents:
            if parent in topology:
                graph.add_edge(parent, child)
    return graph


def node_labels(topology: Parents, registry: Registry | None = None) -> Counter[str]:
    reg = registry or default_registry()
    return Counter(node_label(n, reg) for n in topology)


def edge_labels(topology: Parents, registry: Registry | None = None) -> Counter[tuple[str, str]]:
    reg = registry or default_registry()
    return Counter(
        (node_label(parent, reg), node_label(child, reg))
        for child, parents in topology.items()
        for parent in dict.fromkeys(parents)
        if parent in topology
    )


def exact_match(predicted: Parents, golden: Parents, registry: Registry | None = None) -> bool:
    """Isomorphic typed graphs with equal labels."""
    reg = registry or default_registry()
    if node_labels(predicted, reg) != node_labels(golden, reg):
        return False

    def labelled(topology: Parents) -> tuple[dict[str, str], set[tuple[str, str]]]:
        labels = {node: node_label(node, reg) for node in topology}
        edges = {(p, c) for c, parents in topology.items() for p in parents if p in topology}
        return labels, edges

    return isomorphic(*labelled(predicted), *labelled(golden))


@dataclass(frozen=True)
class Counts:
    """True positives, predicted size and golden size of one label multiset comparison."""

    tp: int = 0
    predicted: int = 0
    golden: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.tp + other.tp, self.predicted + other.predicted, self.golden + other.golden
        )

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else float(self.golden == 0)

    @property
    def recall(self) -> float:
        return self.tp / self.golden if self.golden else float(self.predicted == 0)

    @property
    def f1(self) -> float:
        if self.predicted == 0 and self.golden == 0:
            return 1.0
        total = self.predicted + self.golden
        return 2 * self.tp / total if total else 0.0


def _multiset_counts(pred: Counter[Any], gold: Counter[Any]) -> Counts:
    return Counts(sum((pred & gold).values()), sum(pred.values()), sum(gold.values()))


def node_counts(predicted: Parents, golden: Parents, registry: Registry | None = None) -> Counts:
    return _multiset_counts(node_labels(predicted, registry), node_labels(golden, registry))


def edge_counts(predicted: Parents, golden: Parents, registry: Registry | None = None) -> Counts:
    return _multiset_counts(edge_labels(predicted, registry), edge_labels(golden, registry))


def micro_f1(counts: Iterable[Counts]) -> float:
    """F1 of the summed counts (micro average over cases)."""
    return sum(counts, Counts()).f1


def edit_distance(predicted: Parents, golden: Parents, registry: Registry | None = None) -> int:
    """Label-aligned graph edit distance (see the module docstring)."""
    reg = registry or default_registry()
    pn, gn = node_labels(predicted, reg), node_labels(golden, reg)
    pe, ge = edge_labels(predicted, reg), edge_labels(golden, reg)
    return sum(((pn - gn) + (gn - pn)).values()) + sum(((pe - ge) + (ge - pe)).values())


def normalized_ged(predicted: Parents, golden: Parents, registry: Registry | None = None) -> float:
    """Edit distance / (golden nodes + golden edges), capped at 1.0."""
    reg = registry or default_registry()
    size = len(golden) + sum(edge_labels(golden, reg).values())
    distance = edit_distance(predicted, golden, reg)
    if size == 0:
        return 0.0 if distance == 0 else 1.0
    return min(1.0, distance / size)


def edge_diff(
    predicted: Parents, golden: Parents, registry: Registry | None = None
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Typed edges the prediction adds and the ones it misses (for reports)."""
    reg = registry or default_registry()
    pe, ge = edge_labels(predicted, reg), edge_labels(golden, reg)
    return sorted((pe - ge).elements()), sorted((ge - pe).elements())


def node_diff(
    predicted: Parents, golden: Parents, registry: Registry | None = None
) -> tuple[list[str], list[str]]:
    reg = registry or default_registry()
    pn, gn = node_labels(predicted, reg), node_labels(golden, reg)
    return sorted((pn - gn).elements()), sorted((gn - pn).elements())


def values_equal(predicted: Any, golden: Any) -> bool:
    """Fact values: numbers by value (``2e-5 == 0.00002``, ``"300" == 300``), strings stripped."""
    if isinstance(predicted, bool) or isinstance(golden, bool):
        return predicted is golden
    pn, gn = _as_number(predicted), _as_number(golden)
    if pn is not None and gn is not None:
        return math.isclose(pn, gn, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(predicted, str) and isinstance(golden, str):
        return predicted.strip() == golden.strip()
    return bool(predicted == golden)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class FactScore:
    recovered: int
    golden: int
    invented: int
    wrong: tuple[str, ...] = ()  # golden keys present with a different value
    missing: tuple[str, ...] = ()  # golden keys absent from the prediction
    invented_keys: tuple[str, ...] = ()


def fact_score(predicted: Mapping[str, Any], golden: Mapping[str, Any]) -> FactScore:
    recovered = [k for k, v in golden.items() if k in predicted and values_equal(predicted[k], v)]
    wrong = [k for k, v in golden.items() if k in predicted and not values_equal(predicted[k], v)]
    missing = [k for k in golden if k not in predicted]
    invented = [k for k in predicted if k not in golden]
    return FactScore(
        len(recovered), len(golden), len(invented), tuple(wrong), tuple(missing), tuple(invented)
    )


@dataclass(frozen=True)
class CaseScore:
    """Every topology metric of one case."""

    exact: bool
    nodes: Counts
    edges: Counts
    ged: float


def score_topology(
    predicted: Parents, golden: Parents, registry: Registry | None = None
) -> CaseScore:
    reg = registry or default_registry()
    return CaseScore(
        exact=exact_match(predicted, golden, reg),
        nodes=node_counts(predicted, golden, reg),
        edges=edge_counts(predicted, golden, reg),
        ged=normalized_ged(predicted, golden, reg),
    )
