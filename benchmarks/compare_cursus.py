"""Side by side with cursus: compile time and peak memory of comparable pipelines, offline.

cursus (https://github.com/TianpeiLuke/cursus, SageMaker SDK 2.x) is not on the package
index: pass a checkout of its public repository as ``--cursus-src DIR``. The script installs
it with ``sagemaker<3`` into a temporary venv (or reuses ``--cursus-venv DIR``), then in
interleaved rounds, each a fresh process:

* cursus compiles its ``training_with_evaluation_dummy`` DAG (6 steps) and its
  ``complete_e2e_dummy`` DAG without ``Registration`` (9 steps) to a definition, offline: a
  botocore ``before-call`` handler answers STS and S3 locally, and a ``PipelineSession`` on
  that boto session is passed to its compiler (its CLI passes none). Its configs are
  assembled from the repository's own example configs (``projects/atoz_xgboost`` and the
  ``DummyDataLoading`` entry of ``projects/rnr_pytorch_bedrock``), with paths pointed at a
  temporary copy of its scripts;
* sagewright assembles the same shapes (``benchmarks/shapes/``) and generates the README
  example (planning included).

It prints medians and the ratios ours / cursus's: ``generate`` against cursus's 9-step
compile, each ``assemble`` against the compile of the same shape, and the peak RSS of
``generate`` against cursus's 9-step compile. ``--json`` prints ``{"generate_ratio",
"assemble6_ratio", "assemble9_ratio", "rss_ratio", "runs"}``. When cursus cannot be
installed or compiled, it says so and exits 0. Not part of CI; none of cursus's code is
kept. Run: ``.venv/bin/python benchmarks/compare_cursus.py --cursus-src ../cursus``.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from timing import Run, assemble, generate, load, median, run_process, scaffold

CURSUS_DAGS = "src/cursus/pipeline_catalog/shared_dags/xgboost"
CURSUS_SHAPES = {"6": "training_with_evaluation_dummy", "9": "complete_e2e_dummy"}
BUCKET = "example-team-share-bucket"

# Runs in cursus's venv: compile one DAG offline, write the definition, print time and RSS.
CURSUS_RUNNER = """
import json, os, resource, sys, time
start = time.perf_counter()
src, shape_file, config, out = sys.argv[1:5]
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
import boto3
from botocore.awsrequest import AWSResponse

def answer(model, **_):
    service, operation = model.service_model.service_name, model.name
    if service == "sts":
        body = {"Account": "123456789012", "UserId": "offline",
                "Arn": "arn:aws:iam::123456789012:user/offline"}
    elif service == "s3":
        body = {"Buckets": [{"Name": BUCKET}]} if operation == "ListBuckets" else {}
    else:
        error = {"Code": "Offline", "Message": f"{service}.{operation} answered locally"}
        return AWSResponse("", 403, {}, None), {
            "Error": error, "ResponseMetadata": {"HTTPStatusCode": 403}}
    return AWSResponse("", 200, {}, None), {**body, "ResponseMetadata": {"HTTPStatusCode": 200}}

boto = boto3.Session(aws_access_key_id="offline", aws_secret_access_key="offline",
                     region_name="us-east-1")
boto.events.register("before-call", answer)
from sagemaker.workflow.pipeline_context import PipelineSession
from cursus.api.dag.base_dag import PipelineDAG
from cursus.core.compiler.dag_compiler import compile_dag_to_pipeline

session = PipelineSession(boto_session=boto, default_bucket=BUCKET)
spec = json.load(open(shape_file))["dag"]
nodes = [n for n in spec["nodes"] if n != "Registration"]
dag = PipelineDAG()
for node in nodes:
    dag.add_node(node)
for parent, child in spec["edges"]:
    if parent in nodes and child in nodes:
        dag.add_edge(parent, child)
pipeline = compile_dag_to_pipeline(
    dag=dag, config_path=config, sagemaker_session=session,
    role="arn:aws:iam::123456789012:role/SageMakerExecutionRole")
