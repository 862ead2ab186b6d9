"""Flags of a complaint from its text and its already-extracted facts: collective / urgent / repeat /
elderly_or_vulnerable. The phrasings are the term lists classifier/data/terms/flag_*.txt."""

from __future__ import annotations

from classifier.extract.terms import pattern
from classifier.normalise import normalise

FLAGS = ("collective", "urgent", "repeat", "elderly_or_vulnerable")
COLLECTIVE_MIN_PEOPLE = 5
MAX_CHARS = 5000  # as the facts: read from the first 5,000 characters


def derive_flags(text: str, facts: dict) -> list[str]:
    clean = normalise(text or "")[:MAX_CHARS]
    flags = []
    people = facts.get("people_count") or 0
    if people >= COLLECTIVE_MIN_PEOPLE or pattern("flag_collective").search(clean):
        flags.append("collective")
    if pattern("flag_urgent").search(clean):
        flags.append("urgent")
    if pattern("flag_repeat").search(clean):
        flags.append("repeat")
    if pattern("flag_vulnerable").search(clean):
        flags.append("elderly_or_vulnerable")
    return flags
