"""Red-team requirements written unlike the visible golden set (same catalogue rules).

Each case: a requirement, the topology the catalogue's wiring rules imply and the facts it
states. The planner must match the typed graph exactly; the extractor, run on the expected
topology, must recover exactly the stated facts (nothing missing, wrong or invented).
"""

from __future__ import annotations

from typing import Any

import pytest

from sagewright.agents.extractor import extract
from sagewright.agents.planner import plan
from sagewright.agents.requirement_reader import PACKAGE, REGISTER, TRAIN, read_requirement
from sagewright.eval_harness import facts_of as harness_facts
from sagewright.eval_metrics import exact_match, fact_score
from sagewright.topology import Topology

DL, TP = "DataLoading", "TabularPreprocessing"
TRAIN_PATH = {"DataLoading_training": [], "TabularPreprocessing_training": ["DataLoading_training"]}


def data(*jobs: str) -> dict[str, list[str]]:
    """``DataLoading_JOB -> TabularPreprocessing_JOB`` for each job type."""
    out: dict[str, list[str]] = {}
    for job in jobs:
        out[f"{DL}_{job}"] = []
        out[f"{TP}_{job}"] = [f"{DL}_{job}"]
    return out


CASES: list[dict[str, Any]] = [
    {
        "id": "rt-01-chatty-xgb-chain",
        "requirement": "need an xgb pipeline for churn. training data lives in "
        "s3://tel-ml/churn/train/. target column is churn_flag, rows keyed by customer_id. "
        "use eta 0.05, depth 8 and 1,000 rounds. thanks!",
        "topology": {**data("training"), "XGBoostTraining": [f"{TP}_training"]},
        "facts": {
            "data.training.s3_uri": "s3://tel-ml/churn/train/",
            "label_name": "churn_flag",
            "id_name": "customer_id",
            "hyperparameters.eta": 0.05,
            "hyperparameters.max_depth": 8,
            "hyperparameters.num_round": 1000,
        },
    },
    {
        "id": "rt-02-pytorch-prose-hparams",
        "requirement": "Please train a PyTorch model to classify product listings. Training set: "
        "s3://retail-cv/meta/train/. The label is product_type; primary key sku_id. Train for "
        "20 epochs with a learning rate of 3e-4 and a batch size of 128 on ml.p3.2xlarge.",
        "topology": {**data("training"), "PyTorchTraining": [f"{TP}_training"]},
        "facts": {
            "data.training.s3_uri": "s3://retail-cv/meta/train/",
            "label_name": "product_type",
            "id_name": "sku_id",
            "hyperparameters.epochs": 20,
            "hyperparameters.lr": 0.0003,
            "hyperparameters.batch_size": 128,
            "training.instance_type": "ml.p3.2xlarge",
        },
    },
    {
        "id": "rt-03-hpo-athena-fenced",
        "requirement": "We want HPO rather than a fixed training run for the XGBoost "
        "delinquency model.\nTraining data (Athena):\n```\nSELECT loan_id, f1, f2, "
        "is_delinquent FROM credit.delinq_train\n```\nlabel is_delinquent, id loan_id. "
        "objective binary:logistic.",
        "topology": {**data("training"), "HyperparameterTuning": [f"{TP}_training"]},
        "facts": {
            "data.training.athena_query": "SELECT loan_id, f1, f2, is_delinquent FROM "
            "credit.delinq_train",
            "label_name": "is_delinquent",
            "id_name": "loan_id",
            "hyperparameters.objective": "binary:logistic",
        },
    },
    {
        "id": "rt-04-existing-wrap-model",
        "requirement": "Take our production XGBoost model s3://mdl-bkt/fraud/v12/model.tar.gz "
        "and wrap it in a SageMaker Model (region eu-central-1). That's it, no training.",
        "topology": {"XGBoostModel": []},
        "facts": {
            "existing_model_uri": "s3://mdl-bkt/fraud/v12/model.tar.gz",
            "region": "eu-central-1",
        },
    },
    {
        "id": "rt-05-existing-pytorch-nightly-scoring",
        "requirement": "Our pretrained PyTorch recommender lives at "
        "s3://recsys/models/v4/model.tar.gz. Every night, score the unlabeled user events from "
        "s3://recsys/events/nightly/ with a batch transform job in Oregon. No retraining, "
        "no registry.",
        "topology": {
            "PyTorchModel": [],
            **data("inference"),
            "BatchTransform_inference": ["PyTorchModel", f"{TP}_inference"],
        },
        "facts": {
            "existing_model_uri": "s3://recsys/models/v4/model.tar.gz",
            "data.inference.s3_uri": "s3://recsys/events/nightly/",
        },
    },
    {
        "id": "rt-06-eval-test-split-no-source",
        "requirement": "Train XGBoost on s3://mkt-ml/uplift/train/ (label responded) and "
        "evaluate the model on the test split. We just need the metrics report.",
        "topology": {
            **data("training"),
            "XGBoostTraining": [f"{TP}_training"],
            "ModelEvaluation_testing": ["XGBoostTraining", f"{TP}_training"],
        },
        "facts": {"data.training.s3_uri": "s3://mkt-ml/uplift/train/", "label_name": "responded"},
    },
    {
        "id": "rt-07-batch-test-split-no-source",
        "requirement": "Train a PyTorch churn MLP on s3://telco-ml/mlp/train/ with epochs=8, "
        "create the PyTorch model, and run a batch transform over the test split.",
        "topology": {
            **data("training"),
            "PyTorchTraining": [f"{TP}_training"],
            "PyTorchModel": ["PyTorchTraining"],
            "BatchTransform_testing": ["PyTorchModel", f"{TP}_training"],
        },
        "facts": {"data.training.s3_uri": "s3://telco-ml/mlp/train/", "hyperparameters.epochs": 8},
    },
    {
        "id": "rt-08-holdout-sample",
        "requirement": "Fit a gradient boosted model (XGBoost) for credit line increases on "
        "s3://cli-ml/train/ and evaluate on the holdout sample at s3://cli-ml/holdout/2024q2/. "
        "label accepted, id offer_id.",
        "topology": {
            **data("training", "testing"),
            "XGBoostTraining": [f"{TP}_training"],
            "ModelEvaluation_testing": ["XGBoostTraining", f"{TP}_testing"],
        },
        "facts": {
            "data.training.s3_uri": "s3://cli-ml/train/",
            "data.testing.s3_uri": "s3://cli-ml/holdout/2024q2/",
            "label_name": "accepted",
            "id_name": "offer_id",
        },
    },
    {
        "id": "rt-09-dev-set-validation",
        "requirement": "PyTorch intent model: train on s3://nlp/intent/train/, then evaluate it "
        "on our dev set s3://nlp/intent/dev/. lr 1e-4, batch size 32.",
        "topology": {
            **data("training", "validation"),
            "PyTorchTraining": [f"{TP}_training"],
            "ModelEvaluation_validation": ["PyTorchTraining", f"{TP}_validation"],
        },
        "facts": {
            "data.training.s3_uri": "s3://nlp/intent/train/",
            "data.validation.s3_uri": "s3://nlp/intent/dev/",
            "hyperparameters.lr": 0.0001,
            "hyperparameters.batch_size": 32,
        },
    },
    {
        "id": "rt-10-gate-percent-register",
        "requirement": "Train XGBoost on s3://ins-ml/lapse/train/ and evaluate on the test data "
        "at s3://ins-ml/lapse/test/. Package it; push it to the model registry only if the "
        "test set shows an AUC of at least 90%. Label lapsed.",
        "topology": {
            **data("training", "testing"),
            "XGBoostTraining": [f"{TP}_training"],
            "ModelEvaluation_testing": ["XGBoostTraining", f"{TP}_testing"],
            "QualityGate": ["ModelEvaluation_testing"],
            "Packaging": ["XGBoostTraining"],
            "ModelRegistration": ["Packaging", "QualityGate"],
        },
        "facts": {
            "data.training.s3_uri": "s3://ins-ml/lapse/train/",
            "data.testing.s3_uri": "s3://ins-ml/lapse/test/",
            "label_name": "lapsed",
            "gate.metric": "auc",
            "gate.threshold": 0.9,
        },
    },
    {
        "id": "rt-11-gate-unicode-package",
        "requirement": "XGBoost for warranty claims. Train: s3://wc-ml/train/. Validation: "
        "s3://wc-ml/val/. Evaluate on validation; package the model only when validation "
        "accuracy ≥ 0.8.",
        "topology": {
            **data("training", "validation"),
            "XGBoostTraining": [f"{TP}_training"],
            "ModelEvaluation_validation": ["XGBoostTraining", f"{TP}_validation"],
            "QualityGate": ["ModelEvaluation_validation"],
            "Packaging": ["XGBoostTraining", "QualityGate"],
        },
        "facts": {
            "data.training.s3_uri": "s3://wc-ml/train/",
            "data.validation.s3_uri": "s3://wc-ml/val/",
            "gate.metric": "accuracy",
            "gate.threshold": 0.8,
        },
    },
    {
        "id": "rt-12-gate-leading-dot-package-payload",
        "requirement": "Train XGB on s3://pay-ml/fraud/train/, evaluate on the test set "
        "s3://pay-ml/fraud/test/, then package, generate sample payloads and register. "
        "Gate packaging and payload generation on test AUC >= .85.",
        "topology": {
            **data("training", "testing"),
            "XGBoostTraining": [f"{TP}_training"],
            "ModelEvaluation_testing": ["XGBoostTraining", f"{TP}_testing"],
            "QualityGate": ["ModelEvaluation_testing"],
            "Packaging": ["XGBoostTraining", "QualityGate"],
            "PayloadGeneration": ["XGBoostTraining", "QualityGate"],
            "ModelRegistration": ["Packaging", "PayloadGeneration"],
        },
        "facts": {
            "data.training.s3_uri": "s3://pay-ml/fraud/train/",
            "data.testing.s3_uri": "s3://pay-ml/fraud/test/",
            "gate.metric": "auc",
            "gate.threshold": 0.85,
        },
    },
    {
        "id": "rt-13-pytorch-val-report-attached",
        "requirement": "Train the PyTorch fraud net on s3://pay-ml/nn/train/ and evaluate on "
        "validation data s3://pay-ml/nn/val/. Package it and register it in the registry with "
        "the evaluation report attached.",
        "topology": {
            **data("training", "validation"),
            "PyTorchTraining": [f"{TP}_training"],
            "ModelEvaluation_validation": ["PyTorchTraining", f"{TP}_validation"],
            "Packaging": ["PyTorchTraining"],
            "ModelRegistration": ["Packaging", "ModelEvaluation_validation"],
        },
        "facts": {
            "data.training.s3_uri": "s3://pay-ml/nn/train/",
            "data.validation.s3_uri": "s3://pay-ml/nn/val/",
        },
    },
    {
        "id": "rt-14-calibrate-via-eval-step",
        "requirement": "Train XGBoost on s3://lend-ml/pd/train/. Calibration data is at "
        "s3://lend-ml/pd/calib/: score it with the evaluation step and fit isotonic "
        "calibration on the output. Package model plus calibration. Skip registration.",
        "topology": {
            **data("training", "calibration"),
            "XGBoostTraining": [f"{TP}_training"],
            "ModelEvaluation_calibration": ["XGBoostTraining", f"{TP}_calibration"],
            "ModelCalibration_calibration": ["ModelEvaluation_calibration"],
            "Packaging": ["XGBoostTraining", "ModelCalibration_calibration"],
        },
        "facts": {
            "data.training.s3_uri": "s3://lend-ml/pd/train/",
            "data.calibration.s3_uri": "s3://lend-ml/pd/calib/",
        },
    },
    {
        "id": "rt-15-calibrate-via-batch-platt",
        "requirement": "XGB churn model: train on s3://c-ml/train/, build a SageMaker model "
        "from the artifacts, batch-transform the calibration set s3://c-ml/calibration/ and "
        "fit a Platt calibration on those scores. Then package everything (model + "
        "calibration mapping) and register it.",
        "topology": {
            **data("training", "calibration"),
            "XGBoostTraining": [f"{TP}_training"],
            "XGBoostModel": ["XGBoostTraining"],
            "BatchTransform_calibration": ["XGBoostModel", f"{TP}_calibration"],
            "ModelCalibration_calibration": ["BatchTransform_calibration"],
            "Packaging": ["XGBoostTraining", "ModelCalibration_calibration"],
            "ModelRegistration": ["Packaging"],
        },
        "facts": {
            "data.training.s3_uri": "s3://c-ml/train/",
            "data.calibration.s3_uri": "s3://c-ml/calibration/",
        },
    },
    {
        "id": "rt-16-hold-off-registering",
        "requirement": "Train an XGBoost model on s3://ret-ml/basket/train/ and package it. "
        "Hold off on registering it for now.",
        "topology": {
            **data("training"),
            "XGBoostTraining": [f"{TP}_training"],
            "Packaging": ["XGBoostTraining"],
        },
        "facts": {"data.training.s3_uri": "s3://ret-ml/basket/train/"},
    },
    {
        "id": "rt-17-registration-not-needed",
        "requirement": "PyTorch sentiment: train on s3://rev/sent/train/, package it and "
        "create sample payloads. Registration is not needed.",
        "topology": {
            **data("training"),
            "PyTorchTraining": [f"{TP}_training"],
            "Packaging": ["PyTorchTraining"],
            "PayloadGeneration": ["PyTorchTraining"],
        },
        "facts": {"data.training.s3_uri": "s3://rev/sent/train/"},
    },
    {
        "id": "rt-18-without-gate-metrics-attached",
        "requirement": "Train XGBoost on s3://ad-ml/bid/train/, evaluate on the test set "
        "s3://ad-ml/bid/test/, and register the packaged model without any quality gate — "
        "attach the test metrics to it.",
        "topology": {
            **data("training", "testing"),
            "XGBoostTraining": [f"{TP}_training"],
            "ModelEvaluation_testing": ["XGBoostTraining", f"{TP}_testing"],
            "Packaging": ["XGBoostTraining"],
            "ModelRegistration": ["Packaging", "ModelEvaluation_testing"],
        },
        "facts": {
            "data.training.s3_uri": "s3://ad-ml/bid/train/",
            "data.testing.s3_uri": "s3://ad-ml/bid/test/",
        },
    },
    {
        "id": "rt-19-bullets-full-gated",
        "requirement": "Requirements - fraud v3\n- framework: XGBoost\n- training data: "
        "s3://fraud-v3/train/\n- test data: s3://fraud-v3/test/\n- calibration data: "
        "s3://fraud-v3/calib/\n"
        "- hyperparameters: max_depth 5, eta 0.2, num_round 400\n- evaluate on test; calibrate "
        "using the evaluation step on the calibration data\n- package with the calibration, "
        "generate payloads\n- register with the payloads, only if test AUC >= 0.9\n"
        "- region: us-west-2, bucket: fraud-v3-artifacts",
        "topology": {
            **data("training", "testing", "calibration"),
            "XGBoostTraining": [f"{TP}_training"],
            "ModelEvaluation_testing": ["XGBoostTraining", f"{TP}_testing"],
            "QualityGate": ["ModelEvaluation_testing"],
            "ModelEvaluation_calibration": ["XGBoostTraining", f"{TP}_calibration"],
            "ModelCalibration_calibration": ["ModelEvaluation_calibration"],
            "Packaging": ["XGBoostTraining", "ModelCalibration_calibration"],
            "PayloadGeneration": ["XGBoostTraining"],
            "ModelRegistration": ["Packaging", "PayloadGeneration", "QualityGate"],
        },
        "facts": {
            "data.training.s3_uri": "s3://fraud-v3/train/",
            "data.testing.s3_uri": "s3://fraud-v3/test/",
            "data.calibration.s3_uri": "s3://fraud-v3/calib/",
            "hyperparameters.max_depth": 5,
            "hyperparameters.eta": 0.2,
            "hyperparameters.num_round": 400,
            "region": "us-west-2",
            "bucket": "fraud-v3-artifacts",
            "gate.metric": "auc",
            "gate.threshold": 0.9,
        },
    },
    {
        "id": "rt-20-ticket-redshift-plain",
        "requirement": "JIRA ML-1182\nSummary: Train demand classifier\nDetails: XGBoost, data "
        "from Redshift: SELECT * FROM sales.demand_train WHERE year = 2024\nLabel: high_demand. "
        "ID: store_item_id.\nProcessing on ml.m5.large, training on ml.m5.4xlarge.",
        "topology": {**data("training"), "XGBoostTraining": [f"{TP}_training"]},
        "facts": {
            "data.training.redshift_query": "SELECT * FROM sales.demand_train WHERE year = 2024",
            "label_name": "high_demand",
            "id_name": "store_item_id",
            "processing.instance_type": "ml.m5.large",
            "training.instance_type": "ml.m5.4xlarge",
        },
    },
    {
        "id": "rt-21-athena-val-and-test",
        "requirement": "Train XGBoost on the Athena query `SELECT * FROM ds.train_tbl`, then "
        "evaluate it on validation (`SELECT * FROM ds.val_tbl`) and on test "
        "(`SELECT * FROM ds.test_tbl`).",
        "topology": {
            **data("training", "validation", "testing"),
            "XGBoostTraining": [f"{TP}_training"],
            "ModelEvaluation_validation": ["XGBoostTraining", f"{TP}_validation"],
            "ModelEvaluation_testing": ["XGBoostTraining", f"{TP}_testing"],
        },
        "facts": {
            "data.training.athena_query": "SELECT * FROM ds.train_tbl",
            "data.validation.athena_query": "SELECT * FROM ds.val_tbl",
            "data.testing.athena_query": "SELECT * FROM ds.test_tbl",
        },
    },
    {
        "id": "rt-22-score-new-unlabeled-claims",
        "requirement": "Train XGBoost (num_round=150) on s3://ins-ml/claims/train/, create a "
        "model from it, and score the new unlabeled claims at s3://ins-ml/claims/new/ offline "
        "with a batch transform.",
        "topology": {
            **data("training", "inference"),
            "XGBoostTraining": [f"{TP}_training"],
            "XGBoostModel": ["XGBoostTraining"],
            "BatchTransform_inference": ["XGBoostModel", f"{TP}_inference"],
        },
        "facts": {
            "hyperparameters.num_round": 150,
            "data.training.s3_uri": "s3://ins-ml/claims/train/",
            "data.inference.s3_uri": "s3://ins-ml/claims/new/",
        },
    },
    {
        "id": "rt-23-existing-package-example-requests",
        "requirement": "Existing XGBoost model: s3://m-bkt/ltv/model.tar.gz. Package it, make "
        "example requests for it and register both in the model registry. S3 bucket: "
        "ltv-pipeline-artifacts.",
        "topology": {
            "Packaging": [],
            "PayloadGeneration": [],
            "ModelRegistration": ["Packaging", "PayloadGeneration"],
        },
        "facts": {
            "existing_model_uri": "s3://m-bkt/ltv/model.tar.gz",
            "bucket": "ltv-pipeline-artifacts",
        },
    },
    {
        "id": "rt-24-existing-eval-only",
        "requirement": "We already trained an XGBoost model (s3://m-bkt/churn/v2/model.tar.gz). "
        "Evaluate it on the test set at s3://c-data/churn/test/ and report AUC. Nothing else.",
        "topology": {**data("testing"), "ModelEvaluation_testing": [f"{TP}_testing"]},
        "facts": {
            "existing_model_uri": "s3://m-bkt/churn/v2/model.tar.gz",
            "data.testing.s3_uri": "s3://c-data/churn/test/",
        },
    },
    {
        "id": "rt-25-pytorch-tuning-f1-gate",
        "requirement": "Run a hyperparameter tuning job for the PyTorch model on s3://x-ml/train/ "
        "instead of a training job, evaluate the best candidate on the test set "
        "s3://x-ml/test/, and only if F1 >= 0.7 package and register it.",
        "topology": {
            **data("training", "testing"),
            "HyperparameterTuning": [f"{TP}_training"],
            "ModelEvaluation_testing": ["HyperparameterTuning", f"{TP}_testing"],
            "QualityGate": ["ModelEvaluation_testing"],
            "Packaging": ["HyperparameterTuning", "QualityGate"],
            "ModelRegistration": ["Packaging"],
        },
        "facts": {
            "data.training.s3_uri": "s3://x-ml/train/",
            "data.testing.s3_uri": "s3://x-ml/test/",
            "gate.metric": "f1",
            "gate.threshold": 0.7,
        },
    },
    {
        "id": "rt-26-load-only-inference-athena",
        "requirement": "Just the data loading step please: pull the inference data via Athena "
        "`SELECT * FROM ops.scoring_batch_2024_11`. Nothing downstream yet.",
        "topology": {"DataLoading_inference": []},
        "facts": {"data.inference.athena_query": "SELECT * FROM ops.scoring_batch_2024_11"},
    },
    {
        "id": "rt-27-prep-val-and-test-only",
        "requirement": "Only set up loading + preprocessing for the validation set "
        "(s3://dq-data/val/) and the test set (s3://dq-data/test/); no model training in this "
        "pipeline. "
        "Label y.",
        "topology": data("validation", "testing"),
        "facts": {
            "data.validation.s3_uri": "s3://dq-data/val/",
            "data.testing.s3_uri": "s3://dq-data/test/",
            "label_name": "y",
        },
    },
    {
        "id": "rt-28-payloads-skip-packaging",
        "requirement": "Train PyTorch on s3://voice-ml/kws/train/ for 15 epochs and generate "
        "sample request payloads from it. Skip packaging and registration.",
        "topology": {
            **data("training"),
            "PyTorchTraining": [f"{TP}_training"],
            "PayloadGeneration": ["PyTorchTraining"],
        },
        "facts": {"data.training.s3_uri": "s3://voice-ml/kws/train/", "hyperparameters.epochs": 15},
    },
    {
        "id": "rt-29-regressor-model-no-batch",
        "requirement": "Train an XGBoost regressor (objective=reg:squarederror) on "
        "s3://e-ml/price/train/ and create a SageMaker Model from it. No batch transform "
        "needed; label price.",
        "topology": {
            **data("training"),
            "XGBoostTraining": [f"{TP}_training"],
            "XGBoostModel": ["XGBoostTraining"],
        },
        "facts": {
            "data.training.s3_uri": "s3://e-ml/price/train/",
            "hyperparameters.objective": "reg:squarederror",
            "label_name": "price",
        },
    },
    {
        "id": "rt-30-pytorch-gate-reaches-percent",
        "requirement": "PyTorch churn: train on s3://churn-ml/train/ (epochs=12, batch_size=256), "
        "evaluate on the test data s3://churn-ml/test/. Package, generate payloads, and register "
        "with the payloads and the test metrics, but only when the test AUC reaches 85%.",
        "topology": {
            **data("training", "testing"),
            "PyTorchTraining": [f"{TP}_training"],
            "ModelEvaluation_testing": ["PyTorchTraining", f"{TP}_testing"],
            "QualityGate": ["ModelEvaluation_testing"],
            "Packaging": ["PyTorchTraining"],
            "PayloadGeneration": ["PyTorchTraining"],
            "ModelRegistration": [
                "Packaging",
                "PayloadGeneration",
                "ModelEvaluation_testing",
                "QualityGate",
            ],
        },
        "facts": {
            "data.training.s3_uri": "s3://churn-ml/train/",
            "data.testing.s3_uri": "s3://churn-ml/test/",
            "hyperparameters.epochs": 12,
            "hyperparameters.batch_size": 256,
            "gate.metric": "auc",
            "gate.threshold": 0.85,
        },
    },
    {
        "id": "rt-31-lowercase-calib-no-package",
        "requirement": "ok so: train xgb on s3://health-ml/noshow/train/, then run the eval "
        "step on "
        "s3://health-ml/noshow/calib/ (that's the calibration sample) and calibrate on those "
        "preds. "
        "don't package anything.",
        "topology": {
            **data("training", "calibration"),
            "XGBoostTraining": [f"{TP}_training"],
            "ModelEvaluation_calibration": ["XGBoostTraining", f"{TP}_calibration"],
            "ModelCalibration_calibration": ["ModelEvaluation_calibration"],
        },
        "facts": {
            "data.training.s3_uri": "s3://health-ml/noshow/train/",
            "data.calibration.s3_uri": "s3://health-ml/noshow/calib/",
        },
    },
    {
        "id": "rt-32-name-role-region-output-bucket",
        "requirement": "Pipeline name: churn-weekly-v2. Train XGBoost on s3://tel/churn/train/ "
        "with role arn:aws:iam::111122223333:role/MLRole in us-east-2; output bucket "
        "tel-ml-out.",
        "topology": {**data("training"), "XGBoostTraining": [f"{TP}_training"]},
        "facts": {
            "pipeline_name": "churn-weekly-v2",
            "data.training.s3_uri": "s3://tel/churn/train/",
            "role_arn": "arn:aws:iam::111122223333:role/MLRole",
            "region": "us-east-2",
            "bucket": "tel-ml-out",
        },
    },
    {
        "id": "rt-33-existing-pytorch-batch-calibrate-package",
        "requirement": "Existing PyTorch model at s3://models-bkt/risk/v1/model.tar.gz - "
        "batch-score the "
        "calibration data s3://dq-data/risk/calib/ with it, fit a calibration mapping on the "
        "predictions, and package the model together with the mapping. Do not register.",
        "topology": {
            "PyTorchModel": [],
            **data("calibration"),
            "BatchTransform_calibration": ["PyTorchModel", f"{TP}_calibration"],
            "ModelCalibration_calibration": ["BatchTransform_calibration"],
            "Packaging": ["ModelCalibration_calibration"],
        },
        "facts": {
            "existing_model_uri": "s3://models-bkt/risk/v1/model.tar.gz",
            "data.calibration.s3_uri": "s3://dq-data/risk/calib/",
        },
    },
    {
        "id": "rt-34-redshift-fenced-sql-blocks",
        "requirement": "Train XGBoost. Training query (Redshift):\n```sql\nSELECT * FROM "
        "fin.txn_train\n```\nTest query:\n```sql\nSELECT * FROM fin.txn_test\n```\nEvaluate on "
        "the test data. Label is_fraud.",
        "topology": {
            **data("training", "testing"),
            "XGBoostTraining": [f"{TP}_training"],
            "ModelEvaluation_testing": ["XGBoostTraining", f"{TP}_testing"],
        },
        "facts": {
            "data.training.redshift_query": "SELECT * FROM fin.txn_train",
            "data.testing.redshift_query": "SELECT * FROM fin.txn_test",
            "label_name": "is_fraud",
        },
    },
    {
        "id": "rt-35-numbered-tuning-holdout-metrics",
        "requirement": "1) Tune the XGBoost hyperparameters (no plain training job) on "
        "s3://a-ml/ltv/train/\n2) Evaluate the best model on the holdout s3://a-ml/ltv/holdout/"
        "\n3) Package and register it, including the holdout metrics\nThe label is ltv_bucket; "
        "customer_key is the id.",
        "topology": {
            **data("training", "testing"),
            "HyperparameterTuning": [f"{TP}_training"],
            "ModelEvaluation_testing": ["HyperparameterTuning", f"{TP}_testing"],
            "Packaging": ["HyperparameterTuning"],
            "ModelRegistration": ["Packaging", "ModelEvaluation_testing"],
        },
        "facts": {
            "data.training.s3_uri": "s3://a-ml/ltv/train/",
            "data.testing.s3_uri": "s3://a-ml/ltv/holdout/",
            "label_name": "ltv_bucket",
            "id_name": "customer_key",
        },
    },
    {
        "id": "rt-36-preprocess-without-training",
        "requirement": "Preprocess the training data from s3://kyc-ml/raw/train/ (label "
        "target_flag) "
        "without training anything yet.",
        "topology": data("training"),
        "facts": {"data.training.s3_uri": "s3://kyc-ml/raw/train/", "label_name": "target_flag"},
    },
    {
        "id": "rt-37-pytorch-scoring-data",
        "requirement": "Train PyTorch (lr=0.001) on s3://pt-ml/train/ and batch-score the scoring "
        "data at s3://pt-ml/to-score/ with a PyTorch model built from the artifacts.",
        "topology": {
            **data("training", "inference"),
            "PyTorchTraining": [f"{TP}_training"],
            "PyTorchModel": ["PyTorchTraining"],
            "BatchTransform_inference": ["PyTorchModel", f"{TP}_inference"],
        },
        "facts": {
            "data.training.s3_uri": "s3://pt-ml/train/",
            "data.inference.s3_uri": "s3://pt-ml/to-score/",
            "hyperparameters.lr": 0.001,
        },
    },
    {
        "id": "rt-38-existing-eval-register-metrics",
        "requirement": "Existing XGBoost model s3://models-bkt/pd/v9/model.tar.gz: evaluate it "
        "on the "
        "test data s3://dq-data/pd/test/, package it and register it with the evaluation metrics "
        "attached.",
        "topology": {
            **data("testing"),
            "ModelEvaluation_testing": [f"{TP}_testing"],
            "Packaging": [],
            "ModelRegistration": ["Packaging", "ModelEvaluation_testing"],
        },
        "facts": {
            "existing_model_uri": "s3://models-bkt/pd/v9/model.tar.gz",
            "data.testing.s3_uri": "s3://dq-data/pd/test/",
        },
    },
    {
        "id": "rt-39-if-first-accuracy-percent",
        "requirement": "Train XGBoost on s3://qa-ml/train/ and evaluate on the test set "
        "s3://qa-ml/test/. "
        "If the test accuracy is at least 95%, package the model and register it.",
        "topology": {
            **data("training", "testing"),
            "XGBoostTraining": [f"{TP}_training"],
            "ModelEvaluation_testing": ["XGBoostTraining", f"{TP}_testing"],
            "QualityGate": ["ModelEvaluation_testing"],
            "Packaging": ["XGBoostTraining", "QualityGate"],
            "ModelRegistration": ["Packaging"],
        },
        "facts": {
            "data.training.s3_uri": "s3://qa-ml/train/",
            "data.testing.s3_uri": "s3://qa-ml/test/",
            "gate.metric": "accuracy",
            "gate.threshold": 0.95,
        },
    },
    {
        "id": "rt-40-prose-hparams-processing-payloads",
        "requirement": "Train XGBoost on s3://ua-ml/train/ - label is_bot, keyed by "
        "session_id. Max "
        "tree depth 8, learning rate 0.05, 1,000 boosting rounds. Processing jobs on "
        "ml.c5.xlarge. Also generate payloads for it.",
        "topology": {
            **data("training"),
            "XGBoostTraining": [f"{TP}_training"],
            "PayloadGeneration": ["XGBoostTraining"],
        },
        "facts": {
            "data.training.s3_uri": "s3://ua-ml/train/",
            "label_name": "is_bot",
            "id_name": "session_id",
            "hyperparameters.max_depth": 8,
            "hyperparameters.eta": 0.05,
            "hyperparameters.num_round": 1000,
            "processing.instance_type": "ml.c5.xlarge",
        },
    },
    {
        "id": "rt-41-prose-set-to",
        "requirement": "Can you wire up XGBoost training off s3://ops-ml/eta/train/ — the "
        "target is delivered_late and each row is identified by parcel_id. Set max_depth "
        "to 10 and the number of boosting rounds to 250. Region should be ap-southeast-2.",
        "topology": {
            "DataLoading_training": [],
            "TabularPreprocessing_training": ["DataLoading_training"],
            "XGBoostTraining": ["TabularPreprocessing_training"],
        },
        "facts": {
            "data.training.s3_uri": "s3://ops-ml/eta/train/",
            "label_name": "delivered_late",
            "id_name": "parcel_id",
            "hyperparameters.max_depth": 10,
            "hyperparameters.num_round": 250,
            "region": "ap-southeast-2",
        },
    },
    {
        "id": "rt-42-torch-heldout-recall-gate",
        "requirement": "Train a torch model on s3://img-ml/defects/train/. Evaluate on the "
        "held-out set s3://img-ml/defects/heldout/ and register the packaged model with "
        "those metrics attached, but only if recall ≥ 0.6.",
        "topology": {
            "DataLoading_training": [],
            "TabularPreprocessing_training": ["DataLoading_training"],
            "DataLoading_testing": [],
            "TabularPreprocessing_testing": ["DataLoading_testing"],
            "PyTorchTraining": ["TabularPreprocessing_training"],
            "ModelEvaluation_testing": ["PyTorchTraining", "TabularPreprocessing_testing"],
            "QualityGate": ["ModelEvaluation_testing"],
            "Packaging": ["PyTorchTraining"],
            "ModelRegistration": ["Packaging", "ModelEvaluation_testing", "QualityGate"],
        },
        "facts": {
            "data.training.s3_uri": "s3://img-ml/defects/train/",
            "data.testing.s3_uri": "s3://img-ml/defects/heldout/",
            "gate.metric": "recall",
            "gate.threshold": 0.6,
        },
    },
    {
        "id": "rt-43-neither-payload-nor-register",
        "requirement": "XGBoost, train on s3://geo-ml/fraud/train/. Payload generation is not "
        "needed and neither is registration; just package the model.",
        "topology": {
            "DataLoading_training": [],
            "TabularPreprocessing_training": ["DataLoading_training"],
            "XGBoostTraining": ["TabularPreprocessing_training"],
            "Packaging": ["XGBoostTraining"],
        },
        "facts": {"data.training.s3_uri": "s3://geo-ml/fraud/train/"},
    },
    {
        "id": "rt-44-validation-split-no-source",
        "requirement": "Train XGBoost on s3://bank-ml/aml/train/ and evaluate it on the "
        "validation split (no separate validation source). Label is_sar.",
        "topology": {
            "DataLoading_training": [],
            "TabularPreprocessing_training": ["DataLoading_training"],
            "XGBoostTraining": ["TabularPreprocessing_training"],
            "ModelEvaluation_validation": ["XGBoostTraining", "TabularPreprocessing_training"],
        },
        "facts": {"data.training.s3_uri": "s3://bank-ml/aml/train/", "label_name": "is_sar"},
    },
    {
        "id": "rt-45-athena-plain-sql-heading",
        "requirement": "Athena source for training: SELECT * FROM mkt.leads WHERE ds = "
        "'2024-10-01'\nTrain xgboost with eta=0.3. Create the SageMaker model afterwards.",
        "topology": {
            "DataLoading_training": [],
            "TabularPreprocessing_training": ["DataLoading_training"],
            "XGBoostTraining": ["TabularPreprocessing_training"],
            "XGBoostModel": ["XGBoostTraining"],
        },
        "facts": {
            "data.training.athena_query": "SELECT * FROM mkt.leads WHERE ds = '2024-10-01'",
            "hyperparameters.eta": 0.3,
        },
    },
    {
        "id": "rt-46-existing-publish-payloads",
        "requirement": "We have a model.tar.gz for our XGBoost churn model at "
        "s3://ch-models/v3/model.tar.gz. Generate payloads, package it, and publish to the "
        "model registry with the payloads. Pipeline name churn-publish.",
        "topology": {
            "Packaging": [],
            "PayloadGeneration": [],
            "ModelRegistration": ["Packaging", "PayloadGeneration"],
        },
        "facts": {
            "existing_model_uri": "s3://ch-models/v3/model.tar.gz",
            "pipeline_name": "churn-publish",
        },
    },
    {
        "id": "rt-47-out-of-scope-registry",
        "requirement": "Train PyTorch with learning rate 0.0005 on s3://nlp-ml/ner/train/, "
        "training instance ml.g4dn.xlarge, 30 epochs. After training, generate sample "
        "requests. The registry step is out of scope.",
        "topology": {
            "DataLoading_training": [],
            "TabularPreprocessing_training": ["DataLoading_training"],
            "PyTorchTraining": ["TabularPreprocessing_training"],
            "PayloadGeneration": ["PyTorchTraining"],
        },
        "facts": {
            "data.training.s3_uri": "s3://nlp-ml/ner/train/",
            "hyperparameters.lr": 0.0005,
            "training.instance_type": "ml.g4dn.xlarge",
            "hyperparameters.epochs": 30,
        },
    },
    {
        "id": "rt-48-batch-calibration-gam",
        "requirement": "Train XGBoost on s3://tx-ml/train/. Score the calibration data "
        "s3://tx-ml/calib/ using batch transform and fit a GAM calibration. No packaging.",
        "topology": {
            "DataLoading_training": [],
            "TabularPreprocessing_training": ["DataLoading_training"],
            "DataLoading_calibration": [],
            "TabularPreprocessing_calibration": ["DataLoading_calibration"],
            "XGBoostTraining": ["TabularPreprocessing_training"],
            "XGBoostModel": ["XGBoostTraining"],
            "BatchTransform_calibration": ["XGBoostModel", "TabularPreprocessing_calibration"],
            "ModelCalibration_calibration": ["BatchTransform_calibration"],
        },
        "facts": {
            "data.training.s3_uri": "s3://tx-ml/train/",
            "data.calibration.s3_uri": "s3://tx-ml/calib/",
        },
    },
    {
        "id": "rt-49-quality-gate-before-registration",
        "requirement": "train xgboost on s3://ret-ml/train/, evaluate on s3://ret-ml/test/ "
        "(test set), and register the model. Quality gate: accuracy must be >= 0.75 before "
        "registration.",
        "topology": {
            "DataLoading_training": [],
            "TabularPreprocessing_training": ["DataLoading_training"],
            "DataLoading_testing": [],
            "TabularPreprocessing_testing": ["DataLoading_testing"],
            "XGBoostTraining": ["TabularPreprocessing_training"],
            "ModelEvaluation_testing": ["XGBoostTraining", "TabularPreprocessing_testing"],
            "QualityGate": ["ModelEvaluation_testing"],
            "Packaging": ["XGBoostTraining"],
            "ModelRegistration": ["Packaging", "QualityGate"],
        },
        "facts": {
            "data.training.s3_uri": "s3://ret-ml/train/",
            "data.testing.s3_uri": "s3://ret-ml/test/",
            "gate.metric": "accuracy",
            "gate.threshold": 0.75,
        },
    },
    {
        "id": "rt-50-existing-scored-with-eval-step",
        "requirement": "Our existing PyTorch model (s3://cv-models/v2/model.tar.gz) should be "
        "scored against the test set at s3://cv-data/test/ with the evaluation step. Label "
        "defect, id image_id.",
        "topology": {
            "DataLoading_testing": [],
            "TabularPreprocessing_testing": ["DataLoading_testing"],
            "ModelEvaluation_testing": ["TabularPreprocessing_testing"],
        },
        "facts": {
            "existing_model_uri": "s3://cv-models/v2/model.tar.gz",
            "data.testing.s3_uri": "s3://cv-data/test/",
            "label_name": "defect",
            "id_name": "image_id",
        },
    },
    {
        "id": "rt-51-field-list-scoring-data",
        "requirement": "Training data: s3://hr-ml/train/\nScoring data (unlabeled): "
        "s3://hr-ml/current/\nModel: XGBoost, num_round 120\nSteps: train, create model, "
        "batch transform the scoring data.",
        "topology": {
            "DataLoading_training": [],
            "TabularPreprocessing_training": ["DataLoading_training"],
            "DataLoading_inference": [],
            "TabularPreprocessing_inference": ["DataLoading_inference"],
            "XGBoostTraining": ["TabularPreprocessing_training"],
            "XGBoostModel": ["XGBoostTraining"],
            "BatchTransform_inference": ["XGBoostModel", "TabularPreprocessing_inference"],
        },
        "facts": {
            "data.training.s3_uri": "s3://hr-ml/train/",
            "data.inference.s3_uri": "s3://hr-ml/current/",
            "hyperparameters.num_round": 120,
        },
    },
    {
        "id": "rt-52-instances-by-role-bucket-name",
        "requirement": "Train an XGBoost classifier on s3://ins-ml/renew/train/ using "
        "ml.m5.xlarge for processing and ml.m5.2xlarge for training. Label renewed. Bucket "
        "name: renew-ml-artifacts.",
        "topology": {
            "DataLoading_training": [],
            "TabularPreprocessing_training": ["DataLoading_training"],
            "XGBoostTraining": ["TabularPreprocessing_training"],
        },
        "facts": {
            "data.training.s3_uri": "s3://ins-ml/renew/train/",
            "processing.instance_type": "ml.m5.xlarge",
            "training.instance_type": "ml.m5.2xlarge",
            "label_name": "renewed",
            "bucket": "renew-ml-artifacts",
        },
    },
    {
        "id": "rt-53-packaged-model-gate-greater-than",
        "requirement": "Train XGBoost on s3://cc-ml/train/ and evaluate on s3://cc-ml/test/. "
        "Register the packaged model only if the AUC is greater than 0.8; attach the "
        "evaluation metrics too.",
        "topology": {
            "DataLoading_training": [],
            "TabularPreprocessing_training": ["DataLoading_training"],
            "DataLoading_testing": [],
            "TabularPreprocessing_testing": ["DataLoading_testing"],
            "XGBoostTraining": ["TabularPreprocessing_training"],
            "ModelEvaluation_testing": ["XGBoostTraining", "TabularPreprocessing_testing"],
            "QualityGate": ["ModelEvaluation_testing"],
            "Packaging": ["XGBoostTraining"],
            "ModelRegistration": ["Packaging", "ModelEvaluation_testing", "QualityGate"],
        },
        "facts": {
            "data.training.s3_uri": "s3://cc-ml/train/",
            "data.testing.s3_uri": "s3://cc-ml/test/",
            "gate.metric": "auc",
            "gate.threshold": 0.8,
        },
    },
]


