"""The SDK layer: recipes, offline session, code bundles and the argument check.

One module-scoped offline session is shared (importing the SDK costs seconds).
The determinism and zero-socket proofs run this file as a script in fresh
subprocesses: ``python tests/builders/test_recipes.py`` prints a JSON report.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

from sagewright.builders.arg_check import check_definition
from sagewright.builders.code_bundle import CodeBundle, make_bundle, upload
from tests.builders.offline_proof import (
    AWS_CREDENTIAL_VARS,
    process_report,
    refuse_sockets,
    run_fresh_interpreters,
)

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
BUCKET = "acme-ml-artifacts"
PREFIX = "pipelines/fraud-xgb"
ROLE = "arn:aws:iam::123456789012:role/SageMakerExec"
ROOT_URI = f"s3://{BUCKET}/{PREFIX}"
SCRIPTS = {
    "preprocess.py": b"import helpers\nprint('preprocess')\n",
    "evaluate.py": b"import helpers\nprint('evaluate')\n",
    "package.py": b"import helpers\nprint('package')\n",
    "train.py": b"import helpers\nprint('train')\n",
    "helpers.py": b"def load():\n    return 1\n",
}
E2E_NAMES = [
    "TabularPreprocessing_training",
    "XGBoostTraining",
    "XGBoostModel",
    "BatchTransform_testing",
    "ModelEvaluation_testing",
    "QualityGate",
    "QualityGate_fail",
    "Packaging",
    "ModelRegistration",
]
# What timestamped SDK uploads look like: ``...-2026-05-09-07-35-25-123/...``,
# ``tuning-1746775000/``, or the ModelTrainer driver channel.
TIMESTAMPED = re.compile(r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}|tuning-\d{9,}|sm_drivers")


# ----------------------------------------------------------------------------- builders


def make_code_bundle() -> CodeBundle:
    return make_bundle(SCRIPTS, bucket=BUCKET, prefix=PREFIX)


def build_xgboost_e2e(session: Any, bundle: CodeBundle) -> Any:
    """The XGBoost end-to-end shape, with every recipe the shape needs.

    preprocessing -> xgboost training -> create model -> batch transform ->
    evaluation (PropertyFile) -> quality gate guarding packaging -> registration.
    """
    from sagewright.builders import recipes as r

    sklearn = r.image_uri("sklearn", REGION, "1.2-1")
    xgboost = r.image_uri("xgboost", REGION, "1.7-1")
    common = {
        "session": session,
        "role": ROLE,
        "image_uri": sklearn,
        "instance_type": "ml.m5.xlarge",
        "code_prefix_uri": bundle.prefix_uri,
    }
    prep = r.processing_step(
        "TabularPreprocessing_training",
        script="preprocess.py",
        inputs={"data": f"s3://{BUCKET}/raw/train/"},
        outputs={
            "processed_data": r.execution_uri(
                ROOT_URI, "TabularPreprocessing_training", "processed_data"
            )
        },
        arguments=["--job-type", "training", "--label", "is_fraud"],
        cache="P30D",
        **common,
    )
    processed = r.processing_output_uri(prep, "processed_data")
    train = r.xgboost_training_step(
        "XGBoostTraining",
        session=session,
        role=ROLE,
        region=REGION,
        instance_type="ml.m5.2xlarge",
        hyperparameters={
            "max_depth": 6,
            "eta": 0.1,
            "num_round": 300,
            "objective": "binary:logistic",
        },
        train_uri=r.join_uri(processed, "train"),
        validation_uri=r.join_uri(processed, "val"),
        output_path=f"{ROOT_URI}/models",
    )
    model = r.create_model_step(
        "XGBoostModel",
        session=session,
        role=ROLE,
        image_uri=xgboost,
        model_data=r.model_artifacts_uri(train),
    )
    transform = r.transform_step(
        "BatchTransform_testing",
        session=session,
        model_name=r.model_name(model),
        instance_type="ml.m5.xlarge",
        input_uri=r.join_uri(processed, "test"),
        output_path=r.execution_uri(ROOT_URI, "BatchTransform_testing"),
        input_filter="$[1:]",
        join_source="Input",
    )
    report = r.property_file("EvaluationReport", "metrics", "evaluation.json")
    evaluation = r.processing_step(
        "ModelEvaluation_testing",
        script="evaluate.py",
        inputs={"predictions": r.transform_output_uri(transform)},
        outputs={"metrics": r.execution_uri(ROOT_URI, "ModelEvaluation_testing", "metrics")},
        property_files=[report],
        **common,
    )
    gate, _fail = r.quality_gate_steps(
        "QualityGate",
        evaluation_step=evaluation,
        property_file=report,
        json_path="metrics.auc.value",
        metric="auc",
        threshold=0.85,
    )
    # The assembler builds nodes in topological order: the gate exists before the
    # steps it guards, which are appended to its if_steps afterwards.
    packaging = r.processing_step(
        "Packaging",
        script="package.py",
        inputs={"model": r.model_artifacts_uri(train)},
        outputs={"packaged_model": r.execution_uri(ROOT_URI, "Packaging", "packaged_model")},
        **common,
    )
    gate.if_steps.append(packaging)
    approval = r.parameter_string("ModelApprovalStatus", "PendingManualApproval")
    registration = r.register_model_step(
        "ModelRegistration",
        session=session,
        role=ROLE,
        image_uri=xgboost,
        model_data=r.join_uri(r.processing_output_uri(packaging, "packaged_model"), "model.tar.gz"),
        model_package_group="fraud-xgb",
        approval_status=approval,
        metrics_report_uri=r.join_uri(
            r.processing_output_uri(evaluation, "metrics"), "evaluation.json"
        ),
    )
    gate.if_steps.append(registration)
    return r.make_pipeline(
        "fraud-xgb", [prep, train, model, transform, evaluation, gate], [approval], session=session
    )


def step_names(definition: str) -> list[str]:
    """Every step name in a definition, condition branches included, in document order."""

    def walk(steps: list[dict[str, Any]]) -> list[str]:
        names = []
        for step in steps:
            names.append(step["Name"])
            if step["Type"] == "Condition":
                names += walk(step["Arguments"]["IfSteps"]) + walk(step["Arguments"]["ElseSteps"])
        return names

    return walk(json.loads(definition)["Steps"])


def steps_by_name(definition: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def walk(steps: list[dict[str, Any]]) -> None:
        for step in steps:
            found[step["Name"]] = step
            if step["Type"] == "Condition":
                walk(step["Arguments"]["IfSteps"])
                walk(step["Arguments"]["ElseSteps"])

    walk(json.loads(definition)["Steps"])
    return found


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", autouse=True)
def restore_environ() -> Any:
    """``offline_session`` sets process environment variables; undo them after the module."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="module")
