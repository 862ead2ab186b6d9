"""Real dispatch outcomes: the body that handled each message, read from the official replies of another city's message
board (`fj4_messages_replies.csv`, 2,416 messages), and how our routing agrees with them.

    python -m bench.replies

Printed, side by side in one run:
- how many replies name a body we can map onto one of our departments (bot.replies.handling_body);
- the extraction's precision on the sample a different hand reviewed (tests/data/replies_review.jsonl: was the body
  really the handling one, is our department the same kind of body); a reviewed reply whose extraction has changed
  since is counted as unreviewed, not as right;
- agreement of the body with our routing on the same messages: the category table (before) and the matter
  catalogue (now), and the nearest-neighbour vote over the real outcomes themselves (5-fold: each fifth voted on by
  the other four). Another city divides work differently (a 城管局 there may do what our 住建局 does), so agreement
  is a floor of routing quality, not a score to reach 1.0. A matter agrees when the body is its county department
  or, for matters a township handles, a township office of that kind;
- the matter model retrained with the outcomes as examples (each message under the likeliest matter its body
  handles, as `petition retrain` does with re-routes) against today's, on the held-out routing set: the product
  switches only if the department accuracy there does not fall.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from bot import intake, training
from bot.history import Neighbours, department_accuracy
from bot.jurisdiction import load_jurisdiction
from bot.matters import Matter, load_catalogue
from bot.replies import handling_body
from bot.settings import load_settings
from classifier.model import CategoryModel

ROOT = Path(__file__).resolve().parent.parent
REVIEW = ROOT / "tests" / "data" / "replies_review.jsonl"
HELDOUT = ROOT / "tests" / "data" / "routing"


def matter_labels(m: Matter) -> set[str]:
    return {m.county} | ({f"township.{m.township}"} if m.township else set())


def table_label(category: str) -> set[str]:
    rule = load_jurisdiction().routing[category]
    return {rule.county} | ({f"township.{rule.township_kind}"} if rule.township_kind else set())


def outcomes(path: Path) -> list[tuple[dict, str, str]]:
    """(row, body, label) of each message whose reply names a body we can map."""
    j = load_jurisdiction()
    out = []
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            found = handling_body(row["reply"], j)
            if found:
                out.append((row, found.body, found.label))
    return out


def review(found: dict[str, str]) -> dict[str, int]:
    counts = Counter()
    if not REVIEW.exists():
        return counts
    for line in REVIEW.read_text(encoding="utf-8").splitlines():
        v = json.loads(line)
        if found.get(v["id"]) != v["extracted_body"]:
            counts["changed"] += 1
            continue
        counts["reviewed"] += 1
        counts["body"] += bool(v["body_correct"])
        counts["mapping"] += bool(v["mapping_correct"])
        counts["both"] += bool(v["body_correct"] and v["mapping_correct"])
    return counts


def retrained_with(rows: list[tuple[dict, str, str]]) -> tuple[int, int, int]:
    """(right before, right after, asked): in-county department accuracy on the held-out routing set of today's
    matter model and of one trained with the real outcomes added."""
    catalogue, current = load_catalogue(), intake.matter_model()
    learned_texts, learned_matters = [], []
    for row, _, label in rows:
        candidates = [code for code, m in catalogue.matters.items() if label in matter_labels(m)]
        if candidates:
            scores = dict(zip(current.classes_, current.scores(row["text"]), strict=True))
            learned_texts.append(row["text"])
            learned_matters.append(max(candidates, key=lambda code: scores.get(code, 0.0)))
    texts, labels = training.matter_examples(catalogue)
    candidate = CategoryModel(C=current.C, cv=0).fit(texts + learned_texts, labels + learned_matters)
    heldout = [json.loads(line) for p in sorted(HELDOUT.glob("*.jsonl"))
               for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]  # fmt: skip
    before, asked = department_accuracy(heldout, current)
    after, _ = department_accuracy(heldout, candidate)
    return before, after, asked


def main() -> None:
    path = load_settings().real_data_dir / "fj4_messages_replies.csv"
    if not path.exists():
        print(f"no real replies at {path}: skipped")
        return
    total = sum(1 for _ in csv.DictReader(path.open(encoding="utf-8")))
    rows = outcomes(path)
    catalogue = load_catalogue()
    r = review({row["id"]: body for row, body, _ in rows})
    table = matter = top3 = 0
    for row, _, label in rows:
        draft = intake.analyse(row["text"])
        table += label in table_label(draft.category)
        ranked = [catalogue.matters[c] for c, _ in draft.matter_top if c in catalogue.matters]
        matter += bool(ranked) and label in matter_labels(ranked[0])
        top3 += any(label in matter_labels(m) for m in ranked[:3])
    texts, labels = [row["text"] for row, _, _ in rows], [label for _, _, label in rows]
    knn = 0
    for fold in range(5):
        train = [i for i in range(len(rows)) if i % 5 != fold]
        vote = Neighbours([texts[i] for i in train], [labels[i] for i in train])
        for i in range(fold, len(rows), 5):
            ranked_votes = vote.vote(texts[i])
            knn += bool(ranked_votes) and ranked_votes[0][0] == labels[i]
    n = len(rows)

    def rate(k: int, m: int) -> str:
        return f"{k / m:.3f} ({k}/{m})" if m else "–"

    print(f"real replies: {total}; a handling body read and mapped onto our departments: {rate(n, total)}")
    print(
        f"hand review of the extraction ({REVIEW.name}, another hand): body right {rate(r['body'], r['reviewed'])}, "
        f"department kind right {rate(r['mapping'], r['reviewed'])}, both {rate(r['both'], r['reviewed'])}; "
        f"{r['changed']} reviewed replies read differently since (not counted)"
    )
    print()
    print("| agreement with the body that handled it | |")
    print("|---|---|")
    print(f"| category table (before) | {rate(table, n)} |")
    print(f"| matter catalogue, first matter (now) | {rate(matter, n)} |")
    print(f"| matter catalogue, any of the top 3 matters | {rate(top3, n)} |")
    print(f"| nearest-neighbour vote over the real outcomes (5-fold) | {rate(knn, n)} |")
    before, after, asked = retrained_with(rows)
    print(
        f"\nmatter model with the real outcomes as examples, held-out in-county department accuracy: "
        f"today {rate(before, asked)}, retrained {rate(after, asked)} -> "
        f"{'switch' if after >= before else 'keep today’s'}"
    )
    print("bodies read:", ", ".join(f"{label} {k}" for label, k in Counter(labels).most_common(12)))


if __name__ == "__main__":
    main()
