"""SDK recipes: one function per SageMaker step kind, plain values in, SDK step out.

Each recipe takes strings, numbers, mappings and SDK pipeline references (step
properties, ``Join``, parameters) and returns the SageMaker SDK (3.27) step named
exactly as given. Per-step builders are thin glue over these; nothing here knows
about sagewright's config classes or topology.

Design rules, each one measured on SDK 3.27.0:

* **No uploads during ``definition()``.** Code reaches a job only through
  content-addressed S3 URIs computed offline (:mod:`sagewright.builders.code_bundle`)
  and uploaded at deploy time. Processing runs a generic ``Processor`` whose
  entrypoint is ``python3 /opt/ml/processing/input/code/<script>`` with the bundle
  prefix as an input channel; PyTorch training uses the framework container's
  ``sagemaker_program`` / ``sagemaker_submit_directory`` hyperparameters with a
  ``sourcedir.tar.gz`` URI; XGBoost runs the built-in algorithm (no code at all).
  ``ModelTrainer(source_code=...)``, ``ScriptProcessor`` with local code and
  ``FrameworkProcessor`` are avoided: they upload under timestamped keys.
* **Byte-deterministic JSON.** Every value that reaches a definition is given
  explicitly (output paths, job settings); job names, which carry timestamps, are
  stripped by the SDK's pipeline compiler.
* **SageMaker is imported lazily**, inside the functions, so importing this module
  is cheap; the session passed in (:func:`sagewright.builders.sdk.offline_session`)
  has already prepared the environment the SDK needs at import time.

Output references (pass them to downstream recipes as inputs):

=====================  ===================================================
step                   reference
=====================  ===================================================
processing             :func:`processing_output_uri` (step, channel)
training               :func:`model_artifacts_uri` (step)
tuning                 :func:`best_model_artifacts_uri` (step, output_path)
create model           :func:`model_name` (step)
transform              :func:`transform_output_uri` (step)
register model         :func:`model_package_arn` (step)
=====================  ===================================================

Guarded steps (measured on 3.27, see ``tests/builders/test_recipes.py``):

* ``condition.if_steps`` is read when ``definition()`` runs, so steps can be
  appended after the ``ConditionStep`` is built (topological assembly works).
* A step in ``if_steps`` must not also be in ``Pipeline(steps=...)``: the SDK
  raises ``ValueError`` ("cannot be added in the Pipeline steps list"); the
  SDK's ``Pipeline`` docstring says the service rejects it too. Steps inside
  ``if_steps`` may reference each other.
* A top-level step may reference a guarded step's properties; it compiles (the
  reference is a plain ``Get``, no ``DependsOn``). With a ``FailStep`` in the
  else branch it can only run when the guard passed, but it is safer to put the
  whole guarded subtree in ``if_steps``.
* The condition itself must be in the pipeline's steps: if it is missing, the
  compiler pulls referenced guarded steps in as top-level steps, unguarded.
* ``depends_on=[condition]`` compiles, but the service rejects a dependency on a
  condition step; :func:`sagewright.builders.arg_check.check_definition` flags it.

Layout: one module per step kind, all re-exported here (import from
``sagewright.builders.recipes``):

=====================  ===================================================
module                 contents
=====================  ===================================================
``_common``            ``Ref``, URIs, parameters, property files, helpers
``processing``         :func:`processing_step`, dataset queries
``training``           trainers and training steps
``tuning``             parameter ranges and :func:`tuning_step`
``models``             create model and register model steps
``transform``          :func:`transform_step`
``gate``               :func:`quality_gate_steps`
``pipeline``           :func:`make_pipeline`, :func:`definition_json`
=====================  ===================================================
"""

from __future__ import annotations

from sagewright.builders.recipes._common import (
    Ref,
    execution_uri,
    image_uri,
    join_uri,
    parameter_string,
    property_file,
)
from sagewright.builders.recipes._common import (
    SdkStep as SdkStep,
)
from sagewright.builders.recipes.gate import Comparison as Comparison
from sagewright.builders.recipes.gate import quality_gate_steps
from sagewright.builders.recipes.models import (
    create_model_step,
    model_name,
    model_package_arn,
    pytorch_inference_env,
    register_model_step,
)
from sagewright.builders.recipes.pipeline import definition_json, make_pipeline
from sagewright.builders.recipes.processing import (
    CODE_DIR,
    PROCESSING_INPUT_DIR,
    PROCESSING_OUTPUT_DIR,
    AthenaQuery,
    RedshiftQuery,
    processing_output_uri,
    processing_step,
)
from sagewright.builders.recipes.training import (
    model_artifacts_uri,
    pytorch_trainer,
    pytorch_training_step,
    training_step,
    xgboost_trainer,
    xgboost_training_step,
)
from sagewright.builders.recipes.transform import transform_output_uri, transform_step
from sagewright.builders.recipes.tuning import (
    CategoricalRange,
    ContinuousRange,
    IntegerRange,
    ParameterRange,
    best_model_artifacts_uri,
    tuning_step,
)
from sagewright.builders.recipes.tuning import (
    ObjectiveType as ObjectiveType,
)

__all__ = [
    "CODE_DIR",
    "PROCESSING_INPUT_DIR",
    "PROCESSING_OUTPUT_DIR",
    "AthenaQuery",
    "CategoricalRange",
    "ContinuousRange",
    "IntegerRange",
    "ParameterRange",
    "RedshiftQuery",
    "Ref",
    "best_model_artifacts_uri",
    "create_model_step",
    "definition_json",
    "execution_uri",
    "image_uri",
    "join_uri",
    "make_pipeline",
    "model_artifacts_uri",
    "model_name",
    "model_package_arn",
    "parameter_string",
    "processing_output_uri",
    "processing_step",
    "property_file",
    "pytorch_inference_env",
    "pytorch_trainer",
    "pytorch_training_step",
    "quality_gate_steps",
    "register_model_step",
    "training_step",
    "transform_output_uri",
    "transform_step",
    "tuning_step",
    "xgboost_trainer",
    "xgboost_training_step",
]