definition = pipeline.definition()
open(out, "w").write(definition)
print(json.dumps({"steps": len(json.loads(definition)["Steps"]),
                  "seconds": time.perf_counter() - start}))
""".replace("BUCKET", repr(BUCKET))


class Unavailable(Exception):
    """cursus could not be installed or run; the message says why."""


def install_cursus(src: Path, venv: Path) -> Path:
    """A venv with cursus from ``src`` and ``sagemaker<3``; its python."""
    if not (src / "src" / "cursus").is_dir() or not (src / "pyproject.toml").is_file():
        raise Unavailable(f"{src} is not a checkout of TianpeiLuke/cursus (no src/cursus)")
    python = venv / "bin" / "python"
    if python.exists():
        return python
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"],
        [str(python), "-m", "pip", "install", "-q", "sagemaker<3", "-e", str(src)],
    ]
    for argv in steps:
        done = subprocess.run(argv, capture_output=True, text=True)
        if done.returncode:
            raise Unavailable(f"{' '.join(argv[2:])} failed: {done.stderr.strip()[-600:]}")
    return python


def cursus_project(src: Path, work: Path) -> Path:
    """A project folder with cursus's example scripts and a config for both DAGs."""
    project = work / "cursus_project"
    shutil.copytree(src / "projects" / "atoz_xgboost" / "dockers", project / "dockers")
    shutil.copy(
        src / "src" / "cursus" / "steps" / "scripts" / "dummy_data_loading.py",
        project / "dockers" / "scripts",
    )
    (project / "data").mkdir()
    (project / "data" / "sample.csv").write_text("id,label\n1,0\n")
    xgb = json.loads((src / "projects/atoz_xgboost/pipeline_config/config.json").read_text())
    rnr = json.loads(
        (src / "projects/rnr_pytorch_bedrock/pipeline_config/config_dummy.json").read_text()
    )
    specific: dict[str, Any] = {
        k: v for k, v in xgb["configuration"]["specific"].items() if "CradleDataLoading" not in k
    }
    loading = rnr["configuration"]["specific"]["DummyDataLoading_calibration"]
    for job in ("training", "calibration", "evaluation"):
        entry = copy.deepcopy(loading)
        for key in ("pipeline_description", "pipeline_name", "pipeline_s3_loc"):
            entry[key] = specific["XGBoostTraining"][key]
        entry.update(job_type=job, data_source=str(project / "data"))
        specific[f"DummyDataLoading_{job}"] = entry
    evaluation = copy.deepcopy(specific["TabularPreprocessing_calibration"])
    specific["TabularPreprocessing_evaluation"] = {**evaluation, "job_type": "validation"}
    specific["XGBoostModelEval"] = copy.deepcopy(specific["XGBoostModelEval_calibration"])
    scripts = project / "dockers" / "scripts"
    for name, entry in specific.items():
        for key in ("effective_source_dir", "processing_source_dir"):
            if key in entry:
                entry[key] = str(scripts)
        for key in ("script_path", "full_script_path"):
            if key in entry:
                entry[key] = str(scripts / Path(entry[key]).name)
        if name == "XGBoostTraining":
            entry["effective_source_dir"] = str(project / "dockers")
    xgb["configuration"]["shared"].update(
        source_dir=str(project / "dockers"), project_root_folder=project.name
    )
    xgb["configuration"]["specific"] = specific
    xgb["metadata"]["config_types"] = {k: v["__model_type__"] for k, v in specific.items()}
    (project / "config.json").write_text(json.dumps(xgb, indent=1))
    (project / "runner.py").write_text(CURSUS_RUNNER)
    return project


