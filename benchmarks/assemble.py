"""Assembly time: the XGBoost end-to-end topology vs a hand-written build, and scaling.

* ``vis-10-xgb-e2e-calibration`` assembled from topology + configs, against the same
  pipeline written by hand with the recipes (``sagewright.builders.recipes``) in this
  process: same session, same images, same code bundles. The ratio is the assembler's
  overhead (checks, wiring, parameters) over the bare SDK calls. The botocore argument
  check the assembler runs by default is timed separately.
* Synthetic topologies of 10, 25 and 50 steps: one training data path, then repeated
  ``XGBoostTraining_k -> XGBoostModel_k, PayloadGeneration_k, Packaging_k ->
  ModelRegistration_k`` blocks.

Times are the median of warm runs (the SDK import and the offline session are paid once
before timing). Run: ``.venv/bin/python benchmarks/assemble.py``.
"""

from __future__ import annotations

import functools
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sagewright.builders.assembler import assemble
from sagewright.builders.scaffolding import scaffold_configs

ROOT = Path(__file__).resolve().parents[1]
E2E = "vis-10-xgb-e2e-calibration"
VALUES = {
    "region": "us-east-1",
    "role_arn": "arn:aws:iam::123456789012:role/SageMakerExec",
    "bucket": "acme-ml-artifacts",
    "pipeline_name": "fraud-xgb",
}


def golden(case_id: str) -> dict[str, Any]:
    for line in (ROOT / "eval" / "golden" / "topologies.jsonl").read_text().splitlines():
        case = json.loads(line)
        if case["id"] == case_id:
            return dict(case)
    raise KeyError(case_id)


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    work()  # warm: imports, session, image tables
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def hand_written_e2e(configs: dict[str, Any]) -> str:
    """The e2e pipeline with the recipes only: what a person would write without sagewright."""
    from sagewright.builders import recipes as r
    from sagewright.builders.assembler import shared_session
    from sagewright.builders.code_bundle import make_bundle
    from sagewright.builders.context import builtin_script

    region, bucket, role = VALUES["region"], VALUES["bucket"], VALUES["role_arn"]
    session = shared_session(region, bucket)
    root = r.parameter_string("OutputS3Prefix", f"s3://{bucket}/sagewright/fraud-xgb")
    approval = r.parameter_string("ModelApprovalStatus", "PendingManualApproval")
    sklearn = r.image_uri("sklearn", region, "1.2-1")
    xgboost = r.image_uri("xgboost", region, "3.2-0")

    def code(*names: str) -> str:
        files = {name: builtin_script(name) for name in names}
        return make_bundle(files, bucket=bucket, prefix="sagewright").prefix_uri

    def processing(name: str, script: str, helpers: tuple[str, ...], **kw: Any) -> Any:
        outputs = {c: r.execution_uri(root, name, c) for c in kw.pop("outputs")}
        return r.processing_step(
            name,
            session=session,
            role=role,
            image_uri=sklearn,
            instance_type="ml.m5.xlarge",
            code_prefix_uri=code(script, *helpers),
            script=script,
            outputs=outputs,
            **kw,
        )

    common = ("_common.py",)
    steps = []
    processed = {}
    for job_type, source in (("training", "train"), ("calibration", "calib")):
        load = processing(
            f"DataLoading_{job_type}",
            "data_loading.py",
            common,
            inputs={"source": f"s3://acme-fraud-ml/raw/{source}/"},
            outputs=["data"],
            arguments=["--job-type", job_type, "--source-format", "auto"],
        )
        prep = processing(
            f"TabularPreprocessing_{job_type}",
            "tabular_preprocessing.py",
            common,
            inputs={"data": r.processing_output_uri(load, "data")},
            outputs=["processed_data"],
            arguments=["--job-type", job_type, "--label-name", "is_fraud", "--id-name", "txn_id"],
        )
        processed[job_type] = r.processing_output_uri(prep, "processed_data")
        steps += [load, prep]
    hp = configs["XGBoostTraining"].hyperparameters.container_hyperparameters()
    train = r.xgboost_training_step(
        "XGBoostTraining",
        session=session,
        role=role,
        region=region,
        instance_type="ml.m5.xlarge",
        hyperparameters=hp,
        train_uri=r.join_uri(processed["training"], "train"),
        validation_uri=r.join_uri(processed["training"], "val"),
        output_path=r.execution_uri(root, "XGBoostTraining", "models"),
    )
    artifacts = r.model_artifacts_uri(train)
    model = r.create_model_step(
        "XGBoostModel", session=session, role=role, image_uri=xgboost, model_data=artifacts
    )
    transform = r.transform_step(
        "BatchTransform_calibration",
        session=session,
        model_name=r.model_name(model),
        instance_type="ml.m5.large",
        input_uri=r.join_uri(processed["calibration"], "calibration"),
        output_path=r.execution_uri(root, "BatchTransform_calibration", "predictions"),
        input_filter="$[1:]",
        join_source="Input",
    )
    calibration = processing(
        "ModelCalibration_calibration",
        "model_calibration.py",
        common,
        inputs={"predictions": r.transform_output_uri(transform)},
        outputs=["calibration"],
        arguments=["--job-type", "calibration", "--method", "isotonic"],
    )
    packaging = processing(
        "Packaging",
        "packaging.py",
        ("_common.py", "inference.py"),
        inputs={
            "model_artifacts": artifacts,
            "calibration": r.processing_output_uri(calibration, "calibration"),
        },
        outputs=["packaged_model"],
        arguments=["--framework", "xgboost"],
    )
    payload = processing(
        "PayloadGeneration",
        "payload_generation.py",
        common,
        inputs={"model_artifacts": artifacts},
        outputs=["payload"],
        arguments=["--num-samples", "5"],
    )
    registration = r.register_model_step(
        "ModelRegistration",
        session=session,
        role=role,
        image_uri=xgboost,
        model_data=r.join_uri(r.processing_output_uri(packaging, "packaged_model"), "model.tar.gz"),
        model_package_group="fraud-xgb-models",
        approval_status=approval,
        env=r.pytorch_inference_env("inference.py"),
        sample_payload_url=r.join_uri(
            r.processing_output_uri(payload, "payload"), "payload.tar.gz"
        ),
    )
    steps += [train, model, transform, calibration, packaging, payload, registration]
    pipeline = r.make_pipeline("fraud-xgb", steps, [root, approval], session=session)
    return str(r.definition_json(pipeline))


