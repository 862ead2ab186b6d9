"""Ticket life cycle: file, accept, return, re-route, extend, resolve, escalate. Every change is audited
(TicketEvent) and queued as a push to the citizen (Notification) in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.analysis import Analysis
from bot.clock import china_date, china_today, utcnow
from bot.deadlines import answer_due_after_acceptance, due_dates, extended
from bot.jurisdiction import Jurisdiction
from bot.models import Attachment, Department, Notification, Ticket, TicketEvent
from bot.routing import escalate_overdue

STATUS_LABELS = {
    "registered": "已登记，待部门受理",
    "accepted": "已受理，正在办理",
    "returned": "已退回，正在重新分派",
    "resolved": "已办结",
}
REPEAT_WINDOW_DAYS = 180


class TicketError(ValueError):
    """A request that cannot be carried out; the message is Chinese and safe to show."""


@dataclass(frozen=True)
class Actor:
    """Who changes a ticket. Departments may only touch their own tickets."""

    name: str
    role: str  # citizen / system / operator / department / supervisor
    department_code: str | None = None

    @property
    def label(self) -> str:
        return f"{self.role}:{self.department_code + '/' if self.department_code else ''}{self.name}"


SYSTEM = Actor("system", "system")


def channel_of(sender_id: str | None) -> str:
    return sender_id.split(":", 1)[0] if sender_id and ":" in sender_id else "phone"


def _event(
    s: Session,
    t: Ticket,
    actor: Actor,
    action: str,
    before: str | None,
    note: str | None = None,
    at: datetime | None = None,
) -> None:
    s.add(
        TicketEvent(
            ticket=t,
            at=at or utcnow(),
            actor=actor.label,
            action=action,
            from_status=before,
            to_status=t.status,
            department_code=t.department_code,
            note=note,
        )
    )


def _push(s: Session, t: Ticket, text: str) -> None:
    if t.sender_id:
        s.add(Notification(ticket_id=t.id, sender_id=t.sender_id, text=text))


def find_repeat(s: Session, sender_id: str | None, phone: str | None, category: str, now: datetime) -> Ticket | None:
    """An earlier ticket of the same citizen (same chat or same phone) in the same category."""
    who = [
        c
        for c in (Ticket.sender_id == sender_id if sender_id else None, Ticket.phone == phone if phone else None)
        if c is not None
    ]
    if not who:
        return None
    since = now - timedelta(days=REPEAT_WINDOW_DAYS)
    return s.scalars(
        select(Ticket)
        .where(or_(*who), Ticket.category == category, Ticket.received_at >= since)
        .order_by(Ticket.id.desc())
        .limit(1)
    ).first()


def create_ticket(
    s: Session,
    *,
    analysis: Analysis,
    text: str,
    channel: str,
    sender_id: str | None,
    actor: Actor,
    citizen_name: str | None = None,
    phone: str | None = None,
    township: str | None = None,
    village: str | None = None,
    incident_time: str | None = None,
    now: datetime | None = None,
) -> Ticket:
    now = now or utcnow()
    facts = analysis.facts
    phone = phone or next(iter(facts.get("phones") or []), None)
    flags = list(analysis.flags)
    earlier = find_repeat(s, sender_id, phone, analysis.category, now)
    if earlier is not None and "repeat" not in flags:
        flags.append("repeat")
    deadlines = due_dates(china_date(now))
    t = Ticket(
        number="pending",
        channel=channel,
        sender_id=sender_id,
        citizen_name=citizen_name,
        phone=phone,
        id_number=next(iter(facts.get("id_numbers") or []), None),
        text=text,
        category=analysis.category,
        confidence=analysis.confidence,
        needs_review=analysis.needs_review,
        facts=facts,
        flags=flags,
        township=township or analysis.place.get("township"),
        village=village or analysis.place.get("village"),
        incident_time=incident_time,
        department_code=analysis.route.department_code,
        status="registered",
        escalated=analysis.route.escalated,
        legal_redirect=analysis.route.legal_redirect,
        received_at=now,
        accept_by=deadlines.accept_by,
        answer_by=deadlines.answer_by,
        repeat_of_id=earlier.id if earlier else None,
    )
    s.add(t)
    s.flush()
    t.number = f"XP{china_date(now):%Y%m%d}-{t.id:05d}"
    _event(s, t, actor, "filed", None, analysis.route.reason, at=now)
    for code in analysis.route.notify:
        _event(s, t, SYSTEM, "escalation_notice", t.status, f"已抄送 {code}：{'、'.join(flags)}")
    if sender_id:  # evidence the citizen sent before the ticket existed belongs to it
        for a in s.scalars(select(Attachment).where(Attachment.sender_id == sender_id, Attachment.ticket_id.is_(None))):
            a.ticket_id = t.id
    return t


def get_ticket(s: Session, number: str) -> Ticket:
    t = s.scalars(select(Ticket).where(Ticket.number == number.strip().upper())).first()
    if t is None:
        raise TicketError(f"没有找到工单 {number}")
    return t


DETAIL_LABELS = {
    "text": "诉求内容",
    "category": "类别",
    "citizen_name": "姓名",
    "phone": "联系电话",
    "township": "乡镇（街道）",
    "village": "村（社区）",
    "incident_time": "发生时间",
}


def add_citizen_details(
    s: Session,
    t: Ticket,
    sender_id: str,
    j: Jurisdiction,
    *,
    text: str | None = None,
    category: str | None = None,
    citizen_name: str | None = None,
    phone: str | None = None,
    township: str | None = None,
    village: str | None = None,
    incident_time: str | None = None,
) -> list[str]:
    """The citizen completes a ticket that was filed before the dialogue ended (an urgent one is filed at once).
    Given values replace the ticket's; a new category or place re-routes it while no department has accepted it.
    Returns the Chinese labels of what changed (audited without the values: they may be personal data)."""
    from bot.routing import route

    if not sender_id or sender_id != t.sender_id:
        raise TicketError("只能补充自己的工单")
    if t.status == "resolved":
        raise TicketError("已办结的工单不能再补充，请重新反映")
    given = {
        "text": text,
        "category": category,
        "citizen_name": citizen_name,
        "phone": phone,
        "township": township,
        "village": village,
        "incident_time": incident_time,
    }
    changed = [k for k, v in given.items() if v and v != getattr(t, k)]
    for k in changed:
        setattr(t, k, given[k])
    if not changed:
        return []
    if t.status == "registered" and {"category", "township", "village"} & set(changed):
        r = route(t.category, t.township, t.village, t.flags or [], j)
        dept = s.get(Department, r.department_code)
        if dept is not None and dept.code != t.department_code:
            t.department_code, t.department = dept.code, dept
            t.escalated, t.legal_redirect = r.escalated, r.legal_redirect
    labels = "、".join(DETAIL_LABELS[k] for k in changed)
    _event(s, t, Actor("citizen", "citizen"), "details_added", t.status, f"群众补充：{labels}")
    return [DETAIL_LABELS[k] for k in changed]


def _check_department(t: Ticket, actor: Actor) -> None:
    if actor.role == "department" and actor.department_code != t.department_code:
        raise TicketError("该工单不属于本部门")
    if actor.role not in ("department", "supervisor", "system"):
        raise TicketError("只有承办部门可以办理工单")


def accept(s: Session, t: Ticket, actor: Actor, today: date | None = None) -> Ticket:
    _check_department(t, actor)
    if t.status != "registered":
        raise TicketError(f"工单当前状态为“{STATUS_LABELS[t.status]}”，不能受理")
    before, t.status = t.status, "accepted"
    t.answer_by = answer_due_after_acceptance(today or china_today())
    _event(s, t, actor, "accepted", before)
    _push(
        s, t, f"您的工单 {t.number} 已受理，承办部门：{t.department.name}，将在 {t.answer_by:%Y年%m月%d日} 前答复您。"
    )
    return t


def return_ticket(s: Session, t: Ticket, actor: Actor, reason: str) -> Ticket:
    _check_department(t, actor)
    if t.status not in ("registered", "accepted"):
        raise TicketError(f"工单当前状态为“{STATUS_LABELS[t.status]}”，不能退回")
    if not reason or not reason.strip():
        raise TicketError("退回工单需要说明理由")
    before, t.status = t.status, "returned"
    _event(s, t, actor, "returned", before, reason.strip())
    _push(s, t, f"您的工单 {t.number} 需要转交更合适的部门办理，我们正在重新分派，请耐心等待。")
    return t


def reroute(
    s: Session, t: Ticket, actor: Actor, department_code: str, note: str | None = None, today: date | None = None
) -> Ticket:
    if actor.role not in ("operator", "supervisor"):
        raise TicketError("只有话务员或督办人员可以重新分派工单")
    if t.status == "resolved":
        raise TicketError("已办结的工单不能重新分派")
    dept = s.get(Department, department_code)
    if dept is None:
        raise TicketError(f"没有编码为 {department_code} 的部门")
    before, t.status, t.department_code, t.department = t.status, "registered", dept.code, dept
    t.accept_by = due_dates(today or china_today()).accept_by
    _event(s, t, actor, "rerouted", before, note)
    _push(s, t, f"您的工单 {t.number} 已转交{dept.name}办理。")
    return t


def extend(s: Session, t: Ticket, actor: Actor, days: int, reason: str) -> Ticket:
    _check_department(t, actor)
    if t.status != "accepted":
        raise TicketError("只有已受理的工单可以延期")
    if not reason or not reason.strip():
        raise TicketError("延期需要说明理由")
    try:
        t.answer_by = extended(t.answer_by, days, t.extended)
    except ValueError as exc:
        raise TicketError(str(exc)) from exc
    t.extended = True
    _event(s, t, actor, "extended", t.status, f"延期{days}天：{reason.strip()}")
    _push(s, t, f"您的工单 {t.number} 办理期限延长至 {t.answer_by:%Y年%m月%d日}，原因：{reason.strip()}")
    return t


def resolve(s: Session, t: Ticket, actor: Actor, reply: str) -> Ticket:
    _check_department(t, actor)
    if t.status not in ("registered", "accepted"):
        raise TicketError(f"工单当前状态为“{STATUS_LABELS[t.status]}”，不能办结")
    if not reply or not reply.strip():
        raise TicketError("办结工单需要填写答复意见")
    before, t.status, t.reply = t.status, "resolved", reply.strip()
    _event(s, t, actor, "resolved", before, t.reply)
    _push(s, t, f"您的工单 {t.number} 已办结。{t.department.name}答复：{t.reply}")
    return t


def escalate_overdue_tickets(s: Session, j: Jurisdiction, today: date) -> list[Ticket]:
    """Open tickets past their answer date move up to the county department (once)."""
    moved: list[Ticket] = []
    for t in s.scalars(select(Ticket).where(Ticket.status.in_(("registered", "accepted")), Ticket.answer_by < today)):
        r = escalate_overdue(t.department_code, t.category, j)
        if "overdue" not in t.flags:
            t.flags = [*t.flags, "overdue"]
        if r is None:
            continue
        before = t.status
        t.department_code, t.department, t.escalated, t.status = (
            r.department_code,
            s.get(Department, r.department_code),
            True,
            "registered",
        )
        t.accept_by = due_dates(today).accept_by
        t.answer_by = today + timedelta(days=15)  # supervised cases get a short, fixed window
        _event(s, t, SYSTEM, "escalated", before, r.reason)
        _push(s, t, f"您的工单 {t.number} 已超期，已提级由{r.department_name}督办。")
        moved.append(t)
    return moved


def tickets_of_sender(s: Session, sender_id: str) -> list[Ticket]:
    return list(s.scalars(select(Ticket).where(Ticket.sender_id == sender_id).order_by(Ticket.id.desc())))


def tickets_for_department(s: Session, department_code: str) -> list[Ticket]:
    return list(s.scalars(select(Ticket).where(Ticket.department_code == department_code).order_by(Ticket.id.desc())))


def count_by(s: Session, column) -> dict[str, int]:
    return {k or "未知": v for k, v in s.execute(select(column, func.count()).group_by(column)).all()}
