"""PayloadGeneration container script: sample request payloads for the model's input fields.

Input channel ``model_artifacts`` (only read when no field list is given): ``model.tar.gz``
or files; its ``schema.json`` (or ``model_config.json["schema"]``) gives the fields. Built-in
XGBoost artifacts (``xgboost-model`` alone) name no fields: the payload then has the
booster's number of numeric fields, named ``f0, f1, ...`` (a valid ``text/csv`` request).
Output channel ``payload``:
  ``payload.csv``: ``--num-samples`` lines, no header, feature values in input order
  (``--tab-fields`` then ``--cat-fields``, or the schema's ``features``) = a ``text/csv`` body;
  ``payload.json``: the same rows as a list of ``{field: value}`` records
  (``application/json`` body);
  ``payload.tar.gz``: both files, for the model package's ``SamplePayloadUrl``.
Numeric fields get ``--default-numeric``; categorical fields cycle through the schema's known
categories, else ``--default-text``. Label and id are never part of a request.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # checked as package modules; in the container they sit next to this file
    from sagewright.registry.steps.scripts import _common
else:
    import _common


def schema_from_artifacts(channel: Path) -> dict[str, Any] | None:
    """Input schema stored with the model artifacts, if any."""
    if not _common.data_files(channel) and not any(channel.glob("*.tar.gz")):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = _common.unpack_model(channel, Path(tmp))
        schema = _common.find_schema(model_dir)
        config_file = model_dir / "model_config.json"
        if schema is None and config_file.is_file():
            schema = _common.read_json(config_file).get("schema")
        if schema is None and (model_dir / "xgboost-model").is_file():
            schema = xgboost_schema(model_dir / "xgboost-model")
    return schema


def xgboost_schema(path: Path) -> dict[str, Any]:
    """Positional numeric fields ``f0..`` for a booster that carries no feature names."""
    import xgboost as xgb

    booster = xgb.Booster()
    booster.load_model(bytearray(path.read_bytes()))
    names = booster.feature_names or [f"f{i}" for i in range(booster.num_features())]
    return {"features": list(names), "categorical_features": [], "categorical_mappings": {}}


def sample_rows(
    features: list[str], mappings: dict[str, dict[str, int]], categorical: set[str], args: Any
) -> list[dict[str, Any]]:
    """``num_samples`` records with default values."""
    rows = []
    for i in range(args.num_samples):
        row: dict[str, Any] = {}
        for name in features:
            if name in categorical:
                known = sorted(mappings.get(name, {}), key=lambda v: mappings[name][v])
                row[name] = known[i % len(known)] if known else args.default_text
            else:
                row[name] = args.default_numeric
        rows.append(row)
    return rows


def main(argv: list[str]) -> None:
    """Resolve the input fields and write the payload files."""
    parser = _common.processing_parser(__doc__.splitlines()[0])
    parser.add_argument("--tab-fields", type=_common.comma_list, default=[])
    parser.add_argument("--cat-fields", type=_common.comma_list, default=[])
    parser.add_argument("--label-name", default="")
    parser.add_argument("--id-name", default="")
    parser.add_argument("--num-samples", type=int, default=5)
    parser.add_argument("--default-numeric", type=float, default=0.0)
    parser.add_argument("--default-text", default="TEXT")
    args = parser.parse_args(argv)
    if args.num_samples < 1:
        parser.error("--num-samples must be >= 1")

    mappings: dict[str, dict[str, int]] = {}
    if args.tab_fields or args.cat_fields:
        features = [*args.tab_fields, *args.cat_fields]
        categorical = set(args.cat_fields)
    else:
        schema = schema_from_artifacts(args.input_dir / "model_artifacts")
        if not schema or not schema.get("features"):
            raise _common.ScriptError(
                "no input fields: pass --tab-fields / --cat-fields, or provide model artifacts "
                "with schema.json or model_config.json"
            )
        features = list(schema["features"])
        categorical = set(schema.get("categorical_features", []))
        mappings = schema.get("categorical_mappings") or {}
    clash = {args.label_name, args.id_name} & set(features) - {""}
    if clash:
        raise _common.ScriptError(f"label/id fields {sorted(clash)} must not be input fields")

    rows = sample_rows(features, mappings, categorical, args)
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([row[f] for f in features] for row in rows)
    with _common.staged_outputs(args.output_dir, "payload") as out:
        folder = out["payload"]
        (folder / "payload.csv").write_text(text.getvalue(), encoding="utf-8")
        (folder / "payload.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
        with tempfile.TemporaryDirectory() as tmp:
            for name in ("payload.csv", "payload.json"):
                shutil.copy2(folder / name, Path(tmp) / name)
            _common.write_tar(Path(tmp), folder / "payload.tar.gz")
    _common.log(f"payload_generation: {args.num_samples} samples of {len(features)} fields")


if __name__ == "__main__":
    _common.run(main)
