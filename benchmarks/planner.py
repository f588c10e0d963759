"""Planner prompt size (tokens) for the registered catalogue, and offline plan latency.

Tokens: counted with tiktoken (``o200k_base``, GPT-4o / 4.1 family) when its encoding file is
already cached locally (``TIKTOKEN_CACHE_DIR`` or tiktoken's temp cache); otherwise the
documented estimate ``ceil(characters / 4)`` is printed and labelled as such, because fetching
the encoding needs the internet. ``--download`` lets tiktoken fetch it. The reply schema is
counted too: with structured output it is sent along with the prompt.

Latency: the offline planner over every golden requirement, best of N rounds, per plan.

Run: ``.venv/bin/python benchmarks/planner.py [--download] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sagewright.agents.llm_planner import PROMPT_VERSION, plan_schema, render_prompt
from sagewright.agents.offline_planner import plan_offline
from sagewright.registry import default_registry

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "eval" / "golden" / "topologies.jsonl"
ENCODING = "o200k_base"
ENCODING_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"


def _cached() -> bool:
    cache = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    cache = cache or os.path.join(tempfile.gettempdir(), "data-gym-cache")
    return os.path.exists(os.path.join(cache, hashlib.sha1(ENCODING_URL.encode()).hexdigest()))


def token_counter(download: bool) -> tuple[Callable[[str], int], str]:
    try:
        import tiktoken
    except ImportError:
        tiktoken = None  # type: ignore[assignment]
    if tiktoken is not None and (download or _cached()):
        encoding = tiktoken.get_encoding(ENCODING)
        return (lambda text: len(encoding.encode(text))), f"tiktoken {ENCODING}"
    return (lambda text: math.ceil(len(text) / 4)), "estimate: ceil(chars / 4), tiktoken not used"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--download", action="store_true", help="let tiktoken fetch its encoding")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    registry = default_registry()
    prompt = render_prompt(registry)
    schema = json.dumps(plan_schema(registry))
    count, method = token_counter(args.download)
    print(f"prompt {PROMPT_VERSION} for {len(registry)} step types ({method}):")
    print(f"  system prompt  {len(prompt):6d} chars  {count(prompt):6d} tokens")
    print(f"  reply schema   {len(schema):6d} chars  {count(schema):6d} tokens")
    print(f"  total                       {count(prompt) + count(schema):6d} tokens")

    requirements = [json.loads(line)["requirement"] for line in GOLDEN.read_text().splitlines()]
    plan_offline(requirements[0])  # warm up imports and the registry
    per_round = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        for text in requirements:
            plan_offline(text, registry=registry)
        per_round.append((time.perf_counter() - start) / len(requirements))
    print(f"offline plan latency over {len(requirements)} golden requirements:")
    print(
        f"  best {min(per_round) * 1e3:.2f} ms, median {statistics.median(per_round) * 1e3:.2f} ms"
    )


if __name__ == "__main__":
    main()
