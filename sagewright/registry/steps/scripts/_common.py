"""Helpers shared by the container scripts (shipped next to each script as ``_common.py``).

Only the standard library is imported at module level; pandas / numpy are imported inside the
functions that need them, so the PyTorch training container needs nothing beyond numpy.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
import tarfile
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

# The one seam for running outside a container (``sagewright run-local``): every container
# path is resolved under $SAGEWRIGHT_CONTAINER_ROOT, which is unset (``/``) on SageMaker.
CONTAINER_ROOT_ENV = "SAGEWRIGHT_CONTAINER_ROOT"


def container_path(path: str) -> str:
    """``/opt/ml/...`` under the container root (the path itself on SageMaker)."""
    root = os.environ.get(CONTAINER_ROOT_ENV) or "/"
    return os.path.join(root, path.lstrip("/")) if root != "/" else path


PROCESSING_INPUT = container_path("/opt/ml/processing/input")
PROCESSING_OUTPUT = container_path("/opt/ml/processing/output")
SCHEMA_FILE = "schema.json"
JOB_TYPES = ("training", "calibration", "validation", "testing", "inference")
TRAINING_SPLITS = ("train", "val", "test")
PART_FILE = "part-00000.csv"
# File SageMaker reads the failure reason from: Processing -> ExitMessage, Training -> failure.
FAILURE_FILES = {
    "processing": container_path("/opt/ml/output/message"),
    "training": container_path("/opt/ml/output/failure"),
}
_IGNORED_SUFFIXES = (".json", ".metadata", ".manifest", ".crc")
_IGNORED_NAMES = {"_SUCCESS", "_committed", "_started"}

_job_kind = "processing"


class ScriptError(Exception):
    """Bad input or configuration: reported as one ``ERROR:`` line, exit code 1."""


def fail(message: str) -> NoReturn:
    """Print ``ERROR: message`` on stderr, write SageMaker's failure file if present, exit 1."""
    line = " ".join(str(message).split())
    print(f"ERROR: {line}", file=sys.stderr, flush=True)
    failure_file = Path(FAILURE_FILES[_job_kind])
    if failure_file.parent.is_dir():
        with suppress(OSError):
            failure_file.write_text(line[:1000] + "\n", encoding="utf-8")
    raise SystemExit(1)


def run(main: Callable[[list[str]], None], job_kind: str = "processing") -> None:
    """Run ``main(sys.argv[1:])``; turn ``ScriptError`` and crashes into :func:`fail`."""
    global _job_kind
    _job_kind = job_kind
    try:
        main(sys.argv[1:])
    except ScriptError as exc:
        fail(str(exc))
    except Exception as exc:  # last resort: keep the traceback, then one clear line
        traceback.print_exc()
        fail(f"unexpected {type(exc).__name__}: {exc}")


def log(message: str) -> None:
    """Progress line on stdout (CloudWatch)."""
    print(message, flush=True)


# ---------------------------------------------------------------- arguments


def comma_list(value: str | None) -> list[str]:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``; also accepts a JSON list (SageMaker style)."""
    if value is None:
        return []
    text = value.strip()
    if text.startswith("["):
        try:
            return [str(v) for v in json.loads(text)]
        except json.JSONDecodeError as exc:
            raise ScriptError(f"cannot parse list {value!r}: {exc}") from exc
    return [part.strip() for part in text.split(",") if part.strip()]


def processing_parser(description: str) -> argparse.ArgumentParser:
    """Argument parser with the ``--input-dir`` / ``--output-dir`` overrides every script has."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--input-dir", type=Path, default=Path(PROCESSING_INPUT))
    parser.add_argument("--output-dir", type=Path, default=Path(PROCESSING_OUTPUT))
    return parser


