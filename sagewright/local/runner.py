"""Walk the definition's DAG and run each step locally; write ``run.json``.

Steps run one at a time in dependency order (``Get Steps.X...`` references and
``DependsOn``), wave by wave as SageMaker starts them (:func:`order`). A condition runs the
steps of the branch it takes and skips the other branch; a Fail step ends the run with its
message; a step that fails ends the run and nothing after it runs.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from sagewright.dag import CycleError, topological_order
from sagewright.local.context import Outcome, RunOptions, StepContext, StepFailed
from sagewright.local.data import user_files
from sagewright.local.expressions import Resolver, UnresolvedError
from sagewright.local.folder import LocalRunError, PipelineFolder, read_folder
from sagewright.local.picture import DAG_FILE, write_status_dag
from sagewright.local.s3 import LocalS3

RUN_FILE = "run.json"
EXECUTION_ID = "local"
_REFERENCE = re.compile(r'"Get": "Steps\.([^."\[]+)')
LOG_TAIL_LINES = 25


@dataclass
class StepRecord:
    name: str
    type: str
    parents: list[str]
    status: str = "NotRun"  # Succeeded | Failed | Skipped | NotRun
    seconds: float = 0.0
    metrics: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    decision: str | None = None
    message: str | None = None
    log: str | None = None


@dataclass
class RunResult:
    pipeline: str
    folder: str
    work: str
    status: str  # Succeeded | Failed
    seconds: float
    steps: list[StepRecord]
    failed_step: str | None = None
    message: str | None = None
    log_tail: list[str] = field(default_factory=list)
    status_dag: str | None = None  # dag.mmd in the run folder: the DAG coloured by status

    @property
    def ok(self) -> bool:
        return self.status == "Succeeded"

    def step(self, name: str) -> StepRecord:
        return next(s for s in self.steps if s.name == name)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["steps"] = [asdict(s) for s in self.steps]
        return data


def executors() -> dict[str, Callable[[StepContext], None]]:
    from sagewright.local.control import run_condition, run_fail
    from sagewright.local.processing import run_processing
    from sagewright.local.records import run_model, run_registration
    from sagewright.local.training import run_training
    from sagewright.local.transform import run_transform
    from sagewright.local.tuning import run_tuning

    return {
        "Processing": run_processing,
        "Training": run_training,
        "Tuning": run_tuning,
        "Model": run_model,
        "RegisterModel": run_registration,
        "Transform": run_transform,
        "Condition": run_condition,
        "Fail": run_fail,
    }


def dependencies(folder: PipelineFolder) -> dict[str, list[str]]:
    """Parents of every step: referenced steps, ``DependsOn`` and the enclosing condition."""
    parents: dict[str, list[str]] = {}
    for name, step in folder.steps.items():
        body = dict(step)
        if step.get("Type") == "Condition":
            body["Arguments"] = {
                k: v for k, v in step["Arguments"].items() if k not in ("IfSteps", "ElseSteps")
            }
        found = [n for n in _REFERENCE.findall(json.dumps(body)) if n != name]
        found += [str(d) for d in step.get("DependsOn", [])]
        parents[name] = list(dict.fromkeys(found))
    for name, step in folder.steps.items():
        if step.get("Type") == "Condition":
            for branch in ("IfSteps", "ElseSteps"):
                for child in step["Arguments"].get(branch, []):
                    parents[child["Name"]].insert(0, name)
    return parents


def order(parents: dict[str, list[str]], types: dict[str, str] | None = None) -> list[str]:
    """Steps in the waves SageMaker starts them in: a step starts once all its parents are
    done, so it runs after every step of a shorter chain (ties keep the definition's order,
    Fail steps last). A Fail step therefore ends the run only after the steps that
    SageMaker would already have started alongside it, e.g. a Packaging step that waits
    for training only, not for the gate that fails."""
    try:
        topological = topological_order(parents)
    except CycleError:
        cycle = list(parents)
        raise LocalRunError(f"the definition has a dependency cycle among {cycle}") from None
    level: dict[str, int] = {}
    for name in topological:
        level[name] = 1 + max((level[p] for p in parents[name]), default=-1)
    index = {name: i for i, name in enumerate(parents)}
    kinds = types or {}
    return sorted(parents, key=lambda n: (level[n], kinds.get(n) == "Fail", index[n]))


RUN_ENTRIES = frozenset({RUN_FILE, DAG_FILE, "steps", "s3"})  # what an earlier run holds


def prepare_work(work: Path) -> None:
    """An empty run folder; only an earlier run folder, and nothing else, is replaced."""
    if work.exists():
        if any(work.iterdir()) and not _is_earlier_run(work):
            raise LocalRunError(
                f"--work {work}: folder exists and is not an earlier run folder "
                "(it holds files run-local did not write); nothing was deleted",
                hint="give an empty or new folder",
            )
        shutil.rmtree(work)
    work.mkdir(parents=True)


def _is_earlier_run(work: Path) -> bool:
    """True when ``work`` holds exactly what a run writes, with its ``run.json`` report."""
    names = {entry.name for entry in work.iterdir()}
    if RUN_FILE not in names or not names <= RUN_ENTRIES:
        return False
    try:
        report = json.loads((work / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(report, dict) and {"pipeline", "status", "steps"} <= report.keys()


def check_dependencies(folder: PipelineFolder) -> None:
    """The packages the containers' code needs locally (the ``local`` extra; torch if used)."""
    import importlib.util

    needed = ["pandas", "sklearn", "xgboost", "sagemaker_training", "sagemaker_inference"]
    if "pytorch" in json.dumps(folder.definition):
        needed.append("torch")
    missing = [name for name in needed if importlib.util.find_spec(name) is None]
    if missing:
        raise LocalRunError(
            f"run-local needs {', '.join(missing)}, not installed",
            hint='pip install -e ".[local]" (and torch for PyTorch pipelines)',
        )


