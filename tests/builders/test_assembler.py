"""The assembler: every golden topology builds, wires exactly its edges, and is reproducible.

One offline session per process builds all golden cases once (module fixture). The
cross-process proof runs this file as a script in fresh interpreters with sockets
guarded and no AWS credentials: ``python tests/builders/test_assembler.py CASE ...``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from sagewright.builders.arg_check import check_definition
from sagewright.builders.assembler import Assembly, assemble, build_definition
from sagewright.checker import check_topology
from sagewright.errors import BuildError, StepBuildError, TopologyError
from sagewright.facts import PipelineValues
from sagewright.scaffold import build_configs
from sagewright.topology import Topology
from tests.builders.offline_proof import process_report, refuse_sockets, run_fresh_interpreters
from tests.conftest import golden_case, golden_cases

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "sagewright" / "registry" / "steps" / "scripts"
SUBPROCESS_CASES = (
    "vis-10-xgb-e2e-calibration",
    "vis-25-fraud-full-gated",
    "vis-19-late-delivery-pytorch-tuning-eval",
    "vis-02-tickets-pytorch-train",
    "vis-03-churn-xgb-tuning",
    "vis-11-pytorch-existing-model-e2e",
)
TIMESTAMPED = re.compile(r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}|sm_drivers")


def case_configs(case: Mapping[str, Any], **facts: Any) -> dict[str, Any]:
    """Defaults plus the case's facts (and ``facts``), placeholders for the rest."""
    values = PipelineValues.from_facts({**case["facts"], **facts})
    topology = Topology.parse(case["topology"])
    return build_configs(topology, values, allow_placeholders=True).configs


# ----------------------------------------------------------------------------- definition


