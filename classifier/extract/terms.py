"""Term lists in classifier/data/terms/*.txt (see the README there), read once per process."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

TERMS_DIR = Path(__file__).resolve().parent.parent / "data" / "terms"


@cache
def terms(name: str) -> tuple[str, ...]:
    """Whitespace-separated terms of terms/<name>.txt in file order, without comments and duplicates."""
    seen: dict[str, None] = {}
    for line in (TERMS_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        for term in line.split():
            seen.setdefault(term, None)
    return tuple(seen)


@cache
def term_set(name: str) -> frozenset[str]:
    return frozenset(terms(name))


def alternation(items) -> str:
    """Regex alternation of literal words, longest first (so 有限公司 wins over 公司)."""
    return "|".join(re.escape(t) for t in sorted(set(items), key=len, reverse=True))


@cache
def pattern(name: str) -> re.Pattern:
    """terms/<name>.txt as one regex; its lines may hold regex fragments (the flag lists)."""
    parts = sorted(terms(name), key=len, reverse=True)
    return re.compile("|".join(f"(?:{p})" for p in parts))