def session() -> Any:
    from sagewright.builders.sdk import offline_session

    return offline_session(REGION, BUCKET)


@pytest.fixture(scope="module")
def bundle() -> CodeBundle:
    return make_code_bundle()


@pytest.fixture(autouse=True)
def no_aws_calls(request: pytest.FixtureRequest) -> Any:
    """Every test that uses the shared session leaves it without any AWS call attempted."""
    if "session" not in request.fixturenames:
        yield
        return
    from sagewright.builders.sdk import refused_calls

    session = request.getfixturevalue("session")
    before = len(refused_calls(session))
    yield
    assert refused_calls(session)[before:] == []


@pytest.fixture(scope="module")
def e2e_definition(session: Any, bundle: CodeBundle) -> str:
    from sagewright.builders.recipes import definition_json

    return str(definition_json(build_xgboost_e2e(session, bundle)))


def one_step_definition(session: Any, *steps: Any, parameters: tuple[Any, ...] = ()) -> str:
    from sagewright.builders.recipes import definition_json, make_pipeline

    return str(definition_json(make_pipeline("one-step", list(steps), parameters, session=session)))


def assert_valid(definition: str) -> None:
    problems = check_definition(definition, pipeline_name="one-step")
    assert problems == [], "\n".join(map(str, problems))


# ----------------------------------------------------------------------------- end to end


def test_e2e_definition_passes_the_argument_check(e2e_definition: str) -> None:
    problems = check_definition(e2e_definition, pipeline_name="fraud-xgb")
    assert problems == [], "\n".join(map(str, problems))


def test_e2e_step_names_are_the_names_given(e2e_definition: str) -> None:
    assert sorted(step_names(e2e_definition)) == sorted(E2E_NAMES)
    top = [s["Name"] for s in json.loads(e2e_definition)["Steps"]]
    assert top == E2E_NAMES[:6]


def test_e2e_definition_is_identical_across_builds(
    session: Any, bundle: CodeBundle, e2e_definition: str
) -> None:
    from sagewright.builders.recipes import definition_json

    pipeline = build_xgboost_e2e(session, bundle)
    assert definition_json(pipeline) == e2e_definition
    assert definition_json(pipeline) == e2e_definition  # and across definition() calls


def test_e2e_definition_has_only_content_addressed_code(
    e2e_definition: str, bundle: CodeBundle
) -> None:
    assert not TIMESTAMPED.search(e2e_definition)
    code_uris = set(re.findall(rf"s3://{BUCKET}/{PREFIX}/code/[^\"]*", e2e_definition))
    assert code_uris == {bundle.prefix_uri}


def test_e2e_guarded_steps_live_in_the_condition(e2e_definition: str) -> None:
    gate = steps_by_name(e2e_definition)["QualityGate"]
    args = gate["Arguments"]
    assert [s["Name"] for s in args["IfSteps"]] == ["Packaging", "ModelRegistration"]
    assert [s["Name"] for s in args["ElseSteps"]] == ["QualityGate_fail"]
    assert args["Conditions"][0]["Type"] == "GreaterThanOrEqualTo"
    assert args["Conditions"][0]["RightValue"] == 0.85


def test_e2e_subprocesses_give_identical_bytes_and_open_no_socket(
    e2e_definition: str,
) -> None:
    """Two fresh interpreters (different hash seeds, no AWS credentials, sockets guarded)."""
    reports = run_fresh_interpreters(__file__, [], seeds=("1", "2"))
    for report in reports:
        assert report["sockets"] == []
        assert report["refused_aws_calls"] == []
        assert report["telemetry_threads"] == []
        assert report["credential_vars"] == []
    assert reports[0]["definition"] == reports[1]["definition"] == e2e_definition


