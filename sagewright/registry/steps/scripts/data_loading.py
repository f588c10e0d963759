"""DataLoading container script: gather one job type's raw table into the ``data`` channel.

Input channel ``source``: the files SageMaker copied in from an S3 prefix, or the results of an
Athena / Redshift dataset definition (use the PARQUET output format for those: CSV results
from Redshift have no header). Shards may be CSV with a header (optionally gzip) or Parquet,
with or without file suffix; marker, metadata and hidden files are skipped.

Output channel ``data``: ``part-00000.<csv|parquet>``, ``part-00001...``: one shard per
non-empty input shard, all with the same columns (CSV written with a header).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # checked as package modules; in the container they sit next to this file
    from sagewright.registry.steps.scripts import _common
else:
    import _common


def main(argv: list[str]) -> None:
    """Copy and normalise the shards of ``source`` into ``data``."""
    parser = _common.processing_parser(__doc__.splitlines()[0])
    _common.add_job_type(parser, default="training")
    parser.add_argument("--source-format", choices=("auto", "csv", "parquet"), default="auto")
    parser.add_argument("--output-format", choices=("csv", "parquet"), default="csv")
    args = parser.parse_args(argv)

    rows = 0
    with _common.staged_outputs(args.output_dir, "data") as out:
        for index, frame in enumerate(
            _common.iter_tables(args.input_dir / "source", args.source_format)
        ):
            target = out["data"] / f"part-{index:05d}.{args.output_format}"
            if args.output_format == "parquet":
                frame.to_parquet(target, index=False)
            else:
                frame.to_csv(target, index=False)
            rows += len(frame)
        if rows == 0:
            raise _common.ScriptError(f"input channel 'source' has no data rows ({args.job_type})")
    _common.log(f"data_loading[{args.job_type}]: wrote {rows} rows")


if __name__ == "__main__":
    _common.run(main)