def check_data(folder: PipelineFolder, data: dict[str, Path]) -> None:
    for node, path in data.items():
        step = folder.steps.get(node)
        if step is None or step.get("Type") != "Processing":
            known = [n for n, s in folder.steps.items() if s.get("Type") == "Processing"]
            raise LocalRunError(
                f"--data {node}: no such processing step in the pipeline",
                hint="data loading steps: " + ", ".join(n for n in known if "DataLoading" in n),
            )
        user_files(path, node)


def tail(path: Path, lines: int = LOG_TAIL_LINES) -> list[str]:
    if not path.is_file():
        return []
    return path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]


def run_local(
    folder_path: str | Path,
    *,
    work: str | Path | None = None,
    options: RunOptions | None = None,
    on_step: Callable[[StepRecord], None] | None = None,
) -> RunResult:
    """Run the pipeline in ``folder_path`` locally; never raises for a failing step."""
    started = time.perf_counter()
    folder = read_folder(Path(folder_path).resolve())  # steps run with their own cwd
    options = options or RunOptions()
    options = replace(options, data={node: path.resolve() for node, path in options.data.items()})
    check_dependencies(folder)
    check_data(folder, options.data)
    folder.check_code()
    work_dir = Path(work).resolve() if work is not None else folder.path / "local-run"
    prepare_work(work_dir)
    parameters = {p["Name"]: p.get("DefaultValue") for p in folder.definition.get("Parameters", [])}
    resolver = Resolver(parameters, EXECUTION_ID)
    s3 = LocalS3(work_dir / "s3")
    parents = dependencies(folder)
    types = {n: str(step.get("Type")) for n, step in folder.steps.items()}
    records = {n: StepRecord(n, types[n], parents[n]) for n in order(parents, types)}
    run = executors()
    skipped: set[str] = set()
    result = RunResult(
        pipeline=folder.path.name,
        folder=str(folder.path),
        work=str(work_dir),
        status="Succeeded",
        seconds=0.0,
        steps=list(records.values()),
    )
    for name, record in records.items():
        step = folder.steps[name]
        if name in skipped or any(p in skipped for p in parents[name]):
            record.status = "Skipped"
            skipped.add(name)
            if on_step:
                on_step(record)
            continue
        context = StepContext(
            name, step, work_dir / "steps" / name, folder, resolver, s3, options, Outcome()
        )
        context.container.mkdir(parents=True, exist_ok=True)
        context.log_file.touch()  # every step has a log, records-only steps too
        record.log = str(context.log_file)
        begin = time.perf_counter()
        try:
            executor = run.get(record.type)
            if executor is None:
                raise StepFailed(f"{name}: step type {record.type} is not supported by run-local")
            executor(context)
        except (StepFailed, UnresolvedError) as exc:
            record.status, record.message = "Failed", str(exc)
            context.log(f"FAILED: {exc}")
        except Exception as exc:  # a bug or an environment problem: still one step's failure
            record.status, record.message = "Failed", f"{type(exc).__name__}: {exc}"
            context.log(f"FAILED: {record.message}")
        else:
            record.status = "Succeeded"
        record.seconds = round(time.perf_counter() - begin, 3)
        outcome = context.outcome
        record.metrics, record.notes, record.decision = (
            outcome.metrics,
            outcome.notes,
            outcome.decision,
        )
        if outcome.decision is not None:
            branch = "ElseSteps" if outcome.decision == "if" else "IfSteps"
            skipped.update(s["Name"] for s in step["Arguments"].get(branch, []))
        if outcome.failed_by is not None:
            record.status, record.message = "Failed", outcome.failed_by
        if on_step:
            on_step(record)
        if record.status == "Failed":
            result.status, result.failed_step, result.message = "Failed", name, record.message
            result.log_tail = tail(context.log_file)
            break
    for name, record in records.items():  # a branch not taken stays skipped after a stop
        if record.status == "NotRun" and (name in skipped or set(parents[name]) & skipped):
            record.status = "Skipped"
            skipped.add(name)
    result.status_dag = str(write_status_dag(result, folder.path, work_dir))
    result.seconds = round(time.perf_counter() - started, 3)
    (work_dir / RUN_FILE).write_text(json.dumps(result.to_dict(), indent=2, default=str) + "\n")
    return result
