"""A third-party step package, as a plugin would ship one (entry point: ``data_profiling``)."""

from typing import Any


def plugin_registry(monkeypatch: Any) -> Any:
    """The built-in steps plus ``data_profiling``, loaded through the entry-point machinery."""
    from types import SimpleNamespace

    from sagewright.registry import catalogue
    from tests.plugin_steps import data_profiling

    entry = SimpleNamespace(name="data_profiling", value="x", load=lambda: data_profiling)
    monkeypatch.setattr(
        catalogue.importlib.metadata,
        "entry_points",
        lambda group: [entry] if group == catalogue.ENTRY_POINT_GROUP else [],
    )
    return catalogue.Registry([*catalogue.builtin_specs(), *catalogue.entry_point_specs()])