def test_e2e_in_process_build_opens_no_socket_without_credentials(
    monkeypatch: pytest.MonkeyPatch, bundle: CodeBundle
) -> None:
    from sagewright.builders.recipes import definition_json
    from sagewright.builders.sdk import offline_session, refused_calls

    for var in AWS_CREDENTIAL_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    attempts = refuse_sockets(monkeypatch)

    fresh = offline_session(REGION, BUCKET)
    definition = definition_json(build_xgboost_e2e(fresh, bundle))
    assert attempts == []
    assert refused_calls(fresh) == []
    assert check_definition(definition, pipeline_name="fraud-xgb") == []


def test_e2e_definition_size_and_shape(e2e_definition: str) -> None:
    doc = json.loads(e2e_definition)
    assert len(e2e_definition) < 50_000
    assert doc["Parameters"] == [
        {"Name": "ModelApprovalStatus", "Type": "String", "DefaultValue": "PendingManualApproval"}
    ]
    assert doc["PipelineExperimentConfig"] is None


# ----------------------------------------------------------------------------- per recipe


def test_processing_step_runs_the_bundled_script(session: Any, bundle: CodeBundle) -> None:
    from sagewright.builders import recipes as r

    step = r.processing_step(
        "TabularPreprocessing_calibration",
        session=session,
        role=ROLE,
        image_uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/img:1",
        instance_type="ml.m5.xlarge",
        instance_count=2,
        volume_size_gb=50,
        max_runtime_s=3600,
        code_prefix_uri=bundle.prefix_uri,
        script="preprocess.py",
        inputs={"data": "s3://b/raw/"},
        outputs={"processed_data": "s3://b/out/"},
        arguments=["--job-type", "calibration"],
        env={"LABEL": "is_fraud"},
    )
    assert step.name == "TabularPreprocessing_calibration"
    definition = one_step_definition(session, step)
    assert_valid(definition)
    args = steps_by_name(definition)[step.name]["Arguments"]
    assert args["AppSpecification"]["ContainerEntrypoint"] == [
        "python3",
        "/opt/ml/processing/input/code/preprocess.py",
    ]
    assert args["AppSpecification"]["ContainerArguments"] == ["--job-type", "calibration"]
    inputs = {i["InputName"]: i["S3Input"] for i in args["ProcessingInputs"]}
    assert inputs["code"]["S3Uri"] == bundle.prefix_uri
    assert inputs["code"]["LocalPath"] == "/opt/ml/processing/input/code/"
    assert inputs["data"]["LocalPath"] == "/opt/ml/processing/input/data"
    (output,) = args["ProcessingOutputConfig"]["Outputs"]
    assert output["S3Output"]["LocalPath"] == "/opt/ml/processing/output/processed_data"
    assert args["ProcessingResources"]["ClusterConfig"] == {
        "InstanceType": "ml.m5.xlarge",
        "InstanceCount": 2,
        "VolumeSizeInGB": 50,
    }
    assert args["Environment"] == {"LABEL": "is_fraud"}
    ref = r.processing_output_uri(step, "processed_data")
    assert ref.expr == {
        "Get": "Steps.TabularPreprocessing_calibration.ProcessingOutputConfig"
        ".Outputs['processed_data'].S3Output.S3Uri"
    }


@pytest.mark.parametrize("engine", ["athena", "redshift"])
def test_processing_step_with_a_dataset_definition(
    session: Any, bundle: CodeBundle, engine: str
) -> None:
    from sagewright.builders import recipes as r

    source: r.AthenaQuery | r.RedshiftQuery
    if engine == "athena":
        source = r.AthenaQuery(
            channel="data",
            query="SELECT * FROM orders",
            catalog="AwsDataCatalog",
            database="sales",
            output_s3_uri=f"s3://{BUCKET}/athena/",
            work_group="primary",
        )
    else:
        source = r.RedshiftQuery(
            channel="data",
            query="SELECT * FROM orders",
            cluster_id="analytics",
            database="sales",
            db_user="ml",
            cluster_role_arn=ROLE,
            output_s3_uri=f"s3://{BUCKET}/redshift/",
        )
    step = r.processing_step(
        "DataLoading_training",
        session=session,
        role=ROLE,
        image_uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/img:1",
        instance_type="ml.m5.xlarge",
        code_prefix_uri=bundle.prefix_uri,
        script="preprocess.py",
        outputs={"data": "s3://b/loaded/"},
        dataset_definition=source,
    )
    definition = one_step_definition(session, step)
    assert_valid(definition)
    inputs = steps_by_name(definition)[step.name]["Arguments"]["ProcessingInputs"]
    dataset = next(i for i in inputs if i["InputName"] == "data")["DatasetDefinition"]
    assert dataset["LocalPath"] == "/opt/ml/processing/input/data"
    key = "AthenaDatasetDefinition" if engine == "athena" else "RedshiftDatasetDefinition"
    assert dataset[key]["QueryString"] == "SELECT * FROM orders"


def test_processing_step_rejects_bad_wiring(session: Any, bundle: CodeBundle) -> None:
    from sagewright.builders import recipes as r

    kwargs: dict[str, Any] = {
        "session": session,
        "role": ROLE,
        "image_uri": "img",
        "instance_type": "ml.m5.xlarge",
        "code_prefix_uri": bundle.prefix_uri,
        "script": "evaluate.py",
    }
    with pytest.raises(ValueError, match="reserved"):
        r.processing_step("X", inputs={"code": "s3://b/x"}, **kwargs)
    with pytest.raises(ValueError, match="not among the outputs"):
        r.processing_step(
            "X",
            outputs={"a": "s3://b/a"},
            property_files=[r.property_file("P", "b", "p.json")],
            **kwargs,
        )
    with pytest.raises(ValueError, match="ending in '/'"):
        r.processing_step("X", **{**kwargs, "code_prefix_uri": "s3://b/code"})


