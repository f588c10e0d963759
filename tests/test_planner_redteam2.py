"""Red-team round 2: requirement styles the earlier rounds did not use (topology only).

Long narratives with background noise, numbered plans with sub-bullets, steps rejected in
many ways ("we'll handle packaging elsewhere", "can be left out"), steps named as past work
("training happened last week"), questions, British spelling, passive voice, synonyms (model
catalogue, grid search, recalibrate, predict offline), gates phrased as conditions anywhere
in the sentence, several job types in one sentence. The expected topologies follow the step
catalogue's wiring rules, worked out by hand; none of these texts appear in the planner's code.
"""

from __future__ import annotations

import pytest

from sagewright.agents.planner import plan
from sagewright.eval_metrics import edge_diff, exact_match, node_diff

DL, TP = "DataLoading", "TabularPreprocessing"
ME, BT, MC = "ModelEvaluation", "BatchTransform", "ModelCalibration_calibration"
XGB, PT, HPT = "XGBoostTraining", "PyTorchTraining", "HyperparameterTuning"
PKG, PAY, REG, QG = "Packaging", "PayloadGeneration", "ModelRegistration", "QualityGate"


def data(*jobs: str) -> dict[str, list[str]]:
    """``DataLoading_JOB -> TabularPreprocessing_JOB`` for each job type."""
    out: dict[str, list[str]] = {}
    for job in jobs:
        out[f"{DL}_{job}"] = []
        out[f"{TP}_{job}"] = [f"{DL}_{job}"]
    return out


def trained(trainer: str, *jobs: str) -> dict[str, list[str]]:
    """The data paths plus the training (or tuning) step on the training data."""
    return {**data("training", *jobs), trainer: [f"{TP}_training"]}


def evaluation(trainer: str | None, job: str, source: str | None = None) -> dict[str, list[str]]:
    parents = [trainer] if trainer else []
    return {f"{ME}_{job}": [*parents, f"{TP}_{source or job}"]}


