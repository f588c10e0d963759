"""Snippet layouts read as plain statements, the same for the planner and the extractor."""

from __future__ import annotations

import pytest

from sagewright.agents.text.discourse import told
from sagewright.agents.text.layout import corrected, laid_out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("step,enabled\nregister,no\npackage,yes", "step: enabled\nregister: no\npackage: yes"),
        ("gate\trmse < 250\nepochs\t60", "gate: rmse < 250\nepochs: 60"),
        (
            "| name | min | max |\n|---|---|---|\n| lr | 0.001 | 0.1 |",
            "name: min; max\nlr: 0.001 to 0.1",
        ),
        ("| Register | ❌ | later |", "Register: no; later"),
        ("* (x) payloads", "* no payloads"),
        ("register:\n  enabled: false", "register: no"),
        (" name: a\n-max_depth: 6\n+max_depth: 8", " name: a\nmax_depth: 8"),
        ("data ~~s3://b/v1/~~ s3://b/v2/", "data  s3://b/v2/"),
        ("gate auc >= 0.8\nann: s/0.8/0.85/", "gate auc >= 0.85\n"),
        (
            "<ul><li>Train on <code>s3://b/t/</code> &amp; package</li></ul>",
            "\n\n- Train on s3://b/t/ & package\n\n",
        ),
        ("Label {{churned}}, id {{cid}}", "Label churned, id cid"),
        ("quality_gate,yes,auc>=0.8\nregister,no,", "quality gate: yes; auc>=0.8\nregister: no"),
        ("[gate]\nmetric = 'rmse'\nmax = 1.2\n", "gate metric = 'rmse', gate max = 1.2\n"),
        ("bt:\n  type: ml.c5.xlarge\n  count: 2", "bt type: ml.c5.xlarge, bt count: 2"),
        ("Q6. Calibration?  A: no", "Calibration: no"),
        ("pkg w/o reg, bs 64", "package without register, batch size 64"),
        (
            "We train, evaluate, package.\nThen register, please.",
            "We train, evaluate, package.\nThen register, please.",
        ),
    ],
)
def test_layouts_read_as_statements(text, expected):
    assert laid_out(text) == expected


def test_a_forwarded_mail_is_older_than_the_note_on_top():
    text = (
        "Go ahead, but use 5 parallel jobs.\n\nRegards,\nTom\ns3://docs/charter.pdf\n\n"
        "---------- Forwarded message ---------\nFrom: Marta <m@x.example>\nDate: Tue\n"
        "Subject: tuning\nTo: Tom\n\nTune XGBoost on s3://b/train/ with 3 in parallel."
    )
    said = told(text)
    assert said.index("3 in parallel") < said.index("5 parallel jobs")
    assert "charter" not in said and "From:" not in said


def test_a_spoken_self_correction_replaces_the_number_before_it():
    assert corrected("10 epochs. No, make it 15. lr 0.1") == "15 epochs. lr 0.1"
    assert corrected("[09:31] maria: yes. actually make it 30 epochs") == (
        "[09:31] maria: yes. actually make it 30 epochs"  # a time stamp is not a value
    )


def test_a_shorthand_label_before_a_colon_is_read_but_not_an_objective() -> None:
    from sagewright.agents.text.layout import laid_out

    assert (
        laid_out("(grp: risk-models, status approved)") == "(group: risk-models, status approved)"
    )
    assert laid_out("objective reg:squarederror") == "objective reg:squarederror"
