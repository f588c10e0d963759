"""Requirement in, output folder out: plan -> fill configs -> assemble -> write.

The one flow behind ``sagewright generate``, batch items and the chat's export. Questions go
to ``ask`` when given (a terminal, a chat); without it, missing essential values fail with
their list. Every value in the output README says where it came from.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sagewright import jsonio
from sagewright.agents.extract_fields import (
    KeyRejected,
    apply_key,
    key_for_config_path,
    stated_keys,
    validate_key,
)
from sagewright.agents.extractor import Extraction, extract
from sagewright.agents.planner import PlanResult, plan
from sagewright.agents.qa_agent import QuestionSession
from sagewright.agents.questions import Question
from sagewright.agents.text.leftovers import fresh_notes
from sagewright.batch import BatchItem
from sagewright.errors import ConfigError, SagewrightError, TopologyError
from sagewright.facts import PipelineValues
from sagewright.folders import precheck
from sagewright.output import field_items
from sagewright.redact import redact
from sagewright.registry.config_base import StepConfig
from sagewright.scaffold import same_source_warnings
from sagewright.topology import Topology

Ask = Callable[[Question], str]
MAX_ASKS_PER_QUESTION = 5


@dataclass
class Generated:
    out_dir: Path | None
    plan: PlanResult
    topology: Topology
    configs: dict[str, StepConfig]
    definition: str
    provenance: dict[str, str]
    files: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the README's Notes section says
    extraction: Extraction | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # plan, values, assemble, total

    def to_dict(self) -> dict[str, Any]:
        """What ``generate --json`` prints (schema: docs/schemas/generate.schema.json)."""
        extraction = self.extraction
        return {
            "out_dir": str(self.out_dir) if self.out_dir is not None else None,
            "files": sorted(self.files),
            "topology": self.topology.to_dict(),
            "backend": {
                "plan": self.plan.backend,
                "values": extraction.backend if extraction else None,
            },
            "fallback": {
                "plan": self.plan.fallback,
                "values": extraction.fallback if extraction else None,
            },
            "notes": self.notes,
            "extraction_notes": list(extraction.notes) if extraction else [],
            "not_understood": _listed(self.plan, extraction, "not_understood"),
            "unsupported": _listed(self.plan, extraction, "unsupported"),
            "missing": list(extraction.missing) if extraction else [],
            "provenance": dict(sorted(self.provenance.items())),
            "seconds": {key: round(value, 4) for key, value in self.seconds.items()},
        }

    def _repr_markdown_(self) -> str:
        """Jupyter shows the generated README (steps, Mermaid DAG, values and sources)."""
        return self.files.get("README.md") or self.plan._repr_markdown_()

    def __rich__(self) -> Any:
        """A terminal shows the plan's tree under where the files went."""
        from sagewright.render import rich_tree

        where = str(self.out_dir) if self.out_dir is not None else "not written"
        return rich_tree(
            f"generated pipeline ({where}): {len(self.topology.nodes)} steps", self.topology
        )


def _listed(plan: PlanResult, extraction: Extraction | None, name: str) -> list[Any]:
    """The plan's and the extraction's ``name`` list (``not_understood``, ``unsupported``).

    Read by name so either agent may carry it; each item once, as JSON.
    """
    items: list[Any] = []
    for result in (plan, extraction):
        for item in getattr(result, name, None) or []:
            shown = item.to_dict() if hasattr(item, "to_dict") else item
            if shown not in items:
                items.append(shown)
    return items


def load_defaults(path: Path) -> PipelineValues:
    """A JSON object of value keys (canonical fact keys such as ``region``, ``role_arn``)."""
    try:
        data = jsonio.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found", code="file_not_found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}", code="unreadable_file") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            code="malformed_json",
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object of value keys", code="malformed_config")
    values = PipelineValues()
    framework = data.get("framework") if data.get("framework") in ("xgboost", "pytorch") else None
    for key, value in data.items():
        try:
            value = validate_key(key, value, framework=framework or "xgboost")
        except KeyError:
            pass  # a key of the other framework or a node key: checked with its config
        except KeyRejected as exc:
            raise ConfigError(
                f"{path}: key '{key}': {exc.message}",
                hint="fix the value in the defaults file",
                code="invalid_value",
            ) from None
        try:
            apply_key(values, key, value)
        except KeyError:
            raise ConfigError(
                f"{path}: unknown key '{key}'",
                hint="use canonical fact keys such as region, role_arn, bucket, label_name",
                code="unknown_key",
            ) from None
    return values