CASES: list[tuple[str, str, dict[str, list[str]]]] = [
    (
        "narrative-oot-nobody-asked-registration",
        "Some background first: last quarter we tried a logistic regression for card fraud and "
        "it underperformed, so the data team (who own the acme-risk bucket) exported a fresh "
        "training extract to s3://acme-risk/fraud/train/2025q1/. This time we'd like boosted "
        "trees. Fit the model on that extract, then check how it does on the out-of-time sample "
        "they dropped at s3://acme-risk/fraud/oot/2025q1/ and report AUC. Nobody has asked for "
        "registration yet, so leave that out.",
        {**trained(XGB, "testing"), **evaluation(XGB, "testing")},
    ),
    (
        "numbered-sub-bullets-model-catalog",
        "Plan for the churn refresh:\n"
        "1. Data\n"
        "   a. training: s3://tel-ml/churn/2025-01/train/\n"
        "   b. hold-out: s3://tel-ml/churn/2025-01/holdout/\n"
        "2. Model\n"
        "   - gbdt (XGBoost), max_depth=6\n"
        "   - evaluate on the hold-out\n"
        "3. Release\n"
        "   - bundle the model\n"
        "   - put it in the model catalog, with the hold-out metrics attached\n",
        {
            **trained(XGB, "testing"),
            **evaluation(XGB, "testing"),
            PKG: [XGB],
            REG: [PKG, f"{ME}_testing"],
        },
    ),
    (
        "packaging-elsewhere-registration-too",
        "Train a PyTorch MLP on s3://nlp-ml/intent/train/ (epochs=10) and generate sample "
        "payloads from it. We'll handle packaging elsewhere, and registration too.",
        {**trained(PT), PAY: [PT]},
    ),
    (
        "no-calibration-this-time-without-gate",
        "Train XGBoost on s3://lend-ml/pd/train/ and evaluate on the test set at "
        "s3://lend-ml/pd/test/. Package it and register it with the test metrics attached, "
        "without a quality gate. No calibration this time.",
        {
            **trained(XGB, "testing"),
            **evaluation(XGB, "testing"),
            PKG: [XGB],
            REG: [PKG, f"{ME}_testing"],
        },
    ),
    (
        "skip-the-evaluation-first",
        "Skip the evaluation — just train XGBoost on s3://ops-ml/sla/train/, package the model "
        "and register it. Label breached.",
        {**trained(XGB), PKG: [XGB], REG: [PKG]},
    ),
    (
        "trained-last-week-provided-that",
        "The churn model was trained last week and its artifacts are at "
        "s3://tel-models/churn/2025-w02/model.tar.gz (XGBoost). This week we need to assess it "
        "on the hold-out sample s3://tel-ml/churn/holdout/ and, provided that AUC is at least "
        "0.8, package it and register it.",
        {
            **data("testing"),
            **evaluation(None, "testing"),
            QG: [f"{ME}_testing"],
            PKG: [QG],
            REG: [PKG],
        },
    ),
    (
        "questions-isnt-something-we-need",
        "We're training a PyTorch neural net for ticket routing on s3://cx-ml/route/train/ "
        "(lr=3e-5, epochs=4). Could the pipeline package the model afterwards? And can you also "
        "generate sample payloads? Registration isn't something we need.",
        {**trained(PT), PKG: [PT], PAY: [PT]},
    ),
    (
        "british-recalibrate-catalogued",
        "Please organise a pipeline that trains an XGBoost model on s3://uk-ml/arrears/train/, "
        "evaluates it on the hold-out set at s3://uk-ml/arrears/holdout/, and recalibrates the "
        "scores using the calibration sample s3://uk-ml/arrears/calib/ scored by the evaluation "
        "step. Package the model with the calibration mapping; we'd like it catalogued in the "
        "model registry only if hold-out AUC is at least 0.85.",
        {
            **trained(XGB, "calibration", "testing"),
            **evaluation(XGB, "testing"),
            **evaluation(XGB, "calibration"),
            MC: [f"{ME}_calibration"],
            QG: [f"{ME}_testing"],
            PKG: [XGB, MC],
            REG: [PKG, QG],
        },
    ),
    (
        "passive-should-be",
        "The model should be trained with XGBoost on s3://ins-ml/fnol/train/. It should then be "
        "evaluated against the validation data at s3://ins-ml/fnol/val/, packaged, and "
        "registered, with the validation metrics attached to the registered package.",
        {
            **trained(XGB, "validation"),
            **evaluation(XGB, "validation"),
            PKG: [XGB],
            REG: [PKG, f"{ME}_validation"],
        },
    ),
    (
        "build-boosted-trees-score-offline",
        "Build a boosted-trees model from s3://rt-ml/returns/train/ and score this month's "
        "orders at s3://rt-ml/returns/2025-02/ offline via a SageMaker model.",
        {
            **trained(XGB, "inference"),
            "XGBoostModel": [XGB],
            f"{BT}_inference": ["XGBoostModel", f"{TP}_inference"],
        },
    ),
    (
        "sweep-validate-winning-model",
        "Run a hyperparameter sweep over learning rate and dropout for the torch classifier on "
        "s3://cv-ml/defects/train/, then validate the winning model on s3://cv-ml/defects/val/.",
        {**trained(HPT, "validation"), **evaluation(HPT, "validation")},
    ),
    (
        "offline-inference-new-customers",
        "Train XGBoost on s3://mk-ml/leads/train/. Then build the SageMaker model and run "
        "offline inference on new customers at s3://mk-ml/leads/new/.",
        {
            **trained(XGB, "inference"),
            "XGBoostModel": [XGB],
            f"{BT}_inference": ["XGBoostModel", f"{TP}_inference"],
        },
    ),
    (
        "existing-predict-offline-applications",
        "Using our existing PyTorch model (weights at s3://pt-models/churn/v3/model.tar.gz), "
        "predict offline for this month's applications in s3://loan-data/apps/2025-03/. No "
        "packaging, nothing else.",
        {
            "PyTorchModel": [],
            **data("inference"),
            f"{BT}_inference": ["PyTorchModel", f"{TP}_inference"],
        },
    ),
    (
        "model-package-payloads-arent-needed",
        "Fit a GBDT on the Redshift query `SELECT * FROM fin.cb_train` and create a model "
        "package for it in SageMaker (package it first, of course). Payloads aren't needed.",
        {**trained(XGB), PKG: [XGB], REG: [PKG]},
    ),
    (
        "as-long-as-at-or-above",
        "Train PyTorch on s3://sec-ml/phish/train/ and evaluate on the test data at "
        "s3://sec-ml/phish/test/. Package and register the model as long as test recall stays "
        "at or above 0.7.",
        {
            **trained(PT, "testing"),
            **evaluation(PT, "testing"),
            QG: [f"{ME}_testing"],
            PKG: [PT, QG],
            REG: [PKG],
        },
    ),
    (
        "unless-less-than-then-fail",
        "Train XGBoost on s3://cr-ml/bnpl/train/, evaluate on s3://cr-ml/bnpl/test/ (test set), "
        "then package and register the model — unless test AUC < 0.8, in which case fail the "
        "run.",
        {
            **trained(XGB, "testing"),
            **evaluation(XGB, "testing"),
            QG: [f"{ME}_testing"],
            PKG: [XGB, QG],
            REG: [PKG],
        },
    ),
    (
        "block-registration-if-below",
        "XGBoost churn: train on s3://tel-ml/c/train/, evaluate on the validation set "
        "s3://tel-ml/c/val/, package, and register. Block registration if validation AUC is "
        "below 0.75.",
        {
            **trained(XGB, "validation"),
            **evaluation(XGB, "validation"),
            QG: [f"{ME}_validation"],
            PKG: [XGB],
            REG: [PKG, QG],
        },
    ),
    (
        "three-job-types-one-sentence-enumerated",
        "Load and preprocess the training, validation and test data (s3://ds-ml/y/train/, "
        "s3://ds-ml/y/val/, s3://ds-ml/y/test/), train XGBoost, and evaluate the model on both "
        "the validation and the test data.",
        {
            **trained(XGB, "validation", "testing"),
            **evaluation(XGB, "validation"),
            **evaluation(XGB, "testing"),
        },
    ),
    (
        "existing-platt-scale-batch",
        "Our PyTorch model is already trained (s3://pt-m/fraud/v2/model.tar.gz). Wrap it in a "
        "SageMaker model, push the calibration sample s3://pay-ml/calib/ through a batch "
        "transform and Platt-scale the outputs. Bundle the model with the calibration mapping.",
        {
            "PyTorchModel": [],
            **data("calibration"),
            f"{BT}_calibration": ["PyTorchModel", f"{TP}_calibration"],
            MC: [f"{BT}_calibration"],
            PKG: [MC],
        },
    ),
    (
        "test-split-gate-package-only",
        "Train XGBoost on s3://pr-ml/upl/train/, evaluate it on the test split, and only "
        "package it if the test-split AUC is at least 0.7.",
        {
            **trained(XGB),
            **evaluation(XGB, "testing", source="training"),
            QG: [f"{ME}_testing"],
            PKG: [XGB, QG],
        },
    ),
    (
        "fit-neural-net-recalibrate-eval-step",
        "Fit a neural net (PyTorch, epochs=20) on s3://hc-ml/readmit/train/. Then recalibrate: "
        "score the calibration rows at s3://hc-ml/readmit/calib/ with the evaluation step and "
        "fit isotonic regression on them. That's all — no packaging, no registry.",
        {
            **trained(PT, "calibration"),
            **evaluation(PT, "calibration"),
            MC: [f"{ME}_calibration"],
        },
    ),
    (
        "pipe-separated-oot-eval-metrics",
        "xgb | train s3://mx-ml/train/ | OOT s3://mx-ml/oot/ | eval on OOT | register w/ eval "
        "metrics attached",
        {
            **trained(XGB, "testing"),
            **evaluation(XGB, "testing"),
            PKG: [XGB],
            REG: [PKG, f"{ME}_testing"],
        },
    ),
    (
        "batch-holdout-and-unlabelled-march",
        "Train a PyTorch model on s3://pt-ml/x/train/ and then batch-score both the hold-out set "
        "s3://pt-ml/x/holdout/ and the unlabelled March extract s3://pt-ml/x/2025-03/.",
        {
            **trained(PT, "testing", "inference"),
            "PyTorchModel": [PT],
            f"{BT}_testing": ["PyTorchModel", f"{TP}_testing"],
            f"{BT}_inference": ["PyTorchModel", f"{TP}_inference"],
        },
    ),
    (
        "score-new-customers-plain",
        "Train XGBoost on s3://tel-ml/nc/train/ and use it to score new customers at "
        "s3://tel-ml/nc/incoming/.",
        {
            **trained(XGB, "inference"),
            "XGBoostModel": [XGB],
            f"{BT}_inference": ["XGBoostModel", f"{TP}_inference"],
        },
    ),
    (
        "model-catalogue-example-payloads",
        "Train XGBoost on s3://ret-ml/ltv/train/, bundle it, and publish it to our model "
        "catalogue together with example payloads.",
        {**trained(XGB), PKG: [XGB], PAY: [XGB], REG: [PKG, PAY]},
    ),
    (
        "training-happened-last-week",
        "Training happened last week (artifacts: s3://m-bkt/xgb/2025-w10/model.tar.gz, "
        "XGBoost). Now just evaluate them on the validation data s3://d-bkt/val/ and generate "
        "sample payloads.",
        {**data("validation"), **evaluation(None, "validation"), PAY: []},
    ),
    (
        "passive-provided-that-interjected",
        "The XGBoost model trained on s3://b-ml/train/ should be evaluated on the hold-out "
        "s3://b-ml/holdout/, packaged and, provided that hold-out accuracy is at least 0.9, "
        "registered.",
        {
            **trained(XGB, "testing"),
            **evaluation(XGB, "testing"),
            QG: [f"{ME}_testing"],
            PKG: [XGB],
            REG: [PKG, QG],
        },
    ),
    (
        "bulk-score-calibration-attach-sample-requests",
        "Train XGB on s3://a-ml/train/; produce a SageMaker model; bulk-score the calibration "
        "extract s3://a-ml/cal/ and fit isotonic on those scores; then package with the mapping "
        "and register, attaching sample requests.",
        {
            **trained(XGB, "calibration"),
            "XGBoostModel": [XGB],
            f"{BT}_calibration": ["XGBoostModel", f"{TP}_calibration"],
            MC: [f"{BT}_calibration"],
            PKG: [XGB, MC],
            PAY: [XGB],
            REG: [PKG, PAY],
        },
    ),
    (
        "questions-gate-or-higher",
        "Could you put together a pipeline that trains PyTorch on s3://x-ml/train/? Would it be "
        "possible to also evaluate on s3://x-ml/test/ (the test set)? And maybe register the "
        "model, but only if F1 is 0.8 or higher?",
        {
            **trained(PT, "testing"),
            **evaluation(PT, "testing"),
            QG: [f"{ME}_testing"],
            PKG: [PT],
            REG: [PKG, QG],
        },
    ),
    (
        "measure-accuracy-only-as-long-as",
        "Train XGBoost on s3://a-ml/train/ and measure accuracy on the hold-out set "
        "s3://a-ml/ho/. The model is to be packaged and registered only as long as accuracy is "
        "0.8 or better.",
        {
            **trained(XGB, "testing"),
            **evaluation(XGB, "testing"),
            QG: [f"{ME}_testing"],
            PKG: [XGB, QG],
            REG: [PKG],
        },
    ),
    (
        "narrative-data-team-elsewhere-no-need-for-registry",
        "Context: the fraud squad has been running a manual notebook for two years. The data "
        "team owns the acme-fraud bucket and refreshes s3://acme-fraud/curated/train/ every "
        "Monday; they also keep a calibration slice at s3://acme-fraud/curated/calib/. What we "
        "want from this pipeline is fairly small. Fit an XGBoost model on the curated training "
        "data, score the calibration slice with a batch transform and fit an isotonic mapping "
        "on the result. We'll handle packaging elsewhere and there is no need for a registry "
        "entry.",
        {
            **trained(XGB, "calibration"),
            "XGBoostModel": [XGB],
            f"{BT}_calibration": ["XGBoostModel", f"{TP}_calibration"],
            MC: [f"{BT}_calibration"],
        },
    ),
    (
        "can-be-left-out",
        "Train XGBoost on s3://a-ml/lo/train/, evaluate on the validation split, package and "
        "register. Payload generation and calibration can be left out.",
        {
            **trained(XGB),
            **evaluation(XGB, "validation", source="training"),
            PKG: [XGB],
            REG: [PKG],
        },
    ),
    (
        "unless-first-nothing-registered",
        "Unless the validation F1 reaches 0.6, nothing should be registered. Train PyTorch on "
        "s3://pt-ml/u/train/, evaluate on the validation data s3://pt-ml/u/val/, package and "
        "register.",
        {
            **trained(PT, "validation"),
            **evaluation(PT, "validation"),
            QG: [f"{ME}_validation"],
            PKG: [PT],
            REG: [PKG, QG],
        },
    ),
    (
        "calibrate-and-evaluate-three-sources",
        "XGBoost: train on s3://t3-ml/train/, calibrate on s3://t3-ml/cal/ and evaluate on "
        "s3://t3-ml/test/.",
        {
            **trained(XGB, "calibration", "testing"),
            **evaluation(XGB, "calibration"),
            MC: [f"{ME}_calibration"],
            **evaluation(XGB, "testing"),
        },
    ),
    (
        "learn-gbdt-package",
        "Learn a GBDT classifier from s3://lg-ml/train/ and then package it for serving.",
        {**trained(XGB), PKG: [XGB]},
    ),
    (
        "build-xgboost-model-on-data",
        "Build an XGBoost model on s3://bx-ml/train/ and package it.",
        {**trained(XGB), PKG: [XGB]},
    ),
    (
        "grid-search-bayesian",
        "For the boosted-trees churn model, run a Bayesian optimisation over eta and max_depth on "
        "s3://go-ml/train/ and register the best candidate in the model registry.",
        {**trained(HPT), PKG: [HPT], REG: [PKG]},
    ),
    (
        "validation-and-test-splits-no-sources",
        "Train XGBoost on s3://vt-ml/train/ and evaluate on both the validation and test splits.",
        {
            **trained(XGB),
            **evaluation(XGB, "validation", source="training"),
            **evaluation(XGB, "testing", source="training"),
        },
    ),
    (
        "field-equals-three-sources",
        "Data: training = s3://fe-ml/a/, test = s3://fe-ml/b/, calibration = s3://fe-ml/c/. "
        "Model: PyTorch. Evaluate on test, calibrate via the evaluation step, package with the "
        "calibration mapping.",
        {
            **trained(PT, "calibration", "testing"),
            **evaluation(PT, "testing"),
            **evaluation(PT, "calibration"),
            MC: [f"{ME}_calibration"],
            PKG: [PT, MC],
        },
    ),
    (
        "this-months-applications-batch",
        "After training the gbdt on s3://ln-ml/train/, run predictions over this month's "
        "applications (s3://ln-ml/apps/2025-04/) with a batch transform.",
        {
            **trained(XGB, "inference"),
            "XGBoostModel": [XGB],
            f"{BT}_inference": ["XGBoostModel", f"{TP}_inference"],
        },
    ),
    (
        "dont-bother-with-registry-grid-search",
        "Grid search the PyTorch hyperparameters on s3://gs-ml/train/ and evaluate the best "
        "model on the test split. Don't bother with a registry entry.",
        {**trained(HPT), **evaluation(HPT, "testing", source="training")},
    ),
    (
        "no-longer-need-payloads-passive-registration",
        "Train XGBoost on s3://np-ml/train/. The model should be packaged and registered; we no "
        "longer need sample payloads.",
        {**trained(XGB), PKG: [XGB], REG: [PKG]},
    ),
    (
        "provided-first-training-is-on",
        "Provided that the test AUC is 0.85 or above, the pipeline should package the XGBoost "
        "model and register it. Training is on s3://pf-ml/train/, testing on s3://pf-ml/test/.",
        {
            **trained(XGB, "testing"),
            **evaluation(XGB, "testing"),
            QG: [f"{ME}_testing"],
            PKG: [XGB, QG],
            REG: [PKG],
        },
    ),
    (
        "calib-eval-and-batch-unlabelled",
        "Train XGBoost on s3://cb-ml/train/. Calibrate on s3://cb-ml/calib/ using the "
        "evaluation step, and batch transform the unlabelled data at s3://cb-ml/new/.",
        {
            **trained(XGB, "calibration", "inference"),
            **evaluation(XGB, "calibration"),
            MC: [f"{ME}_calibration"],
            "XGBoostModel": [XGB],
            f"{BT}_inference": ["XGBoostModel", f"{TP}_inference"],
        },
    ),
    (
        "respectively",
        "Training and hold-out data are at s3://rs-ml/tr/ and s3://rs-ml/ho/ respectively. "
        "Train a PyTorch model and assess it on the hold-out.",
        {**trained(PT, "testing"), **evaluation(PT, "testing")},
    ),
    (
        "should-be-skipped",
        "Train XGBoost on s3://sk-ml/train/ and package it with sample payloads generated "
        "alongside. The registry step should be skipped.",
        {**trained(XGB), PKG: [XGB], PAY: [XGB]},
    ),
    (
        "gated-on-holdout-f1",
        "Register the XGBoost model trained on s3://gh-ml/train/, gated on hold-out F1 ≥ 0.7 "
        "(hold-out at s3://gh-ml/holdout/).",
        {
            **trained(XGB, "testing"),
            **evaluation(XGB, "testing"),
            QG: [f"{ME}_testing"],
            PKG: [XGB],
            REG: [PKG, QG],
        },
    ),
    (
        "hpo-job-oot-query",
        "Launch an HPO job for the gradient-boosting model on `SELECT * FROM x.gb_train` and "
        "assess the winner on the out-of-time query `SELECT * FROM x.gb_oot`.",
        {**trained(HPT, "testing"), **evaluation(HPT, "testing")},
    ),
    (
        "retrain-existing-fresh-data",
        "Retrain our existing XGBoost model (s3://rm-ml/models/model.tar.gz) on the fresh data "
        "at s3://rm-ml/d/2025/ and package it.",
        {**trained(XGB), PKG: [XGB]},
    ),
    (
        "existing-predict-offline-holdout",
        "With the XGBoost model we already have (s3://ph-m/model.tar.gz), predict offline on "
        "the hold-out set s3://ph-d/holdout/.",
        {"XGBoostModel": [], **data("testing"), f"{BT}_testing": ["XGBoostModel", f"{TP}_testing"]},
    ),
    (
        "artefacts-british-example-payloads",
        "Take the model artefacts at s3://ar-m/v2/model.tar.gz (XGBoost, already trained) and "
        "generate example payloads, then package them.",
        {PKG: [], PAY: []},
    ),
    (
        "batch-test-split-no-source",
        "Train a neural network on s3://bt-ml/train/ and score the test split with a batch "
        "transform.",
        {**trained(PT), "PyTorchModel": [PT], f"{BT}_testing": ["PyTorchModel", f"{TP}_training"]},
    ),
    (
        "inference-prep-model-later",
        "Load the inference data from s3://ip-ml/infer/ and preprocess it; the model will be "
        "created later.",
        {**data("inference")},
    ),
    (
        "as-long-as-first-register",
        "As long as validation AUC is at least 0.8, register the PyTorch model trained on "
        "s3://al-ml/train/; evaluation data is at s3://al-ml/val/.",
        {
            **trained(PT, "validation"),
            **evaluation(PT, "validation"),
            QG: [f"{ME}_validation"],
            PKG: [PT],
            REG: [PKG, QG],
        },
    ),
    (
        "checklist-yes-no",
        "Checklist for the XGBoost churn pipeline (training data s3://cl-ml/train/):\n- "
        "training: yes\n- packaging: yes\n- payloads: no\n- registration: no",
        {**trained(XGB), PKG: [XGB]},
    ),
    (
        "narrative-history-audit",
        "A bit of history: the previous pipeline was a cron job on an EC2 box that nobody "
        "wants to maintain, and last year's audit flagged that models were promoted without "
        "any evaluation. So for the new version: train the PyTorch model on "
        "s3://pt-ml/claims/train/, evaluate it on the validation set s3://pt-ml/claims/val/, "
        "and only register it (after packaging) if the validation AUC is at least 0.8. The "
        "platform team will take care of endpoints.",
        {
            **trained(PT, "validation"),
            **evaluation(PT, "validation"),
            QG: [f"{ME}_validation"],
            PKG: [PT],
            REG: [PKG, QG],
        },
    ),
    (
        "passive-calibrated-by-batch",
        "A PyTorch model is to be trained on s3://pc-ml/train/; its scores are to be "
        "calibrated on s3://pc-ml/calib/ (calibration set) via a batch transform, and the "
        "model packaged together with the calibration mapping.",
        {
            **trained(PT, "calibration"),
            "PyTorchModel": [PT],
            f"{BT}_calibration": ["PyTorchModel", f"{TP}_calibration"],
            MC: [f"{BT}_calibration"],
            PKG: [PT, MC],
        },
    ),
    (
        "past-manual-registration-now-automate",
        "Until now we registered models by hand, which was error-prone. This time, train "
        "XGBoost on s3://pm-ml/train/, package it and register it in the model registry "
        "automatically.",
        {**trained(XGB), PKG: [XGB], REG: [PKG]},
    ),
    (
        "no-eval-last-time-now-eval",
        "Last time there was no evaluation at all. Now: train the torch model on "
        "s3://ne-ml/train/ and evaluate it on the test set s3://ne-ml/test/.",
        {**trained(PT, "testing"), **evaluation(PT, "testing")},
    ),
    (
        "oot-gate-fail-pipeline-otherwise",
        "Fit XGBoost on s3://og-ml/train/, check it on the OOT sample s3://og-ml/oot/, then "
        "package and register; the OOT AUC must be at least 0.72, otherwise fail the pipeline "
        "before packaging.",
        {
            **trained(XGB, "testing"),
            **evaluation(XGB, "testing"),
            QG: [f"{ME}_testing"],
            PKG: [XGB, QG],
            REG: [PKG],
        },
    ),
    (
        "infer-offline-current-accounts",
        "Train PyTorch on s3://ic-ml/train/, make a SageMaker model, and infer offline on "
        "current accounts at s3://ic-ml/accounts/.",
        {
            **trained(PT, "inference"),
            "PyTorchModel": [PT],
            f"{BT}_inference": ["PyTorchModel", f"{TP}_inference"],
        },
    ),
    (
        "hyphenated-hold-out-eval-only-if-package",
        "XGBoost on s3://hh-ml/train/; hold-out evaluation on s3://hh-ml/ho/; package only if "
        "hold-out AUC >= 0.8; no registration.",
        {
            **trained(XGB, "testing"),
            **evaluation(XGB, "testing"),
            QG: [f"{ME}_testing"],
            PKG: [XGB, QG],
        },
    ),
]


@pytest.mark.parametrize(("case_id", "requirement", "expected"), CASES, ids=[c[0] for c in CASES])
def test_redteam2_topology(case_id: str, requirement: str, expected: dict[str, list[str]]) -> None:
    result = plan(requirement)
    assert result.valid, [issue.message for issue in result.errors]
    assert exact_match(result.topology, expected), (
        node_diff(result.topology, expected),
        edge_diff(result.topology, expected),
    )
