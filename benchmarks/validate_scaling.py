"""Validation time for synthetic valid topologies of 50, 200 and 1,000 nodes.

Each block is Packaging_pN + PayloadGeneration_pN -> ModelRegistration_pN (existing model),
so every topology is valid and exercises ports, cycles and parents. Run:
``.venv/bin/python benchmarks/validate_scaling.py``
"""

from __future__ import annotations

import time

from sagewright.checker import check_topology


def synthetic(nodes: int) -> dict[str, list[str]]:
    topology: dict[str, list[str]] = {}
    for i in range(nodes // 3):
        topology[f"Packaging_p{i}"] = []
        topology[f"PayloadGeneration_p{i}"] = []
        topology[f"ModelRegistration_p{i}"] = [f"Packaging_p{i}", f"PayloadGeneration_p{i}"]
    for i in range(nodes - len(topology)):  # pad to the exact size
        topology[f"Packaging_extra{i}"] = []
    return topology


def best_of(topology: dict[str, list[str]], repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = check_topology(topology, existing_model=True)
        best = min(best, time.perf_counter() - start)
    assert result.ok, result.issues[:3]
    return best


def main() -> None:
    check_topology({"Packaging": []}, existing_model=True)  # warm the registry
    print(f"{'nodes':>6} {'seconds':>10} {'us/node':>9}")
    for size in (50, 200, 1000):
        topology = synthetic(size)
        seconds = best_of(topology)
        print(f"{len(topology):>6} {seconds:>10.4f} {seconds / len(topology) * 1e6:>9.1f}")


if __name__ == "__main__":
    main()