def cursus_compile(python: Path, src: Path, project: Path, shape: str, out: Path) -> Run:
    dag = src / CURSUS_DAGS / f"{CURSUS_SHAPES[shape]}.dag.json"
    argv = [str(python), str(project / "runner.py"), str(src), str(dag)]
    run = run_process(
        [*argv, str(project / "config.json"), str(out)],
        cwd=project,
        env={**os.environ, "PYTHONPATH": ""},
    )
    steps = len(json.loads(out.read_text())["Steps"])
    if steps != int(shape):
        raise Unavailable(f"cursus compiled {steps} steps for the {shape}-step DAG")
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cursus-src", type=Path, required=True)
    parser.add_argument("--cursus-venv", type=Path, help="reuse (or create) this venv")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    src = args.cursus_src.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        try:
            python = install_cursus(src, (args.cursus_venv or work / "cursus-venv").resolve())
            project = cursus_project(src, work)
            cursus_compile(python, src, project, "6", work / "warm.json")  # pip caches, .pyc
        except (Unavailable, OSError, KeyError, json.JSONDecodeError, SystemExit) as exc:
            print(f"cursus cannot be installed or compiled here, no comparison: {exc}")
            return
        configs = {shape: scaffold(work, shape) for shape in ("train_eval_6", "e2e_9")}
        start_load = load()
        runs: dict[str, list[Run]] = {
            k: [] for k in ("cursus6", "cursus9", "assemble6", "assemble9", "generate")
        }
        for i in range(args.repeats):
            runs["cursus6"].append(cursus_compile(python, src, project, "6", work / "c6.json"))
            for key, shape in (("assemble6", "train_eval_6"), ("assemble9", "e2e_9")):
                runs[key].append(run_process(assemble(shape, configs[shape], work / f"{key}-{i}")))
                if key == "assemble6":
                    runs["cursus9"].append(
                        cursus_compile(python, src, project, "9", work / "c9.json")
                    )
            runs["generate"].append(run_process(generate(work / f"generate-{i}")))
    seconds = {k: median([r.seconds for r in v]) for k, v in runs.items()}
    rss = {k: median([r.rss_mib for r in v]) for k, v in runs.items()}
    cpu = {k: median([r.cpu_seconds for r in v]) for k, v in runs.items()}
    result = {
        "generate_ratio": seconds["generate"] / seconds["cursus9"],
        "assemble6_ratio": seconds["assemble6"] / seconds["cursus6"],
        "assemble9_ratio": seconds["assemble9"] / seconds["cursus9"],
        "rss_ratio": rss["generate"] / rss["cursus9"],
        "cpu_ratios": {
            "generate": cpu["generate"] / cpu["cursus9"],
            "assemble6": cpu["assemble6"] / cpu["cursus6"],
            "assemble9": cpu["assemble9"] / cpu["cursus9"],
        },
        "runs": {k: [vars(r) for r in v] for k, v in runs.items()},
        "load": {"start": start_load, "end": load()},
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"medians of {args.repeats} fresh processes, interleaved ({start_load})")
    labels = {
        "cursus6": "cursus compile, 6 steps",
        "assemble6": "sagewright assemble, 6 steps",
        "cursus9": "cursus compile, 9 steps",
        "assemble9": "sagewright assemble, 9 steps",
        "generate": "sagewright generate, README (11)",
    }
    for key, label in labels.items():
        print(
            f"  {label:<34} {seconds[key]:6.2f} s wall {cpu[key]:6.2f} s CPU"
            f" {rss[key]:5.0f} MiB peak RSS"
        )
    print(f"  generate / cursus 9-step compile:  {result['generate_ratio']:.2f}")
    print(f"  assemble 6 / cursus 6-step:        {result['assemble6_ratio']:.2f}")
    print(f"  assemble 9 / cursus 9-step:        {result['assemble9_ratio']:.2f}")
    print(f"  peak RSS generate / cursus 9-step: {result['rss_ratio']:.2f}")
    ratios = result["cpu_ratios"]
    print(
        "  CPU-time ratios (less sensitive to load): generate {generate:.2f}, "
        "assemble 6 {assemble6:.2f}, assemble 9 {assemble9:.2f}".format(**ratios)
    )
    print(f"  {load()}")


if __name__ == "__main__":
    main()
