"""TabularPreprocessing container script: clean one job type's table, split it for training.

Input channel ``data``: CSV (with header, optionally gzip) and/or Parquet shards.

Output channel ``processed_data`` (the contract the builders and later steps rely on)::

    processed_data/
      train/part-00000.csv   \\  job type ``training``: three splits
      val/part-00000.csv      >  (other job types: one folder named after the job type,
      test/part-00000.csv    /    e.g. ``calibration/part-00000.csv``)
      ids/<split>.csv        one column with header ``id``: the row ids, same row order
      schema.json            label, id, feature order, categorical mappings, row counts

Each ``part-00000.csv`` has NO header and is all numeric: the label first (every job type but
``inference``), then the features in ``schema.json["features"]`` order = the numeric fields
(``--tab-fields``, or every other column in input order) followed by the ``--cat-fields``.
That is what the built-in XGBoost container reads as ``text/csv``; the split folders hold
nothing else. Categorical values are coded 0..n-1 in the order ``--categories`` declares
(``{"column": ["value", ...]}``), else in sorted order of the data's own values; missing
values code as -1. Declare categories (or pass ``--schema-from``) so every job type codes a
value alike: codes learnt from each dataset shift when the sets of values differ. The ids
are the ``--id-name`` column, or the input row number without one.

Rows with a missing label or a missing / unparseable numeric value are dropped. A column
where most values are not numbers, a missing label / id column, an unknown label class, an
unseen category when ``--schema-from`` or ``--categories`` gives the mappings, or no rows left
fail the job.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # checked as package modules; in the container they sit next to this file
    from sagewright.registry.steps.scripts import _common
else:
    import _common

MISSING_CODE = -1


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command line of the script (see the module docstring)."""
    parser = _common.processing_parser(__doc__.splitlines()[0])
    _common.add_job_type(parser, default="training")
    parser.add_argument("--label-name", default="")
    parser.add_argument("--id-name", default="")
    parser.add_argument("--cat-fields", type=_common.comma_list, default=[])
    parser.add_argument("--tab-fields", type=_common.comma_list, default=[])
    parser.add_argument("--label-classes", type=_common.comma_list, default=[])
    parser.add_argument("--train-ratio", type=float, default=0.7)
    parser.add_argument("--val-ratio", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--schema-from", type=Path, default=None)
    parser.add_argument("--categories", type=_declared_categories, default={})
    args = parser.parse_args(argv)
    if not (0 < args.train_ratio < 1 and 0 < args.val_ratio < 1):
        parser.error("--train-ratio and --val-ratio must be between 0 and 1")
    if args.train_ratio + args.val_ratio >= 1:
        parser.error("--train-ratio + --val-ratio must be < 1 to leave rows for the test split")
    return args


def _declared_categories(text: str) -> dict[str, dict[str, int]]:
    """``{"column": ["a", "b"]}`` -> code mappings in the declared order."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not all(
        isinstance(v, list) and v and len(set(map(str, v))) == len(v) for v in data.values()
    ):
        raise argparse.ArgumentTypeError("expected {column: [distinct values, ...]}")
    return {str(c): {str(v): i for i, v in enumerate(vs)} for c, vs in data.items()}


def to_numbers(values: pd.Series, column: str) -> pd.Series:
    """Parse a column as floats (bad values -> NaN); fail if it is mostly not numeric."""
    numbers = pd.to_numeric(values, errors="coerce")
    present = values.notna() & (values.astype(str).str.strip() != "")
    bad = int((present & numbers.isna()).sum())
    if bad and bad * 2 >= int(present.sum()):
        sample = values[present & numbers.isna()].astype(str).head(3).tolist()
        raise _common.ScriptError(
            f"column '{column}' is not numeric ({bad} of {int(present.sum())} values, "
            f"e.g. {sample}); list it in --cat-fields or fix the data"
        )
    return numbers.astype(np.float64)


def encode_label(values: pd.Series, name: str, classes: list[str]) -> pd.Series:
    """Label as numbers: the index in ``classes`` when given, else parsed numbers."""
    if not classes:
        return to_numbers(values, name)
    index = {c: float(i) for i, c in enumerate(classes)}
    text = values.dropna().astype(str)
    unknown = sorted(set(text) - set(index))
    if unknown:
        raise _common.ScriptError(f"label '{name}' has values {unknown[:5]} not in --label-classes")
    return values.map(lambda v: index[str(v)] if pd.notna(v) else np.nan)


def encode_category(
    values: pd.Series, column: str, mapping: dict[str, int] | None
) -> tuple[pd.Series, dict[str, int]]:
    """Category codes and mapping; ``mapping`` given -> unseen values fail, else from the data."""
    text = values.where(values.isna(), values.astype(str))
    present = text.dropna()
    if mapping is None:
        mapping = {value: code for code, value in enumerate(sorted(set(present)))}
    else:
        unseen = sorted(set(present) - set(mapping))
        if unseen:
            raise _common.ScriptError(
                f"column '{column}' has {len(unseen)} categories not in the given mapping, "
                f"e.g. {unseen[:3]}"
            )
    codes = text.map(lambda v: mapping[v] if isinstance(v, str) else MISSING_CODE)
    return codes, mapping


def split_rows(labels: np.ndarray, ratios: tuple[float, float], seed: int) -> list[np.ndarray]:
    """Row indices of train/val/test, stratified by label when it looks like classes."""
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    stratify = len(classes) <= 100 and counts.min() >= 3
    groups = (
        [np.flatnonzero(labels == c) for c in classes] if stratify else [np.arange(labels.size)]
    )
    parts: list[list[np.ndarray]] = [[], [], []]
    for group in groups:
        shuffled = rng.permutation(group)
        n_train = round(len(shuffled) * ratios[0])
        n_val = round(len(shuffled) * ratios[1])
        for k, chunk in enumerate(np.split(shuffled, [n_train, n_train + n_val])):
            parts[k].append(chunk)
    splits = [np.sort(np.concatenate(part)) for part in parts]
    for k, name in enumerate(_common.TRAINING_SPLITS):
        if len(splits[k]) == 0:
            raise _common.ScriptError(f"the {name} split is empty: too few rows ({len(labels)})")
    return splits


def resolve_fields(
    args: argparse.Namespace, columns: list[str], schema: dict[str, Any] | None
) -> tuple[list[str], list[str]]:
    """Numeric and categorical feature columns, from the schema or the arguments."""
    if schema is not None:
        numeric, categorical = schema["numeric_features"], schema["categorical_features"]
    else:
        categorical = list(args.cat_fields)
        excluded = {args.label_name, args.id_name, *categorical}
        numeric = list(args.tab_fields) or [c for c in columns if c not in excluded]
    missing = [c for c in [*numeric, *categorical] if c not in columns]
    if missing:
        raise _common.ScriptError(f"feature columns {missing} not found in the data {columns}")
    overlap = {args.label_name, args.id_name} & {*numeric, *categorical} - {""}
    if overlap:
        raise _common.ScriptError(f"label/id columns {sorted(overlap)} are also listed as features")
    if not numeric and not categorical:
        raise _common.ScriptError("no feature columns left besides the label and id")
    return numeric, categorical


def main(argv: list[str]) -> None:
    """Clean, encode and (for training) split the ``data`` channel."""
    args = parse_args(argv)
    labeled = args.job_type != "inference"
    given = _common.find_schema(args.schema_from) if args.schema_from else None
    if args.schema_from and given is None:
        raise _common.ScriptError(f"--schema-from {args.schema_from}: no schema.json there")
    if given:
        args.label_name = args.label_name or given.get("label") or ""
        args.id_name = args.id_name or given.get("id") or ""
        args.label_classes = args.label_classes or given.get("label_classes") or []
    if labeled and not args.label_name:
        raise _common.ScriptError(f"--label-name is required for {args.job_type} data")

    frame = _common.read_tables(args.input_dir / "data")
    columns = [str(c) for c in frame.columns]
    frame.columns = pd.Index(columns)
    for role, name in (("label", args.label_name if labeled else ""), ("id", args.id_name)):
        if name and name not in columns:
            raise _common.ScriptError(f"{role} column '{name}' not found in the data {columns}")
    numeric, categorical = resolve_fields(args, columns, given)

    table = pd.DataFrame(index=frame.index)
    if labeled:
        table["label"] = encode_label(frame[args.label_name], args.label_name, args.label_classes)
    for column in numeric:
        table[column] = to_numbers(frame[column], column)
    mappings: dict[str, dict[str, int]] = {}
    for column in categorical:
        known = given.get("categorical_mappings", {}).get(column) if given else None
        known = known or args.categories.get(column)
        table[column], mappings[column] = encode_category(frame[column], column, known)
    row_numbers = pd.Series(frame.index.astype(str), index=frame.index)
    ids = frame[args.id_name].astype(str) if args.id_name else row_numbers

    keep = table.notna().all(axis=1).to_numpy()
    dropped = int((~keep).sum())
    table, ids = table[keep], ids[keep]
    if table.empty:
        raise _common.ScriptError(f"no valid rows left after dropping {dropped} bad rows")
    if labeled and (table["label"] % 1 == 0).all():
        table["label"] = table["label"].astype(np.int64)

    if args.job_type == "training":
        ratios = (args.train_ratio, args.val_ratio)
        indices = split_rows(table["label"].to_numpy(), ratios, args.seed)
        splits = {name: indices[k] for k, name in enumerate(_common.TRAINING_SPLITS)}
    else:
        splits = {args.job_type: np.arange(len(table))}

    schema = {
        "job_type": args.job_type,
        "label": args.label_name if labeled else None,
        "id": args.id_name or None,
        "features": [*numeric, *categorical],
        "numeric_features": numeric,
        "categorical_features": categorical,
        "categorical_mappings": mappings,
        "missing_category_code": MISSING_CODE,
        "label_classes": args.label_classes or None,
        "part_file_columns": (["label"] if labeled else []) + [*numeric, *categorical],
        "splits": {name: len(rows) for name, rows in splits.items()},
        "dropped_rows": dropped,
    }
    with _common.staged_outputs(args.output_dir, "processed_data") as out:
        root = out["processed_data"]
        for name, rows in splits.items():
            (root / name).mkdir()
            table.iloc[rows].to_csv(root / name / _common.PART_FILE, header=False, index=False)
            (root / "ids").mkdir(exist_ok=True)
            ids.iloc[rows].to_frame("id").to_csv(root / "ids" / f"{name}.csv", index=False)
        _common.write_json(root / _common.SCHEMA_FILE, schema)
    _common.log(f"tabular_preprocessing[{args.job_type}]: {schema['splits']}, dropped {dropped}")


if __name__ == "__main__":
    _common.run(main)
