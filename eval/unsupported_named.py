"""Share of golden ``unsupported`` asks that a prediction names in its notes.

Usage: ``python eval/unsupported_named.py --golden G.jsonl [--predictions P.jsonl] [--json]``.

An ask counts as named when its lower-case word (e.g. ``lightgbm``, ``a/b test``) occurs in
the prediction's notes, lower-cased. Notes come from the predictions file when its lines carry
a ``notes`` list; otherwise the offline planner and extractor are run on the requirement and
their notes are used (the harness's predictions had no ``notes`` before issue 11).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _offline_notes(requirement: str) -> list[str]:
    import sagewright as sw

    planned = sw.plan(requirement)
    notes = [str(n) for n in getattr(planned, "notes", []) or []]
    try:
        extraction = sw.extract(requirement, sw.Topology.parse(planned.topology))
    except sw.SagewrightError:
        return notes
    return notes + [str(n) for n in getattr(extraction, "notes", []) or []]


def score(golden: list[dict[str, Any]], predictions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    asked = named = 0
    misses: list[dict[str, Any]] = []
    for case in golden:
        words = [str(w).lower() for w in case.get("unsupported") or []]
        if not words:
            continue
        pred = predictions.get(case["id"], {})
        notes = pred.get("notes")
        if notes is None:
            notes = _offline_notes(case["requirement"])
        text = " ".join(map(str, notes)).lower()
        found = [w for w in words if w in text]
        asked += len(words)
        named += len(found)
        if len(found) < len(words):
            missing = [w for w in words if w not in found]
            misses.append({"id": case["id"], "missing": missing, "notes": notes})
    share = round(named / asked, 4) if asked else None
    return {"asks": asked, "named": named, "share": share, "misses": misses}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--golden", type=Path, required=True)
    parser.add_argument("--predictions", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    golden = _read_jsonl(args.golden)
    preds = {p["id"]: p for p in _read_jsonl(args.predictions)} if args.predictions else {}
    result = score(golden, preds)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"unsupported asks named: {result['named']}/{result['asks']} = {result['share']}")
        for miss in result["misses"]:
            print(f"  {miss['id']}: not named {', '.join(miss['missing'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
