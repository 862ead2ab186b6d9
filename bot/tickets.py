"""Ticket life cycle after filing (filing itself is bot.intake): accept, return, re-route, extend, resolve, escalate.
Every change is audited (TicketEvent) and queued as a push to the citizen (Notification) in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.clock import china_today, utcnow
from bot.deadlines import answer_due_after_acceptance, due_dates, extended
from bot.jurisdiction import Jurisdiction
from bot.matters import load_catalogue
from bot.models import Department, DispatchExample, Notification, Ticket, TicketEvent
from bot.routing import escalate_overdue
from bot.vocabulary import OPEN_STATUSES, STATUS_LABELS, EventAction, Flag, Role, TicketStatus

# a supervised (escalated) ticket's answer window when the jurisdiction file does not set one
DEFAULT_ESCALATED_ANSWER_DAYS = 15


class TicketError(ValueError):
    """A request that cannot be carried out; the message is Chinese and safe to show."""


@dataclass(frozen=True)
class Actor:
    """Who changes a ticket. Departments may only touch their own tickets."""

    name: str
    role: Role
    department_code: str | None = None


SYSTEM = Actor("system", Role.SYSTEM)
CITIZEN = Actor("citizen", Role.CITIZEN)


def record_event(
    s: Session,
    t: Ticket,
    actor: Actor,
    action: EventAction,
    before: str | None,
    note: str | None = None,
    at: datetime | None = None,
) -> None:
    """One audit row: who, what, the status before and after, the department holding the ticket."""
    s.add(
        TicketEvent(
            ticket=t,
            at=at or utcnow(),
            actor_role=actor.role,
            actor_name=actor.name,
            actor_department=actor.department_code,
            action=action,
            from_status=before,
            to_status=t.status,
            department_code=t.department_code,
            note=note,
        )
    )


def queue_push(s: Session, t: Ticket, text: str) -> None:
    """A message to the citizen on the ticket's channel, sent after the commit (bot.notify)."""
    if t.sender_id:
        s.add(Notification(ticket_id=t.id, sender_id=t.sender_id, text=text))


def get_ticket(s: Session, number: str) -> Ticket:
    t = s.scalars(select(Ticket).where(Ticket.number == number.strip().upper())).first()
    if t is None:
        raise TicketError(f"没有找到工单 {number}")
    return t


def _check_department(t: Ticket, actor: Actor) -> None:
    if actor.role == Role.DEPARTMENT and actor.department_code != t.department_code:
        raise TicketError("该工单不属于本部门")
    if actor.role not in (Role.DEPARTMENT, Role.SUPERVISOR, Role.SYSTEM):
        raise TicketError("只有承办部门可以办理工单")


def _status_label(t: Ticket) -> str:
    return STATUS_LABELS[TicketStatus(t.status)]


def accept(s: Session, t: Ticket, actor: Actor, today: date | None = None) -> Ticket:
    _check_department(t, actor)
    if t.status != TicketStatus.REGISTERED:
        raise TicketError(f"工单当前状态为“{_status_label(t)}”，不能受理")
    before, t.status = t.status, TicketStatus.ACCEPTED
    matter = load_catalogue().matters.get(t.matter or "")
    t.answer_by = answer_due_after_acceptance(today or china_today(), matter.limits.answer_days if matter else None)
    record_event(s, t, actor, EventAction.ACCEPTED, before)
    queue_push(
        s, t, f"您的工单 {t.number} 已受理，承办部门：{t.department.name}，将在 {t.answer_by:%Y年%m月%d日} 前答复您。"
    )
    return t


def record_dispatch(s: Session, t: Ticket, source: EventAction, wrong: str, right: str | None, confirmed: bool) -> None:
    """A labelled dispatch example for learning (bot.history): this text went to `wrong`, belongs to `right`."""
    s.add(
        DispatchExample(
            ticket_id=t.id,
            source=source,
            text=t.text,
            category=t.category,
            matter=t.matter,
            township=t.township,
            wrong_department=wrong,
            right_department=right,
            confirmed=confirmed,
        )
    )