def plan_checked(requirement: str, *, model: str | None, base_url: str | None = None) -> PlanResult:
    result = plan(requirement, model=model, base_url=base_url)
    if not result.valid:
        first = result.errors[0]
        raise TopologyError(
            f"the plan is not valid: {first.message}",
            hint=first.hint,
            code=first.code,
            issues=list(result.errors),
        )
    if not result.topology:
        raise TopologyError(
            "nothing in the requirement maps to a step sagewright knows: "
            + ("; ".join(result.notes) or "the plan is empty"),
            hint="describe data, training, evaluation, packaging or registration steps",
            code="empty_plan",
        )
    return result


def fill_values(
    requirement: str,
    topology: Topology,
    *,
    model: str | None,
    defaults: PipelineValues | None,
    ask: Ask | None,
    tell: Callable[[str], None] = lambda _: None,
    base_url: str | None = None,
    said: Sequence[str] = (),
) -> tuple[QuestionSession, dict[str, str], Extraction]:
    """Extract stated values, add defaults-file values, ask for the rest (or fail);
    ``said``: notes already shown, not repeated."""
    extraction: Extraction = extract(requirement, topology, model=model, base_url=base_url)
    extraction.notes = fresh_notes(extraction.notes, said)  # the plan's notes were said
    for note in extraction.notes:  # values not understood, replaced by a later message
        tell(f"note: {note}")
    provenance = dict.fromkeys(stated_keys(extraction.values), "stated")
    values = extraction.values
    for key, value in stated_keys(defaults or PipelineValues()).items():
        if key not in provenance:
            apply_key(values, key, value)
            provenance[key] = "defaults file"
    session = QuestionSession(
        topology, values, conflicts=extraction.conflicts, rejected=extraction.rejected
    )
    if ask is None:
        open_questions = session.questions()
        if open_questions:
            listed = ", ".join(q.key for q in open_questions)
            refused = "".join(  # stated, but their fields do not accept them
                f"; {r.key} {r.value!r} was refused: {r.message}" for r in extraction.rejected[:3]
            )
            raise ConfigError(
                f"missing essential values: {listed}{refused}",
                hint="state them in the requirement, pass --defaults FILE, or answer "
                "interactively (without --yes, on a terminal)",
                code="missing_fields",
                where=open_questions[0].key,
            )
        return session, provenance, extraction
    asked: dict[str, int] = {}
    question = session.next_question()
    while question is not None:
        asked[question.key] = asked.get(question.key, 0) + 1
        if asked[question.key] > MAX_ASKS_PER_QUESTION:
            raise ConfigError(
                f"no valid answer for '{question.key}' after {MAX_ASKS_PER_QUESTION} tries",
                code="too_many_tries",
                where=question.key,
            )
        result = session.answer(question.key, ask(question))
        if result.reask is not None:
            tell(result.message)
            question = result.reask
            continue
        for key in result.accepted:
            provenance[key] = "answered"
        question = session.next_question()
    return session, provenance, extraction


def generate(
    requirement: str,
    out_dir: Path | None,
    *,
    model: str | None = None,
    defaults: PipelineValues | None = None,
    ask: Ask | None = None,
    tell: Callable[[str], None] = lambda _: None,
    base_url: str | None = None,
    force: bool = False,
    meta: Mapping[str, Any] | None = None,
) -> Generated:
    """Plan, fill, assemble and (when ``out_dir`` is given) write the five output files.

    An earlier output in ``out_dir`` with files edited by hand is replaced only with
    ``force``; ``meta`` is recorded in the folder's marker (batch keys items by it).
    """
    if not requirement.strip():
        raise SagewrightError(
            "the requirement is empty",
            code="empty_requirement",
            hint="write what the pipeline should do",
        )
    if out_dir is not None:
        precheck(out_dir, kind="generate")
    redacted = redact(requirement)
    if redacted.found:
        tell(f"warning: {redacted.warning()}")
        requirement = redacted.text
    if ask is not None:
        ask = _redacting(ask, tell)
    started = time.perf_counter()
    planned = plan_checked(requirement, model=model, base_url=base_url)
    planned_at = time.perf_counter()
    topology = planned.graph()
    for note in planned.notes:  # asks the catalogue lacks
        tell(f"note: {note}")
    session, provenance, extraction = fill_values(
        requirement,
        topology,
        model=model,
        defaults=defaults,
        ask=ask,
        tell=tell,
        base_url=base_url,
        said=planned.notes,
    )
    filled_at = time.perf_counter()
    result = finish(
        requirement,
        planned,
        topology,
        session.configs(),
        provenance,
        out_dir,
        force=force,
        meta=meta,
        notes=[*([redacted.warning()] if redacted.found else []), *extraction.notes],
    )
    done = time.perf_counter()
    result.extraction = extraction
    result.seconds = {
        "plan": planned_at - started,
        "values": filled_at - planned_at,  # extraction and questions (answers included)
        "assemble_and_write": done - filled_at,
        "total": done - started,
    }
    return result


