"""Fact-extraction benchmark: precision / recall / F1 per fact key and flag, and extraction latency.

    python -m bench.facts [FILE.jsonl] [--errors] [--all-cores]

FILE defaults to tests/data/facts_eval.jsonl (format: docs/FACTS_SPEC.md). Values are compared normalised:
places as (township, village) pairs, times as (start, end) or days, money / land / people as numbers, demand
correct when the character-level F1 with the expected clause is at least 0.6. Latency is per message
(extract_facts + derive_flags) on one core, after one warm-up call; p50 and p95 over every line of FILE, as wall
time and as the thread's CPU time (which other processes on a shared machine do not inflate).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

from classifier.facts import FACT_KEYS, FLAGS

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "tests" / "data" / "facts_eval.jsonl"
DEMAND_MIN_F1 = 0.6
KEYS = FACT_KEYS


def _one_core(all_cores: bool) -> None:
    """Single-threaded numerics, and pinned to one CPU, as on a busy 2-core server."""
    for var in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "ORT_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
    ):
        os.environ[var] = "1"
    if not all_cores and hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpus[-1]})


def _num(x) -> float | None:
    return None if x is None else round(float(x), 2)


def values(key: str, facts: dict) -> Counter:
    """The comparable values of one fact key, as a multiset."""
    v = facts.get(key)
    if key == "places":
        return Counter({(p.get("township"), p.get("village")) for p in v or []})
    if key == "times":
        out = set()
        for t in v or []:
            out.add(("days", _num(t["days"])) if "days" in t else (t.get("start"), t.get("end")))
        return Counter(out)
    if key == "money":
        return Counter({_num(m["yuan"]) for m in v or []})
    if key in ("people_count", "land_mu"):
        return Counter() if v is None else Counter({_num(v): 1})
    if key == "demand":
        return Counter() if not v else Counter({v: 1})
    return Counter(set(v or []))


def char_f1(a: str, b: str) -> float:
    common = sum((Counter(a) & Counter(b)).values())
    if not common:
        return 0.0
    p, r = common / len(a), common / len(b)
    return 2 * p * r / (p + r)


def score_line(key: str, predicted: dict, expected: dict) -> tuple[int, int, int]:
    """(true positives, predicted count, expected count) for one line and key."""
    if key == "demand":
        p, g = predicted.get("demand"), expected.get("demand")
        tp = int(bool(p and g and char_f1(p, g) >= DEMAND_MIN_F1))
        return tp, int(bool(p)), int(bool(g))
    pv, gv = values(key, predicted), values(key, expected)
    return sum((pv & gv).values()), sum(pv.values()), sum(gv.values())


def prf(tp: int, npred: int, ngold: int) -> tuple[float, float, float]:
    p = tp / npred if npred else (1.0 if not ngold else 0.0)
    r = tp / ngold if ngold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    if not xs:
        return 0.0
    k = (len(xs) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
    ap.add_argument("--errors", action="store_true", help="print every line where a key is wrong")
    ap.add_argument("--all-cores", action="store_true", help="do not pin the process to one CPU")
    args = ap.parse_args(argv)
    _one_core(args.all_cores)

    import json
    import time
    from datetime import date

    from bot.jurisdiction import load_jurisdiction
    from classifier.facts import derive_flags, extract_facts

    path = Path(args.file)
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    gazetteer = load_jurisdiction().gazetteer()
    extract_facts("戛洒镇南恩村去年十月", date(2026, 1, 1), gazetteer)  # build the pipeline outside the timing

    totals = {k: [0, 0, 0] for k in (*KEYS, "flags", *(f"flag:{f}" for f in FLAGS))}
    latencies, cpu = [], []
    for row in rows:
        today = date.fromisoformat(row["today"]) if row.get("today") else None
        t0, c0 = time.perf_counter(), time.thread_time()
        got = extract_facts(row["text"], today, gazetteer)
        flags = derive_flags(row["text"], got)
        latencies.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        expected = row["expected"]
        for key in KEYS:
            tp, npred, ngold = score_line(key, got, expected)
            for i, n in enumerate((tp, npred, ngold)):
                totals[key][i] += n
            if args.errors and tp != npred or args.errors and tp != ngold:
                print(
                    f"{row['id']} {key}: got {json.dumps(got[key], ensure_ascii=False)} "
                    f"want {json.dumps(expected.get(key), ensure_ascii=False)}  | {row['text'][:60]}"
                )
        want_flags = set(row.get("flags") or [])
        got_flags = set(flags)
        totals["flags"][0] += len(want_flags & got_flags)
        totals["flags"][1] += len(got_flags)
        totals["flags"][2] += len(want_flags)
        for f in FLAGS:
            c = totals[f"flag:{f}"]
            c[0] += int(f in want_flags and f in got_flags)
            c[1] += int(f in got_flags)
            c[2] += int(f in want_flags)
        if args.errors and want_flags != got_flags:
            print(f"{row['id']} flags: got {sorted(got_flags)} want {sorted(want_flags)}  | {row['text'][:60]}")

    print(f"{path.name}: {len(rows)} messages")
    print(f"{'key':<30}{'P':>7}{'R':>7}{'F1':>7}{'pred':>7}{'gold':>7}")
    for key, (tp, npred, ngold) in totals.items():
        p, r, f = prf(tp, npred, ngold)
        print(f"{key:<30}{p:>7.3f}{r:>7.3f}{f:>7.3f}{npred:>7}{ngold:>7}")
    print(
        f"latency per message (ms, one core): p50 {percentile(latencies, 0.5):.2f}  "
        f"p95 {percentile(latencies, 0.95):.2f}  max {max(latencies, default=0):.2f}"
    )
    # CPU time of the extracting thread: the same work without the waits a busy shared machine adds
    print(
        f"cpu time per message (ms):          p50 {percentile(cpu, 0.5):.2f}  "
        f"p95 {percentile(cpu, 0.95):.2f}  max {max(cpu, default=0):.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
