"""Validate pairs.jsonl: parses, ids unique, texts distinct, lengths, dates, townships; print counts."""

import re, json, collections, datetime as dt, yaml, sys

TRUE_KINDS = {
    "same_site_diff_words",
    "same_org_diff_people",
    "same_village_infrastructure",
    "same_pollution_source",
    "collective_wages",
    "same_demolition_project",
}
FALSE_KINDS = {
    "same_topic_diff_place",
    "same_place_diff_topic",
    "same_org_diff_matter",
    "outside_window",
    "generic_similar",
    "near_duplicate_wording_diff_site",
}
jur = yaml.safe_load(open("/work/main/bot/jurisdiction.yml", encoding="utf-8"))
names = {}  # surface string -> township name
for t in jur["townships"]:
    vs = list(t["villages"].values())
    stems = [re.sub("(村|社区)$", "", v) for v in vs]  # 清水河村 -> 清水河 (citizens drop the suffix)
    for s in [t["name"]] + t.get("aliases", []) + vs + [x for x in stems if len(x) >= 2]:
        names.setdefault(s, set()).add(t["name"])
names.setdefault("老廠", set()).add("老厂乡")  # traditional-character spelling used in one text
TOWNS = {t["name"] for t in jur["townships"]}


def implied(text):
    found = set()
    for s, ts in names.items():
        if s in text:
            found |= ts
    return found


errs, warns = [], []
rows = [json.loads(l) for l in open("pairs.jsonl", encoding="utf-8")]
ids = [r["id"] for r in rows]
if len(set(ids)) != len(ids):
    errs.append("duplicate ids")
texts = [r[s]["text"] for r in rows for s in "ab"]
dups = [t for t, c in collections.Counter(texts).items() if c > 1]
if dups:
    errs.append(f"duplicate texts: {dups}")
lo, hi = dt.date(2026, 9, 1), dt.date(2026, 11, 30)
for r in rows:
    k = r["kind"]
    if k not in TRUE_KINDS | FALSE_KINDS:
        errs.append(f"{r['id']} bad kind {k}")
    if r["same_event"] != (k in TRUE_KINDS):
        errs.append(f"{r['id']} label/kind mismatch")
    ds = []
    for s in "ab":
        x = r[s]
        n = len(x["text"])
        if not 15 <= n <= 200:
            errs.append(f"{r['id']}{s} length {n}")
        d = dt.date.fromisoformat(x["received"])
        ds.append(d)
        if not lo <= d <= hi:
            errs.append(f"{r['id']}{s} date out of range")
        tw = x["township"]
        if tw is not None and tw not in TOWNS:
            errs.append(f"{r['id']}{s} unknown township {tw}")
        imp = implied(x["text"])
        if tw is None and imp:
            warns.append(f"{r['id']}{s} null but text suggests {imp}: {x['text']}")
        if tw is not None and tw not in imp:
            warns.append(f"{r['id']}{s} {tw} not evident in: {x['text']}")
    gap = abs((ds[1] - ds[0]).days)
    if k == "outside_window" and not 60 <= gap <= 90:
        errs.append(f"{r['id']} gap {gap}")
    if k != "outside_window" and not 0 <= gap <= 29:
        errs.append(f"{r['id']} gap {gap}")
    if (
        r["same_event"]
        and None not in (r["a"]["township"], r["b"]["township"])
        and r["a"]["township"] != r["b"]["township"]
    ):
        errs.append(f"{r['id']} true pair with different townships")
for w in warns:
    print("WARN", w)
for e in errs:
    print("ERROR", e)
kinds = collections.Counter((r["same_event"], r["kind"]) for r in rows)
print(f"pairs={len(rows)} texts={len(texts)} distinct_texts={len(set(texts))} ids_unique={len(set(ids)) == len(ids)}")
for (lab, k), c in sorted(kinds.items(), key=lambda x: (not x[0][0], x[0][1])):
    print(f"  {str(lab):5} {k:36} {c}")
lab = collections.Counter(r["same_event"] for r in rows)
print(f"same_event true={lab[True]} false={lab[False]} ({lab[True] / len(rows):.1%} true)")
nulls = sum(r[s]["township"] is None for r in rows for s in "ab")
print(f"texts with township null: {nulls}")
sys.exit(1 if errs else 0)
