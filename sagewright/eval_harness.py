"""Run the planner and the fact extractor over golden cases; predictions, summary, report.

For every case: ``plan`` the requirement, ``extract`` its values for the predicted topology,
fill the configs (placeholders allowed) and read the facts back with canonical keys
(:func:`sagewright.facts.facts_from_configs`), check the plan, and score it with
:mod:`sagewright.eval_metrics`. The extractor is pluggable: by default
``sagewright.agents.extractor.extract`` (imported lazily), else the offline extractor, else
none (facts are then reported as ``null``, not as zero).

Validity uses the checker with ``existing_model`` = the extracted values hold an existing
model URI; when no extractor is available it falls back to the planner's own reading.

Baselines (``eval/baselines/*.json``) hold a summary; :func:`baseline_regressions` lists every
metric that got worse (higher-is-better metrics dropped, ``ged`` / ``facts_invented`` rose).
They are rewritten only on purpose: ``sagewright eval ... --update-baseline FILE``.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sagewright import jsonio
from sagewright.agents.llm import OFFLINE, Usage
from sagewright.agents.planner import PlanResult, plan
from sagewright.agents.text.leftovers import fresh_notes
from sagewright.checker import check_topology
from sagewright.errors import SagewrightError
from sagewright.eval_metrics import (
    CaseScore,
    Counts,
    FactScore,
    edge_diff,
    fact_score,
    node_diff,
    score_topology,
)
from sagewright.facts import PipelineValues, facts_from_configs
from sagewright.folders import write_file
from sagewright.registry import Registry, default_registry
from sagewright.topology import Topology

Extractor = Callable[..., Any]  # extract(requirement, topology, *, model=None) -> Extraction
Planner = Callable[[str], PlanResult]

HIGHER_IS_BETTER = ("valid", "exact", "node_f1", "edge_f1", "facts", "unsupported_named")
LOWER_IS_BETTER = ("ged", "facts_invented")


class EvalError(SagewrightError):
    code = "eval_error"


@dataclass(frozen=True)
class GoldenCase:
    id: str
    requirement: str
    topology: dict[str, list[str]]
    facts: dict[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    unsupported: tuple[str, ...] = ()  # asks the catalogue lacks, to be named in the notes


def load_golden(path: Path) -> list[GoldenCase]:
    """Read a golden JSONL file; one-line typed errors name the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise EvalError(f"{path}: file not found", code="file_not_found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError(f"{path}: cannot read: {exc}", code="unreadable_file") from None
    cases: list[GoldenCase] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = jsonio.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{where}: malformed JSON: {exc.msg}", code="malformed_json") from None
        cases.append(_case_from(data, where))
    if not cases:
        raise EvalError(f"{path}: no cases", code="empty_golden_file")
    ids = [c.id for c in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise EvalError(f"{path}: duplicate case ids: {', '.join(duplicates)}", code="duplicate_id")
    return cases


def _case_from(data: object, where: str) -> GoldenCase:
    if not isinstance(data, dict):
        raise EvalError(f"{where}: expected a JSON object", code="bad_golden_case")
    missing = [k for k in ("id", "requirement", "topology") if k not in data]
    if missing:
        raise EvalError(f"{where}: missing {', '.join(missing)}", code="bad_golden_case")
    if not isinstance(data["id"], str) or not isinstance(data["requirement"], str):
        raise EvalError(f"{where}: id and requirement must be strings", code="bad_golden_case")
    try:
        topology = Topology.parse(data["topology"], source=where).to_dict()
    except SagewrightError as exc:
        raise EvalError(exc.message, hint=exc.hint, code="bad_golden_case") from None
    facts = data.get("facts") or {}
    tags = data.get("tags") or []
    unsupported = data.get("unsupported") or []
    if not isinstance(facts, dict) or not isinstance(tags, list):
        raise EvalError(f"{where}: facts must be an object, tags a list", code="bad_golden_case")
    if not isinstance(unsupported, list):
        raise EvalError(f"{where}: unsupported must be a list", code="bad_golden_case")
    return GoldenCase(
        data["id"],
        data["requirement"],
        topology,
        facts,
        tuple(map(str, tags)),
        tuple(str(u) for u in unsupported),
    )


# ---------------------------------------------------------------------------------------------
# running


@dataclass
class Prediction:
    """One line of the predictions JSONL."""

    id: str
    topology: dict[str, list[str]]
    facts: dict[str, Any] | None  # None: no extractor available
    valid: bool
    errors: list[dict[str, Any]]
    attempts: int
    usage: dict[str, int]
    seconds: float
    backend: str = OFFLINE
    fallback: str | None = None
    extraction_error: str | None = None
    extraction_fallback: str | None = None
    llm_attempts: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "topology": self.topology,
            "facts": self.facts,
            "valid": self.valid,
            "errors": self.errors,
            "attempts": self.attempts,
            "usage": self.usage,
            "seconds": round(self.seconds, 4),
            "backend": self.backend,
            "fallback": self.fallback,
            "extraction_error": self.extraction_error,
            "extraction_fallback": self.extraction_fallback,
            "llm_attempts": self.llm_attempts,
            "notes": self.notes,
        }

    def names(self, word: str) -> bool:
        """Whether a note names ``word`` (an unsupported ask of the golden case)."""
        return any(word.lower() in note.lower() for note in self.notes)


@dataclass
class CaseResult:
    case: GoldenCase
    prediction: Prediction
    score: CaseScore
    facts: FactScore | None


def default_extractor() -> Extractor | None:
    """``sagewright.agents.extractor.extract``, else the offline extractor, else None."""
    try:
        module = importlib.import_module("sagewright.agents.extractor")
    except ImportError:
        module = None
    extract = getattr(module, "extract", None)
    if callable(extract):
        return cast(Extractor, extract)
    try:
        from sagewright.agents.offline_extractor import extract_offline
    except ImportError:
        return None

    def offline(requirement: str, topology: Topology, *, model: str | None = None) -> Any:
        return extract_offline(requirement, topology)

    return offline


def run_case(
    case: GoldenCase,
    *,
    planner: Planner,
    extractor: Extractor | None,
    model: str | None = None,
    registry: Registry | None = None,
) -> CaseResult:
    reg = registry or default_registry()
    started = time.perf_counter()
    result = planner(case.requirement)
    usage = Usage()
    usage.add(result.usage)
    facts: dict[str, Any] | None = None
    values: PipelineValues | None = None
    extraction_error: str | None = None
    extraction_fallback: str | None = None
    attempts = [a.to_dict() for a in getattr(result, "llm_attempts", [])]
    notes = list(result.notes)
    topology = result.graph()
    if extractor is not None:
        facts = {}
        try:
            extraction = extractor(case.requirement, topology, model=model)
            values = extraction.values
            extra_usage = getattr(extraction, "usage", None)
            if isinstance(extra_usage, Usage):
                usage.add(extra_usage)
            extraction_fallback = getattr(extraction, "fallback", None)
            attempts += [a.to_dict() for a in getattr(extraction, "llm_attempts", [])]
            facts = facts_of(topology, values, reg)
            notes += fresh_notes(getattr(extraction, "notes", []), notes)
        except SagewrightError as exc:
            extraction_error = f"{exc.code}: {exc.message}"
    existing = (
        _has_existing_model(values, facts) if extractor is not None else result.existing_model
    )
    check = check_topology(topology, existing_model=existing, registry=reg)
    seconds = time.perf_counter() - started
    prediction = Prediction(
        id=case.id,
        topology=result.topology,
        facts=facts,
        valid=check.ok,
        errors=[issue.to_dict() for issue in check.issues],
        attempts=result.attempts,
        usage=usage.to_dict(),
        seconds=seconds,
        backend=result.backend,
        fallback=result.fallback,
        extraction_error=extraction_error,
        extraction_fallback=extraction_fallback,
        llm_attempts=attempts,
        notes=notes,
    )
    score = score_topology(result.topology, case.topology, reg)
    fscore = fact_score(facts, case.facts) if facts is not None else None
    return CaseResult(case, prediction, score, fscore)


def facts_of(
    topology: Topology, values: PipelineValues, reg: Registry | None = None
) -> dict[str, Any]:
    """The facts the scorer sees: read back from configs built with recorded placeholders."""
    from sagewright.scaffold import build_configs

    scaffold = build_configs(topology, values, allow_placeholders=True, registry=reg)
    own = {(node, path) for node, fields in values.per_node.items() for path in fields}
    facts = facts_from_configs(scaffold.configs, placeholders={*scaffold.placeholders, *own})
    for node, fields in values.per_node.items():  # one node's own values: config.NODE.FIELD
        for path, value in fields.items():
            facts.setdefault(f"config.{node}.{path}", value)
    return facts


def _has_existing_model(values: PipelineValues | None, facts: Mapping[str, Any] | None) -> bool:
    if facts and facts.get("existing_model_uri"):
        return True
    if values is None:
        return False
    if values.shared.get("existing_model_uri"):
        return True
    return any(v.get("existing_model_uri") for v in values.per_node.values())


def run_eval(
    cases: Sequence[GoldenCase],
    *,
    model: str | None = None,
    extractor: Extractor | str | None = "default",
    planner: Planner | None = None,
    registry: Registry | None = None,
) -> EvalRun:
    """Plan, extract and score every case. ``extractor=None`` skips fact extraction."""
    reg = registry or default_registry()
    chosen = default_extractor() if extractor == "default" else extractor
    if isinstance(chosen, str):
        raise EvalError(f"unknown extractor '{chosen}'", code="bad_extractor")
    backend = model or OFFLINE

    def default_planner(requirement: str) -> PlanResult:
        return plan(requirement, model=backend, registry=reg)

    run_planner = planner or default_planner
    started = time.perf_counter()
    results = [
        run_case(case, planner=run_planner, extractor=chosen, model=backend, registry=reg)
        for case in cases
    ]
    return EvalRun(results, backend, time.perf_counter() - started)


# ---------------------------------------------------------------------------------------------
# summary and report


@dataclass
class EvalRun:
    results: list[CaseResult]
    backend: str
    seconds: float

    def predictions(self) -> list[dict[str, Any]]:
        return [r.prediction.to_dict() for r in self.results]

    def write_predictions(self, path: Path) -> None:
        lines = [json.dumps(p, sort_keys=False) for p in self.predictions()]
        write_file(path, "\n".join(lines) + "\n")

    def summary(self) -> dict[str, Any]:
        out = _metrics(self.results)
        tags = sorted({t for r in self.results for t in r.case.tags})
        out["by_tag"] = {
            tag: _metrics([r for r in self.results if tag in r.case.tags]) for tag in tags
        }
        out["usage"] = _usage(self.results, self.seconds)
        out["backend"] = self.backend
        if self.all_llm_failed:
            out["backend"] = f"offline (every call to {self.backend} failed)"
        out["all_llm_failed"] = self.all_llm_failed
        return out

    @property
    def all_llm_failed(self) -> bool:
        """An LLM backend was asked and every case fell back: the scores are offline's."""
        if self.backend == OFFLINE or not self.results:
            return False
        return all(
            p.fallback and (p.facts is None or p.extraction_fallback or p.extraction_error)
            for p in (r.prediction for r in self.results)
        )

    def misses(self) -> list[CaseResult]:
        return [r for r in self.results if not (r.score.exact and r.prediction.valid)]

    def report(self, *, title: str = "Planner eval") -> str:
        return render_report(self, title=title)


def _metrics(results: Sequence[CaseResult]) -> dict[str, Any]:
    n = len(results)
    nodes = sum((r.score.nodes for r in results), Counts())
    edges = sum((r.score.edges for r in results), Counts())
    scored = [r.facts for r in results if r.facts is not None]
    golden = sum(f.golden for f in scored)
    asks = [(r, word) for r in results for word in r.case.unsupported]
    return {
        "cases": n,
        "valid": _ratio(sum(r.prediction.valid for r in results), n),
        "exact": _ratio(sum(r.score.exact for r in results), n),
        "node_f1": round(nodes.f1, 4),
        "edge_f1": round(edges.f1, 4),
        "ged": round(sum(r.score.ged for r in results) / n, 4) if n else 0.0,
        "facts": _ratio(sum(f.recovered for f in scored), golden) if scored and golden else None,
        "facts_invented": sum(f.invented for f in scored) if scored else None,
        "unsupported_named": (
            _ratio(sum(r.prediction.names(w) for r, w in asks), len(asks)) if asks else None
        ),
    }


def _ratio(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def _usage(results: Sequence[CaseResult], seconds: float) -> dict[str, Any]:
    n = max(len(results), 1)
    calls = sum(r.prediction.usage.get("calls", 0) for r in results)
    tokens_in = sum(r.prediction.usage.get("input_tokens", 0) for r in results)
    tokens_out = sum(r.prediction.usage.get("output_tokens", 0) for r in results)
    case_seconds = sum(r.prediction.seconds for r in results)
    return {
        "calls": calls,
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
        "total_tokens": tokens_in + tokens_out,
        "calls_per_case": round(calls / n, 3),
        "tokens_per_case": round((tokens_in + tokens_out) / n, 1),
        "seconds_per_case": round(case_seconds / n, 4),
        "seconds": round(seconds, 3),
        "fallbacks": sum(1 for r in results if r.prediction.fallback),
        "extraction_fallbacks": sum(1 for r in results if r.prediction.extraction_fallback),
    }


def render_report(run: EvalRun, *, title: str = "Planner eval") -> str:
    summary = run.summary()
    lines = [f"# {title}", "", f"Backend: `{summary['backend']}`, {summary['cases']} cases.", ""]
    lines += ["| metric | value |", "|---|---|"]
    for key in (
        "valid",
        "exact",
        "node_f1",
        "edge_f1",
        "ged",
        "facts",
        "facts_invented",
        "unsupported_named",
    ):
        lines.append(f"| {key} | {_fmt(summary[key])} |")
    usage = summary["usage"]
    for key in (
        "calls_per_case",
        "tokens_per_case",
        "seconds_per_case",
        "fallbacks",
        "extraction_fallbacks",
    ):
        lines.append(f"| {key} | {_fmt(usage[key])} |")
    lines += ["", "## By tag", ""]
    lines += [
        "| tag | cases | valid | exact | node F1 | edge F1 | GED | facts | invented |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for tag, m in summary["by_tag"].items():
        lines.append(
            f"| {tag} | {m['cases']} | {_fmt(m['valid'])} | {_fmt(m['exact'])} | "
            f"{_fmt(m['node_f1'])} | {_fmt(m['edge_f1'])} | {_fmt(m['ged'])} | "
            f"{_fmt(m['facts'])} | {_fmt(m['facts_invented'])} |"
        )
    misses = run.misses()
    lines += ["", f"## Topology misses ({len(misses)})", ""]
    if not misses:
        lines.append("None.")
    for result in misses:
        lines += _miss_section(result)
    fact_misses = [r for r in run.results if r.facts and (r.facts.wrong or r.facts.missing)]
    lines += ["", f"## Fact misses ({len(fact_misses)})", ""]
    if not fact_misses:
        lines.append("None." if any(r.facts for r in run.results) else "No extractor.")
    for result in fact_misses:
        assert result.facts is not None
        predicted = result.prediction.facts or {}
        lines.append(f"- **{result.case.id}**")
        for key in result.facts.missing:
            lines.append(f"  - missing `{key}` = `{result.case.facts[key]!r}`")
        for key in result.facts.wrong:
            lines.append(
                f"  - wrong `{key}`: got `{predicted.get(key)!r}`, "
                f"expected `{result.case.facts[key]!r}`"
            )
    return "\n".join(lines) + "\n"


def _miss_section(result: CaseResult) -> list[str]:
    case, pred = result.case, result.prediction
    added, missing = edge_diff(pred.topology, case.topology)
    extra_nodes, missing_nodes = node_diff(pred.topology, case.topology)
    state = "valid" if pred.valid else "INVALID"
    lines = [f"### {case.id} ({state}, GED {result.score.ged:.3f})", ""]
    lines += ["> " + line for line in case.requirement.splitlines()] + [""]
    lines += _listing("added nodes", extra_nodes) + _listing("missing nodes", missing_nodes)
    lines += _listing("added edges", [f"{p} -> {c}" for p, c in added])
    lines += _listing("missing edges", [f"{p} -> {c}" for p, c in missing])
    if pred.errors:
        lines.append("- checker errors:")
        lines += [f"  - `{e['code']}` {e.get('node') or '-'}: {e['message']}" for e in pred.errors]
    if pred.fallback:
        lines.append(f"- LLM fallback: `{pred.fallback}`")
    unnamed = [w for w in case.unsupported if not pred.names(w)]
    if unnamed:
        lines.append("- unsupported asks not named: " + ", ".join(f"`{w}`" for w in unnamed))
    return [*lines, ""]


def _listing(label: str, items: Iterable[str]) -> list[str]:
    shown = list(items)
    return [f"- {label}: " + ", ".join(f"`{i}`" for i in shown)] if shown else []


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.1f}"
    return str(value)


# ---------------------------------------------------------------------------------------------
# baselines


def baseline_of(summary: Mapping[str, Any]) -> dict[str, Any]:
    """What a baseline keeps: the headline metrics, overall and by tag."""
    keys = (*HIGHER_IS_BETTER, *LOWER_IS_BETTER, "cases")
    return {
        **{k: summary.get(k) for k in keys},
        "by_tag": {
            tag: {k: m.get(k) for k in keys} for tag, m in summary.get("by_tag", {}).items()
        },
    }


def baseline_regressions(
    summary: Mapping[str, Any], baseline: Mapping[str, Any], *, tolerance: float = 1e-9
) -> list[str]:
    """Metrics worse than the baseline, as readable lines ("exact: 0.90 < baseline 0.95")."""
    found: list[str] = []
    scopes: list[tuple[str, Mapping[str, Any], Mapping[str, Any]]] = [("", summary, baseline)]
    for tag, base in baseline.get("by_tag", {}).items():
        scopes.append((f"[{tag}] ", summary.get("by_tag", {}).get(tag, {}), base))
    for prefix, now, base in scopes:
        for key in HIGHER_IS_BETTER:
            cur, ref = now.get(key), base.get(key)
            if cur is not None and ref is not None and cur < ref - tolerance:
                found.append(f"{prefix}{key}: {cur} < baseline {ref}")
        for key in LOWER_IS_BETTER:
            cur, ref = now.get(key), base.get(key)
            if cur is not None and ref is not None and cur > ref + tolerance:
                found.append(f"{prefix}{key}: {cur} > baseline {ref}")
    return found


def read_baseline(path: Path) -> dict[str, Any]:
    try:
        data = jsonio.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvalError(f"{path}: baseline not found", code="file_not_found") from None
    except json.JSONDecodeError as exc:
        raise EvalError(f"{path}: malformed JSON: {exc.msg}", code="malformed_json") from None
    if not isinstance(data, dict):
        raise EvalError(f"{path}: a baseline is a JSON object", code="bad_baseline")
    by_tag = data.get("by_tag", {})
    if not isinstance(by_tag, dict) or not all(isinstance(v, dict) for v in by_tag.values()):
        raise EvalError(f"{path}: 'by_tag' maps tags to metric objects", code="bad_baseline")
    for prefix, scope in [("", data), *((f"by_tag.{t}.", m) for t, m in by_tag.items())]:
        for key in (*HIGHER_IS_BETTER, *LOWER_IS_BETTER):
            value = scope.get(key)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise EvalError(
                    f"{path}: {prefix}{key} is {json.dumps(value)[:40]}, not a number",
                    hint="rewrite the baseline with --update-baseline",
                    code="bad_baseline",
                )
    return data


def write_baseline(path: Path, summary: Mapping[str, Any]) -> None:
    write_file(path, json.dumps(baseline_of(summary), indent=2) + "\n")
