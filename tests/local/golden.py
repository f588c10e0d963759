"""Golden-set topologies as pipeline folders, placeholders filled (shared by the local-run
tests and ``benchmarks/local_run.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sagewright.builders.assembler import assemble
from sagewright.builders.deploy import write_deploy_folder
from sagewright.facts import PipelineValues
from sagewright.scaffold import build_configs
from sagewright.topology import Topology

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "eval" / "golden" / "topologies.jsonl"


def golden_cases() -> dict[str, dict[str, Any]]:
    cases = [json.loads(line) for line in GOLDEN.read_text().splitlines() if line.strip()]
    return {case["id"]: case for case in cases}


def known_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """The facts this sagewright maps to config (others would stop the scaffold)."""
    kept: dict[str, Any] = {}
    for key, value in facts.items():
        try:
            PipelineValues.from_facts({key: value})
        except (KeyError, ValueError):
            continue
        kept[key] = value
    return kept


def assemble_case(case: dict[str, Any], out: Path, **overrides: Any) -> Path:
    """Assemble a golden topology with its facts, placeholders for the rest, into ``out``."""
    topology = Topology.parse(case["topology"])
    values = PipelineValues.from_facts({**known_facts(case.get("facts", {})), **overrides})
    scaffold = build_configs(topology, values, allow_placeholders=True)
    write_deploy_folder(assemble(topology, scaffold.configs), out)
    return out