def test_xgboost_training_step(session: Any) -> None:
    from sagewright.builders import recipes as r

    step = r.xgboost_training_step(
        "XGBoostTraining",
        session=session,
        role=ROLE,
        region=REGION,
        instance_type="ml.m5.2xlarge",
        hyperparameters={"max_depth": 6, "eta": 0.1, "objective": "binary:logistic", "x": True},
        train_uri="s3://b/train/",
        validation_uri="s3://b/val/",
        output_path=f"{ROOT_URI}/models",
        cache="P7D",
    )
    assert step.name == "XGBoostTraining"
    definition = one_step_definition(session, step)
    assert_valid(definition)
    raw = steps_by_name(definition)[step.name]
    args = raw["Arguments"]
    assert raw["CacheConfig"] == {"Enabled": True, "ExpireAfter": "P7D"}
    assert args["AlgorithmSpecification"]["TrainingImage"].endswith("/sagemaker-xgboost:3.2-0")
    assert "ContainerEntrypoint" not in args["AlgorithmSpecification"]
    assert args["HyperParameters"] == {
        "max_depth": "6",
        "eta": "0.1",
        "objective": "binary:logistic",
        "x": "true",
    }
    channels = {c["ChannelName"]: c for c in args["InputDataConfig"]}
    assert set(channels) == {"train", "validation"}
    assert {c["ContentType"] for c in channels.values()} == {"text/csv"}
    assert args["OutputDataConfig"]["S3OutputPath"] == f"{ROOT_URI}/models"
    assert r.model_artifacts_uri(step).expr == {
        "Get": "Steps.XGBoostTraining.ModelArtifacts.S3ModelArtifacts"
    }


def test_pytorch_training_step_uses_the_sourcedir_and_uploads_nothing(
    session: Any, bundle: CodeBundle
) -> None:
    from sagewright.builders import recipes as r
    from sagewright.builders.sdk import refused_calls

    before = len(refused_calls(session))
    step = r.pytorch_training_step(
        "PyTorchTraining",
        session=session,
        role=ROLE,
        region=REGION,
        instance_type="ml.g5.xlarge",
        sourcedir_uri=bundle.sourcedir_uri,
        entry_point="train.py",
        hyperparameters={"epochs": 10, "lr": 0.001, "optimizer": "adam"},
        inputs={"train": "s3://b/train/", "val": "s3://b/val/"},
        output_path=f"{ROOT_URI}/models",
    )
    definition = one_step_definition(session, step)
    assert_valid(definition)
    assert refused_calls(session)[before:] == []  # no S3 upload was even attempted
    assert not TIMESTAMPED.search(definition)
    args = steps_by_name(definition)["PyTorchTraining"]["Arguments"]
    assert args["AlgorithmSpecification"]["TrainingImage"].endswith(
        "pytorch-training:2.3-gpu-py311"
    )
    hps = args["HyperParameters"]
    assert json.loads(hps["sagemaker_program"]) == "train.py"
    assert json.loads(hps["sagemaker_submit_directory"]) == bundle.sourcedir_uri
    assert json.loads(hps["sagemaker_region"]) == REGION
    assert {k: json.loads(v) for k, v in hps.items() if not k.startswith("sagemaker_")} == {
        "epochs": 10,
        "lr": 0.001,
        "optimizer": "adam",
    }
    assert [c["ChannelName"] for c in args["InputDataConfig"]] == ["train", "val"]
    cpu = r.pytorch_trainer(
        session=session,
        role=ROLE,
        name="PyTorchTraining",
        region=REGION,
        instance_type="ml.m5.xlarge",
        sourcedir_uri=bundle.sourcedir_uri,
        entry_point="train.py",
        hyperparameters={},
        output_path=f"{ROOT_URI}/models",
    )
    assert cpu.training_image.endswith("pytorch-training:2.3-cpu-py311")


