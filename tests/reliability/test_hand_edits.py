"""#13 item 2: files a user edited are never replaced silently; ``--force`` replaces them.

Decision: refuse and name what would change, rather than merge. A merge has to guess which
of two values wins (a hand edit, or the requirement restated), and a wrong guess is the same
silent loss; the refusal is one line naming the edited fields, ``--force`` replaces, and
values meant to survive reruns go in ``--defaults FILE``.
"""

from __future__ import annotations

import json

from tests.reliability.helpers import E2E_TOPOLOGY, SMALL, run, write_json


def test_init_config_keeps_a_hand_filled_config(tmp_path, capsys):
    topology = write_json(tmp_path / "topology.json", E2E_TOPOLOGY)
    config = tmp_path / "config.json"
    args = ["init-config", "--topology", str(topology), "--out", str(config)]
    assert run(capsys, *args)[0] == 0
    assert run(capsys, *args)[0] == 0  # unedited: replaced
    data = json.loads(config.read_text())
    data["shared"]["region"] = "eu-west-1"
    config.write_text(json.dumps(data, indent=2))
    edited = config.read_text()
    code, _, err = run(capsys, *args)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "edited_output" in err and "shared.region" in err and "--force" in err
    assert config.read_text() == edited
    assert run(capsys, *args, "--force")[0] == 0
    assert json.loads(config.read_text())["shared"]["region"] != "eu-west-1"
    other = tmp_path / "other.json"
    other.write_text('{"not": "a config"}')
    code, _, err = run(capsys, *args[:-1], str(other))
    assert code == 2 and "not written by sagewright" in err
    assert other.read_text() == '{"not": "a config"}'


def test_generate_keeps_an_edited_config_json(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["generate", SMALL, "--out", str(out), "--yes"]
    assert run(capsys, *args)[0] == 0
    config = out / "config.json"
    data = json.loads(config.read_text())
    node = next(n for n in data["specific"] if n.startswith("TabularPreprocessing"))
    data["specific"][node]["categories"] = {"country": ["DE", "FR"]}
    config.write_text(json.dumps(data, indent=2))
    edited = config.read_text()
    code, _, err = run(capsys, *args)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "edited_output" in err
    assert f"specific.{node}.categories" in err
    assert config.read_text() == edited
    assert run(capsys, *args, "--force")[0] == 0
    assert json.loads(config.read_text())["specific"][node].get("categories") != {
        "country": ["DE", "FR"]
    }


def test_assemble_keeps_an_edited_deploy_folder(tmp_path, capsys):
    gen = tmp_path / "gen"
    assert run(capsys, "generate", SMALL, "--out", str(gen), "--yes")[0] == 0
    deploy = tmp_path / "deploy"
    args = [
        "assemble", "--topology", str(gen / "topology.json"), "--config",
        str(gen / "config.json"), "--out", str(deploy),
    ]  # fmt: skip
    assert run(capsys, *args)[0] == 0
    (deploy / "pipeline.json").write_text("{}")
    code, _, err = run(capsys, *args)
    assert code == 2 and "edited_output" in err and "pipeline.json" in err
    assert (deploy / "pipeline.json").read_text() == "{}"
    assert run(capsys, *args, "--force")[0] == 0
    assert (deploy / "pipeline.json").read_text() != "{}"
