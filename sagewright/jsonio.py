"""JSON reading that cannot crash on hostile nesting.

``json.loads`` raises ``RecursionError`` on a few thousand nested brackets, and code walking a
very deep value recursively can do the same later. :func:`loads` turns both into the
``json.JSONDecodeError`` every reader already reports as malformed JSON.
"""

from __future__ import annotations

import json
from typing import Any

#: Deepest nesting accepted; real topologies, configs and defaults stay below 10 levels.
MAX_DEPTH = 64


def loads(text: str | bytes, **kwargs: Any) -> Any:
    """``json.loads(text)``, refusing values nested more than :data:`MAX_DEPTH` levels."""
    document = text if isinstance(text, str) else text.decode("utf-8", "replace")
    try:
        data = json.loads(text, **kwargs)
    except RecursionError:
        data = None
    else:
        if _depth_within(data, MAX_DEPTH):
            return data
    raise json.JSONDecodeError(f"nested more than {MAX_DEPTH} levels deep", document, 0)


def _depth_within(data: Any, limit: int) -> bool:
    """True when ``data`` nests at most ``limit`` containers deep (iterative, no recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list | tuple):
            children = value
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True
