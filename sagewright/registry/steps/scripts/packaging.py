"""Packaging container script: bundle model files, serving code and calibration for hosting.

Bundle: this file, ``_common.py``, ``inference.py`` (shipped as ``code/inference.py``).

Input channels:
  ``model_artifacts`` (required): ``model.tar.gz`` or unpacked model files.
  ``calibration`` (optional; may be absent or empty): a ``calibration.json`` anywhere inside.
  ``schema`` (optional): a folder with the training preprocessing's ``schema.json``, so the
  endpoint can encode raw categorical values; XGBoost artifacts carry no schema themselves.
Output channel ``packaged_model``: ``model.tar.gz``, deterministic (sorted entries, mtime 0,
root owner), holding the model files (``xgboost-model``, or ``model.pth`` +
``model_config.json``), ``code/inference.py``, and when given ``calibration/calibration.json``
and ``schema.json``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # checked as package modules; in the container they sit next to this file
    from sagewright.registry.steps.scripts import _common, inference
else:
    import _common
    import inference


def find_calibration(channel: Path) -> Path | None:
    """The ``calibration.json`` of the optional calibration channel, validated."""
    found = sorted(channel.rglob("calibration.json")) if channel.is_dir() else []
    if not found:
        return None
    mapping = _common.read_json(found[0])
    if not isinstance(mapping, dict) or not {"method", "x", "y"} <= set(mapping):
        raise _common.ScriptError(f"{found[0].name} lacks method / x / y")
    return found[0]


def main(argv: list[str]) -> None:
    """Assemble the package folder and tar it."""
    parser = _common.processing_parser(__doc__.splitlines()[0])
    parser.add_argument("--framework", choices=("auto", "xgboost", "pytorch"), default="auto")
    args = parser.parse_args(argv)

    calibration = find_calibration(args.input_dir / "calibration")
    schema = _common.find_schema(args.input_dir / "schema")
    with tempfile.TemporaryDirectory() as tmp:
        package = _common.unpack_model(args.input_dir / "model_artifacts", Path(tmp) / "model")
        framework = _common.detect_framework(package, args.framework)
        shutil.rmtree(package / "code", ignore_errors=True)
        (package / "code").mkdir()
        shutil.copy2(_common.scripts_dir() / "inference.py", package / "code" / "inference.py")
        if calibration is not None:
            (package / "calibration").mkdir(exist_ok=True)
            shutil.copy2(calibration, package / inference.CALIBRATION_FILE)
        if schema is not None:
            _common.write_json(package / _common.SCHEMA_FILE, schema)
        contents = sorted(p.relative_to(package).as_posix() for p in package.rglob("*"))
        with _common.staged_outputs(args.output_dir, "packaged_model") as out:
            _common.write_tar(package, out["packaged_model"] / "model.tar.gz")
    _common.log(f"packaging[{framework}]: model.tar.gz with {contents}")


if __name__ == "__main__":
    _common.run(main)