@pytest.mark.parametrize("framework", ["xgboost", "pytorch"])
def test_tuning_step(session: Any, bundle: CodeBundle, framework: str) -> None:
    from sagewright.builders import recipes as r

    output_path = f"{ROOT_URI}/tuning"
    if framework == "xgboost":
        trainer = r.xgboost_trainer(
            session=session,
            role=ROLE,
            name="HyperparameterTuning",
            region=REGION,
            instance_type="ml.m5.xlarge",
            hyperparameters={"objective": "binary:logistic", "num_round": 200, "eta": 0.3},
            output_path=output_path,
        )
        tuning: dict[str, Any] = {
            "inputs": {"train": "s3://b/train/", "validation": "s3://b/val/"},
            "content_type": "text/csv",
            "ranges": {
                "eta": r.ContinuousRange(0.01, 0.3, "Logarithmic"),
                "max_depth": r.IntegerRange(3, 10),
                "booster": r.CategoricalRange(("gbtree", "dart")),
            },
            "objective_metric": "validation:auc",
        }
    else:
        trainer = r.pytorch_trainer(
            session=session,
            role=ROLE,
            name="HyperparameterTuning",
            region=REGION,
            instance_type="ml.m5.xlarge",
            sourcedir_uri=bundle.sourcedir_uri,
            entry_point="train.py",
            hyperparameters={"epochs": 5},
            output_path=output_path,
        )
        tuning = {
            "inputs": {"train": "s3://b/train/"},
            "ranges": {"lr": r.ContinuousRange(1e-4, 1e-2, "Logarithmic")},
            "objective_metric": "val_loss",
            "objective_type": "Minimize",
            "metric_definitions": {"val_loss": r"val_loss=([0-9\.]+)"},
        }
    step = r.tuning_step("HyperparameterTuning", trainer=trainer, max_jobs=6, **tuning)
    assert step.name == "HyperparameterTuning"
    definition = one_step_definition(session, step)
    assert_valid(definition)
    args = steps_by_name(definition)[step.name]["Arguments"]
    config = args["HyperParameterTuningJobConfig"]
    assert config["ResourceLimits"] == {"MaxParallelTrainingJobs": 2, "MaxNumberOfTrainingJobs": 6}
    static = args["TrainingJobDefinition"]["StaticHyperParameters"]
    assert not set(tuning["ranges"]) & set(static)
    if framework == "xgboost":
        assert config["HyperParameterTuningJobObjective"] == {
            "Type": "Maximize",
            "MetricName": "validation:auc",
        }
        assert set(config["ParameterRanges"]) == {
            "IntegerParameterRanges",
            "ContinuousParameterRanges",
            "CategoricalParameterRanges",
        }
        assert static == {"objective": "binary:logistic", "num_round": "200"}
    else:
        spec = args["TrainingJobDefinition"]["AlgorithmSpecification"]
        assert spec["MetricDefinitions"] == [{"Name": "val_loss", "Regex": r"val_loss=([0-9\.]+)"}]
        assert json.loads(static["sagemaker_submit_directory"]) == bundle.sourcedir_uri
    best = r.best_model_artifacts_uri(step, output_path)
    assert best.expr == {
        "Std:Join": {
            "On": "/",
            "Values": [
                "s3:/",
                BUCKET,
                f"{PREFIX}/tuning",
                {"Get": "Steps.HyperparameterTuning.TrainingJobSummaries[0].TrainingJobName"},
                "output/model.tar.gz",
            ],
        }
    }
    assert not TIMESTAMPED.search(definition)


def test_tuning_step_needs_a_regex_for_a_custom_metric(session: Any, bundle: CodeBundle) -> None:
    from sagewright.builders import recipes as r

    trainer = r.xgboost_trainer(
        session=session,
        role=ROLE,
        name="T",
        region=REGION,
        instance_type="ml.m5.xlarge",
        hyperparameters={},
        output_path=f"{ROOT_URI}/t",
    )
    with pytest.raises(ValueError, match="no regex"):
        r.tuning_step(
            "T",
            trainer=trainer,
            inputs={"train": "s3://b/t/"},
            ranges={"eta": r.ContinuousRange(0.1, 0.2)},
            objective_metric="auc",
            metric_definitions={"loss": "loss=(.*)"},
        )


@pytest.mark.parametrize("framework", ["xgboost", "pytorch"])
def test_create_model_step(session: Any, framework: str) -> None:
    from sagewright.builders import recipes as r

    if framework == "xgboost":
        image = r.image_uri("xgboost", REGION, "1.7-1")
        env: dict[str, str] | None = None
        model_data: Any = f"s3://{BUCKET}/models/model.tar.gz"
    else:
        image = r.image_uri(
            "pytorch",
            REGION,
            "2.3",
            py_version="py311",
            instance_type="ml.m5.xlarge",
            image_scope="inference",
        )
        env = r.pytorch_inference_env("inference.py")
        model_data = r.join_uri(r.parameter_string("ModelRoot", f"s3://{BUCKET}/m"), "model.tar.gz")
    step = r.create_model_step(
        f"{'XGBoost' if framework == 'xgboost' else 'PyTorch'}Model",
        session=session,
        role=ROLE,
        image_uri=image,
        model_data=model_data,
        env=env,
    )
    params = () if framework == "xgboost" else tuple(model_data.values[:1])
    definition = one_step_definition(session, step, parameters=params)
    assert_valid(definition)
    raw = steps_by_name(definition)[step.name]
    assert raw["Type"] == "Model"
    container = raw["Arguments"]["PrimaryContainer"]
    assert container["Image"] == image
    assert container["Environment"] == (env or {})
    assert "ModelName" not in raw["Arguments"]  # generated at run time
    assert r.model_name(step).expr == {"Get": f"Steps.{step.name}.ModelName"}


def test_transform_step(session: Any) -> None:
    from sagewright.builders import recipes as r

    model_name = r.parameter_string("ModelName", "existing-model")
    step = r.transform_step(
        "BatchTransform_inference",
        session=session,
        model_name=model_name,
        instance_type="ml.m5.xlarge",
        instance_count=2,
        input_uri=r.join_uri(f"s3://{BUCKET}/processed", "test"),
        output_path=f"{ROOT_URI}/scores",
        input_filter="$[1:]",
        join_source="Input",
        output_filter="$[0,-1]",
        max_payload_mb=6,
        strategy="MultiRecord",
    )
    definition = one_step_definition(session, step, parameters=(model_name,))
    assert_valid(definition)
    args = steps_by_name(definition)["BatchTransform_inference"]["Arguments"]
    assert args["ModelName"] == {"Get": "Parameters.ModelName"}
    assert args["TransformInput"]["ContentType"] == "text/csv"
    assert args["TransformInput"]["SplitType"] == "Line"
    assert args["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] == (
        f"s3://{BUCKET}/processed/test"
    )
    assert args["DataProcessing"] == {
        "InputFilter": "$[1:]",
        "OutputFilter": "$[0,-1]",
        "JoinSource": "Input",
    }
    assert args["TransformOutput"] == {
        "S3OutputPath": f"{ROOT_URI}/scores",
        "Accept": "text/csv",
        "AssembleWith": "Line",
    }
    assert r.transform_output_uri(step).expr == {
        "Get": "Steps.BatchTransform_inference.TransformOutput.S3OutputPath"
    }


