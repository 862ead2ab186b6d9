"""Assemble pairs.jsonl from data_true.py / data_false.py (hand-written texts). Dates are drawn with a fixed seed."""

import json, random, datetime as dt
from data_true import TRUE
from data_false import FALSE

rng = random.Random(20261001)
START, END = dt.date(2026, 9, 1), dt.date(2026, 11, 30)
span = (END - START).days

rows = [(r, True) for r in TRUE] + [(r, False) for r in FALSE]
rng.shuffle(rows)
out = []
for i, ((kind, ta, wa, tb, wb, why), label) in enumerate(rows, 1):
    gap = rng.randint(60, 90) if kind == "outside_window" else rng.randint(0, 29)
    da = START + dt.timedelta(days=rng.randint(0, span - gap))
    db = da + dt.timedelta(days=gap)
    out.append(
        {
            "id": f"p{i:03d}",
            "a": {"text": ta, "received": da.isoformat(), "township": wa},
            "b": {"text": tb, "received": db.isoformat(), "township": wb},
            "same_event": label,
            "why": why,
            "kind": kind,
        }
    )
with open("pairs.jsonl", "w", encoding="utf-8") as f:
    for o in out:
        f.write(json.dumps(o, ensure_ascii=False) + "\n")
print(len(out), "pairs written")