def add_job_type(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    """Add ``--job-type`` restricted to the catalogue's job types."""
    parser.add_argument("--job-type", choices=JOB_TYPES, default=default, required=not default)


# ---------------------------------------------------------------- files and tables


def data_files(folder: Path) -> list[Path]:
    """Data shards under ``folder`` (recursive, sorted); skips hidden, marker and metadata files."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or any(p.startswith((".", "_")) for p in rel.parts):
            continue
        if path.name in _IGNORED_NAMES or path.name.endswith(_IGNORED_SUFFIXES):
            continue
        if path.stat().st_size == 0:
            continue
        found.append(path)
    return found


def detect_format(path: Path) -> str:
    """``parquet`` or ``csv`` from the magic bytes (Athena / Redshift results have no suffix)."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head == b"PAR1":
        return "parquet"
    if head[:2] == b"\x1f\x8b":
        with gzip.open(path, "rb") as handle:
            if handle.read(4) == b"PAR1":
                raise ScriptError(f"{path.name}: gzip-compressed Parquet is not supported")
    return "csv"


def read_table(path: Path, source_format: str = "auto") -> pd.DataFrame:
    """One shard as a DataFrame; CSV (optionally gzip) is read with a header, all as text."""
    import pandas as pd

    fmt = detect_format(path) if source_format == "auto" else source_format
    try:
        if fmt == "parquet":
            return pd.read_parquet(path)
        with path.open("rb") as handle:
            compression = "gzip" if handle.read(2) == b"\x1f\x8b" else None
        return pd.read_csv(path, dtype=str, compression=compression, keep_default_na=True)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise ScriptError(f"cannot read {path.name} as {fmt}: {exc}") from exc


def read_tables(folder: Path, source_format: str = "auto") -> pd.DataFrame:
    """All shards of a channel combined; columns must agree across shards."""
    import pandas as pd

    frames = list(iter_tables(folder, source_format))
    if not frames:
        raise ScriptError(f"no data rows found under {folder}")
    return pd.concat(frames, ignore_index=True)


def iter_tables(folder: Path, source_format: str = "auto") -> Iterator[pd.DataFrame]:
    """Yield non-empty shards of a channel one by one, checking they share their columns."""
    files = data_files(folder)
    if not files:
        raise ScriptError(f"no data files found under {folder}")
    columns: list[str] | None = None
    for path in files:
        frame = read_table(path, source_format)
        if columns is None:
            columns = [str(c) for c in frame.columns]
        elif sorted(map(str, frame.columns)) != sorted(columns):
            raise ScriptError(
                f"{path.relative_to(folder)} has columns {list(frame.columns)}, expected {columns} "
                "(all shards must share one header)"
            )
        if len(frame):
            yield frame[columns]


def read_matrix_file(path: Path) -> np.ndarray:
    """One headerless, all-numeric CSV file as a 2-D float array."""
    import numpy as np

    try:
        return np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2)
    except ValueError as exc:
        raise ScriptError(f"{path.name} is not an all-numeric CSV: {exc}") from exc


def read_matrix(split_dir: Path) -> np.ndarray:
    """The numeric rows of a processed split folder (headerless ``part-*.csv``) as floats."""
    import numpy as np

    files = sorted(split_dir.glob("part-*.csv"))
    if not files:
        raise ScriptError(f"no part-*.csv files in {split_dir}")
    blocks = [block for path in files if (block := read_matrix_file(path)).size]
    if not blocks:
        raise ScriptError(f"{split_dir} holds no rows")
    return np.vstack(blocks)


def class_indices(labels: np.ndarray, classes: list[Any]) -> np.ndarray:
    """Label values -> class indices: the values of ``classes``, or already indices 0..k-1."""
    import numpy as np

    values: dict[float, int] = {}
    for index, value in enumerate(classes):
        try:
            values[float(value)] = index
        except (TypeError, ValueError):
            continue
    if len(values) == len(classes) and set(np.unique(labels)) <= set(values):
        return np.array([values[float(v)] for v in labels], dtype=np.int64)
    if np.all(labels == np.round(labels)) and labels.min() >= 0 and labels.max() < len(classes):
        return labels.astype(np.int64)
    raise ScriptError(
        f"label values {sorted(set(np.unique(labels).tolist()))[:10]} do not match "
        f"the classes {classes}"
    )


def read_json(path: Path) -> Any:
    """Parse a JSON file, failing clearly."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ScriptError(f"cannot read JSON {path}: {exc}") from exc


def write_json(path: Path, data: Any) -> None:
    """Write stable, human-readable JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def find_schema(*folders: Path) -> dict[str, Any] | None:
    """The first ``schema.json`` found directly in one of ``folders``."""
    for folder in folders:
        candidate = folder if folder.is_file() else folder / SCHEMA_FILE
        if candidate.is_file():
            schema = read_json(candidate)
            if isinstance(schema, dict):
                return schema
    return None


