"""What each audience may see of a ticket, as pydantic models (FastAPI-template style: one model per audience).

A view that must not show a field does not have it: `TicketForSupervisor` has no ID number and only a masked phone;
`CitizenStatus` has neither. The responsible department sees the phone (it calls the citizen back) and a masked ID
number. Free text shown to a supervisor is masked too.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import BaseModel

from bot.clock import CHINA, as_china_time, china_now, china_today  # noqa: F401 (re-exported for routes)
from bot.models import Attachment, Ticket, TicketEvent
from bot.tickets import STATUS_LABELS

OPEN_STATUSES = ("registered", "accepted")
FLAG_LABELS = {
    "collective": "集体",
    "urgent": "紧急",
    "repeat": "重复",
    "elderly_or_vulnerable": "老弱病残",
    "overdue": "超期",
}
ACTION_LABELS = {
    "filed": "登记",
    "accepted": "受理",
    "returned": "退回",
    "rerouted": "重新分派",
    "extended": "延期",
    "resolved": "办结",
    "escalated": "超期提级",
    "escalation_notice": "抄送",
}
CHANNEL_LABELS = {"tg": "Telegram", "web": "网页留言", "phone": "电话"}

_PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def _mask_pii():
    try:
        from classifier.pii import mask_pii
    except ImportError:
        return None
    return mask_pii


def _local_mask_digits(value: str, keep_start: int, keep_end: int) -> str:
    digits = [i for i, c in enumerate(value) if c.isdigit() or c in "Xx"]
    hide = set(digits[keep_start : max(len(digits) - keep_end, keep_start)])
    return "".join("*" if i in hide else c for i, c in enumerate(value))


def mask_phone(phone: str | None) -> str | None:
    """13812345678 -> 138****5678 (classifier.pii's format when it recognises the number)."""
    if not phone:
        return None
    mask_pii = _mask_pii()
    masked = mask_pii(phone) if mask_pii else phone
    if masked != phone:
        return masked
    if len(re.sub(r"\D", "", phone)) >= 7:
        return _local_mask_digits(phone, 3, 4)
    return _local_mask_digits(phone, 0, 2)


def mask_id_number(id_number: str | None) -> str | None:
    """530427196803150022 -> 5304**********0022."""
    if not id_number:
        return None
    mask_pii = _mask_pii()
    masked = mask_pii(id_number) if mask_pii else id_number
    return masked if masked != id_number else _local_mask_digits(id_number, 4, 4)


def _local_mask_text(text: str) -> str:
    text = _ID_NUMBER.sub(lambda m: _local_mask_digits(m.group(0), 4, 4), text)
    return _PHONE.sub(lambda m: _local_mask_digits(m.group(0), 3, 4), text)


def mask_text(text: str | None) -> str:
    """Phone and ID numbers inside free text, masked (by classifier.pii when that module exists)."""
    if not text:
        return text or ""
    mask_pii = _mask_pii()
    return mask_pii(text) if mask_pii else _local_mask_text(text)


def mask_id_numbers_in_text(text: str | None) -> str:
    """For staff who may see the phone but not the ID number."""
    return _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)) or "", text or "")


def is_overdue(t: Ticket, today: date | None = None) -> bool:
    return t.status in OPEN_STATUSES and (today or china_today()) > t.answer_by


def accept_overdue(t: Ticket, today: date | None = None) -> bool:
    return t.status == "registered" and (today or china_today()) > t.accept_by


def place_of(t: Ticket) -> str:
    return "".join(p for p in (t.township, t.village) if p) or "未知"


def _category_name(code: str) -> str:
    from classifier.categories import category_name

    return category_name(code)


# ---------------------------------------------------------------- pieces


class EventView(BaseModel):
    at: datetime
    actor: str
    action: str
    action_label: str
    from_status: str | None
    to_status: str
    to_status_label: str
    department_code: str | None
    note: str | None

    @classmethod
    def of(cls, e: TicketEvent, mask: bool = False) -> EventView:
        return cls(
            at=as_china_time(e.at),
            actor=e.actor,
            action=e.action,
            action_label=ACTION_LABELS.get(e.action, e.action),
            from_status=e.from_status,
            to_status=e.to_status,
            to_status_label=STATUS_LABELS.get(e.to_status, e.to_status),
            department_code=e.department_code,
            note=mask_text(e.note) if mask and e.note else e.note,
        )


class AttachmentView(BaseModel):
    id: int
    kind: str
    mime: str | None
    received_at: datetime
    stored_here: bool  # a web upload (downloadable); otherwise a Telegram file id

    @classmethod
    def of(cls, a: Attachment) -> AttachmentView:
        return cls(
            id=a.id,
            kind=a.kind,
            mime=a.mime,
            received_at=as_china_time(a.received_at),
            stored_here=a.sender_id.startswith("web:"),
        )