def synthetic(steps: int) -> dict[str, list[str]]:
    """A valid topology with exactly ``steps`` nodes (one data path + training blocks)."""
    topology: dict[str, list[str]] = {
        "DataLoading_training": [],
        "TabularPreprocessing_training": ["DataLoading_training"],
    }
    block = 0
    while len(topology) < steps:
        train = f"XGBoostTraining_b{block}"
        candidates = {
            train: ["TabularPreprocessing_training"],
            f"XGBoostModel_b{block}": [train],
            f"PayloadGeneration_b{block}": [train],
            f"Packaging_b{block}": [train],
            f"ModelRegistration_b{block}": [f"Packaging_b{block}", f"PayloadGeneration_b{block}"],
        }
        for node, parents in candidates.items():
            if len(topology) < steps:
                topology[node] = parents
        block += 1
    return topology


def main() -> None:
    case = golden(E2E)
    facts = {**VALUES, **case["facts"]}
    configs = scaffold_configs(case["topology"], facts).configs
    built = assemble(case["topology"], configs)
    auto = median_seconds(lambda: assemble(case["topology"], configs, check=False), 15)
    checked = median_seconds(lambda: assemble(case["topology"], configs), 15)
    by_hand = median_seconds(lambda: hand_written_e2e(configs), 15)
    print(f"e2e topology {E2E}: {len(built.steps)} steps, {len(built.definition):,} characters")
    print(f"  assembler (no arg check)   {auto * 1000:8.1f} ms")
    print(f"  assembler (with arg check) {checked * 1000:8.1f} ms")
    print(f"  hand-written recipes       {by_hand * 1000:8.1f} ms")
    print(
        f"  ratio assembler / hand     {auto / by_hand:8.2f}x (with check {checked / by_hand:.2f}x)"
    )
    print()
    print(f"{'steps':>6} {'ms (checked)':>13} {'ms/step':>8} {'characters':>11}")
    for size in (10, 25, 50):
        topology = synthetic(size)
        size_configs = scaffold_configs(topology, {**facts, "label_name": "is_fraud"}).configs
        seconds = median_seconds(functools.partial(assemble, topology, size_configs), 7)
        chars = len(assemble(topology, size_configs).definition)
        print(f"{size:>6} {seconds * 1000:>13.1f} {seconds / size * 1000:>8.2f} {chars:>11,}")


if __name__ == "__main__":
    main()