# ---------------------------------------------------------------- outputs


@contextmanager
def staged_outputs(output_dir: Path, *channels: str) -> Iterator[dict[str, Path]]:
    """Yield empty staging folders per channel; publish them only if the block succeeds.

    Staging lives next to the channels (same volume), so a failed job leaves every output
    channel untouched.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=output_dir))
    try:
        paths = {name: staging / name for name in channels}
        for path in paths.values():
            path.mkdir()
        yield paths
        for name, path in paths.items():
            target = output_dir / name
            target.mkdir(parents=True, exist_ok=True)
            for entry in sorted(path.iterdir()):
                destination = target / entry.name
                if destination.is_dir():
                    shutil.rmtree(destination)
                elif destination.exists():
                    destination.unlink()
                shutil.move(str(entry), str(destination))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_tar(source_dir: Path, tar_path: Path) -> None:
    """Deterministic ``.tar.gz`` of ``source_dir``: sorted entries, mtime 0, root owner."""
    tar_path.parent.mkdir(parents=True, exist_ok=True)
    with tar_path.open("wb") as raw:
        gz = gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0)
        with gz, tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
            _add_sorted(tar, source_dir)


def _add_sorted(tar: tarfile.TarFile, source_dir: Path) -> None:
    """Add the tree under ``source_dir`` in sorted order with normalised metadata."""
    for path in sorted(source_dir.rglob("*")):
        info = tar.gettarinfo(str(path), arcname=path.relative_to(source_dir).as_posix())
        info.mtime = 0
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mode = 0o755 if path.is_dir() else 0o644
        if path.is_file():
            with path.open("rb") as handle:
                tar.addfile(info, handle)
        else:
            tar.addfile(info)


def unpack_model(channel: Path, destination: Path) -> Path:
    """Extract the ``*.tar.gz`` archives of a model channel (or copy its loose files)."""
    files = [p for p in sorted(channel.rglob("*")) if p.is_file()] if channel.is_dir() else []
    if not files:
        raise ScriptError(f"no model artifacts found under {channel}")
    destination.mkdir(parents=True, exist_ok=True)
    archives = [p for p in files if p.name.endswith((".tar.gz", ".tgz"))]
    for archive in archives:
        try:
            with tarfile.open(archive, "r:*") as tar:
                _safe_extract(tar, destination)
        except (tarfile.TarError, OSError) as exc:
            raise ScriptError(f"cannot extract {archive.name}: {exc}") from exc
    if not archives:
        for path in files:
            target = destination / path.relative_to(channel)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return destination


def _safe_extract(tar: tarfile.TarFile, destination: Path) -> None:
    """Extract regular files and folders only, refusing paths that leave ``destination``."""
    root = destination.resolve()
    for member in tar.getmembers():
        target = (root / member.name).resolve()
        if root != target and root not in target.parents:
            raise ScriptError(f"archive member {member.name!r} points outside the model folder")
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
        elif member.isfile():
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            if source is not None:
                with source, target.open("wb") as handle:
                    shutil.copyfileobj(source, handle)


def detect_framework(model_dir: Path, requested: str = "auto") -> str:
    """``xgboost`` or ``pytorch`` from the artifact files, checked against ``requested``."""
    found = [
        name
        for name, marker in (("xgboost", "xgboost-model"), ("pytorch", "model.pth"))
        if (model_dir / marker).is_file()
    ]
    if requested != "auto":
        if requested not in found:
            expected = "xgboost-model" if requested == "xgboost" else "model.pth"
            raise ScriptError(f"framework {requested}: model artifacts lack {expected}")
        return requested
    if len(found) != 1:
        raise ScriptError("cannot tell the model framework: need xgboost-model or model.pth")
    return found[0]


def env_path(name: str, default: str) -> Path:
    """A path from an environment variable with a default."""
    return Path(os.environ.get(name) or default)


def scripts_dir() -> Path:
    """Folder holding these scripts (the code bundle in the container)."""
    return Path(__file__).resolve().parent