def return_ticket(s: Session, t: Ticket, actor: Actor, reason: str, suggested_department: str | None = None) -> Ticket:
    """The department says the ticket is not theirs; `suggested_department` is where it thinks it belongs."""
    _check_department(t, actor)
    if t.status not in OPEN_STATUSES:
        raise TicketError(f"工单当前状态为“{_status_label(t)}”，不能退回")
    if not reason or not reason.strip():
        raise TicketError("退回工单需要说明理由")
    suggested = s.get(Department, suggested_department) if suggested_department else None
    if suggested_department and suggested is None:
        raise TicketError(f"没有编码为 {suggested_department} 的部门")
    before, t.status = t.status, TicketStatus.RETURNED
    note = reason.strip() + (f"（建议转交：{suggested.name}）" if suggested else "")
    record_event(s, t, actor, EventAction.RETURNED, before, note)
    record_dispatch(s, t, EventAction.RETURNED, t.department_code, suggested_department, confirmed=False)
    queue_push(s, t, f"您的工单 {t.number} 需要转交更合适的部门办理，我们正在重新分派，请耐心等待。")
    return t


def reroute(
    s: Session, t: Ticket, actor: Actor, department_code: str, note: str | None = None, today: date | None = None
) -> Ticket:
    if actor.role not in (Role.OPERATOR, Role.SUPERVISOR):
        raise TicketError("只有话务员或督办人员可以重新分派工单")
    if t.status == TicketStatus.RESOLVED:
        raise TicketError("已办结的工单不能重新分派")
    dept = s.get(Department, department_code)
    if dept is None:
        raise TicketError(f"没有编码为 {department_code} 的部门")
    if dept.code != t.department_code:
        record_dispatch(s, t, EventAction.REROUTED, t.department_code, dept.code, confirmed=True)
    before, t.status, t.department_code, t.department = t.status, TicketStatus.REGISTERED, dept.code, dept
    t.accept_by = due_dates(today or china_today()).accept_by
    record_event(s, t, actor, EventAction.REROUTED, before, note)
    queue_push(s, t, f"您的工单 {t.number} 已转交{dept.name}办理。")
    return t


def extend(s: Session, t: Ticket, actor: Actor, days: int, reason: str) -> Ticket:
    _check_department(t, actor)
    if t.status != TicketStatus.ACCEPTED:
        raise TicketError("只有已受理的工单可以延期")
    if not reason or not reason.strip():
        raise TicketError("延期需要说明理由")
    try:
        t.answer_by = extended(t.answer_by, days, t.extended)
    except ValueError as exc:
        raise TicketError(str(exc)) from exc
    t.extended = True
    record_event(s, t, actor, EventAction.EXTENDED, t.status, f"延期{days}天：{reason.strip()}")
    queue_push(s, t, f"您的工单 {t.number} 办理期限延长至 {t.answer_by:%Y年%m月%d日}，原因：{reason.strip()}")
    return t


# a progress note is told to the citizen; a long one is cut in the push (the whole note is in the ticket)
PROGRESS_PUSH_CHARS = 300


def add_progress(s: Session, t: Ticket, actor: Actor, note: str) -> Ticket:
    """A note on the handling of an open ticket (办理过程: visited the site, asked the employer …): audited, shown in
    the ticket's history and told to the citizen. The status does not change."""
    _check_department(t, actor)
    if t.status not in OPEN_STATUSES:
        raise TicketError(f"工单当前状态为“{_status_label(t)}”，不能再添加办理进展")
    note = (note or "").strip()
    if not note:
        raise TicketError("请填写办理进展")
    record_event(s, t, actor, EventAction.PROGRESS, t.status, note)
    shown = note if len(note) <= PROGRESS_PUSH_CHARS else note[:PROGRESS_PUSH_CHARS] + "…"
    queue_push(s, t, f"您的工单 {t.number} 有新的办理进展（{t.department.name}）：{shown}")
    return t