class TicketSummary(BaseModel):
    """A row in a list: no contact data and no text, safe for every staff audience."""

    number: str
    channel: str
    channel_label: str
    category: str
    category_name: str
    department_code: str
    department_name: str
    status: str
    status_label: str
    received_at: datetime
    accept_by: date
    answer_by: date
    extended: bool
    escalated: bool
    legal_redirect: bool
    needs_review: bool
    township: str | None
    village: str | None
    place: str
    incident_time: str | None
    flags: list[str]
    flag_labels: list[str]
    overdue: bool
    accept_overdue: bool
    repeat_of: str | None

    @classmethod
    def fields_of(cls, t: Ticket, today: date | None = None, repeat_of: str | None = None) -> dict:
        today = today or china_today()
        flags = list(t.flags or [])
        if is_overdue(t, today) and "overdue" not in flags:
            flags.append("overdue")
        return dict(
            number=t.number,
            channel=t.channel,
            channel_label=CHANNEL_LABELS.get(t.channel, t.channel),
            category=t.category,
            category_name=_category_name(t.category),
            department_code=t.department_code,
            department_name=t.department.name,
            status=t.status,
            status_label=STATUS_LABELS[t.status],
            received_at=as_china_time(t.received_at),
            accept_by=t.accept_by,
            answer_by=t.answer_by,
            extended=t.extended,
            escalated=t.escalated,
            legal_redirect=t.legal_redirect,
            needs_review=t.needs_review,
            township=t.township,
            village=t.village,
            place=place_of(t),
            incident_time=t.incident_time,
            flags=flags,
            flag_labels=[FLAG_LABELS.get(f, f) for f in flags],
            overdue=is_overdue(t, today),
            accept_overdue=accept_overdue(t, today),
            repeat_of=repeat_of,
        )

    @classmethod
    def of(cls, t: Ticket, today: date | None = None, repeat_of: str | None = None) -> TicketSummary:
        return cls(**cls.fields_of(t, today, repeat_of))


def _facts_with_masked_ids(facts: dict) -> dict:
    out = dict(facts or {})
    for key in ("id_numbers", "invalid_id_numbers"):
        if out.get(key):
            out[key] = [mask_id_number(v) for v in out[key]]
    return out


def _facts_for_supervisor(facts: dict) -> dict:
    out = {k: v for k, v in (facts or {}).items() if k not in ("id_numbers", "invalid_id_numbers", "persons")}
    if out.get("phones"):
        out["phones"] = [mask_phone(p) for p in out["phones"]]
    if isinstance(out.get("demand"), str):
        out["demand"] = mask_text(out["demand"])
    return out


# ---------------------------------------------------------------- by audience


class TicketForDepartment(TicketSummary):
    """The responsible department: the citizen's name and phone (to call back), ID number masked."""

    citizen_name: str | None
    phone: str | None
    id_number_masked: str | None
    text: str
    facts: dict
    reply: str | None
    attachments: list[AttachmentView]
    events: list[EventView]

    @classmethod
    def of(cls, t: Ticket, today: date | None = None, repeat_of: str | None = None) -> TicketForDepartment:
        return cls(
            **TicketSummary.fields_of(t, today, repeat_of),
            citizen_name=t.citizen_name,
            phone=t.phone,
            id_number_masked=mask_id_number(t.id_number),
            text=mask_id_numbers_in_text(t.text),
            facts=_facts_with_masked_ids(t.facts),
            reply=t.reply,
            attachments=[AttachmentView.of(a) for a in t.attachments],
            events=[EventView.of(e) for e in t.events],
        )


class TicketForOperator(TicketSummary):
    """The hotline operator re-routes and calls back: name and phone, ID number masked, no attachments."""

    citizen_name: str | None
    phone: str | None
    id_number_masked: str | None
    text: str
    facts: dict
    confidence: float
    reply: str | None
    events: list[EventView]

    @classmethod
    def of(cls, t: Ticket, today: date | None = None, repeat_of: str | None = None) -> TicketForOperator:
        return cls(
            **TicketSummary.fields_of(t, today, repeat_of),
            citizen_name=t.citizen_name,
            phone=t.phone,
            id_number_masked=mask_id_number(t.id_number),
            text=mask_id_numbers_in_text(t.text),
            facts=_facts_with_masked_ids(t.facts),
            confidence=t.confidence,
            reply=t.reply,
            events=[EventView.of(e) for e in t.events],
        )


class TicketForSupervisor(TicketSummary):
    """Oversight needs the case, not the person: masked phone, no name, no ID number, masked text."""

    phone_masked: str | None
    text: str
    facts: dict
    reply: str | None
    events: list[EventView]

    @classmethod
    def of(cls, t: Ticket, today: date | None = None, repeat_of: str | None = None) -> TicketForSupervisor:
        return cls(
            **TicketSummary.fields_of(t, today, repeat_of),
            phone_masked=mask_phone(t.phone),
            text=mask_text(t.text),
            facts=_facts_for_supervisor(t.facts),
            reply=t.reply,
            events=[EventView.of(e, mask=True) for e in t.events],
        )


class CitizenStatus(BaseModel):
    """What a citizen sees about their own ticket."""

    number: str
    status: str
    status_label: str
    category_name: str
    department_name: str
    answer_by: date
    reply: str | None

    @classmethod
    def of(cls, t: Ticket) -> CitizenStatus:
        return cls(
            number=t.number,
            status=t.status,
            status_label=STATUS_LABELS[t.status],
            category_name=_category_name(t.category),
            department_name=t.department.name,
            answer_by=t.answer_by,
            reply=t.reply,
        )
