"""PyTorchTraining container script: train a tabular MLP on TabularPreprocessing splits.

SageMaker training-container conventions (bundle: this file, ``_common.py``, ``inference.py``):

* channels (folders with headerless, label-first ``part-*.csv``, as TabularPreprocessing
  writes): ``train`` (required), ``val`` (optional: early stopping), ``schema`` (optional:
  a folder holding the training preprocessing's ``schema.json``, gives field names and
  categorical mappings to serving). Each is ``SM_CHANNEL_<NAME>``, else
  ``/opt/ml/input/data/<name>``; ``--input-dir DIR`` reads ``DIR/<name>`` instead.
* hyperparameters: ``/opt/ml/input/config/hyperparameters.json`` (string values, lists
  JSON-encoded), then command-line ``--name value`` (``-`` or ``_`` spelling; wins).
* model dir ``--output-dir``, else ``SM_MODEL_DIR``, else ``/opt/ml/model``; receives
  ``model.pth`` (state dict), ``model_config.json``, ``code/inference.py`` and
  ``schema.json`` (when the schema channel is given).

Labels must be the values of ``--multiclass-categories`` or their indices 0..k-1.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # checked as package modules; in the container they sit next to this file
    from sagewright.registry.steps.scripts import _common, inference
else:
    import _common
    import inference

HYPERPARAMETERS_FILE = _common.container_path("/opt/ml/input/config/hyperparameters.json")
CHANNELS = ("train", "val", "schema")
# name -> (kind, default); kinds: int, float, str, list
HYPERPARAMETERS: dict[str, tuple[str, Any]] = {
    "epochs": ("int", 10),
    "lr": ("float", 1e-3),
    "batch_size": ("int", 32),
    "hidden_dims": ("list", [128, 64]),
    "dropout": ("float", 0.1),
    "optimizer": ("str", "adam"),
    "weight_decay": ("float", 0.0),
    "early_stopping_patience": ("int", 3),
    "seed": ("int", 42),
    "multiclass_categories": ("list", [0, 1]),
    "label_name": ("str", ""),
    "id_name": ("str", ""),
    "cat_field_list": ("list", []),
    "tab_field_list": ("list", []),
    "full_field_list": ("list", []),
}
OPTIMIZERS = ("adam", "adamw", "sgd")


def convert(name: str, raw: Any) -> Any:
    """Turn a SageMaker string hyperparameter into its Python value."""
    kind = HYPERPARAMETERS[name][0]
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
    try:
        if kind == "int":
            return int(float(value))
        if kind == "float":
            return float(value)
        if kind == "list":
            if isinstance(value, str) and value.strip().startswith("["):
                value = json.loads(value)  # JSON-encoded twice by the SageMaker SDK
            return value if isinstance(value, list) else _common.comma_list(str(value))
        return str(value)
    except (TypeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise _common.ScriptError(f"hyperparameter {name}={raw!r} is not a valid {kind}") from exc


def load_hyperparameters(argv: list[str]) -> tuple[dict[str, Any], argparse.Namespace]:
    """Defaults, then hyperparameters.json, then command-line values."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input-dir", type=Path, default=None)
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=_common.env_path("SM_MODEL_DIR", _common.container_path("/opt/ml/model")),
    )
    parser.add_argument("--hyperparameters-file", type=Path, default=Path(HYPERPARAMETERS_FILE))
    for name in HYPERPARAMETERS:
        flags = {f"--{name}", f"--{name.replace('_', '-')}"}
        parser.add_argument(*sorted(flags), dest=name, default=None)
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        print(f"WARNING: ignoring unknown arguments {unknown}", file=sys.stderr)

    values = {name: default for name, (_, default) in HYPERPARAMETERS.items()}
    if args.hyperparameters_file.is_file():
        for key, raw in _common.read_json(args.hyperparameters_file).items():
            name = key.replace("-", "_")
            if name in HYPERPARAMETERS:
                values[name] = convert(name, raw)
            elif not name.startswith("sagemaker_"):
                print(f"WARNING: ignoring unknown hyperparameter {key}", file=sys.stderr)
    for name in HYPERPARAMETERS:
        if getattr(args, name) is not None:
            values[name] = convert(name, getattr(args, name))
    check_hyperparameters(values)
    return values, args


def check_hyperparameters(hp: dict[str, Any]) -> None:
    """Range checks with clear messages."""
    if hp["epochs"] < 1 or hp["batch_size"] < 1 or hp["early_stopping_patience"] < 1:
        raise _common.ScriptError("epochs, batch_size and early_stopping_patience must be >= 1")
    if not 0 <= hp["dropout"] < 1 or hp["lr"] <= 0:
        raise _common.ScriptError("need 0 <= dropout < 1 and lr > 0")
    if hp["optimizer"] not in OPTIMIZERS:
        raise _common.ScriptError(f"optimizer {hp['optimizer']!r} is not one of {OPTIMIZERS}")
    try:
        hp["hidden_dims"] = [int(d) for d in hp["hidden_dims"]]
    except (TypeError, ValueError) as exc:
        raise _common.ScriptError(f"hidden_dims {hp['hidden_dims']} must be integers") from exc
    if not hp["hidden_dims"] or min(hp["hidden_dims"]) < 1:
        raise _common.ScriptError("hidden_dims needs one or more positive layer widths")
    if len(hp["multiclass_categories"]) < 2:
        raise _common.ScriptError("multiclass_categories needs at least two classes")


