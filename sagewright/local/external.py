"""Inputs that come from outside the pipeline: data sources and existing model files.

``--data NODE=PATH`` gives a DataLoading node's table; otherwise a synthetic table is made
(Athena and Redshift sources too). An existing model file that only exists on S3 gets a
stand-in model trained on the synthetic table (:mod:`sagewright.local.standin`). Both are
written into the local S3 at the URI the definition names, so every reader sees one copy.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from sagewright.local.context import StepContext
from sagewright.local.data import (
    argument_pairs,
    copy_user_data,
    synthetic_table,
    table_spec,
    write_table,
)


def is_model_uri(uri: str, input_name: str) -> bool:
    return uri.endswith((".tar.gz", ".tgz")) or "model" in input_name.lower()


def job_type(ctx: StepContext) -> str:
    """The step's job type: its ``--job-type`` argument, else its name's qualifier."""
    arguments = ctx.arguments.get("AppSpecification", {}).get("ContainerArguments", [])
    stated = argument_pairs([ctx.value(a) for a in arguments]).get("job_type")
    return str(stated or ctx.name.partition("_")[2] or "training")


def provide_table(ctx: StepContext, destination: Path, parquet: bool = False) -> None:
    """The data-source input of a loading step: the user's file, else a synthetic table."""
    user = ctx.options.data.get(ctx.name)
    if user is not None:
        copy_user_data(user, destination, ctx.name)
        ctx.outcome.notes.append(f"data from {user}")
        return
    kind = job_type(ctx)
    seed = ctx.options.seed + zlib.crc32(kind.encode()) % 1000
    spec = table_spec(ctx.pipeline.steps)
    frame = synthetic_table(spec, ctx.options.rows, seed, labeled=kind != "inference")
    write_table(frame, destination, parquet=parquet)
    ctx.outcome.notes.append(f"synthetic {kind} table: {len(frame)} rows, seed {seed}")


def provide_uri(ctx: StepContext, uri: str, input_name: str) -> None:
    """Make an outside S3 object exist in the local S3 (model stand-in or table)."""
    if ctx.s3.exists(uri):
        return
    if is_model_uri(uri, input_name):
        from sagewright.local.standin import standin_model

        standin_model(ctx, uri)
        ctx.outcome.notes.append(f"stand-in model for {uri}")
        return
    provide_table(ctx, ctx.s3.path(uri))