def test_register_model_step(session: Any) -> None:
    from sagewright.builders import recipes as r

    approval = r.parameter_string("ModelApprovalStatus", "PendingManualApproval")
    image = r.image_uri(
        "pytorch",
        REGION,
        "2.3",
        py_version="py311",
        instance_type="ml.m5.xlarge",
        image_scope="inference",
    )
    step = r.register_model_step(
        "ModelRegistration",
        session=session,
        role=ROLE,
        image_uri=image,
        model_data=f"s3://{BUCKET}/packaged/model.tar.gz",
        model_package_group="fraud-pt",
        approval_status=approval,
        content_types=["application/json"],
        response_types=["application/json"],
        inference_instance_types=["ml.m5.xlarge", "ml.g5.xlarge"],
        transform_instance_types=["ml.m5.xlarge"],
        env=r.pytorch_inference_env("inference.py"),
        sample_payload_url=f"s3://{BUCKET}/payload/payload.tar.gz",
        metrics_report_uri=f"s3://{BUCKET}/eval/evaluation.json",
    )
    definition = one_step_definition(session, step, parameters=(approval,))
    assert_valid(definition)
    raw = steps_by_name(definition)["ModelRegistration"]
    assert raw["Type"] == "RegisterModel"
    args = raw["Arguments"]
    assert args["ModelPackageGroupName"] == "fraud-pt"
    assert args["ModelApprovalStatus"] == {"Get": "Parameters.ModelApprovalStatus"}
    assert args["SamplePayloadUrl"] == f"s3://{BUCKET}/payload/payload.tar.gz"
    assert args["ModelMetrics"]["ModelQuality"]["Statistics"] == {
        "ContentType": "application/json",
        "S3Uri": f"s3://{BUCKET}/eval/evaluation.json",
    }
    spec = args["InferenceSpecification"]
    (container,) = spec["Containers"]
    # ModelBuilder's script-mode variables are not added: the env is exactly ours.
    assert container["Environment"] == r.pytorch_inference_env("inference.py")
    assert spec["SupportedRealtimeInferenceInstanceTypes"] == ["ml.m5.xlarge", "ml.g5.xlarge"]
    assert r.model_package_arn(step).expr == {"Get": "Steps.ModelRegistration.ModelPackageArn"}


def test_quality_gate_steps(session: Any, bundle: CodeBundle) -> None:
    from sagewright.builders import recipes as r

    report = r.property_file("EvaluationReport", "metrics", "evaluation.json")
    evaluation = r.processing_step(
        "ModelEvaluation_testing",
        session=session,
        role=ROLE,
        image_uri="img",
        instance_type="ml.m5.xlarge",
        code_prefix_uri=bundle.prefix_uri,
        script="evaluate.py",
        outputs={"metrics": "s3://b/metrics/"},
        property_files=[report],
    )
    gate, fail = r.quality_gate_steps(
        "QualityGate",
        evaluation_step=evaluation,
        property_file=report,
        json_path="metrics.rmse.value",
        metric="rmse",
        threshold=2.5,
        comparison="<",
    )
    assert (gate.name, fail.name) == ("QualityGate", "QualityGate_fail")
    definition = one_step_definition(session, evaluation, gate)
    assert_valid(definition)
    args = steps_by_name(definition)["QualityGate"]["Arguments"]
    (condition,) = args["Conditions"]
    assert condition["Type"] == "LessThan"
    assert condition["LeftValue"] == {
        "Std:JsonGet": {
            "PropertyFile": {"Get": "Steps.ModelEvaluation_testing.PropertyFiles.EvaluationReport"},
            "Path": "metrics.rmse.value",
        }
    }
    message = steps_by_name(definition)["QualityGate_fail"]["Arguments"]["ErrorMessage"]
    assert "rmse" in message and "2.5" in message
    other = r.property_file("Other", "metrics", "other.json")
    with pytest.raises(ValueError, match="not declared"):
        r.quality_gate_steps(
            "G",
            evaluation_step=evaluation,
            property_file=other,
            json_path="a",
            metric="a",
            threshold=1,
        )


