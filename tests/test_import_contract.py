"""Imports point one way: registry core <- builder core <- step modules <- catalogue <- the rest.

The graph is read from the source, every import statement included: the ones inside
functions and under ``TYPE_CHECKING`` hide a cycle from the interpreter, not from a reader.
Three rules:

* no module imports a module of a higher layer (a back edge);
* nothing but the catalogue imports a step module (agents and builders look a step up in the
  registry: ``default_registry().get("DataLoading").config_class``), and step modules are
  leaves, so they do not import each other;
* no cycles, anywhere in the package.

Container scripts (``registry/steps/scripts/``) run inside SageMaker jobs, not in sagewright,
and are left out.
"""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import ROOT

PACKAGE = "sagewright"

#: Modules every layer may import: plain data and algorithms that import no registry code.
FOUNDATION = {"sagewright.errors", "sagewright.jsonio", "sagewright.dag", "sagewright.topology"}
#: Builders that sit above the catalogue: they assemble whole pipelines from the registry.
ASSEMBLY = {
    "sagewright.builders.assembler",
    "sagewright.builders.deploy",
    "sagewright.builders.scaffolding",
}
STEPS = "sagewright.registry.steps"
CATALOGUE = {"sagewright.registry", "sagewright.registry.catalogue"}
LAYERS = ("foundation", "registry core", "builder core", "step module", "catalogue", "the rest")


def layer_of(module: str) -> int:
    if module in FOUNDATION:
        return 0
    if module in CATALOGUE:
        return 4
    if module == STEPS or module.startswith(STEPS + "."):
        return 3
    if module.startswith("sagewright.registry."):  # kinds, spec, fields, types, config_base,
        return 1  # hyperparameters, frameworks, cues, validation, schema, value_keys: the core
    if module.startswith("sagewright.builders") and module not in ASSEMBLY:
        return 2
    return 5


def _modules(root: Path) -> dict[str, Path]:
    found = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if "scripts" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imported_names(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """Every dotted name an import statement of ``module`` names, with its line."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def import_graph(root: Path) -> nx.DiGraph:
    """Edges ``importer -> imported`` between the package's modules (``line`` on each)."""
    modules = _modules(root)
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for module, path in modules.items():
        for name, line in _imported_names(module, path):
            while name and name not in modules:  # `from a.b import c`: c is a module or a name
                name = name.rpartition(".")[0]
            if name and name != module:
                graph.add_edge(module, name, line=line)
    return graph


def contract_problems(graph: nx.DiGraph) -> list[str]:
    problems = []
    for source, target, line in sorted(graph.edges(data="line")):
        where = f"{source} (line {line}) imports {target}"
        if layer_of(target) > layer_of(source):
            problems.append(
                f"back edge: {where} ({LAYERS[layer_of(target)]} is above "
                f"{LAYERS[layer_of(source)]})"
            )
        elif layer_of(target) == 3 and source not in CATALOGUE:
            problems.append(f"step module imported: {where}; look it up in the registry")
    for cycle in sorted(_from_smallest(c) for c in nx.simple_cycles(graph)):
        problems.append("cycle: " + " -> ".join([*cycle, cycle[0]]))
    return problems


def _from_smallest(cycle: list[str]) -> list[str]:
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    return import_graph(ROOT)


def test_sagewright_imports_point_one_way(graph: nx.DiGraph) -> None:
    assert contract_problems(graph) == []


def test_only_the_catalogue_imports_step_modules(graph: nx.DiGraph) -> None:
    step_modules = [m for m in graph if layer_of(m) == 3]
    importers = {s for m in step_modules for s in graph.predecessors(m) if layer_of(s) != 3}
    assert len(step_modules) > 10
    assert importers == {"sagewright.registry.catalogue"}


BACK_EDGE = """

def _default_xgboost_version() -> str:
    from sagewright.registry.steps.xgboost_training import XGBoostTrainingConfig

    return str(XGBoostTrainingConfig.model_fields["framework_version"].default)
"""
AGENT_IMPORT = "\nfrom sagewright.registry.steps.data_loading import DataLoadingConfig\n"
SAME_LAYER_CYCLE = "\nfrom sagewright.builders.base import InputRef\n"


@pytest.mark.parametrize(
    ("module", "added", "expected"),
    [
        (  # the import builders/images.py used to hide inside default_versions()
            "builders/images.py",
            BACK_EDGE,
            [
                "back edge: sagewright.builders.images (line",
                "cycle: sagewright.builders.images -> sagewright.registry.steps.xgboost_training"
                " -> sagewright.builders.training -> sagewright.builders.images",
            ],
        ),
        (
            "agents/questions.py",
            AGENT_IMPORT,
            ["step module imported: sagewright.agents.questions (line"],
        ),
        (  # base imports context for its annotations; context must not import base back
            "builders/context.py",
            SAME_LAYER_CYCLE,
            ["cycle: sagewright.builders.base -> sagewright.builders.context -> "],
        ),
    ],
)
def test_the_contract_fails_when_an_import_points_back(
    tmp_path: Path, module: str, added: str, expected: list[str]
) -> None:
    shutil.copytree(
        ROOT / PACKAGE, tmp_path / PACKAGE, ignore=shutil.ignore_patterns("__pycache__", "scripts")
    )
    with (tmp_path / PACKAGE / module).open("a") as out:
        out.write(added)
    problems = contract_problems(import_graph(tmp_path))
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
