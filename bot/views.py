"""What each audience may see of a ticket, as pydantic models (FastAPI-template style: one model per audience).

A view that must not show a field does not have it: `TicketForSupervisor` has no ID number and only a masked phone;
`CitizenStatus` has neither. The responsible department sees the phone (it calls the citizen back) and a masked ID
number. Free text shown to a supervisor is masked too.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from bot.clock import as_china_time, china_today, utcnow
from bot.deadlines import is_overdue as past_due
from bot.jurisdiction import load_jurisdiction
from bot.matters import load_catalogue
from bot.models import Attachment, Incident, Review, Ticket, TicketEvent
from bot.vocabulary import (
    ACTION_LABELS,
    CHANNEL_LABELS,
    FLAG_LABELS,
    OPEN_STATUSES,
    RATING_LABELS,
    REVIEW_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    Channel,
    Flag,
    Role,
    TicketStatus,
)
from classifier.categories import category_name
from classifier.pii import mask_id_number, mask_id_numbers, mask_phone
from classifier.pii import mask_pii as mask_text


def is_overdue(t: Ticket, today: date | None = None) -> bool:
    return t.status in OPEN_STATUSES and past_due(t.answer_by, today or china_today())


def accept_overdue(t: Ticket, today: date | None = None) -> bool:
    return t.status == TicketStatus.REGISTERED and past_due(t.accept_by, today or china_today())


def place_of(t: Ticket) -> str:
    """The place as staff read it: the jurisdiction's current names for the codes, else the citizen's words."""
    return load_jurisdiction().place_name(t.township, t.village) or t.address or "未知"


# ---------------------------------------------------------------- pieces


def actor_label(role: str, name: str, department: str | None) -> str:
    """群众 / 系统 / 承办部门 clerk（新平县人力资源和社会保障局）."""
    label = ROLE_LABELS.get(role, role)
    if role in (Role.CITIZEN, Role.SYSTEM):
        return label
    dept = load_jurisdiction().departments.get(department or "")
    return f"{label} {name}" + (f"（{dept.name if dept else department}）" if department else "")


class EventView(BaseModel):
    at: datetime
    actor: str  # "department:county.hrss/clerk", the form of the first API version; the fields below replace it
    actor_role: str
    actor_name: str
    actor_department: str | None
    actor_label: str
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
            actor=f"{e.actor_role}:{e.actor_department + '/' if e.actor_department else ''}{e.actor_name}",
            actor_role=e.actor_role,
            actor_name=e.actor_name,
            actor_department=e.actor_department,
            actor_label=actor_label(e.actor_role, e.actor_name, e.actor_department),
            action=e.action,
            action_label=ACTION_LABELS.get(e.action, e.action),
            from_status=e.from_status,
            to_status=e.to_status,
            to_status_label=STATUS_LABELS.get(e.to_status, e.to_status),
            department_code=e.department_code,
            note=mask_text(e.note) if mask and e.note else e.note,
        )


# attachments whose file this system keeps: web uploads and the 办结报告 files of staff (else a Telegram file id)
STORED_HERE = ("web:", "staff:")


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
            stored_here=a.sender_id.startswith(STORED_HERE),
        )


class ReviewView(BaseModel):
    """A 复查 (level 1) or 复核 (level 2): who decides it, by when, and the decision once made."""

    level: int
    label: str
    body_code: str
    body_name: str
    requested_at: datetime
    reason: str | None
    decide_by: date
    decided_at: datetime | None
    upheld: bool | None
    decision: str | None
    overdue: bool

    @classmethod
    def of(cls, r: Review, today: date | None = None, mask: bool = False) -> ReviewView:
        return cls(
            level=r.level,
            label=REVIEW_LABELS.get(r.level, str(r.level)),
            body_code=r.body_code,
            body_name=r.body.name,
            requested_at=as_china_time(r.requested_at),
            reason=mask_text(r.reason) if mask and r.reason else r.reason,
            decide_by=r.decide_by,
            decided_at=as_china_time(r.decided_at),
            upheld=r.upheld,
            decision=r.decision,
            overdue=r.decided_at is None and past_due(r.decide_by, today or china_today()),
        )


class Alternative(BaseModel):
    code: str
    name: str
    confidence: float


class TicketSummary(BaseModel):
    """A row in a list: no contact data and no text, safe for every staff audience."""

    number: str
    channel: Channel
    channel_label: str
    category: str
    category_name: str
    matter: str | None
    matter_name: str | None
    department_code: str
    department_name: str
    # the likeliest departments at filing, for re-routing and the return dialog
    alternatives: list[Alternative]
    out_of_area: dict | None
    status: TicketStatus
    status_label: str
    received_at: datetime
    accept_by: date
    answer_by: date
    respond_by: datetime | None  # urgent: a person contacts the citizen by then
    respond_overdue: bool
    supervise_by: date | None = None  # 挂牌督办: the supervisor's deadline
    supervision_overdue: bool = False
    extended: bool
    escalated: bool
    legal_redirect: bool
    needs_review: bool
    # places: the codes, and the names of the first API version (the jurisdiction's current names); `address` is
    # the place in the citizen's words and `place` what staff read
    township_code: str | None
    village_code: str | None
    township: str | None
    village: str | None
    address: str | None
    place: str
    incident_time: str | None
    flags: list[str]
    flag_labels: list[str]
    overdue: bool
    accept_overdue: bool
    repeat_of: str | None
    # 回访 and review: the citizen's rating (bot.vocabulary.Rating), 1 复查 / 2 复核 asked for
    rating: str | None = None
    rating_label: str | None = None
    review_level: int = 0
    # the event it belongs to (reports of the same matter by other citizens, bot/linking.py)
    incident_id: int | None = None
    incident_tickets: int = 0
    incident_warning: list[str] = []

    @classmethod
    def fields_of(cls, t: Ticket, today: date | None = None, repeat_of: str | None = None) -> dict:
        today = today or china_today()
        flags = list(t.flags or [])
        if is_overdue(t, today) and Flag.OVERDUE not in flags:
            flags.append(Flag.OVERDUE)
        j = load_jurisdiction()
        matter = load_catalogue().matters.get(t.matter or "")
        return dict(
            number=t.number,
            channel=t.channel,
            channel_label=CHANNEL_LABELS.get(t.channel, t.channel),
            category=t.category,
            category_name=category_name(t.category),
            matter=t.matter,
            matter_name=matter.name if matter else None,
            department_code=t.department_code,
            department_name=t.department.name,
            alternatives=[
                Alternative(code=a["code"], name=j.departments[a["code"]].name, confidence=a["confidence"])
                for a in t.alternatives or []
                if a.get("code") in j.departments
            ],
            out_of_area=t.out_of_area,
            status=t.status,
            status_label=STATUS_LABELS[TicketStatus(t.status)],
            received_at=as_china_time(t.received_at),
            accept_by=t.accept_by,
            answer_by=t.answer_by,
            respond_by=as_china_time(t.respond_by),
            respond_overdue=bool(t.respond_by and t.status == TicketStatus.REGISTERED and utcnow() > t.respond_by),
            supervise_by=t.supervise_by,
            supervision_overdue=bool(t.supervise_by and t.status in OPEN_STATUSES and t.supervise_by < today),
            extended=t.extended,
            escalated=t.escalated,
            legal_redirect=t.legal_redirect,
            needs_review=t.needs_review,
            township_code=t.township,
            village_code=t.village,
            township=j.township_name(t.township),
            village=j.village_name(t.village),
            address=t.address,
            place=place_of(t),
            incident_time=t.incident_time,
            flags=flags,
            flag_labels=[FLAG_LABELS.get(f, f) for f in flags],
            overdue=is_overdue(t, today),
            accept_overdue=accept_overdue(t, today),
            repeat_of=repeat_of,
            rating=t.rating,
            rating_label=RATING_LABELS.get(t.rating) if t.rating else None,
            review_level=t.review_level or 0,
            incident_id=t.incident_id,
            incident_tickets=t.incident.ticket_count if t.incident else 0,
            incident_warning=list(t.incident.warning_reasons or []) if t.incident else [],
        )

    @classmethod
    def of(cls, t: Ticket, today: date | None = None, repeat_of: str | None = None) -> TicketSummary:
        return cls(**cls.fields_of(t, today, repeat_of))


def _facts_with_masked_ids(facts: dict) -> dict:
    """The facts with every ID number masked, in the ID lists and inside free text (a demand may quote one)."""
    out = dict(facts or {})
    for key in ("id_numbers", "invalid_id_numbers"):
        if out.get(key):
            out[key] = [mask_id_number(v) for v in out[key]]
    if isinstance(out.get("demand"), str):
        out["demand"] = mask_id_numbers(out["demand"])
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
    measures: str | None = None  # the 办结报告 beside the reply
    decline_ground: str | None = None
    rating_comment: str | None = None
    reviews: list[ReviewView] = []
    attachments: list[AttachmentView]
    events: list[EventView]

    @classmethod
    def of(cls, t: Ticket, today: date | None = None, repeat_of: str | None = None) -> TicketForDepartment:
        return cls(
            **TicketSummary.fields_of(t, today, repeat_of),
            citizen_name=t.citizen_name,
            phone=t.phone,
            id_number_masked=mask_id_number(t.id_number),
            text=mask_id_numbers(t.text),
            facts=_facts_with_masked_ids(t.facts),
            reply=t.reply,
            measures=t.measures,
            decline_ground=t.decline_ground,
            rating_comment=t.rating_comment,
            reviews=[ReviewView.of(r, today) for r in t.reviews],
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
    rating_comment: str | None = None
    reviews: list[ReviewView] = []
    events: list[EventView]

    @classmethod
    def of(cls, t: Ticket, today: date | None = None, repeat_of: str | None = None) -> TicketForOperator:
        return cls(
            **TicketSummary.fields_of(t, today, repeat_of),
            citizen_name=t.citizen_name,
            phone=t.phone,
            id_number_masked=mask_id_number(t.id_number),
            text=mask_id_numbers(t.text),
            facts=_facts_with_masked_ids(t.facts),
            confidence=t.confidence,
            reply=t.reply,
            rating_comment=t.rating_comment,
            reviews=[ReviewView.of(r, today) for r in t.reviews],
            events=[EventView.of(e) for e in t.events],
        )


class TicketForSupervisor(TicketSummary):
    """Oversight needs the case, not the person: masked phone, no name, no ID number, masked text."""

    phone_masked: str | None
    text: str
    facts: dict
    reply: str | None
    measures: str | None = None
    rating_comment: str | None = None
    reviews: list[ReviewView] = []
    events: list[EventView]

    @classmethod
    def of(cls, t: Ticket, today: date | None = None, repeat_of: str | None = None) -> TicketForSupervisor:
        return cls(
            **TicketSummary.fields_of(t, today, repeat_of),
            phone_masked=mask_phone(t.phone),
            text=mask_text(t.text),
            facts=_facts_for_supervisor(t.facts),
            reply=t.reply,
            measures=t.measures,
            rating_comment=mask_text(t.rating_comment) if t.rating_comment else None,
            reviews=[ReviewView.of(r, today, mask=True) for r in t.reviews],
            events=[EventView.of(e, mask=True) for e in t.events],
        )


class IncidentView(BaseModel):
    """An event with its tickets as this audience may see them (a department: its own tickets in full, the others
    as a count), and its early warning."""

    id: int
    category: str
    category_name: str
    matter_name: str | None
    place: str
    organization: str | None
    ticket_count: int
    households: int
    created_at: datetime
    last_at: datetime
    warned_at: datetime | None
    warning_reasons: list[str]
    tickets: list[TicketSummary]
    others: int  # tickets of the event this audience does not see (another department's)

    @classmethod
    def of(cls, i: Incident, visible: list[Ticket], today: date | None = None) -> IncidentView:
        matter = load_catalogue().matters.get(i.matter or "")
        return cls(
            id=i.id,
            category=i.category,
            category_name=category_name(i.category),
            matter_name=matter.name if matter else None,
            place=load_jurisdiction().place_name(i.township, i.village) or "未知",
            organization=i.organization,
            ticket_count=i.ticket_count,
            households=i.households,
            created_at=as_china_time(i.created_at),
            last_at=as_china_time(i.last_at),
            warned_at=as_china_time(i.warned_at),
            warning_reasons=list(i.warning_reasons or []),
            tickets=[TicketSummary.of(t, today) for t in visible],
            others=i.ticket_count - len(visible),
        )


class CitizenStatus(BaseModel):
    """What a citizen sees about their own ticket."""

    number: str
    status: TicketStatus
    status_label: str
    category_name: str
    department_name: str
    answer_by: date
    reply: str | None
    rating: str | None = None  # the citizen's own rating, once given
    review_decide_by: date | None = None  # a 复查/复核 asked for: decided by

    @classmethod
    def of(cls, t: Ticket) -> CitizenStatus:
        return cls(
            number=t.number,
            status=t.status,
            status_label=STATUS_LABELS[TicketStatus(t.status)],
            category_name=category_name(t.category),
            department_name=t.department.name,
            answer_by=t.answer_by,
            reply=t.reply,
            rating=t.rating,
            review_decide_by=next((r.decide_by for r in reversed(t.reviews) if r.decided_at is None), None),
        )
