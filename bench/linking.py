"""Linking benchmark: does bot.linking.same_event call two complaints one event as a person would? On labelled pairs
written by another hand (tests/data/linking/pairs.jsonl: same matter at the same place or organisation within 30
days from different citizens, and hard negatives such as near-identical wording about another bar, the same
employer with another matter, the same problem 40 days later).

Each text goes through the real intake analysis (category, matter, township, village, organisations), as a filed
ticket would, then the pair is judged.

    python -m bench.linking [--file tests/data/linking/pairs.jsonl] [--errors]

Printed: precision, recall and F1 of `same event`, recall by kind of true pair and false alarms by kind of false
pair, and the time per pair. `--errors` lists the wrong pairs (for a tuning set only: the held-out set is not read
to tune anything).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from datetime import date
from pathlib import Path

from bot import intake
from bot.jurisdiction import load_jurisdiction
from bot.linking import Report, report_of, same_event

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "tests" / "data" / "linking" / "pairs.jsonl"


def _report(side: dict, citizen: str, cache: dict) -> Report:
    text = side["text"]
    if text not in cache:
        cache[text] = intake.analyse(text, date.fromisoformat(side["received"]))
    return report_of(cache[text], date.fromisoformat(side["received"]), citizen)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.linking", description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", type=Path, default=DEFAULT_FILE)
    ap.add_argument("--errors", action="store_true", help="list the pairs judged wrong")
    args = ap.parse_args(argv)
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    j = load_jurisdiction()
    cache: dict = {}
    start = time.perf_counter()
    reports = [(_report(r["a"], "citizen-a", cache), _report(r["b"], "citizen-b", cache)) for r in rows]
    analysed = time.perf_counter()
    tp = fp = fn = 0
    kinds_true: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    kinds_false: Counter[str] = Counter()
    alarms: Counter[str] = Counter()
    wrong = []
    for row, (a, b) in zip(rows, reports, strict=True):
        d = same_event(a, b, j)
        gold = bool(row["same_event"])
        kind = row.get("kind", "?")
        tp += d.same and gold
        fp += d.same and not gold
        fn += gold and not d.same
        if gold:
            kinds_true[kind] += 1
            caught[kind] += d.same
        else:
            kinds_false[kind] += 1
            alarms[kind] += d.same
        if d.same != gold:
            wrong.append((row["id"], gold, d, row["a"]["text"], row["b"]["text"]))
    judged = time.perf_counter()
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    print(f"linking set {args.file.relative_to(ROOT) if args.file.is_relative_to(ROOT) else args.file}: "
          f"{len(rows)} pairs, {sum(kinds_true.values())} same event")  # fmt: skip
    print(
        f"same event: precision {precision:.3f} ({tp}/{tp + fp})   recall {recall:.3f} ({tp}/{tp + fn})   F1 {f1:.3f}"
    )
    print("recall by kind: " + ", ".join(f"{k} {caught[k]}/{n}" for k, n in kinds_true.most_common()))
    print("false links by kind: " + ", ".join(f"{k} {alarms[k]}/{n}" for k, n in kinds_false.most_common()))
    per_pair = (judged - analysed) / max(len(rows), 1) * 1000
    print(f"time: analysis {analysed - start:.1f} s for {len(cache)} texts; judging {per_pair:.2f} ms a pair")
    if args.errors:
        for pid, gold, d, a, b in wrong:
            print(
                f"  {pid} gold={'same' if gold else 'different'} got {d.same} {'/'.join(d.reasons)}\n    {a}\n    {b}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
