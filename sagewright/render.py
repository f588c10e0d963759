"""Render a topology as a Mermaid flowchart (data edges solid and labelled, gate edges dashed)."""

from __future__ import annotations

from sagewright.checker import check_topology
from sagewright.topology import Topology


def to_mermaid(topology: Topology, *, existing_model: bool = False) -> str:
    result = check_topology(topology, existing_model=existing_model)
    lines = ["flowchart TD"]
    ids = {node: f"n{i}" for i, node in enumerate(topology.nodes)}
    for node, node_id in ids.items():
        shape = f"{{{{{node}}}}}" if node.startswith("QualityGate") else f'["{node}"]'
        lines.append(f"    {node_id}{shape}")
    labelled: set[tuple[str, str]] = set()
    for wire in result.wires:
        key = (wire.parent, wire.child)
        if key in labelled:
            continue
        labelled.add(key)
        kinds = sorted({w.kind for w in result.wires if (w.parent, w.child) == key})
        lines.append(f"    {ids[wire.parent]} -->|{', '.join(kinds)}| {ids[wire.child]}")
    for gate, child in result.control_edges:
        lines.append(f"    {ids[gate]} -.->|passes| {ids[child]}")
    drawn = labelled | set(result.control_edges)
    for parent, child in topology.edges():  # edges the checker could not bind still show
        if (parent, child) not in drawn and parent in ids:
            lines.append(f"    {ids[parent]} --> {ids[child]}")
    for node, port in result.config_fed:
        lines.append(f"    cfg_{ids[node]}[/existing {port}/] -.-> {ids[node]}")
    return "\n".join(lines) + "\n"
