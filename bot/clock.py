"""Business dates are Beijing dates (deadlines, ticket numbers); timestamps are stored as naive UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "北京时间")  # China has no daylight saving time


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def china_now() -> datetime:
    return datetime.now(CHINA)


def china_today() -> date:
    return china_now().date()


def as_china_time(stored: datetime | None) -> datetime | None:
    """Times are stored as naive UTC; people read them in Beijing time."""
    if stored is None:
        return None
    return stored.replace(tzinfo=UTC).astimezone(CHINA)


def china_date(stored: datetime) -> date:
    return as_china_time(stored).date()
