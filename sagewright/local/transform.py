"""Transform steps: the model's serving container scores each input file in a subprocess."""

from __future__ import annotations

import json
import tarfile
from typing import Any

from sagewright.local.context import StepContext, StepFailed, python


def run_transform(ctx: StepContext) -> None:
    arguments = ctx.arguments
    model_name = str(ctx.value(arguments["ModelName"]))
    model = ctx.resolver.properties.get("_models", {}).get(model_name)
    if model is None or not model.get("ModelDataPath"):
        raise StepFailed(f"{ctx.name}: model {model_name} has no local model data")
    model_dir = ctx.local("/opt/ml/model")
    model_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(model["ModelDataPath"], "r:*") as tar:
        tar.extractall(model_dir, filter="data")
    spec_in: dict[str, Any] = arguments["TransformInput"]
    spec_out: dict[str, Any] = arguments["TransformOutput"]
    processing: dict[str, Any] = arguments.get("DataProcessing", {})
    source_uri = str(ctx.value(spec_in["DataSource"]["S3DataSource"]["S3Uri"]))
    input_dir = ctx.local("/opt/ml/transform/input")
    if ctx.s3.download(source_uri, input_dir) == 0:
        raise StepFailed(f"{ctx.name}: no input objects under {source_uri}")
    output_dir = ctx.local("/opt/ml/transform/output")
    pairs = [
        (str(p), str(output_dir / (p.relative_to(input_dir).as_posix() + ".out")))
        for p in sorted(input_dir.rglob("*"))
        if p.is_file()
    ]
    spec = {
        "model_dir": str(model_dir),
        "environment": {str(k): str(v) for k, v in (model.get("Environment") or {}).items()},
        "image": str(model.get("Image", "")),
        "content_type": spec_in.get("ContentType", "text/csv"),
        "accept": spec_out.get("Accept", "text/csv"),
        "split_type": spec_in.get("SplitType", "None"),
        "assemble_with": spec_out.get("AssembleWith", "None"),
        "batch_strategy": arguments.get("BatchStrategy", "MultiRecord"),
        "max_payload_mb": arguments.get("MaxPayloadInMB", 6),
        "input_filter": processing.get("InputFilter", "$"),
        "output_filter": processing.get("OutputFilter", "$"),
        "join_source": processing.get("JoinSource", "None"),
        "inputs": pairs,
    }
    spec_file = ctx.folder / "transform.json"
    spec_file.write_text(json.dumps(spec, indent=2))
    ctx.run([python(), "-m", "sagewright.local.serving", str(spec_file)])
    uri = str(ctx.value(spec_out["S3OutputPath"]))
    ctx.s3.upload(output_dir, uri)
    ctx.set_properties(**{"TransformOutput.S3OutputPath": uri})
    ctx.outcome.notes.append(f"{len(pairs)} files scored, output {uri}")
