"""Masking of personal data (mobile and landline numbers, resident ID numbers) before text reaches a log.

    mask_pii("电话13812345678") -> "电话138****5678"
    mask_pii("0877-4567890")    -> "0877-*****90"
    mask_pii("530427196803150022") -> "5304**********0022"

Masks keep the length and the separators, so a log line still shows that a number was there and of what kind.
Regular expressions only: it runs on every log record, so it must stay cheap and never load a model.

`PiiMaskingFilter` masks the message and arguments of every record it sees. A logging filter on a logger does not
see records that propagate up from child loggers, so `install_pii_filter()` puts it on the root logger and on
each of the root logger's handlers (call it after logging is configured).
"""

from __future__ import annotations

import logging
import re
import traceback

_ID_NUMBER = r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"
_ID = re.compile(_ID_NUMBER)
# one pass, longest kind first, so an ID's digits are never read as a phone number
_PII = re.compile(
    rf"(?P<id>{_ID_NUMBER})"
    r"|(?P<mobile>(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?P<sep1>[\s-]?)\d{4}(?P=sep1)\d{4}(?!\d))"
    r"|(?P<landline>(?<![\d+])(?:\(0\d{2,3}\)|0\d{2,3})[\s-]?\d{7,8}(?!\d))"
)


def _mask_digits(s: str, keep_start: int, keep_end: int) -> str:
    """Replace the digits of `s` by *, except the first `keep_start` and last `keep_end` digits."""
    positions = [i for i, c in enumerate(s) if c.isdigit() or c in "Xx"]
    hide = set(positions[keep_start : len(positions) - keep_end])
    return "".join("*" if i in hide else c for i, c in enumerate(s))


def _mask(m: re.Match) -> str:
    s = m.group()
    if m.group("id"):
        return _mask_digits(s, 4, 4)
    if m.group("mobile"):
        prefix = len(re.sub(r"\D", "", s)) - 11  # +86
        return _mask_digits(s, prefix + 3, 4)
    area = re.match(r"\(?0\d{2,3}\)?", s).group()
    return area + _mask_digits(s[len(area) :], 0, 2)


def mask_pii(text: str) -> str:
    """`text` with phone numbers and ID numbers masked (same length, separators kept)."""
    if not text or not isinstance(text, str):
        return text
    return _PII.sub(_mask, text)


def mask_phone(phone: str | None) -> str | None:
    """A phone field: 13812345678 -> 138****5678; a number of no known form keeps only its first 3 and last 4
    digits (or only its last 2 when it is short), so no field shows a whole number."""
    if not phone:
        return None
    masked = mask_pii(phone)
    if masked != phone:
        return masked
    if sum(c.isdigit() for c in phone) >= 7:
        return _mask_digits(phone, 3, 4)
    return _mask_digits(phone, 0, 2)


def mask_id_number(id_number: str | None) -> str | None:
    """An ID number field: 530427196803150022 -> 5304**********0022, whatever its form."""
    if not id_number:
        return None
    return _mask_digits(id_number, 4, 4)


def mask_id_numbers(text: str | None) -> str:
    """Only the ID numbers of `text` masked, for staff who may see the phone but not the ID number."""
    return _ID.sub(lambda m: _mask_digits(m.group(), 4, 4), text or "")


class PiiMaskingFilter(logging.Filter):
    """Masks PII in a record's message, its arguments and its traceback; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = f"{record.msg} {record.args!r}"
        record.msg = mask_pii(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_pii("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        if record.stack_info:
            record.stack_info = mask_pii(record.stack_info)
        return True


def install_pii_filter(logger: logging.Logger | None = None) -> PiiMaskingFilter:
    """Attach one PiiMaskingFilter to `logger` (default: root) and to each of its handlers."""
    logger = logger or logging.getLogger()
    flt = next((f for f in logger.filters if isinstance(f, PiiMaskingFilter)), None) or PiiMaskingFilter()
    if flt not in logger.filters:
        logger.addFilter(flt)
    for handler in logger.handlers:
        if not any(isinstance(f, PiiMaskingFilter) for f in handler.filters):
            handler.addFilter(flt)
    return flt
