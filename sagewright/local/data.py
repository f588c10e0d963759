"""Input tables: the user's ``--data`` files, or a synthetic table with a learnable signal.

The table's columns come from the definition itself (label, id, numeric and categorical
fields, label classes, declared categories), read generically from every step's container
arguments (``--name value`` flags or one JSON object) and hyperparameters.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sagewright.local.folder import LocalRunError

DEFAULT_ROWS = 2000
NUMERIC_DEFAULT = ("x1", "x2", "x3", "x4", "x5")
CATEGORY_DEFAULT = ("alpha", "beta", "gamma", "delta")
_ALIASES = {
    "cat_field_list": "cat_fields",
    "tab_field_list": "tab_fields",
    "multiclass_categories": "label_classes",
}
_KEYS = {"label_name", "id_name", "cat_fields", "tab_fields", "label_classes", "categories"}


@dataclass
class TableSpec:
    """What the synthetic table looks like."""

    label: str = "label"
    id: str = ""
    numeric: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    categories: dict[str, list[str]] = field(default_factory=dict)


def _decode(value: Any) -> Any:
    """Hyperparameters arrive JSON-encoded (sometimes twice); flags as plain text."""
    for _ in range(2):
        if not isinstance(value, str):
            break
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            break
    return value


def _as_list(value: Any) -> list[str]:
    value = _decode(value)
    if isinstance(value, list):
        return [str(v) for v in value]
    return [p.strip() for p in str(value).split(",") if p.strip()]


def argument_pairs(arguments: list[Any]) -> dict[str, Any]:
    """``--a-b=x`` / ``--a-b x`` flags and JSON-object arguments as one ``{a_b: x}`` mapping."""
    found: dict[str, Any] = {}
    for index, item in enumerate(arguments):
        text = str(item)
        if text.startswith("--") and "=" in text:
            name, _, value = text[2:].partition("=")
            found[name.replace("-", "_")] = value
        elif text.startswith("--") and index + 1 < len(arguments):
            found[text[2:].replace("-", "_")] = arguments[index + 1]
        elif text.lstrip().startswith("{"):
            try:
                data = json.loads(text)
            except json.JSONDecodeError:
                continue
            if isinstance(data, dict):
                found.update({str(k).replace("-", "_"): v for k, v in data.items()})
    return found


def table_spec(steps: dict[str, dict[str, Any]]) -> TableSpec:
    """Fields the pipeline's steps were configured with (first mention wins)."""
    seen: dict[str, Any] = {}
    for step in steps.values():
        arguments = step.get("Arguments", {})
        sources = [
            argument_pairs(arguments.get("AppSpecification", {}).get("ContainerArguments", []))
        ]
        for key in ("HyperParameters",):
            sources.append(dict(arguments.get(key) or {}))
        definition = arguments.get("TrainingJobDefinition", {})
        sources.append(dict(definition.get("StaticHyperParameters") or {}))
        for source in sources:
            for raw_key, value in source.items():
                key = _ALIASES.get(raw_key, raw_key)
                if key in _KEYS and key not in seen and _decode(value) not in ("", [], None):
                    seen[key] = value
    spec = TableSpec(
        label=str(_decode(seen.get("label_name", "label"))),
        id=str(_decode(seen.get("id_name", ""))),
        numeric=_as_list(seen.get("tab_fields", "")),
        categorical=_as_list(seen.get("cat_fields", "")),
        classes=_as_list(seen.get("label_classes", "")),
    )
    declared = _decode(seen.get("categories", {}))
    if isinstance(declared, dict):
        spec.categories = {str(k): [str(v) for v in vs] for k, vs in declared.items()}
    if not spec.numeric and not spec.categorical:
        spec.numeric = list(NUMERIC_DEFAULT)
    return spec


def synthetic_table(spec: TableSpec, rows: int, seed: int, labeled: bool = True) -> Any:
    """A deterministic DataFrame whose label depends on the features (AUC well above 0.5)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    columns: dict[str, Any] = {}
    if spec.id:
        columns[spec.id] = [f"id-{seed}-{i:06d}" for i in range(rows)]
    weights = np.array([1.6, -1.2, 0.9, 0.5, -0.4, 0.3])
    score = np.zeros(rows)
    for k, name in enumerate(spec.numeric):
        values = rng.normal(size=rows)
        score += weights[k % len(weights)] * values / (1 + k // len(weights))
        columns[name] = np.round(values, 5)
    for k, name in enumerate(spec.categorical):
        levels = spec.categories.get(name) or [f"{v}{k}" for v in CATEGORY_DEFAULT]
        codes = rng.integers(0, len(levels), size=rows)
        effects = np.linspace(-1.0, 1.0, len(levels)) * (1.0 if k % 2 == 0 else -0.8)
        score += effects[codes]
        columns[name] = [levels[c] for c in codes]
    if labeled:
        classes = spec.classes or ["0", "1"]
        if len(classes) == 2:
            prob = 1.0 / (1.0 + np.exp(-2.0 * score))
            index = (rng.random(rows) < prob).astype(int)
        else:
            centers = np.linspace(score.min(), score.max(), len(classes))
            noisy = score + rng.normal(scale=0.3, size=rows)
            index = np.abs(noisy[:, None] - centers[None, :]).argmin(axis=1)
        columns[spec.label] = [_plain(classes[i]) for i in index]
    return pd.DataFrame(columns)


def _plain(value: str) -> Any:
    try:
        return int(value)
    except ValueError:
        return value


def write_table(frame: Any, folder: Path, parquet: bool = False) -> Path:
    """Write one shard into ``folder`` (CSV with header, or Parquet)."""
    folder.mkdir(parents=True, exist_ok=True)
    if parquet:
        target = folder / "part-00000.parquet"
        frame.to_parquet(target, index=False)
    else:
        target = folder / "part-00000.csv"
        frame.to_csv(target, index=False)
    return target


def user_files(source: Path, node: str) -> list[Path]:
    """The files of a ``--data`` path, each checked to read as CSV or Parquet."""
    import pandas as pd

    files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
    if not source.exists() or not files:
        raise LocalRunError(f"--data {node}={source}: no such file or folder, or it is empty")
    for path in files:
        try:
            with path.open("rb") as handle:
                parquet = handle.read(4) == b"PAR1"
            if parquet:
                pd.read_parquet(path).head(1)
            else:
                pd.read_csv(path, nrows=5, encoding="utf-8")
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise LocalRunError(
                f"--data {node}={path}: not a readable CSV or Parquet file: {reason}"
            ) from None
    return files


def copy_user_data(source: Path, folder: Path, node: str) -> None:
    """Copy a ``--data`` CSV / Parquet file or folder into an input channel."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in user_files(source, node):
        target = folder / (path.relative_to(source) if source.is_dir() else path.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
