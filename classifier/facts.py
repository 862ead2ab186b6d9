"""Key facts of a complaint, normalised as docs/FACTS_SPEC.md says, for the registration form and the dialogue.

    extract_facts(text, today, gazetteer) -> dict     every key of the spec, empty list / None if absent
    derive_flags(text, facts) -> list[str]            collective / urgent / repeat / elderly_or_vulnerable
    extract_corrected_place(text, gazetteer) -> dict|None   不是戛洒镇，是漠沙镇 -> the 漠沙镇 place

Pure: no database, no HTTP. Works on whole complaints and on short answers (戛洒镇南恩村, 13812345678, 去年十月,
三组). `gazetteer` is the list of known places (the application passes its jurisdiction's); the pipeline
(classifier/extract) is built on the first call per gazetteer and cached per process.
"""

from __future__ import annotations

import re
from datetime import date

from classifier.extract.flags import FLAGS, MAX_CHARS, derive_flags
from classifier.extract.pipeline import extract, get_pipeline
from classifier.normalise import normalise

__all__ = ["FACT_KEYS", "FLAGS", "derive_flags", "empty_facts", "extract_corrected_place", "extract_facts"]

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


def empty_facts() -> dict:
    return {k: [] for k in FACT_KEYS} | {"people_count": None, "land_mu": None, "demand": None}


def extract_facts(text: str, today: date | None, gazetteer: list[dict]) -> dict:
    """Facts of `text` (see docs/FACTS_SPEC.md). `today` anchors 去年 / 上周 (None: the machine's date)."""
    if not text or not text.strip():
        return empty_facts()
    found = extract(get_pipeline(gazetteer), normalise(text)[:MAX_CHARS], today)
    facts = empty_facts()
    for key in FACT_KEYS:
        if key in found:
            facts[key] = found[key]
    return facts


def extract_corrected_place(text: str, gazetteer: list[dict]) -> dict | None:
    """The place a correction gives (不是戛洒镇，是漠沙镇 / 是平甸乡，不是平掌乡 -> 漠沙镇 / 平甸乡), or None when
    `text` negates no place. The dialogue replaces the place it had with this one."""
    if not text or not _NEGATION.search(text):
        return None
    places = extract_facts(text, None, gazetteer)["places"]  # negated places are already left out
    return places[0] if places else None


_NEGATION = re.compile(r"不是|不在|并非|不属于|不归|说错|写错|搞错|弄错|错了")
