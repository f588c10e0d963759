"""The serving container of a batch transform, run as ``python -m sagewright.local.serving SPEC``.

A model with ``SAGEMAKER_PROGRAM`` is served through the ``sagemaker-inference`` toolkit's
``Transformer`` (``model_fn`` / ``input_fn`` / ``predict_fn`` / ``output_fn`` of the user
module found in ``SAGEMAKER_SUBMIT_DIRECTORY``), as the framework containers do. A built-in
XGBoost model without one is served as the container's algorithm mode serves it: the
booster loaded as ``serve_utils.get_loaded_booster`` loads it (pickle, else
``Booster.load_model``) and batch responses written ``"\\n".join(map(str, preds)) + "\\n"``
(aws/sagemaker-xgboost-container, same code from 1.7-1 to the 3.2.0 branch,
``algorithm_mode/serve.py``, ``invocations``).

SPEC is JSON: model_dir, environment, image, content_type, accept, split_type,
batch_strategy, max_payload_mb, input_filter, output_filter, join_source, inputs
(file pairs ``[input, output]``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


class ServingError(Exception):
    pass


# ------------------------------------------------------------------ JSONPath filters


def select(record: Any, path: str) -> Any:
    """The subset of JSONPath SageMaker's filters use: ``$``, ``$[i,j]``, ``$[a:b]``, ``$.k``."""
    path = (path or "$").strip()
    if path == "$":
        return record
    if path.startswith("$.") and isinstance(record, dict):
        return record.get(path[2:])
    if path.startswith("$[") and path.endswith("]") and isinstance(record, list):
        inner = path[2:-1]
        if ":" in inner:
            start, _, stop = inner.partition(":")
            return record[int(start) if start else None : int(stop) if stop else None]
        return [record[int(i)] for i in inner.split(",")]
    raise ServingError(f"filter {path!r} does not apply to record {str(record)[:80]}")


def parse_record(text: str, content_type: str) -> Any:
    if content_type.startswith("application/json"):
        return json.loads(text)
    return next(csv.reader([text]), [])


def render_record(record: Any, content_type: str) -> str:
    if content_type.startswith("application/json") or isinstance(record, dict):
        return json.dumps(record)
    if not isinstance(record, list):
        record = [record]
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(record)
    return out.getvalue()


# ------------------------------------------------------------------ handlers


class _Request:
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers

    def get_request_properties(self) -> dict[str, str]:
        return self.headers


class _Context:
    """The model server's context object, as far as ``Transformer.transform`` uses it."""

    def __init__(self, model_dir: str, headers: dict[str, str]) -> None:
        self.system_properties = {"model_dir": model_dir}
        self.request_processor = [_Request(headers)]
        self.status: tuple[int, str] | None = None

    def set_response_content_type(self, index: int, content_type: str) -> None:
        pass

    def set_response_status(self, code: int = 200, phrase: str = "") -> None:
        self.status = (code, phrase)


def script_handler(spec: dict[str, Any]) -> Callable[[str], str]:
    from sagemaker_inference.transformer import Transformer

    environment = spec["environment"]
    os.environ.update(environment)
    submit = environment.get("SAGEMAKER_SUBMIT_DIRECTORY", "/opt/ml/model/code")
    code_dir = Path(spec["model_dir"]) / Path(submit).relative_to("/opt/ml/model")
    sys.path.insert(0, str(code_dir))
    transformer = Transformer()
    headers = {"Content-Type": spec["content_type"], "Accept": spec["accept"]}

    def handle(body: str) -> str:
        context = _Context(spec["model_dir"], headers)
        response = transformer.transform([{"body": body.encode("utf-8")}], context)
        if context.status is not None and context.status[0] >= 400:
            raise ServingError(f"{context.status[0]} {context.status[1]}: {response[0]}")
        result = response[0]
        return result.decode("utf-8") if isinstance(result, bytes) else str(result)

    return handle