def test_condition_semantics_the_assembler_relies_on(session: Any, bundle: CodeBundle) -> None:
    """Measured answers about guarded steps (see the recipes module docs)."""
    from sagewright.builders import recipes as r

    def proc(name: str, **kw: Any) -> Any:
        return r.processing_step(
            name,
            session=session,
            role=ROLE,
            image_uri="img",
            instance_type="ml.m5.xlarge",
            code_prefix_uri=bundle.prefix_uri,
            script="package.py",
            outputs={"out": f"s3://b/{name}/"},
            **kw,
        )

    report = r.property_file("Report", "out", "evaluation.json")
    evaluation = proc("Eval", property_files=[report])
    guarded = proc("Guarded")
    outside = proc("Outside", inputs={"m": r.processing_output_uri(guarded, "out")})
    gate, _ = r.quality_gate_steps(
        "Gate",
        evaluation_step=evaluation,
        property_file=report,
        json_path="auc",
        metric="auc",
        threshold=0.5,
    )
    gate.if_steps.append(guarded)  # filled after construction: read at definition() time

    # A step in if_steps must not also be a pipeline step: the SDK refuses it.
    with pytest.raises(ValueError, match="cannot be added in the Pipeline steps"):
        one_step_definition(session, evaluation, gate, guarded)

    # A step outside the condition may reference a guarded step; it stays top level
    # and the reference is a plain property Get (no DependsOn on the condition).
    definition = one_step_definition(session, evaluation, gate, outside)
    assert_valid(definition)
    top = json.loads(definition)["Steps"]
    assert [s["Name"] for s in top] == ["Eval", "Gate", "Outside"]
    assert "DependsOn" not in top[2]

    # Leaving the gate out of the steps list silently promotes the guarded step to
    # top level (the compiler pulls referenced steps in): the guard is lost.
    unguarded = json.loads(one_step_definition(session, outside))["Steps"]
    assert [s["Name"] for s in unguarded] == ["Outside", "Guarded"]

    # depends_on=[condition] compiles but the service rejects it; the check says so.
    bad = proc("DependsOnGate", depends_on=[gate])
    problems = check_definition(one_step_definition(session, evaluation, gate, bad))
    assert any("Condition step 'Gate'" in p.message for p in problems)


def test_make_pipeline_validates_the_name(session: Any) -> None:
    from sagewright.builders import recipes as r

    with pytest.raises(ValueError, match="invalid pipeline name"):
        r.make_pipeline("fraud_xgb", [], session=session)


def test_join_uri_and_execution_uri() -> None:
    from sagewright.builders import recipes as r

    assert r.join_uri("s3://b/p/", "train", "/x/") == "s3://b/p/train/x"
    assert r.execution_uri("s3://b/p/", "Step", "out").expr == {
        "Std:Join": {
            "On": "/",
            "Values": ["s3://b/p", {"Get": "Execution.PipelineExecutionId"}, "Step", "out"],
        }
    }


# ----------------------------------------------------------------------------- sdk layer


def test_offline_session_answers_aws_calls_locally() -> None:
    from botocore.exceptions import ClientError

    from sagewright.builders.sdk import (
        OFFLINE_ERROR_CODE,
        RefusedCall,
        offline_session,
        refused_calls,
    )

    fresh = offline_session(REGION, BUCKET, default_bucket_prefix="team-a")
    assert fresh.default_bucket() == BUCKET
    assert fresh.default_bucket_prefix == "team-a"
    with pytest.raises(ClientError) as err:
        fresh.s3_client.head_object(Bucket=BUCKET, Key="k")
    assert err.value.response["Error"]["Code"] == OFFLINE_ERROR_CODE
    with pytest.raises(ClientError):
        fresh.boto_session.client("sts").get_caller_identity()
    with pytest.raises(ClientError):
        fresh.sagemaker_client.describe_pipeline(PipelineName="fraud-xgb")
    assert refused_calls(fresh) == [
        RefusedCall("s3", "HeadObject"),
        RefusedCall("sts", "GetCallerIdentity"),
        RefusedCall("sagemaker", "DescribePipeline"),
    ]


def test_offline_session_needs_a_region_and_bucket() -> None:
    from sagewright.builders.sdk import offline_session, prepare_environment

    with pytest.raises(ValueError, match="region"):
        prepare_environment("")
    with pytest.raises(ValueError, match="bucket"):
        offline_session(REGION, "")


