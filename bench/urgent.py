"""Urgent-message benchmark: the `urgent` flag as intake sets it (the urgency model, bot/training.py) and, beside
it, the fact extractor's term list (classifier/data/terms/flag_urgent.txt), on a labelled set written by another
hand (tests/data/urgent_eval.jsonl: about half danger to life in many wordings, half hard negatives such as
摔了好几次, 气死我了, a landslide of last year).

    python -m bench.urgent [--file tests/data/urgent_eval.jsonl]

Printed: precision and recall of each, and the model's recall by kind of danger (the set is held out: its
messages are not read to tune anything).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import date
from pathlib import Path

from bot import intake
from bot.jurisdiction import load_jurisdiction
from classifier.facts import derive_flags, extract_facts

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "tests" / "data" / "urgent_eval.jsonl"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.urgent", description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", type=Path, default=DEFAULT_FILE)
    args = ap.parse_args(argv)
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    gazetteer = load_jurisdiction().gazetteer()
    counts = {name: Counter() for name in ("urgency model (used)", "term list")}
    by_kind: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    for row in rows:
        facts = extract_facts(row["text"], date(2026, 11, 30), gazetteer)
        gold = bool(row["urgent"])
        for name, got in (
            ("urgency model (used)", intake.is_urgent(row["text"])),
            ("term list", "urgent" in derive_flags(row["text"], facts)),
        ):
            counts[name]["tp"] += got and gold
            counts[name]["fp"] += got and not gold
            counts[name]["fn"] += gold and not got
            if name.endswith("(used)") and gold:
                by_kind[row.get("kind", "?")] += 1
                caught[row.get("kind", "?")] += got
    urgent = sum(by_kind.values())
    print(f"urgent set: {len(rows)} messages, {urgent} urgent, {len(rows) - urgent} not")
    for name, c in counts.items():
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        print(f"{name:22s} precision {tp / max(tp + fp, 1):.3f} ({tp}/{tp + fp})   recall {tp / max(tp + fn, 1):.3f}")
    print("recall by kind: " + ", ".join(f"{k} {caught[k]}/{n}" for k, n in by_kind.most_common()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