def walk(steps: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for step in steps:
        yield step
        if step["Type"] == "Condition":
            yield from walk(step["Arguments"]["IfSteps"])
            yield from walk(step["Arguments"]["ElseSteps"])


def steps_by_name(definition: str) -> dict[str, dict[str, Any]]:
    return {s["Name"]: s for s in walk(json.loads(definition)["Steps"])}


def referenced_steps(step: dict[str, Any]) -> set[str]:
    """Steps this step depends on: property ``Get`` references plus ``DependsOn``."""
    args = step["Arguments"]
    if step["Type"] == "Condition":  # its branches are other steps
        args = {"Conditions": args["Conditions"]}
    refs = set(re.findall(r'"Get": "Steps\.([A-Za-z0-9_-]+)\.', json.dumps(args)))
    return refs | set(step.get("DependsOn") or [])


def branch_names(step: dict[str, Any], branch: str = "IfSteps") -> set[str]:
    return {s["Name"] for s in walk(step["Arguments"][branch])}


def assert_matches_topology(topology: Mapping[str, list[str]], definition: str) -> None:
    """Steps = nodes (+ each gate's FailStep); data references = the topology's edges."""
    check = check_topology(topology, existing_model=True)
    gates = {gate for gate, _ in check.control_edges}
    steps = steps_by_name(definition)
    assert set(steps) == set(topology) | {f"{g}_fail" for g in gates}
    for node, parents in topology.items():
        assert referenced_steps(steps[node]) == set(parents) - gates, node
    graph = Topology.parse(topology).graph()
    for gate in gates:
        guarded = {c for g, c in check.control_edges if g == gate}
        subtree = set().union(*(_descendants(graph, c) for c in guarded))
        assert subtree <= branch_names(steps[gate]), gate
        assert branch_names(steps[gate], "ElseSteps") == {f"{gate}_fail"}
        assert referenced_steps(steps[f"{gate}_fail"]) == set()
    top = {s["Name"] for s in json.loads(definition)["Steps"]}
    inside = set().union(set(), *(branch_names(steps[g]) for g in gates))
    assert top == set(topology) - inside


def _descendants(graph: Any, node: str) -> set[str]:
    import networkx as nx

    return {node} | set(nx.descendants(graph, node))


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", autouse=True)
def restore_environ() -> Iterator[None]:
    """The offline session sets process environment variables; undo them after the module."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="module")
def golden_builds() -> dict[str, tuple[dict[str, Any], Assembly]]:
    """Every golden case assembled once (configs: defaults + facts + placeholders)."""
    return {c["id"]: (c, assemble(c["topology"], case_configs(c))) for c in golden_cases()}


# ----------------------------------------------------------------------------- golden


@pytest.mark.parametrize("case_id", [c["id"] for c in golden_cases()])
def test_golden_topology_assembles_to_exactly_its_graph(
    case_id: str, golden_builds: dict[str, tuple[dict[str, Any], Assembly]]
) -> None:
    case, built = golden_builds[case_id]
    assert_matches_topology(case["topology"], built.definition)
    problems = check_definition(built.definition, pipeline_name=built.name)
    assert problems == [], "\n".join(map(str, problems))
    assert not TIMESTAMPED.search(built.definition)
    code_uris = set(re.findall(r's3://[^"]*/code/[0-9a-f]{64}/', built.definition))
    assert code_uris <= {b.prefix_uri for b in built.bundles}
    sourcedirs = set(re.findall(r's3://[^"\\]*sourcedir\.tar\.gz', built.definition))
    assert sourcedirs <= {b.sourcedir_uri for b in built.bundles}


def test_golden_builds_are_fast_and_small(
    golden_builds: dict[str, tuple[dict[str, Any], Assembly]],
) -> None:
    sizes = {case_id: len(built.definition) for case_id, (_, built) in golden_builds.items()}
    assert max(sizes.values()) < 60_000


def test_definitions_are_byte_identical_in_one_process(
    golden_builds: dict[str, tuple[dict[str, Any], Assembly]],
) -> None:
    for case_id in SUBPROCESS_CASES:
        case, built = golden_builds[case_id]
        assert build_definition(case["topology"], case_configs(case)) == built.definition
        assert built.pipeline.definition() == built.definition  # and per definition() call


def test_definitions_are_identical_across_processes_offline(
    golden_builds: dict[str, tuple[dict[str, Any], Assembly]],
) -> None:
    """Two fresh interpreters: other hash seeds, no credentials, every socket refused."""
    reports = run_fresh_interpreters(__file__, SUBPROCESS_CASES, seeds=("3", "4"))
    expected = {c: sha256(golden_builds[c][1].definition) for c in SUBPROCESS_CASES}
    for report in reports:
        assert report["sockets"] == []
        assert report["credential_vars"] == []
        assert report["telemetry_threads"] == []
        assert report["definitions"] == expected


# ----------------------------------------------------------------------------- wiring details


def test_e2e_wiring_and_parameters(
    golden_builds: dict[str, tuple[dict[str, Any], Assembly]],
) -> None:
    _, built = golden_builds["vis-10-xgb-e2e-calibration"]
    steps = steps_by_name(built.definition)
    assert list(built.parameters) == [
        "OutputS3Prefix",
        "ProcessingInstanceType",
        "TrainingInstanceType",
        "TransformInstanceType",
        "ModelApprovalStatus",
    ]
    train = steps["XGBoostTraining"]["Arguments"]
    channels = {c["ChannelName"]: c for c in train["InputDataConfig"]}
    assert set(channels) == {"train", "validation"}
    uri = channels["validation"]["DataSource"]["S3DataSource"]["S3Uri"]["Std:Join"]["Values"]
    assert uri[1] == "val"
    assert train["HyperParameters"]["max_depth"] == "6"
    assert train["HyperParameters"]["eta"] == "0.1"
    assert train["ResourceConfig"]["InstanceType"] == {"Get": "Parameters.TrainingInstanceType"}
    transform = steps["BatchTransform_calibration"]["Arguments"]
    assert transform["DataProcessing"]["InputFilter"] == "$[1:]"
    assert transform["DataProcessing"]["OutputFilter"] == "$[0,-1]"  # label,score
    calibrate = steps["ModelCalibration_calibration"]["Arguments"]["AppSpecification"]
    arguments = calibrate["ContainerArguments"]
    assert "--layout=label-score" in arguments
    source = transform["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"]["Std:Join"]
    assert source["Values"][1] == "calibration"  # the calibration preprocessing's own folder
    register = steps["ModelRegistration"]["Arguments"]
    assert register["ModelApprovalStatus"] == {"Get": "Parameters.ModelApprovalStatus"}
    payload = register["SamplePayloadUrl"]["Std:Join"]["Values"]
    assert payload[-1] == "payload.tar.gz"
    packaging = steps["Packaging"]["Arguments"]
    assert {i["InputName"] for i in packaging["ProcessingInputs"]} == {
        "code",
        "model_artifacts",
        "calibration",
    }
    outputs = packaging["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
    assert outputs["Std:Join"]["Values"] == [
        {"Get": "Parameters.OutputS3Prefix"},
        {"Get": "Execution.PipelineExecutionId"},
        "Packaging",
        "packaged_model",
    ]


def test_gate_guards_its_subtree(golden_builds: dict[str, tuple[dict[str, Any], Assembly]]) -> None:
    _, built = golden_builds["vis-40-renewal-gate-package-and-payload"]
    doc = json.loads(built.definition)
    gate = next(s for s in doc["Steps"] if s["Name"] == "QualityGate")
    assert [s["Name"] for s in gate["Arguments"]["IfSteps"]] == [
        "Packaging",
        "PayloadGeneration",
        "ModelRegistration",
    ]
    fail = gate["Arguments"]["ElseSteps"][0]["Arguments"]["ErrorMessage"]
    assert "auc" in fail and "0.8" in fail and "ModelEvaluation_testing" in fail


def test_nested_gates_nest_their_branches() -> None:
    case = golden_case("vis-25-fraud-full-gated")
    topology = {k: list(v) for k, v in case["topology"].items()}
    topology["QualityGate_second"] = ["ModelEvaluation_testing", "QualityGate"]
    topology["ModelRegistration"] = [
        *[p for p in topology["ModelRegistration"] if p != "QualityGate"],
        "QualityGate_second",
    ]
    topology["Packaging"] = [*topology["Packaging"], "QualityGate"]
    built = assemble(topology, case_configs({**case, "topology": topology}))
    assert_matches_topology(topology, built.definition)
    steps = steps_by_name(built.definition)
    outer = [s["Name"] for s in steps["QualityGate"]["Arguments"]["IfSteps"]]
    assert outer == ["Packaging", "QualityGate_second"]
    inner = [s["Name"] for s in steps["QualityGate_second"]["Arguments"]["IfSteps"]]
    assert inner == ["ModelRegistration"]


def test_pytorch_tuning_metrics_match_what_the_script_prints(
    golden_builds: dict[str, tuple[dict[str, Any], Assembly]],
) -> None:
    from sagewright.builders.training import PYTORCH_METRIC_DEFINITIONS

    _, built = golden_builds["vis-19-late-delivery-pytorch-tuning-eval"]
    args = steps_by_name(built.definition)["HyperparameterTuning"]["Arguments"]
    objective = args["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]
    assert objective == {"Type": "Maximize", "MetricName": "val:accuracy"}
    spec = args["TrainingJobDefinition"]["AlgorithmSpecification"]
    definitions = {d["Name"]: d["Regex"] for d in spec["MetricDefinitions"]}
    assert definitions == PYTORCH_METRIC_DEFINITIONS
    static = args["TrainingJobDefinition"]["StaticHyperParameters"]
    assert json.loads(static["sagemaker_program"]) == "pytorch_training.py"
    evaluation = steps_by_name(built.definition)["ModelEvaluation_validation"]["Arguments"]
    assert "/pytorch-training:" in evaluation["AppSpecification"]["ImageUri"]
    assert static["epochs"] == "20"
    # The script logs each epoch as " ".join(f"{k}={v:.6g}") of these keys.
    source = (SCRIPTS / "pytorch_training.py").read_text()
    assert 'f"{k}={v:.6g}"' in source
    record = {"epoch": 3, "train_loss": 0.4123456, "val_loss": 1.5e-05, "val_accuracy": 0.8125}
    line = " ".join(f"{k}={v:.6g}" for k, v in record.items())
    for name, key in (("train:loss", "train_loss"), ("val:loss", "val_loss")):
        assert f'"{key}"' in source
        match = re.search(definitions[name], line)
        assert match and float(match.group(1)) == pytest.approx(record[key], rel=1e-5)
    match = re.search(definitions["val:accuracy"], line)
    assert match and float(match.group(1)) == 0.8125


def load_script(name: str) -> Any:
    sys.path.insert(0, str(SCRIPTS))
    try:
        spec = importlib.util.spec_from_file_location(f"sw_script_{name}", SCRIPTS / name)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(SCRIPTS))


class _Parsed(Exception):
    pass


def test_processing_arguments_parse_with_each_script(
    golden_builds: dict[str, tuple[dict[str, Any], Assembly]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every script accepts the exact arguments its steps pass (argparse, nothing run)."""
    calls: set[tuple[str, tuple[str, ...]]] = set()
    for _, built in golden_builds.values():
        for step in steps_by_name(built.definition).values():
            if step["Type"] != "Processing":
                continue
            spec = step["Arguments"]["AppSpecification"]
            script = spec["ContainerEntrypoint"][-1].rsplit("/", 1)[-1]
            calls.add((script, tuple(spec.get("ContainerArguments", []))))
    assert {s for s, _ in calls} == {
        "data_loading.py",
        "tabular_preprocessing.py",
        "model_evaluation.py",
        "model_calibration.py",
        "packaging.py",
        "payload_generation.py",
    }
    original = argparse.ArgumentParser.parse_args

    def parse_then_stop(self: argparse.ArgumentParser, args: Any = None, ns: Any = None) -> Any:
        raise _Parsed(original(self, args, ns))

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", parse_then_stop)
    for script, args in sorted(calls):
        module = load_script(script)
        with pytest.raises(_Parsed):  # SystemExit(2) here = an argument the script rejects
            module.main(list(args))


def test_instance_types_differing_per_node_stay_literal() -> None:
    case = golden_case("vis-10-xgb-e2e-calibration")
    configs = case_configs(case)
    configs["Packaging"].processing_instance_type = "ml.c5.4xlarge"
    built = assemble(case["topology"], configs)
    assert "ProcessingInstanceType" not in built.parameters
    steps = steps_by_name(built.definition)
    resources = steps["Packaging"]["Arguments"]["ProcessingResources"]["ClusterConfig"]
    assert resources["InstanceType"] == "ml.c5.4xlarge"


def test_custom_source_dir_becomes_its_own_bundle(tmp_path: Path) -> None:
    case = golden_case("vis-06-ctr-train-package-no-register")
    (tmp_path / "packaging.py").write_text("print('mine')\n")
    configs = case_configs(case)
    configs["Packaging"].source_dir = str(tmp_path)
    built = assemble(case["topology"], configs)
    mine = next(b for b in built.bundles if b.names == ("packaging.py",))
    assert mine.prefix_uri in built.definition
    configs["Packaging"].source_dir = str(tmp_path / "missing")
    with pytest.raises(StepBuildError) as err:
        assemble(case["topology"], configs)
    assert (err.value.code, err.value.node, err.value.field) == (
        "bad_source_dir",
        "Packaging",
        "source_dir",
    )


# ----------------------------------------------------------------------------- typed errors

E2E = "vis-10-xgb-e2e-calibration"


def expect_error(topology: Any, configs: Any, code: str, node: str, field: str = "") -> BuildError:
    with pytest.raises(BuildError) as err:
        assemble(topology, configs)
    assert err.value.code == code, err.value
    assert err.value.node == node
    assert getattr(err.value, "field", "") == field
    assert node in str(err.value) and field in str(err.value)
    return err.value


def test_node_without_config() -> None:
    case = golden_case(E2E)
    configs = case_configs(case)
    del configs["ModelCalibration_calibration"]
    expect_error(case["topology"], configs, "node_without_config", "ModelCalibration_calibration")


def test_config_of_the_wrong_class() -> None:
    case = golden_case(E2E)
    configs = case_configs(case)
    configs["XGBoostModel"] = configs["Packaging"]
    expect_error(case["topology"], configs, "wrong_config_class", "XGBoostModel", "config_class")


def test_value_the_sdk_rejects() -> None:
    case = golden_case(E2E)
    configs = case_configs(case)
    configs["XGBoostTraining"].framework_version = "0.42"
    error = expect_error(
        case["topology"], configs, "sdk_rejected_value", "XGBoostTraining", "framework_version"
    )
    assert "0.42" in str(error)


def test_unwired_required_port() -> None:
    topology: dict[str, list[str]] = {"DataLoading_training": [], "XGBoostTraining": []}
    configs = case_configs({"topology": topology, "facts": {}})
    expect_error(topology, configs, "unwired_port", "XGBoostTraining", "training_data")


def test_or_config_port_without_existing_model_uri() -> None:
    topology: dict[str, list[str]] = {"XGBoostModel": []}
    configs = case_configs({"topology": topology, "facts": {}})
    expect_error(topology, configs, "unwired_port", "XGBoostModel", "existing_model_uri")


def test_port_fed_by_parent_and_config_is_ambiguous() -> None:
    case = golden_case(E2E)
    configs = case_configs(case, existing_model_uri="s3://acme-models/model.tar.gz")
    expect_error(case["topology"], configs, "ambiguous_wire", "XGBoostModel", "existing_model_uri")


def test_settings_must_agree_across_configs() -> None:
    case = golden_case(E2E)
    configs = case_configs(case)
    configs["Packaging"].bucket = "another-bucket"
    expect_error(case["topology"], configs, "inconsistent_setting", "Packaging", "bucket")


def test_guarded_by_two_independent_gates() -> None:
    topology = {
        "DataLoading_training": [],
        "TabularPreprocessing_training": ["DataLoading_training"],
        "XGBoostTraining": ["TabularPreprocessing_training"],
        "ModelEvaluation_testing": ["XGBoostTraining", "TabularPreprocessing_training"],
        "QualityGate_a": ["ModelEvaluation_testing"],
        "QualityGate_b": ["ModelEvaluation_testing"],
        "Packaging": ["XGBoostTraining", "QualityGate_a"],
        "PayloadGeneration": ["XGBoostTraining", "QualityGate_b"],
        "ModelRegistration": ["Packaging", "PayloadGeneration"],
    }
    configs = case_configs({"topology": topology, "facts": {}})
    expect_error(topology, configs, "guarded_twice", "ModelRegistration")


def test_fail_step_name_clash() -> None:
    topology = {
        "DataLoading_training": [],
        "TabularPreprocessing_training": ["DataLoading_training"],
        "XGBoostTraining": ["TabularPreprocessing_training"],
        "ModelEvaluation_testing": ["XGBoostTraining", "TabularPreprocessing_training"],
        "QualityGate": ["ModelEvaluation_testing"],
        "QualityGate_fail": ["ModelEvaluation_testing"],
        "Packaging": ["XGBoostTraining", "QualityGate"],
        "PayloadGeneration": ["XGBoostTraining", "QualityGate_fail"],
    }
    configs = case_configs({"topology": topology, "facts": {}})
    expect_error(topology, configs, "duplicate_step_name", "QualityGate_fail")


def test_pytorch_objective_must_be_a_printed_metric() -> None:
    case = golden_case("vis-19-late-delivery-pytorch-tuning-eval")
    configs = case_configs(case)
    configs["HyperparameterTuning"].objective_metric = "val:auc"
    expect_error(
        case["topology"], configs, "invalid_value", "HyperparameterTuning", "objective_metric"
    )


def test_structural_topology_errors_stay_topology_errors() -> None:
    topology = {"XGBoostTraining": ["Nope"]}
    with pytest.raises(TopologyError) as err:
        assemble(topology, {})
    assert err.value.code == "missing_parent"


# ----------------------------------------------------------------------------- script mode


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _subprocess_report(case_ids: list[str]) -> dict[str, Any]:
    """Build the cases in this fresh process with every socket refused."""
    attempts = refuse_sockets()
    definitions = {}
    for case_id in case_ids:
        case = golden_case(case_id)
        definitions[case_id] = sha256(build_definition(case["topology"], case_configs(case)))
    return {"definitions": definitions, **process_report(attempts)}


if __name__ == "__main__":
    print(json.dumps(_subprocess_report(sys.argv[1:])))


def test_declared_categories_reach_every_preprocessing_script() -> None:
    case = golden_case("vis-37-fraud-two-data-paths")
    values = PipelineValues.from_facts(case["facts"])
    values.shared.update(cat_field_list=["color"], categories={"color": ["red", "green", "blue"]})
    configs = build_configs(Topology.parse(case["topology"]), values, allow_placeholders=True)
    steps = steps_by_name(build_definition(Topology.parse(case["topology"]), configs.configs))
    script = load_script("tabular_preprocessing.py")
    for node in ("TabularPreprocessing_training", "TabularPreprocessing_calibration"):
        args = steps[node]["Arguments"]["AppSpecification"]["ContainerArguments"]
        parsed = script.parse_args(list(args))
        assert parsed.categories == {"color": {"red": 0, "green": 1, "blue": 2}}
