import json
import subprocess
import sys
from pathlib import Path

import pytest

from sagewright.cli import main
from tests.conftest import golden_cases

EXPECTED = json.loads((Path(__file__).parent / "data" / "catalogue_ports.json").read_text())


def run(capsys, *argv):
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


def test_steps_json_lists_the_catalogue(capsys):
    code, out, _ = run(capsys, "steps", "--json")
    assert code == 0
    listed = json.loads(out)
    assert len(listed) == 14
    for item in listed:
        assert set(item) == {"name", "sagemaker_step", "description", "inputs", "outputs"}
        want = EXPECTED[item["name"]]
        assert [[p["name"], p["kind"], p["mode"]] for p in item["inputs"]] == want["inputs"]
        assert [[p["name"], p["kind"]] for p in item["outputs"]] == want["outputs"]


def test_steps_table(capsys):
    code, out, _ = run(capsys, "steps")
    assert code == 0 and "XGBoostTraining" in out


@pytest.mark.parametrize("case", golden_cases(), ids=lambda c: c["id"])
def test_validate_accepts_golden(tmp_path, capsys, case):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(case["topology"]))
    flags = ["--existing-model"] if "existing_model_uri" in case["facts"] else []
    code, out, _ = run(capsys, "validate", str(path), "--json", *flags)
    assert code == 0, out
    assert json.loads(out) == {"valid": True, "errors": []}


def test_validate_reports_structured_errors(tmp_path, capsys):
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps({"DataLoading_training": [], "XGBTraining": ["DataLoading_training"]})
    )
    code, out, _ = run(capsys, "validate", str(path), "--json")
    assert code == 1
    errors = json.loads(out)["errors"]
    assert errors[0]["code"] == "unknown_step" and errors[0]["node"] == "XGBTraining"
    assert "did you mean 'XGBoostTraining'" in errors[0]["message"]
    assert set(errors[0]) == {"code", "node", "port", "message", "hint"}
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 1 and "unknown_step" in out


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (None, "file not found"),
        ('{"a": [', "malformed JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"DataLoading_training": "none"}', "'DataLoading_training' must map to a list"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, content, needle):
    path = tmp_path / "t.json"
    if content is not None:
        path.write_text(content)
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert needle in err and str(path) in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_config_schema_lists_tiers(capsys):
    code, out, _ = run(capsys, "config-schema", "XGBoostTraining", "--json")
    assert code == 0
    fields = {f["path"]: f for f in json.loads(out)["fields"]}
    assert fields["role_arn"]["tier"] == "essential"
    assert fields["hyperparameters.max_depth"]["default"] == 6
    assert fields["pipeline_s3_loc"]["tier"] == "derived"
    code, _, err = run(capsys, "config-schema", "XGBTraining")
    assert code == 2 and "did you mean 'XGBoostTraining'" in err


def test_unknown_option_exit_2(capsys):
    code, _, _ = run(capsys, "validate", "--nope")
    assert code == 2


def test_light_commands_do_not_import_sagemaker(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(golden_cases()[0]["topology"]))
    probe = (
        "import sys\n"
        "from sagewright.cli import main\n"
        "for argv in (['steps', '--json'], ['validate', sys.argv[1]]):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit as e:\n"
        "        assert e.code == 0, e.code\n"
        "heavy = ('sagemaker', 'boto3', 'botocore')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "print('IMPORTED', bad)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "IMPORTED []" in done.stdout


def test_python_dash_m_runs(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "sagewright", "steps", "--json"], capture_output=True, text=True
    )
    assert done.returncode == 0 and len(json.loads(done.stdout)) == 14
