"""Asks outside the catalogue are left out of the plan and named in its notes."""

from sagewright.agents.planner import plan


def test_outside_asks_are_noted_not_planned():
    result = plan(
        "Train a PyTorch model on s3://p/train/, then deploy it to a real-time endpoint, "
        "add a DriftMonitor step and send a Slack message when done."
    )
    assert result.valid
    assert set(result.topology) == {
        "DataLoading_training",
        "TabularPreprocessing_training",
        "PyTorchTraining",
    }
    joined = " ".join(result.notes)
    for what in ("endpoint deployment", "notifications", "DriftMonitor"):
        assert what in joined


def test_role_names_and_sql_are_not_mistaken_for_steps():
    result = plan(
        "Train XGBoost on the Athena query `SELECT CustomerId FROM db.t` with role "
        "arn:aws:iam::123456789012:role/MyTeamRole and package it."
    )
    assert result.notes == []


def test_camel_case_values_are_not_step_asks():
    result = plan(
        "Train XGBoost on s3://p/train/ (label y), register it in group CardFraud with status "
        "PendingManualApproval, pipeline DemandForecastWeekly; add a ClarifyCheck step."
    )
    joined = " ".join(result.notes)
    assert "ClarifyCheck" in joined
    for value in ("CardFraud", "PendingManualApproval", "DemandForecastWeekly"):
        assert value not in joined


def test_a_requirement_with_nothing_plannable_is_empty_and_noted():
    result = plan("Add an EndpointDeployment step and a SlackNotify step, nothing else.")
    assert result.topology == {}
    assert any("EndpointDeployment" in n for n in result.notes)
    assert any("plan is empty" in n for n in result.notes)


def test_the_sdk_names_of_catalogue_steps_are_not_unsupported_asks():
    result = plan(
        "A ProcessingStep splits s3://p/churn.csv, a TrainingStep fits XGBoost (label churn) and a "
        "ConditionStep registers the model (RegisterModel) if AUC > 0.75."
    )
    assert not any(note.startswith("not supported") for note in result.notes), result.notes
