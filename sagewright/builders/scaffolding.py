"""Configs for a topology before anyone answered a question: what ``init-config`` writes.

Defaults, the stated facts (canonical keys), and clearly recorded placeholders for every
essential value still unknown, including the existing-model URI of or-config ports that
no parent feeds, so that the scaffold always assembles (with ``--allow-placeholders``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sagewright.checker import check_topology, require_steps
from sagewright.errors import ConfigError
from sagewright.facts import PipelineValues
from sagewright.registry import Registry, default_registry
from sagewright.scaffold import Scaffold, build_configs, placeholder_value
from sagewright.topology import Topology, step_type_of


def scaffold_configs(
    topology: Topology | Mapping[str, list[str]],
    facts: Mapping[str, Any],
    *,
    registry: Registry | None = None,
) -> Scaffold:
    """Validated configs for every node of a checked topology, placeholders recorded."""
    reg = registry or default_registry()
    topo = Topology.parse(topology)
    require_steps(topo)
    result = check_topology(topo, existing_model=True, registry=reg).raise_for_issues()
    try:
        values = PipelineValues.from_facts(facts)
    except KeyError as exc:
        raise ConfigError(
            f"facts: {exc.args[0]}",
            hint="fact keys are the step catalogue's canonical keys (region, bucket, "
            "data.training.s3_uri, hyperparameters.max_depth, ...)",
            code="unknown_fact",
            where="facts",
        ) from None
    scaffold = build_configs(topo, values, allow_placeholders=True, registry=reg)
    for node, port_name in result.config_fed:
        config = scaffold.configs[node]
        field = str(reg.get(step_type_of(node)).input(port_name).config_field)
        if getattr(config, field) is None:
            examples = type(config).model_fields[field].examples or []
            setattr(config, field, placeholder_value(node, field, examples[0]))
            scaffold.placeholders.append((node, field))
    return scaffold


def write_scaffold(
    topology: Topology | Mapping[str, list[str]],
    facts: Mapping[str, Any],
    out_file: Path,
    *,
    allow_placeholders: bool,
    force: bool,
) -> Scaffold:
    """:func:`scaffold_configs`, saved to ``out_file`` (hand edits refused unless ``force``).

    The one write path of ``init-config`` for the CLI and the MCP server.
    """
    from sagewright.config_file import save_configs

    scaffold = scaffold_configs(topology, facts)
    save_configs(
        scaffold.configs,
        out_file,
        placeholders=scaffold.placeholders,
        allow_placeholders=allow_placeholders,
        protect_edits=True,
        force=force,
    )
    return scaffold