def channel(args: argparse.Namespace, name: str) -> Path:
    """Folder of a training channel."""
    if args.input_dir is not None:
        return Path(args.input_dir) / name
    return _common.env_path(
        f"SM_CHANNEL_{name.upper()}", _common.container_path(f"/opt/ml/input/data/{name}")
    )


def input_schema(hp: dict[str, Any], schema: dict[str, Any] | None, width: int) -> dict[str, Any]:
    """Field names for serving: the preprocessing schema, else the hyperparameter lists."""
    if schema is not None:
        if len(schema.get("features", [])) != width:
            raise _common.ScriptError(
                f"schema.json lists {len(schema.get('features', []))} features, data has {width}"
            )
        return schema
    numeric, categorical = list(hp["tab_field_list"]), list(hp["cat_field_list"])
    if len(numeric) + len(categorical) != width:
        print("WARNING: field lists do not match the data; naming features f0..", file=sys.stderr)
        numeric, categorical = [f"f{i}" for i in range(width)], []
    return {
        "label": hp["label_name"] or None,
        "id": hp["id_name"] or None,
        "features": [*numeric, *categorical],
        "numeric_features": numeric,
        "categorical_features": categorical,
        "categorical_mappings": {},
    }


def train(
    hp: dict[str, Any], train_xy: np.ndarray, val_xy: np.ndarray | None
) -> tuple[Any, dict[str, Any]]:
    """Fit the MLP; returns the best state dict and the model config."""
    import torch

    torch.manual_seed(hp["seed"])
    classes = list(hp["multiclass_categories"])
    x_train, y_train = train_xy[:, 1:], _common.class_indices(train_xy[:, 0], classes)
    std = x_train.std(axis=0)
    config: dict[str, Any] = {
        "framework": "pytorch",
        "input_dim": int(x_train.shape[1]),
        "hidden_dims": hp["hidden_dims"],
        "dropout": hp["dropout"],
        "num_classes": len(classes),
        "classes": classes,
        "feature_mean": x_train.mean(axis=0).tolist(),
        "feature_std": np.where(std > 0, std, 1.0).tolist(),
    }
    network = inference.build_network(config)
    optimizers = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}
    options = {"momentum": 0.9} if hp["optimizer"] == "sgd" else {}
    optimizer = optimizers[hp["optimizer"]](
        network.parameters(), lr=hp["lr"], weight_decay=hp["weight_decay"], **options
    )
    loss_fn = torch.nn.CrossEntropyLoss()

    def tensors(x: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
        return torch.as_tensor(inference.standardize(x, config)).float(), torch.as_tensor(y)

    features, targets = tensors(x_train, y_train)
    val = None
    if val_xy is not None:
        val = tensors(val_xy[:, 1:], _common.class_indices(val_xy[:, 0], classes))
    best: tuple[float, int, Any] = (float("inf"), 0, None)
    history = []
    for epoch in range(1, hp["epochs"] + 1):
        network.train()
        total = 0.0
        order = torch.randperm(len(targets))
        for start in range(0, len(targets), hp["batch_size"]):
            batch = order[start : start + hp["batch_size"]]
            optimizer.zero_grad()
            loss = loss_fn(network(features[batch]), targets[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        record = {"epoch": epoch, "train_loss": total / len(targets)}
        network.eval()
        if val is not None:
            with torch.no_grad():
                logits = network(val[0])
                record["val_loss"] = float(loss_fn(logits, val[1]))
                record["val_accuracy"] = float((logits.argmax(dim=1) == val[1]).float().mean())
        history.append(record)
        _common.log(" ".join(f"{k}={v:.6g}" for k, v in record.items()))
        score = record.get("val_loss", record["train_loss"])
        if score < best[0]:
            best = (score, epoch, copy.deepcopy(network.state_dict()))
        elif val is not None and epoch - best[1] >= hp["early_stopping_patience"]:
            _common.log(f"early stopping at epoch {epoch}; best epoch {best[1]}")
            break
    if best[2] is None:
        raise _common.ScriptError("training loss is not finite; lower lr or check the data")
    config.update(best_epoch=best[1], history=history)
    return best[2], config


def main(argv: list[str]) -> None:
    """Read channels and hyperparameters, train, write the model folder."""
    hp, args = load_hyperparameters(argv)
    import torch

    train_xy = _common.read_matrix(channel(args, "train"))
    if train_xy.shape[1] < 2:
        raise _common.ScriptError("training data needs a label column and at least one feature")
    val_dir = channel(args, "val")
    val_xy = _common.read_matrix(val_dir) if _common.data_files(val_dir) else None
    if val_xy is not None and val_xy.shape[1] != train_xy.shape[1]:
        raise _common.ScriptError(f"val has {val_xy.shape[1]} columns, train {train_xy.shape[1]}")
    schema = _common.find_schema(channel(args, "schema"))

    state, config = train(hp, train_xy, val_xy)
    config["schema"] = input_schema(hp, schema, train_xy.shape[1] - 1)
    config["hyperparameters"] = hp
    model_dir: Path = args.output_dir
    with _common.staged_outputs(model_dir.parent, model_dir.name) as out:
        target = out[model_dir.name]
        torch.save(state, target / inference.TORCH_FILE)
        _common.write_json(target / inference.MODEL_CONFIG_FILE, config)
        (target / "code").mkdir()
        shutil.copy2(_common.scripts_dir() / "inference.py", target / "code" / "inference.py")
        if schema is not None:
            _common.write_json(target / _common.SCHEMA_FILE, schema)
    _common.log(f"pytorch_training: saved model to {model_dir} (best epoch {config['best_epoch']})")


if __name__ == "__main__":
    _common.run(main, job_kind="training")
