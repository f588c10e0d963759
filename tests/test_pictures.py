"""Pictures: the Mermaid DAG in the generated README, Jupyter Markdown and the Rich tree.

``check_mermaid`` is a strict structural check of the flowchart subset sagewright writes (CI
needs no npm). When ``tests/mermaid/node_modules`` is installed (``npm ci --prefix
tests/mermaid``), the real Mermaid parser also reads the example's block.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rich.console import Console

from sagewright.checker import check_topology
from sagewright.generate import Generated, generate
from sagewright.registry import Stage, default_registry
from sagewright.render import mermaid_label, plan_markdown, stage_of, to_mermaid
from sagewright.topology import Topology

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "fraud_xgboost_e2e.txt"
MERMAID_DIR = ROOT / "tests" / "mermaid"

LABEL = r'"[^"\n]*"'
NODE = re.compile(rf"^(n\d+)(?:\[({LABEL})\]|\{{\{{({LABEL})\}}\}})$")
EDGE = re.compile(rf"^(n\d+) (-->|-\.->)(?:\|({LABEL})\|)? (n\d+)$")
CONFIG_FED = re.compile(rf"^(cfg_n\d+)\[/({LABEL})/\] -\.-> (n\d+)$")
SUBGRAPH = re.compile(rf"^subgraph (stage_[a-z]+)\[({LABEL})\]$")
CLASSDEF = re.compile(r"^classDef (succeeded|failed|skipped) [a-z-]+:[^\s,]+(,[a-z-]+:[^,]+)*$")
CLASS = re.compile(r"^class (n\d+(?:,n\d+)*) (succeeded|failed|skipped)$")


def check_mermaid(text: str) -> dict[str, object]:
    """Parse the flowchart subset we write; raise AssertionError on anything else.

    Returns the nodes (id -> label), their subgraph, the edges (a, arrow, label, b) and classes.
    """
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "flowchart TD", lines[0]
    nodes: dict[str, str] = {}
    group: dict[str, str] = {}
    edges: list[tuple[str, str, str | None, str]] = []
    classes: dict[str, str] = {}
    subgraphs: list[str] = []
    current: str | None = None
    for raw in lines[1:]:
        line = raw.strip()
        assert line and raw.startswith("    "), f"bad indentation: {raw!r}"
        if match := SUBGRAPH.match(line):
            assert current is None, "nested subgraph"
            assert match[1] not in subgraphs, f"subgraph {match[1]} declared twice"
            current = match[1]
            subgraphs.append(current)
        elif line == "end":
            assert current is not None, "end without subgraph"
            current = None
        elif match := NODE.match(line):
            assert current is not None, f"node outside a stage: {line}"
            assert match[1] not in nodes, f"node {match[1]} declared twice"
            nodes[match[1]] = (match[2] or match[3]).strip('"')
            group[match[1]] = current
        elif match := EDGE.match(line):
            edges.append((match[1], match[2], match[3] and match[3].strip('"'), match[4]))
        elif match := CONFIG_FED.match(line):
            edges.append((match[1], "-.->", match[2].strip('"'), match[3]))
        elif CLASSDEF.match(line):
            pass
        elif match := CLASS.match(line):
            for node_id in match[1].split(","):
                classes[node_id] = match[2]
        else:
            raise AssertionError(f"line not in the flowchart subset: {line!r}")
    assert current is None, "subgraph not closed"
    for a, _, _, b in edges:
        assert b in nodes, f"edge to undeclared node {b}"
        assert a in nodes or a.startswith("cfg_"), f"edge from undeclared node {a}"
    assert set(classes) <= set(nodes)
    return {"nodes": nodes, "group": group, "edges": edges, "classes": classes}


@pytest.fixture(scope="module")
def example() -> Generated:
    return generate(EXAMPLE.read_text(), None)


def _block(readme: str) -> str:
    blocks = re.findall(r"```mermaid\n(.*?)```", readme, flags=re.S)
    assert len(blocks) == 1
    return str(blocks[0])


def test_readme_embeds_the_dag_grouped_by_stage_with_kind_labels(example: Generated) -> None:
    block = _block(example.files["README.md"])
    assert block == example.files["pipeline.mmd"]
    parsed = check_mermaid(block)
    nodes, group = parsed["nodes"], parsed["group"]
    assert isinstance(nodes, dict) and isinstance(group, dict)
    ids = {label: node_id for node_id, label in nodes.items()}
    assert set(ids) == set(example.topology.nodes)
    for node, node_id in ids.items():
        assert group[node_id] == f"stage_{stage_of(node).value}"
    stages = {stage_of(node) for node in example.topology.nodes}
    assert {Stage.DATA, Stage.TRAINING, Stage.EVALUATION, Stage.REGISTRATION} <= stages
    wires = check_topology(example.topology).wires
    expected = {(ids[w.parent], ids[w.child]) for w in wires}
    edges = parsed["edges"]
    assert isinstance(edges, list)
    drawn = {(a, b): label for a, arrow, label, b in edges if arrow == "-->"}
    assert set(drawn) == expected
    for (a, b), label in drawn.items():
        kinds = {w.kind for w in wires if (ids[w.parent], ids[w.child]) == (a, b)}
        assert label == ", ".join(sorted(kinds))


def test_every_registered_step_has_a_stage() -> None:
    for spec in default_registry():
        assert spec.stage is not Stage.OTHER, spec.name


def test_labels_are_quoted_and_escaped() -> None:
    assert mermaid_label('say "hi" #1\nnow') == '"say #quot;hi#quot; #35;1 now"'
    topology = Topology.parse({"DataLoading_training": []})
    text = to_mermaid(topology, status={"DataLoading_training": "failed", "ghost": "succeeded"})
    parsed = check_mermaid(text)
    assert parsed["classes"] == {"n0": "failed"}
    assert "classDef failed" in text and "classDef succeeded" not in text


def test_status_colours_every_state(example: Generated) -> None:
    nodes = list(example.topology.nodes)
    states = ["succeeded", "failed", "skipped"]
    status = {node: states[i % 3] for i, node in enumerate(nodes)}
    parsed = check_mermaid(to_mermaid(example.topology, status=status))
    classes = parsed["classes"]
    assert isinstance(classes, dict) and sorted(set(classes.values())) == sorted(states)
    assert len(classes) == len(nodes)


def test_structural_check_rejects_broken_flowcharts() -> None:
    good = 'flowchart TD\n    subgraph stage_data["data"]\n        n0["A"]\n    end\n'
    check_mermaid(good)
    for broken in (
        good + "    n0 --> n1\n",  # undeclared endpoint
        good.replace('"A"', '"A "B""'),  # unescaped quote
        good.replace("    end\n", ""),  # unclosed subgraph
        good + '    subgraph stage_data["data"]\n        n1["B"]\n    end\n',  # stage twice
        good.replace('["A"]', "[A]"),  # unquoted label
    ):
        with pytest.raises(AssertionError):
            check_mermaid(broken)


def test_jupyter_and_terminal_pictures(example: Generated) -> None:
    assert example._repr_markdown_() == example.files["README.md"]
    markdown = example.plan._repr_markdown_()
    assert markdown == plan_markdown(example.plan)
    check_mermaid(_block(markdown))
    console = Console(record=True, width=200, color_system=None)
    console.print(example.plan)
    console.print(example)
    shown = console.export_text()
    for node in example.topology.nodes:
        assert shown.count(node) >= 2
    for stage in {stage_of(node).value for node in example.topology.nodes}:
        assert stage in shown
    assert "ProcessedData" in shown


def test_invalid_plan_shows_its_errors() -> None:
    from sagewright.agents.planner import plan

    result = plan("Train XGBoost on s3://b/train/ with label y.")
    result.topology = {**result.topology, "Packaging": ["Nowhere"]}
    result.errors = list(check_topology(result.topology).issues)
    markdown = result._repr_markdown_()
    assert "invalid" in markdown and result.errors[0].code in markdown
    console = Console(record=True, width=200, color_system=None)
    console.print(result)
    assert result.errors[0].code in console.export_text()


@pytest.mark.skipif(
    shutil.which("node") is None or not (MERMAID_DIR / "node_modules" / "mermaid").is_dir(),
    reason="the real Mermaid parser is installed with `npm ci --prefix tests/mermaid`",
)
def test_real_mermaid_parser_reads_the_example(example: Generated, tmp_path: Path) -> None:
    status = {node: "succeeded" for node in example.topology.nodes}
    files = {
        "readme.mmd": _block(example.files["README.md"]),
        "status.mmd": to_mermaid(example.topology, status=status),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    done = subprocess.run(
        ["node", str(MERMAID_DIR / "parse.mjs"), *(str(tmp_path / n) for n in files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
