"""Key facts of a complaint, normalised as docs/FACTS_SPEC.md says, for the registration form and the dialogue.

    extract_facts(text, today=None, gazetteer=None) -> dict     every key of the spec, empty list / None if absent
    derive_flags(text, facts) -> list[str]                      collective / urgent / repeat / elderly_or_vulnerable
    extract_corrected_place(text, gazetteer=None) -> dict|None  不是戛洒镇，是漠沙镇 -> the 漠沙镇 place

Pure: no database, no HTTP. Works on whole complaints and on short answers (戛洒镇南恩村, 13812345678, 去年十月,
三组). The pipeline (classifier/extract) loads on the first call and is cached per process. Without a gazetteer
the jurisdiction file's (bot.jurisdiction) is used.
"""

from __future__ import annotations

import re
from datetime import date

from classifier.extract.terms import pattern

FACT_KEYS = (
    "places",
    "times",
    "money",
    "people_count",
    "land_mu",
    "phones",
    "id_numbers",
    "invalid_id_numbers",
    "organizations",
    "persons",
    "demand",
)
FLAGS = ("collective", "urgent", "repeat", "elderly_or_vulnerable")
MAX_CHARS = 5000  # facts are read from the first 5,000 characters; the full text is kept elsewhere


def empty_facts() -> dict:
    return {k: [] for k in FACT_KEYS} | {"people_count": None, "land_mu": None, "demand": None}


_default: tuple[object, list[dict]] | None = None


def _default_gazetteer() -> list[dict]:
    """The jurisdiction file's gazetteer; the same list object while the loaded jurisdiction is the same."""
    global _default
    from bot.jurisdiction import load_jurisdiction

    jurisdiction = load_jurisdiction()
    if _default is None or _default[0] is not jurisdiction:
        _default = (jurisdiction, jurisdiction.gazetteer())
    return _default[1]


def _extract(text: str, today: date | None, gazetteer: list[dict] | None) -> dict:
    from classifier.extract.pipeline import extract, get_pipeline
    from classifier.normalise import normalise

    clean = normalise(text or "")[:MAX_CHARS]
    nlp = get_pipeline(gazetteer if gazetteer is not None else _default_gazetteer())
    return extract(nlp, clean, today)


def extract_facts(text: str, today: date | None = None, gazetteer: list[dict] | None = None) -> dict:
    """Facts of `text` (see docs/FACTS_SPEC.md). `today` anchors 去年 / 上周 (default: the real today)."""
    if not text or not text.strip():
        return empty_facts()
    found = _extract(text, today, gazetteer)
    facts = empty_facts()
    for key in FACT_KEYS:
        if key in found:
            facts[key] = found[key]
    return facts


def extract_corrected_place(text: str, gazetteer: list[dict] | None = None) -> dict | None:
    """The place a correction gives (不是戛洒镇，是漠沙镇 / 是平甸乡，不是平掌乡 -> 漠沙镇 / 平甸乡), or None when
    `text` negates no place. The dialogue replaces the place it had with this one."""
    if not text or not _NEGATION.search(text):
        return None
    places = extract_facts(text, gazetteer=gazetteer)["places"]  # negated places are already left out
    return places[0] if places else None


_NEGATION = re.compile(r"不是|不在|并非|不属于|不归|说错|写错|搞错|弄错|错了")
_COLLECTIVE_MIN = 5


def derive_flags(text: str, facts: dict) -> list[str]:
    """Flags of the complaint, from its text and already-extracted facts."""
    from classifier.normalise import normalise

    clean = normalise(text or "")[:MAX_CHARS]
    flags = []
    people = facts.get("people_count") or 0
    if people >= _COLLECTIVE_MIN or pattern("flag_collective").search(clean):
        flags.append("collective")
    if pattern("flag_urgent").search(clean):
        flags.append("urgent")
    if pattern("flag_repeat").search(clean):
        flags.append("repeat")
    if pattern("flag_vulnerable").search(clean):
        flags.append("elderly_or_vulnerable")
    return flags