def _redacting(ask: Ask, tell: Callable[[str], None]) -> Ask:
    """``ask`` whose answers have secrets removed (with a warning) before they are used."""

    def ask_redacted(question: Question) -> str:
        answer = redact(ask(question))
        if answer.found:
            tell(f"warning: {answer.warning()}")
        return answer.text

    return ask_redacted


def finish(
    requirement: str,
    planned: PlanResult,
    topology: Topology,
    configs: dict[str, StepConfig],
    provenance: dict[str, str],
    out_dir: Path | None,
    *,
    force: bool = False,
    meta: Mapping[str, Any] | None = None,
    notes: Sequence[str] = (),
) -> Generated:
    """Assemble the definition and write the folder; ``notes`` go to its README."""
    from sagewright.agents.reasons import explain
    from sagewright.builders.assembler import build_definition
    from sagewright.output import render_outputs, write_output_folder

    definition = build_definition(topology, configs)
    sources = config_sources(configs, provenance)
    all_notes = list(dict.fromkeys([*planned.notes, *config_warnings(configs), *notes]))
    reasons = planned.reasons
    if any(node not in reasons for node in topology.parents):  # an edited or a chat's plan
        reasons = explain(requirement, topology.parents, known=reasons)
    files = render_outputs(
        requirement=requirement,
        topology=topology,
        configs=configs,
        definition=definition,
        sources=sources,
        existing_model=planned.existing_model,
        notes=all_notes,
        reasons=reasons,
    )
    written = (
        write_output_folder(out_dir, files, force=force, meta=meta) if out_dir is not None else None
    )
    return Generated(
        written, planned, topology, configs, definition, provenance, files, notes=all_notes
    )


def config_warnings(configs: dict[str, StepConfig]) -> list[str]:
    """What a user should know about the values before running the pipeline."""
    preprocessing = [c for c in configs.values() if c.step_type == "TabularPreprocessing"]
    undeclared = sorted(
        {
            column
            for cfg in preprocessing
            for column in getattr(cfg, "cat_field_list", [])
            if column not in getattr(cfg, "categories", {})
        }
    )
    warnings = same_source_warnings(configs)
    if len(preprocessing) > 1 and undeclared:
        warnings.append(
            f"categorical columns {', '.join(undeclared)} are coded from each dataset's own "
            "values; declare their `categories` in config.json so every job type codes a value "
            "alike"
        )
    return warnings


def config_sources(configs: dict[str, StepConfig], provenance: dict[str, str]) -> dict[str, str]:
    """``node.path`` -> source, for every config field whose value key has a provenance."""
    sources: dict[str, str] = {}
    for node, cfg in configs.items():
        for path, _ in field_items(cfg.stored_fields()):
            key = key_for_config_path(path, node)
            if key is not None and key in provenance:
                sources[f"{node}.{path}"] = provenance[key]
            elif f"{node}.{path}" in provenance:
                sources[f"{node}.{path}"] = provenance[f"{node}.{path}"]
    return sources


def batch_item(
    item: BatchItem,
    out_dir: Path,
    *,
    model: str | None,
    defaults_file: Path | None,
    force: bool = False,
) -> None:
    """One batch item, non-interactive (a top-level function so worker processes can run it)."""
    defaults = load_defaults(defaults_file) if defaults_file is not None else None
    generate(
        item.requirement,
        out_dir,
        model=model,
        defaults=defaults,
        force=force,
        meta={"input": item.key},
    )
