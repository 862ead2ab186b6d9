"""Routing benchmark: the department reached for held-out complaints, today's category-table routing against the
matter catalogue, side by side in one run.

    python -m bench.routing [--file tests/data/routing/*.jsonl]

The set (tests/data/routing/, written and annotated by a different hand than the catalogue and its training data)
has one JSON line per message: {"id", "text", "complaint": bool, "out_of_area": bool, "departments": [codes
that are right], "matter": code | null}. Printed: department accuracy and top-3 in-county, out-of-county precision and
recall, non-complaints filed, matter accuracy, the ten most frequent confusions, the latency the dispatch adds, and
the nearest-neighbour vote over a simulated dispatch history.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from bot import dispatch, intake
from bot.jurisdiction import load_jurisdiction
from bot.matters import load_catalogue
from bot.routing import route
from bot.training import matter_examples

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "tests" / "data" / "routing"


def load_rows(paths: list[Path]) -> list[dict]:
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def run(rows: list[dict]) -> dict:
    j, catalogue = load_jurisdiction(), load_catalogue()
    intake.analyse("包工头欠我们三个月工资", None, j)  # load every model outside the timing
    out = {"n": len(rows), "baseline": Counter(), "matter": Counter(), "confusions": Counter(), "added_ms": []}
    for row in rows:
        draft = intake.analyse(row["text"], None, j)
        _, category_probs = intake.category_model().predict_with_probabilities(row["text"])
        # what the catalogue adds to the category model and the facts: matters, gate, alternatives, transfer
        t0 = time.perf_counter()
        _, matter_probs = intake.matter_model().predict_with_probabilities(row["text"])
        dispatch.matter_distribution(category_probs, matter_probs, catalogue)
        intake.gate_model().predict(row["text"])
        alternatives = intake.alternatives_of(draft, j)
        chosen = intake.route_of(draft, j).department_code
        out["added_ms"].append((time.perf_counter() - t0) * 1000)
        baseline = route(draft.category, draft.township, draft.flags, j).department_code
        gold = set(row.get("departments") or [])
        predicted_out = intake.out_of_area_of(draft, j) is not None
        if not row.get("complaint", True):
            out["matter"]["non_complaints"] += 1
            out["matter"]["non_complaints_gated"] += draft.not_complaint
            continue
        out["matter"]["complaints"] += 1
        out["matter"]["complaints_gated"] += draft.not_complaint
        out["matter"]["out_gold"] += bool(row.get("out_of_area"))
        out["matter"]["out_predicted"] += predicted_out
        out["matter"]["out_both"] += bool(row.get("out_of_area")) and predicted_out
        if row.get("out_of_area"):
            continue
        out["matter"]["in_county"] += 1
        out["baseline"]["in_county"] += 1
        out["baseline"]["right"] += baseline in gold
        out["matter"]["right"] += chosen in gold
        out["matter"]["top3"] += bool(gold & {code for code, _ in alternatives})
        if row.get("matter"):
            out["matter"]["with_matter"] += 1
            out["matter"]["matter_right"] += draft.matter == row["matter"]
        if chosen not in gold:
            out["confusions"][(sorted(gold)[0] if gold else "?", chosen)] += 1
    return out


def knn_on_simulated_history(rows: list[dict]) -> dict:
    """History: the matter training examples, each handled by its matter's county department; queries: the in-county
    complaints of the set whose right department is a county one. The vote's top department against the gold."""
    from bot.history import Neighbours

    catalogue = load_catalogue()
    texts, labels = matter_examples(catalogue)
    history = Neighbours(texts, [catalogue.matters[m].county for m in labels])
    asked = right = 0
    for row in rows:
        gold = set(row.get("departments") or [])
        if not row.get("complaint", True) or row.get("out_of_area") or not any(d.startswith("county.") for d in gold):
            continue
        votes = history.vote(row["text"])
        asked += 1
        right += bool(votes) and votes[0][0] in gold
    return {"asked": asked, "right": right}


def report(out: dict, knn: dict) -> str:
    m, b = out["matter"], out["baseline"]

    def ratio(a: int, n: int) -> str:
        return f"{a / n:.3f} ({a}/{n})" if n else "–"

    lines = [
        f"routing set: {out['n']} messages, {m['complaints']} complaints ({m['in_county']} in the county, "
        f"{m['out_gold']} elsewhere), {m['non_complaints']} non-complaints",
        "",
        "| | category table (before) | matter catalogue (now) |",
        "|---|---|---|",
        f"| department accuracy, in-county | {ratio(b['right'], b['in_county'])} | "
        f"{ratio(m['right'], m['in_county'])} |",
        f"| top-3 departments, in-county | – | {ratio(m['top3'], m['in_county'])} |",
        f"| out-of-county precision | – (never) | {ratio(m['out_both'], m['out_predicted'])} |",
        f"| out-of-county recall | 0.000 | {ratio(m['out_both'], m['out_gold'])} |",
        f"| non-complaints filed | {ratio(m['non_complaints'], m['non_complaints'])} | "
        f"{ratio(m['non_complaints'] - m['non_complaints_gated'], m['non_complaints'])} |",
        f"| complaints taken for non-complaints | – | {ratio(m['complaints_gated'], m['complaints'])} |",
        f"| matter accuracy | – | {ratio(m['matter_right'], m['with_matter'])} |",
        f"| added latency p50 / p95 (ms) | – | {statistics.median(out['added_ms']):.2f} / "
        f"{percentile(out['added_ms'], 0.95):.2f} |",
        "",
        f"nearest-neighbour vote over a simulated history (the matter examples as past tickets): top department "
        f"right for {ratio(knn['right'], knn['asked'])} of the county-level complaints",
        "",
        "ten most frequent confusions (right → chosen):",
    ]
    lines += [f"  {n:3d}  {gold} → {chosen}" for (gold, chosen), n in out["confusions"].most_common(10)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.routing", description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", type=Path, nargs="*", default=None, help="JSON-lines files (default: tests/data/routing)")
    args = ap.parse_args(argv)
    paths = args.file or sorted(DEFAULT_DIR.glob("*.jsonl"))
    if not paths:
        print(f"no routing set in {DEFAULT_DIR}", file=sys.stderr)
        return 2
    rows = load_rows(paths)
    if hasattr(os, "sched_setaffinity"):  # one core, as the other benchmarks: steadier latency figures
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})
    print(report(run(rows), knn_on_simulated_history(rows)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
