"""``sagewright run-local``: run a generated pipeline end to end on this machine.

It interprets the folder's ``pipeline.json`` and the code bundles it names (what SageMaker
would run), never the topology. One module per idea:

* :mod:`.folder`: read and check the pipeline folder, resolve code bundles by content hash;
* :mod:`.expressions`: parameters, ``Std:Join``, ``Get`` step properties, ``Std:JsonGet``;
* :mod:`.s3`: the local stand-in for S3 (a folder per bucket, prefix semantics);
* :mod:`.data`: synthetic tables with a learnable signal, or the user's ``--data`` files;
* :mod:`.processing`, :mod:`.training`, :mod:`.xgboost_algorithm`, :mod:`.tuning`,
  :mod:`.transform`, :mod:`.serving`, :mod:`.control`, :mod:`.records`: one step kind each;
* :mod:`.standin`: a model for an existing model file that only exists on S3;
* :mod:`.runner`: the DAG walk, run folder and ``run.json``; :mod:`.report`: Rich output.

Nothing here is imported by the other commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sagewright.local.runner import RunResult, run_local

__all__ = ["RunResult", "run_local"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from sagewright.local import runner

        return getattr(runner, name)
    raise AttributeError(name)
