"""Statutory deadlines under the 信访工作条例 (2022). Pure date arithmetic.

Art. 31: the receiving body decides whether to accept within 15 days of receipt.
Art. 35: an accepted matter is answered within 60 days of acceptance; it may be extended once by at most 30 days
with the reasons told to the petitioner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

ACCEPT_WITHIN_DAYS = 15
ANSWER_WITHIN_DAYS = 60
MAX_EXTENSION_DAYS = 30


@dataclass(frozen=True)
class Deadlines:
    accept_by: date
    answer_by: date


def due_dates(received: date, accept_within: int | None = None, answer_within: int | None = None) -> Deadlines:
    """Before acceptance the answer date is counted from the last day for acceptance (the latest it can be). A
    matter of the catalogue may set shorter limits (`limits` in bot/matters/)."""
    accept_by = received + timedelta(days=accept_within or ACCEPT_WITHIN_DAYS)
    return Deadlines(accept_by, accept_by + timedelta(days=answer_within or ANSWER_WITHIN_DAYS))


def answer_due_after_acceptance(accepted: date, answer_within: int | None = None) -> date:
    return accepted + timedelta(days=answer_within or ANSWER_WITHIN_DAYS)


def extended(answer_by: date, days: int, already_extended: bool) -> date:
    if already_extended:
        raise ValueError("办理期限只能延长一次")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValueError(f"延期天数须在 1 到 {MAX_EXTENSION_DAYS} 天之间")
    return answer_by + timedelta(days=days)


def is_overdue(answer_by: date, today: date) -> bool:
    return today > answer_by