def xgboost_algorithm_handler(spec: dict[str, Any]) -> Callable[[str], str]:
    import pickle

    import numpy as np
    import xgboost as xgb

    # get_loaded_booster loads the first os.listdir entry of model_dir that is not a dotfile:
    # with more files than the model that may be another one, so say so.
    model_dir = Path(spec["model_dir"])
    files = sorted(p.name for p in model_dir.iterdir() if p.is_file() and p.name[0] != ".")
    if not files:
        raise ServingError(f"no model file in {model_dir}")
    path = model_dir / ("xgboost-model" if "xgboost-model" in files else files[0])
    if len(files) > 1:
        print(
            f"WARNING: the model archive holds {', '.join(files)}; the XGBoost container "
            f"loads the first file os.listdir returns, not necessarily {path.name}",
            file=sys.stderr,
        )
    try:
        with path.open("rb") as stream:
            booster = pickle.load(stream)
    except Exception:  # the container falls back exactly so
        booster = xgb.Booster()
        booster.load_model(str(path))
    if not spec["content_type"].startswith("text/csv"):
        raise ServingError(f"content type {spec['content_type']} is not served here (text/csv)")

    def handle(body: str) -> str:
        rows = np.loadtxt(io.StringIO(body), delimiter=",", ndmin=2)
        preds = booster.predict(xgb.DMatrix(rows, missing=np.nan)).tolist()
        return "\n".join(map(str, preds)) + "\n"

    return handle


# ------------------------------------------------------------------ the transform loop


def batches(records: list[str], spec: dict[str, Any]) -> list[list[str]]:
    if spec.get("batch_strategy") != "MultiRecord":
        return [[r] for r in records]
    limit = float(spec.get("max_payload_mb") or 6) * 1024 * 1024
    out: list[list[str]] = []
    size = 0.0
    for record in records:
        if not out or size + len(record) + 1 > limit:
            out.append([])
            size = 0
        out[-1].append(record)
        size += len(record) + 1
    return out


def transform_file(source: Path, target: Path, handle: Callable[[str], str], spec: Any) -> int:
    text = source.read_text(encoding="utf-8")
    split = spec.get("split_type") or "None"
    records = [line for line in text.splitlines() if line.strip()] if split == "Line" else [text]
    content_type, accept = spec["content_type"], spec["accept"]
    lines: list[str] = []
    for batch in batches(records, spec):
        filtered = [
            render_record(
                select(parse_record(r, content_type), spec.get("input_filter")), content_type
            )
            for r in batch
        ]
        response = handle("\n".join(filtered) + ("\n" if split == "Line" else ""))
        outputs = [line for line in response.splitlines() if line.strip()]
        if spec.get("join_source") == "Input" or spec.get("output_filter") not in (None, "", "$"):
            if len(outputs) != len(batch):
                raise ServingError(
                    f"{source.name}: {len(outputs)} output records for {len(batch)} input "
                    f"records; cannot join or filter (Accept {accept})"
                )
            for record, output in zip(batch, outputs, strict=True):
                row = parse_record(output, accept)
                if spec.get("join_source") == "Input":
                    base = parse_record(record, content_type)
                    if isinstance(base, dict):
                        row = {**base, "SageMakerOutput": row}
                    else:
                        row = base + (row if isinstance(row, list) else [row])
                lines.append(render_record(select(row, spec.get("output_filter")), accept))
        else:
            lines.extend(outputs)
    joiner = "\n" if spec.get("assemble_with") == "Line" else ""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(joiner.join(lines) + ("\n" if joiner else ""), encoding="utf-8")
    return len(records)


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    if not spec["environment"].get("SAGEMAKER_PROGRAM") and "xgboost" not in spec["image"]:
        print(f"ERROR: image {spec['image']} needs SAGEMAKER_PROGRAM to serve", file=sys.stderr)
        return 1
    try:
        if spec["environment"].get("SAGEMAKER_PROGRAM"):
            handle = script_handler(spec)
        else:
            handle = xgboost_algorithm_handler(spec)
        total = sum(transform_file(Path(a), Path(b), handle, spec) for a, b in spec["inputs"])
    except (ServingError, ValueError) as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1
    print(f"transformed {total} records in {len(spec['inputs'])} files", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