MAX_SUPERVISION_DAYS = 30


def supervise(s: Session, t: Ticket, actor: Actor, days: int, note: str, today: date | None = None) -> Ticket:
    """挂牌督办: a supervisor sets the open ticket its own deadline (1–30 days from today), audited, flagged for the
    department's and the supervisor's lists, and told to the citizen."""
    if actor.role not in (Role.SUPERVISOR, Role.SYSTEM):
        raise TicketError("只有督办人员可以挂牌督办")
    if t.status not in OPEN_STATUSES:
        raise TicketError(f"工单当前状态为“{_status_label(t)}”，不能挂牌督办")
    if not 1 <= days <= MAX_SUPERVISION_DAYS:
        raise TicketError(f"督办期限须在 1 到 {MAX_SUPERVISION_DAYS} 天之间")
    note = (note or "").strip() or "请按期办结"
    t.supervise_by = (today or china_today()) + timedelta(days=days)
    if Flag.SUPERVISED not in t.flags:
        t.flags = [*t.flags, Flag.SUPERVISED]
    record_event(s, t, actor, EventAction.SUPERVISED, t.status, f"限{t.supervise_by:%Y年%m月%d日}前办结：{note}")
    queue_push(
        s, t, f"您的工单 {t.number} 已被挂牌督办，要求{t.department.name}在 {t.supervise_by:%Y年%m月%d日} 前办结。"
    )
    return t


def resolve(s: Session, t: Ticket, actor: Actor, reply: str) -> Ticket:
    _check_department(t, actor)
    if t.status not in OPEN_STATUSES:
        raise TicketError(f"工单当前状态为“{_status_label(t)}”，不能办结")
    if not reply or not reply.strip():
        raise TicketError("办结工单需要填写答复意见")
    before, t.status, t.reply = t.status, TicketStatus.RESOLVED, reply.strip()
    record_event(s, t, actor, EventAction.RESOLVED, before, t.reply)
    queue_push(s, t, f"您的工单 {t.number} 已办结。{t.department.name}答复：{t.reply}")
    return t


def escalate_overdue_tickets(s: Session, j: Jurisdiction, today: date) -> list[Ticket]:
    """Open tickets past their answer date are flagged overdue and, by the jurisdiction's `overdue` rule, move up to
    the county department (once) with a short answer window. A ticket flagged overdue and at the county was judged by
    an earlier scan and nothing more can happen to it: it is not read again, so a scan reads what fell overdue since
    (and what a township kept under a rule that may have changed)."""
    rule = j.escalation.get(Flag.OVERDUE)
    window = (rule.answer_within_days if rule else None) or DEFAULT_ESCALATED_ANSWER_DAYS
    moved: list[Ticket] = []
    below_county = [code for code, d in j.departments.items() if d.level != "county"]
    due = select(Ticket).where(
        Ticket.is_open(),
        Ticket.answer_by < today,
        or_(~Ticket.flagged(Flag.OVERDUE.value), Ticket.department_code.in_(below_county)),
    )
    for t in s.scalars(due):
        r = escalate_overdue(t.department_code, t.category, j)
        if Flag.OVERDUE not in t.flags:
            t.flags = [*t.flags, Flag.OVERDUE]
        if r is None:
            continue
        before = t.status
        t.department_code, t.department = r.department_code, s.get(Department, r.department_code)
        t.escalated, t.status = True, TicketStatus.REGISTERED
        t.accept_by = due_dates(today).accept_by
        t.answer_by = today + timedelta(days=window)
        record_event(s, t, SYSTEM, EventAction.ESCALATED, before, r.reason)
        queue_push(s, t, f"您的工单 {t.number} 已超期，已提级由{r.department_name}督办。")
        moved.append(t)
    return moved


def tickets_of_sender(s: Session, sender_id: str) -> list[Ticket]:
    return list(s.scalars(select(Ticket).where(Ticket.sender_id == sender_id).order_by(Ticket.id.desc())))
