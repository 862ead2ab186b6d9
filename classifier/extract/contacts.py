"""Phone numbers and resident ID numbers.

jionlp finds them (`extract_phone_number`, `extract_id_card`); we add what it does not do: the GB 11643 check
digit (jionlp accepts any ID with a plausible region and birth date), landlines written without a separator
(08774567890), ID-like numbers right after 身份证 that jionlp rejects, and the normal forms of the spec
(13812345678, 0877-4567890, upper-case X).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from classifier.extract import jio

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_ID_CONTEXT = re.compile(r"(?:身份证|证件|身份号|证号|公民号码)")
_LANDLINE = re.compile(r"(?<![\d+])(0\d{2,3})[-\s]?(\d{7,8})(?!\d)")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 check character for the first 17 digits."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def is_valid_id(number: str) -> bool:
    """True when `number` is 17 digits plus the right GB 11643 check character (x accepted for X)."""
    n = number.upper()
    return bool(re.fullmatch(r"\d{17}[\dX]", n)) and id_check_digit(n[:17]) == n[17]


@lru_cache(maxsize=1)
def area_codes() -> frozenset[str]:
    """Chinese landline area codes (010, 0877, ...) from jionlp's dictionary."""
    jionlp = jio.jionlp()
    path = Path(jionlp.__file__).parent / "dictionary" / "landline_phone_area_code.txt"
    return frozenset(line.split()[0] for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def find_ids(text: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, number with X upper-cased, checksum valid) for each resident ID number."""
    jionlp = jio.jionlp()
    found = {}
    for hit in jionlp.extract_id_card(text, detail=True):
        s, e = hit["offset"]
        if len(hit["text"]) == 18:
            found[(s, e)] = hit["text"]
    for m in _ID_LIKE.finditer(text):
        if m.span() not in found and _ID_CONTEXT.search(text[max(0, m.start() - 12) : m.start()]):
            found[m.span()] = m.group()
    return [(s, e, n.upper(), is_valid_id(n)) for (s, e), n in sorted(found.items())]


def _landline(area: str, number: str) -> str | None:
    if area in area_codes() and 7 <= len(number) <= 8:
        return f"{area}-{number}"
    return None


def _split_landline(digits: str) -> str | None:
    for cut in (3, 4):
        got = _landline(digits[:cut], digits[cut:])
        if got:
            return got
    return None


def find_phones(text: str, taken=()) -> list[tuple[int, int, str]]:
    """(start, end, normalised number) for mobiles (13812345678) and landlines (0877-4567890)."""
    jionlp = jio.jionlp()
    out: list[tuple[int, int, str]] = []

    def free(s: int, e: int) -> bool:
        return not any(s < te and ts < e for ts, te in list(taken) + [(a, b) for a, b, _ in out])

    hits = sorted(jionlp.extract_phone_number(text, detail=True), key=lambda h: h["type"] != "cell_phone")
    for hit in hits:
        s, e = hit["offset"]
        if not free(s, e):
            continue
        digits = re.sub(r"\D", "", hit["text"])
        if hit["type"] == "cell_phone":
            if len(digits) == 13 and digits.startswith("86"):
                digits = digits[2:]
            if _MOBILE.match(digits):
                out.append((s, e, digits))
        else:
            got = _split_landline(digits)
            if got:
                out.append((s, e, got))
    for m in _LANDLINE.finditer(text):  # 08774567890: jionlp wants a separator
        if free(*m.span()):
            got = _landline(m.group(1), m.group(2)) or _split_landline(m.group(1) + m.group(2))
            if got:
                out.append((m.start(), m.end(), got))
    return sorted(out)