def test_importing_the_builders_does_not_import_sagemaker() -> None:
    code = (
        "import sys\n"
        "import sagewright.builders, sagewright.builders.sdk, sagewright.builders.recipes\n"
        "import sagewright.builders.code_bundle, sagewright.builders.arg_check\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sagemaker', 'boto3')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "[]"


# ----------------------------------------------------------------------------- code bundles


def test_bundle_hash_depends_on_names_and_bytes_only(tmp_path: Path) -> None:
    a = make_bundle({"a.py": b"1", "b.py": b"2"}, bucket=BUCKET, prefix="p")
    b = make_bundle({"b.py": b"2", "a.py": b"1"}, bucket=BUCKET, prefix="/p/")
    assert a == b
    assert a.prefix_uri == f"s3://{BUCKET}/p/code/{a.sha256}/"
    assert a.file_uri("a.py") == f"{a.prefix_uri}a.py"
    assert a.sourcedir_uri == f"s3://{BUCKET}/p/sourcedir/{a.sha256}/sourcedir.tar.gz"
    assert make_bundle({"a.py": b"1", "b.py": b"3"}, bucket=BUCKET).sha256 != a.sha256
    assert make_bundle({"a.py": b"1", "c.py": b"2"}, bucket=BUCKET).sha256 != a.sha256
    # Names and contents are length-prefixed: moving bytes between them changes the hash.
    assert (
        make_bundle({"ab": b"c"}, bucket=BUCKET).sha256
        != make_bundle({"a": b"bc"}, bucket=BUCKET).sha256
    )
    # From files on disk: named by base name, or by path under a root.
    (tmp_path / "lib").mkdir()
    (tmp_path / "train.py").write_bytes(b"1")
    (tmp_path / "lib" / "util.py").write_bytes(b"2")
    flat = make_bundle([tmp_path / "train.py"], bucket=BUCKET)
    assert flat.names == ("train.py",)
    rooted = make_bundle(
        [tmp_path / "train.py", tmp_path / "lib" / "util.py"], bucket=BUCKET, root=tmp_path
    )
    assert rooted.names == ("lib/util.py", "train.py")
    with pytest.raises(ValueError, match="relative path"):
        make_bundle({"../x.py": b""}, bucket=BUCKET)
    with pytest.raises(ValueError, match="both named"):
        make_bundle([tmp_path / "train.py", tmp_path / "train.py"], bucket=BUCKET)


def test_sourcedir_tarball_is_byte_reproducible(bundle: CodeBundle) -> None:
    first = bundle.sourcedir_tar_gz()
    time.sleep(1.1)  # a timestamp anywhere in the archive would now differ
    assert make_code_bundle().sourcedir_tar_gz() == first
    assert first[4:8] == b"\0\0\0\0"  # gzip header mtime
    with tarfile.open(fileobj=io.BytesIO(first), mode="r:gz") as tar:
        members = tar.getmembers()
        assert [m.name for m in members] == sorted(SCRIPTS)
        assert {(m.mtime, m.uid, m.gid, m.uname, m.gname, m.mode) for m in members} == {
            (0, 0, 0, "", "", 0o644)
        }
        extracted = tar.extractfile("train.py")
        assert extracted is not None and extracted.read() == SCRIPTS["train.py"]


def test_upload_writes_once_and_skips_existing_keys(bundle: CodeBundle) -> None:
    import boto3
    from moto import mock_aws

    with mock_aws():
        s3 = boto3.client(
            "s3",
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        s3.create_bucket(Bucket=BUCKET)
        written = upload(bundle, s3)
        assert written == [key for key, _ in bundle.objects()]
        assert len(written) == len(SCRIPTS) + 1
        assert upload(bundle, s3) == []
        body = s3.get_object(Bucket=BUCKET, Key=written[-1])["Body"].read()
        assert body == bundle.sourcedir_tar_gz()


# ----------------------------------------------------------------------------- arg check


def test_arg_check_catches_what_the_service_would_reject(e2e_definition: str) -> None:
    doc = json.loads(e2e_definition)
    prep = doc["Steps"][0]
    del prep["Arguments"]["RoleArn"]
    prep["Arguments"]["ProcessingResources"]["ClusterConfig"]["InstanceCount"] = "1"
    prep["Arguments"]["Bogus"] = True
    doc["Steps"][1]["Arguments"]["HyperParameters"]["long"] = "x" * 3000
    doc["Steps"][2]["DependsOn"] = ["QualityGate", "Missing"]
    doc["Steps"][3]["Arguments"]["ModelName"] = {"Get": "Parameters.Undeclared"}
    gate = doc["Steps"][5]["Arguments"]
    gate["IfSteps"][0]["Arguments"]["ProcessingInputs"][1].pop("S3Input")
    gate["ElseSteps"][0]["Name"] = "Bad name!"
    problems = [str(p) for p in check_definition(json.dumps(doc), pipeline_name="fraud_xgb")]
    expected = [
        "pipeline name 'fraud_xgb'",
        "TabularPreprocessing_training: CreateProcessingJob: Missing required parameter",
        '"RoleArn"',
        'Unknown parameter in input: "Bogus"',
        "ProcessingResources.ClusterConfig.InstanceCount, value: 1, type: <class 'str'>",
        "HyperParameters['long'] is 3000 characters, over the maximum 2500",
        "XGBoostModel: DependsOn names Condition step 'QualityGate'",
        "XGBoostModel: DependsOn names unknown step 'Missing'",
        "BatchTransform_testing: reference to undeclared parameter 'Undeclared'",
        "Packaging: processing input 'model' needs exactly one of S3Input or DatasetDefinition",
        "Bad name!: step name must be 1-64",
    ]
    for fragment in expected:
        assert any(fragment in p for p in problems), (fragment, problems)
    assert len(problems) == len(expected) - 1  # two fragments of one problem


def test_arg_check_limits() -> None:
    huge = json.dumps({"Steps": [], "Pad": "x" * 1_048_577})
    assert any("over 1,048,576" in str(p) for p in check_definition(huge))
    assert check_definition("{") != []
    long_name = {"Name": "a" * 65, "Type": "Fail", "Arguments": {"ErrorMessage": "x"}}
    (problem,) = check_definition(json.dumps({"Steps": [long_name]}))
    assert problem.step == "a" * 65 and "step name must be 1-64" in problem.message


# ----------------------------------------------------------------------------- script mode


def _subprocess_report() -> dict[str, Any]:
    """Build the e2e definition in this fresh process with sockets guarded."""
    attempts = refuse_sockets()

    from sagewright.builders.recipes import definition_json
    from sagewright.builders.sdk import offline_session, refused_calls

    session = offline_session(REGION, BUCKET)
    definition = definition_json(build_xgboost_e2e(session, make_code_bundle()))
    return {
        "definition": definition,
        "refused_aws_calls": [f"{c.service}.{c.operation}" for c in refused_calls(session)],
        **process_report(attempts),
    }


if __name__ == "__main__":
    print(json.dumps(_subprocess_report()))