def facts_for(requirement: str, topology: dict[str, list[str]]) -> dict[str, Any]:
    """Facts the extractor recovers for ``topology`` (the harness's read-back)."""
    topo = Topology.parse(topology)
    return harness_facts(topo, extract(requirement, topo).values)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_planner_matches_the_catalogue_topology(case: dict[str, Any]) -> None:
    result = plan(case["requirement"])
    assert exact_match(result.topology, case["topology"]), result.topology


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_extractor_recovers_exactly_the_stated_facts(case: dict[str, Any]) -> None:
    facts = facts_for(case["requirement"], case["topology"])
    score = fact_score(facts, case["facts"])
    assert not (score.wrong or score.missing or score.invented_keys), (score, facts)


# --- unit tests of the rules these cases brought in -------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Train XGBoost on s3://bkt-a/train/ and package it. Hold off on registering it.",
        "Train XGBoost on s3://bkt-a/train/ and package it; registration can wait.",
        "Train XGBoost on s3://bkt-a/train/ and package it. We defer registration.",
        "Train XGBoost on s3://bkt-a/train/ and package it, postponing the registration.",
    ],
)
def test_deferral_phrases_negate_the_stage(text: str) -> None:
    intent = read_requirement(text)
    assert intent.wants(PACKAGE) and not intent.wants(REGISTER)


