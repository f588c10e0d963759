"""#13 "smaller things": a stable Python API, /undo over no-op turns, marked placeholders."""

from __future__ import annotations

import importlib
import json
import types

from sagewright.chat import ChatSession
from tests.reliability.helpers import SMALL, run, write_json

TWO_SOURCES = {
    "DataLoading_training": [],
    "TabularPreprocessing_training": ["DataLoading_training"],
    "XGBoostTraining": ["TabularPreprocessing_training"],
    "DataLoading_testing": [],
    "TabularPreprocessing_testing": ["DataLoading_testing"],
    "ModelEvaluation_testing": ["XGBoostTraining", "TabularPreprocessing_testing"],
}


def test_sw_generate_stays_the_function_across_calls_and_imports(tmp_path):
    import sagewright as sw

    for i in range(3):
        assert callable(sw.generate) and not isinstance(sw.generate, types.ModuleType)
        result = sw.generate(SMALL, tmp_path / f"o{i}")
        assert (result.out_dir / "pipeline.json").is_file()
        importlib.import_module("sagewright.generate")
        importlib.import_module("sagewright.chat")
    from sagewright.generate import finish  # the submodule itself is still importable

    assert callable(finish)


def test_undo_steps_back_over_no_op_turns(tmp_path):
    chat = ChatSession("u", db_path=tmp_path / "db.sqlite", out_root=tmp_path / "out")
    try:
        assert chat.send(SMALL).phase == "review"
        assert chat.send("ok").phase == "confirm"
        for idle in ("hmm", "what now?"):  # no-op turns: nothing changes
            assert chat.send(idle).phase == "confirm"
        reply = chat.send("/undo")  # one undo removes the change ("ok") and the no-ops
        assert reply.phase == "review", reply.text
        assert [user for user, _ in chat.history()] == [SMALL]
    finally:
        chat.close()


def test_each_data_source_gets_its_own_marked_placeholder(tmp_path, capsys):
    topology = write_json(tmp_path / "t.json", TWO_SOURCES)
    config = tmp_path / "c.json"
    code, _, err = run(capsys, "init-config", "--topology", str(topology), "--out", str(config))
    assert code == 0, err
    data = json.loads(config.read_text())
    assert "s3_uri" not in data["shared"]  # filling one source never fills the other
    uris = {
        node: data["specific"][node]["s3_uri"]
        for node in ("DataLoading_training", "DataLoading_testing")
    }
    assert len(set(uris.values())) == 2
    assert all("placeholder" in uri for uri in uris.values())
    assert "placeholder" in data["shared"]["label_name"].lower()
    # The user fills both with one location: the testing data would be the training data.
    data["specific"]["DataLoading_training"]["s3_uri"] = "s3://acme/train/"
    data["specific"]["DataLoading_testing"]["s3_uri"] = "s3://acme/train/"
    data["shared"]["label_name"] = "is_fraud"
    data["placeholders"] = [p for p in data["placeholders"] if p[1] not in ("s3_uri", "label_name")]
    config.write_text(json.dumps(data))
    code, _, err = run(
        capsys, "assemble", "--topology", str(topology), "--config", str(config),
        "--out", str(tmp_path / "deploy"), "--allow-placeholders",
    )  # fmt: skip
    assert code == 0, err
    assert "DataLoading_testing" in err and "same data" in err and "s3://acme/train/" in err
