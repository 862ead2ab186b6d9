from datetime import date

import pytest

from bot.deadlines import answer_due_after_acceptance, due_dates, extended, is_overdue


def test_acceptance_within_15_days_and_answer_within_60_more():
    d = due_dates(date(2026, 11, 23))
    assert d.accept_by == date(2026, 12, 8)
    assert d.answer_by == date(2027, 2, 6)


def test_answer_counted_from_acceptance():
    assert answer_due_after_acceptance(date(2026, 1, 31)) == date(2026, 4, 1)


def test_extension_once_by_at_most_30_days():
    assert extended(date(2026, 3, 1), 30, False) == date(2026, 3, 31)
    with pytest.raises(ValueError, match="一次"):
        extended(date(2026, 3, 1), 10, True)
    with pytest.raises(ValueError, match="30"):
        extended(date(2026, 3, 1), 31, False)


def test_overdue_only_after_the_answer_date():
    assert not is_overdue(date(2026, 3, 1), date(2026, 3, 1))
    assert is_overdue(date(2026, 3, 1), date(2026, 3, 2))