def test_fenced_query_is_a_source_with_its_heading_job_type() -> None:
    intent = read_requirement(
        "Train XGBoost. Training query:\n```sql\nSELECT * FROM a.tr\n```\n"
        "Test query:\n```\nSELECT * FROM a.te\n```\nEvaluate on the test data."
    )
    assert [(s.kind, s.value, s.job_type) for s in intent.sources] == [
        ("query", "SELECT * FROM a.tr", "training"),
        ("query", "SELECT * FROM a.te", "testing"),
    ]


def test_a_colon_after_a_source_starts_a_new_clause() -> None:
    intent = read_requirement(
        "Train XGBoost on s3://bkt-a/train/. Calibration data is at s3://bkt-a/cal/: score it "
        "with the evaluation step and fit a calibration."
    )
    assert [s.job_type for s in intent.sources] == ["training", "calibration"]


def test_framework_hyperparameters_imply_training() -> None:
    intent = read_requirement("an xgb pipeline on s3://bkt-a/data/ with eta 0.1 and max_depth 4")
    assert intent.wants(TRAIN)
    assert not read_requirement("an xgb pipeline: only load s3://bkt-a/data/").wants(TRAIN)


def test_batch_size_is_not_a_batch_transform_instance_cue() -> None:
    text = "Train PyTorch on s3://bkt-a/train/ with a batch size of 64 on ml.g5.xlarge."
    facts = facts_for(text, {**data("training"), "PyTorchTraining": [f"{TP}_training"]})
    assert facts["training.instance_type"] == "ml.g5.xlarge"


@pytest.mark.parametrize("verb", ["reaches", "hits", "clears", "meets"])
def test_gate_verbs_compare_at_least(verb: str) -> None:
    topology = {
        **data("training", "testing"),
        "XGBoostTraining": [f"{TP}_training"],
        "ModelEvaluation_testing": ["XGBoostTraining", f"{TP}_testing"],
        "QualityGate": ["ModelEvaluation_testing"],
        "Packaging": ["XGBoostTraining", "QualityGate"],
    }
    text = (
        "Train XGBoost on s3://bkt-a/train/, evaluate on s3://bkt-a/test/ and package it "
        f"only if the test AUC {verb} 85%."
    )
    facts = facts_for(text, topology)
    assert (facts["gate.metric"], facts["gate.threshold"]) == ("auc", 0.85)


def test_attributive_packaged_is_not_a_guarded_stage() -> None:
    intent = read_requirement(
        "Train XGBoost on s3://bkt-a/train/, evaluate on s3://bkt-a/test/ and register the "
        "packaged model only if AUC >= 0.8."
    )
    assert intent.gate is not None and intent.gate.guards == (REGISTER,)
