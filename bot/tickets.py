"""Ticket life cycle after filing (filing itself is bot.intake): accept, return, re-route, extend, resolve, escalate.
Every change is audited (TicketEvent) and queued as a push to the citizen (Notification) in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.clock import as_china_time, china_today, utcnow
from bot.deadlines import answer_due_after_acceptance, due_dates, extended
from bot.jurisdiction import Jurisdiction, load_jurisdiction
from bot.matters import load_catalogue
from bot.models import Attachment, Department, DispatchExample, Notification, Review, Ticket, TicketEvent
from bot.routing import escalate_overdue
from bot.settings import ROOT
from bot.vocabulary import (
    OPEN_STATUSES,
    RATING_LABELS,
    RATINGS,
    REVIEW_LABELS,
    REVIEW_STATUSES,
    STATUS_LABELS,
    Channel,
    EventAction,
    Flag,
    Rating,
    Role,
    TicketStatus,
    channel_of,
)

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


def queue_push(s: Session, t: Ticket, text: str, buttons: list[tuple[str, str]] | None = None) -> None:
    """A message to the citizen on the ticket's channel, sent after the commit (bot.notify); `buttons` as
    (title, payload) pairs, shown where the channel can."""
    if t.sender_id:
        rows = [list(b) for b in buttons] if buttons else None
        s.add(Notification(ticket_id=t.id, sender_id=t.sender_id, text=text, buttons=rows))


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
    before, t.status, t.accepted_at = t.status, TicketStatus.ACCEPTED, utcnow()
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


def resolve(s: Session, t: Ticket, actor: Actor, reply: str, measures: str | None = None) -> Ticket:
    """办结: the reply (and, as the 办结报告, the measures taken) goes to the citizen with the satisfaction question."""
    _check_department(t, actor)
    if t.status not in OPEN_STATUSES:
        raise TicketError(f"工单当前状态为“{_status_label(t)}”，不能办结")
    if not reply or not reply.strip():
        raise TicketError("办结工单需要填写答复意见")
    before, t.status, t.reply = t.status, TicketStatus.RESOLVED, reply.strip()
    t.measures = (measures or "").strip() or None
    t.answered_at = utcnow()
    record_event(s, t, actor, EventAction.RESOLVED, before, t.reply)
    done = f"；采取的措施：{t.measures}" if t.measures else ""
    _ask_rating(s, t, f"您的工单 {t.number} 已办结。{t.department.name}答复：{t.reply}{done}")
    return t


# ---------------------------------------------------------------- 不予受理 and the 办结报告's files

DECLINE_GROUNDS_FILE = ROOT / "bot" / "decline_grounds.yml"


@dataclass(frozen=True)
class DeclineGround:
    code: str
    name: str
    basis: str  # the rule it rests on
    advice: str  # what the citizen can do instead


@lru_cache(maxsize=2)
def decline_grounds(path: Path = DECLINE_GROUNDS_FILE) -> dict[str, DeclineGround]:
    """The grounds for 不予受理 (bot/decline_grounds.yml, edited by the clerk), by code."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    out: dict[str, DeclineGround] = {}
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not {"code", "name", "basis", "advice"} <= row.keys():
            raise ValueError(f"{path.name}：第{i}项需要 code、name、basis、advice 四项")
        out[str(row["code"])] = DeclineGround(*(str(row[k]).strip() for k in ("code", "name", "basis", "advice")))
    return out


def decline(s: Session, t: Ticket, actor: Actor, ground: str, reason: str) -> Ticket:
    """不予受理: the department does not accept the matter, on one of the listed grounds with its legal basis, and
    says why in its own words; the citizen is told the ground and where to turn instead. (A matter that belongs to
    another department is returned, not declined.)"""
    _check_department(t, actor)
    if t.status != TicketStatus.REGISTERED:
        raise TicketError(f"工单当前状态为“{_status_label(t)}”，只有待受理的工单可以不予受理")
    g = decline_grounds().get(ground or "")
    if g is None:
        raise TicketError("请选择不予受理的依据")
    reason = (reason or "").strip()
    if not reason:
        raise TicketError("不予受理需要说明理由")
    before, t.status, t.decline_ground, t.answered_at = t.status, TicketStatus.DECLINED, g.code, utcnow()
    t.reply = f"不予受理：{g.name}（依据{g.basis}）。{reason}"
    record_event(s, t, actor, EventAction.DECLINED, before, f"{g.name}（{g.basis}）：{reason}")
    told = f"您的工单 {t.number} {t.department.name}决定不予受理：{g.name}（依据{g.basis}）。"
    queue_push(s, t, f"{told}{reason} {g.advice}")
    return t


REPORT_KINDS = ("report",)


def add_report_file(s: Session, t: Ticket, actor: Actor, ref: str, mime: str | None) -> Attachment:
    """A file of the 办结报告 (a photo of the repaired road, the signed agreement), kept with the ticket, audited."""
    _check_department(t, actor)
    if t.status not in (*OPEN_STATUSES, TicketStatus.RESOLVED):
        raise TicketError(f"工单当前状态为“{_status_label(t)}”，不能添加办结材料")
    a = Attachment(sender_id=f"staff:{actor.name}", kind="report", ref=ref, mime=mime, ticket=t)
    s.add(a)
    record_event(s, t, actor, EventAction.REPORT_FILE, t.status, mime)
    return a


# ---------------------------------------------------------------- 回访: satisfaction

RATING_CALLBACK_DAYS = 7  # no answer in the chat by then: the operator calls (the call-back list)
REVIEW_REQUEST_DAYS = 30  # 复查/复核 may be asked within 30 days of the answer and is decided within 30 days
REVIEW_DECIDE_DAYS = 30


def rating_payload(number: str, rating: Rating) -> str:
    """A rating button's payload; short for Telegram's 64-byte callback data: /rate{"ticket":"XP…","rating":1}."""
    return f'/rate{{"ticket":"{number}","rating":{RATINGS.index(rating) + 1}}}'


def review_payload(number: str) -> str:
    return f'/review{{"ticket":"{number}"}}'


def _ask_rating(s: Session, t: Ticket, text: str) -> None:
    """The answer goes to the citizen with the question 满意吗; a ticket with no chat (phone) goes straight to the
    operator's call-back list (rating_asked_at stays empty, so the list has it at once)."""
    t.rating, t.rating_comment, t.rated_at, t.rated_by = None, None, None, None
    if not t.sender_id or channel_of(t.sender_id) not in (Channel.WEB, Channel.TELEGRAM):
        t.rating_asked_at = None
        queue_push(s, t, text)
        return
    t.rating_asked_at = utcnow()
    buttons = [(RATING_LABELS[r], rating_payload(t.number, r)) for r in RATINGS]
    question = "您对办理结果满意吗？请点下面的按钮，或回复 1 满意、2 基本满意、3 不满意（可以附上意见）。"
    queue_push(s, t, f"{text}\n{question}", buttons)


def review_body(t: Ticket, j: Jurisdiction | None = None) -> str | None:
    """Who would decide the next review of this ticket: the superior of the body that gave the last answer."""
    j = j or load_jurisdiction()
    last = t.reviews[-1].body_code if t.reviews else t.department_code
    return j.superior(last, t.category)


def review_window_ends(t: Ticket) -> date | None:
    """The last day the citizen may ask for the next review; None when none may be asked (复核 is final)."""
    if t.status != TicketStatus.RESOLVED or t.review_level >= 2:
        return None
    answered = t.reviews[-1].decided_at if t.reviews else t.answered_at
    if answered is None:
        return None
    return as_china_time(answered).date() + timedelta(days=REVIEW_REQUEST_DAYS)


def rate(s: Session, t: Ticket, actor: Actor, rating: str, comment: str | None = None) -> Ticket:
    """The citizen's satisfaction with the answer: from the chat (the citizen) or a phone call (an operator).
    Not satisfied: the citizen is offered the next review (复查, then 复核) while its 30 days run."""
    if actor.role not in (Role.CITIZEN, Role.OPERATOR, Role.SUPERVISOR):
        raise TicketError("满意度只能由群众评价，或由话务员回访后录入")
    if t.status != TicketStatus.RESOLVED:
        raise TicketError(f"工单当前状态为“{_status_label(t)}”，还不能评价")
    try:
        value = Rating(rating)
    except ValueError:
        raise TicketError("满意度只能是 满意、基本满意 或 不满意") from None
    t.rating, t.rated_at, t.rated_by = value, utcnow(), actor.role
    t.rating_comment = (comment or "").strip()[:2000] or None
    note = RATING_LABELS[value] + (f"：{t.rating_comment}" if t.rating_comment else "")
    record_event(s, t, actor, EventAction.RATED, t.status, note)
    return t


def can_request_review(t: Ticket, today: date | None = None) -> bool:
    ends = review_window_ends(t)
    return ends is not None and (today or china_today()) <= ends and review_body(t) is not None


def request_review(s: Session, t: Ticket, actor: Actor, reason: str | None = None, today: date | None = None) -> Review:
    """复查 (or, after a 复查's decision, 复核): the ticket goes to the superior body, which decides within 30 days."""
    if actor.role not in (Role.CITIZEN, Role.OPERATOR, Role.SUPERVISOR):
        raise TicketError("复查（复核）由群众本人申请，或由话务员代为登记")
    today = today or china_today()
    if t.status in REVIEW_STATUSES:
        raise TicketError(f"工单 {t.number} 已在{REVIEW_LABELS[t.review_level]}中，请等待答复")
    if t.status != TicketStatus.RESOLVED:
        raise TicketError(f"工单当前状态为“{_status_label(t)}”，不能申请复查")
    if t.review_level >= 2:
        raise TicketError("该事项已经复核，复核意见为最终意见，不再受理复查复核申请（信访工作条例 第三十六条）")
    ends = review_window_ends(t)
    if ends is None or today > ends:
        word = REVIEW_LABELS[t.review_level + 1]
        raise TicketError(f"申请{word}须在收到答复之日起{REVIEW_REQUEST_DAYS}日内提出，已超过期限")
    body_code = review_body(t)
    body = s.get(Department, body_code) if body_code else None
    if body is None:
        raise TicketError("本系统中没有可以复查该答复的上级机关，请到县信访局咨询")
    level = t.review_level + 1
    review = Review(
        ticket=t,
        level=level,
        body_code=body.code,
        reason=(reason or t.rating_comment or "").strip()[:4000] or None,
        decide_by=today + timedelta(days=REVIEW_DECIDE_DAYS),
    )
    s.add(review)
    before = t.status
    t.status = TicketStatus.REVIEW if level == 1 else TicketStatus.SECOND_REVIEW
    t.review_level = level
    word = REVIEW_LABELS[level]
    record_event(s, t, actor, EventAction.REVIEW_REQUESTED, before, f"申请{word}，由{body.name}办理")
    if actor.role != Role.CITIZEN:  # a citizen who asked in the chat is answered there (handlers/followup.py)
        queue_push(
            s,
            t,
            f"您对工单 {t.number} 的{word}申请已登记，"
            f"由{body.name}在 {review.decide_by:%Y年%m月%d日} 前作出{word}意见并答复您。",
        )
    return review


def open_review(t: Ticket) -> Review | None:
    return next((r for r in reversed(t.reviews) if r.decided_at is None), None)


def decide_review(s: Session, t: Ticket, actor: Actor, decision: str, upheld: bool) -> Review:
    """The reviewing body's 复查/复核 意见: the reply stands (upheld) or is changed; the citizen gets it with the
    satisfaction question again, and after a 复查 may still ask for 复核."""
    review = open_review(t)
    if t.status not in REVIEW_STATUSES or review is None:
        raise TicketError(f"工单当前状态为“{_status_label(t)}”，没有待办的复查（复核）")
    if actor.role == Role.DEPARTMENT and actor.department_code != review.body_code:
        raise TicketError("该复查（复核）不由本部门办理")
    if actor.role not in (Role.DEPARTMENT, Role.SUPERVISOR):
        raise TicketError("只有复查（复核）机关可以作出意见")
    decision = (decision or "").strip()
    if not decision:
        raise TicketError("请填写复查（复核）意见")
    word = REVIEW_LABELS[review.level]
    review.decided_at, review.upheld, review.decision = utcnow(), bool(upheld), decision
    before, t.status = t.status, TicketStatus.RESOLVED
    outcome = "维持原答复" if upheld else "变更原答复"
    t.reply = f"{word}意见（{review.body.name}，{outcome}）：{decision}"
    record_event(s, t, actor, EventAction.REVIEW_DECIDED, before, f"{outcome}：{decision}")
    final = "复核意见为最终意见。" if review.level == 2 else f"如仍不服，可在{REVIEW_REQUEST_DAYS}日内申请复核。"
    _ask_rating(s, t, f"您的工单 {t.number} 有了{word}意见：{t.reply} {final}")
    return review


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


def callback_due(s: Session, limit: int = 200, now: datetime | None = None) -> list[Ticket]:
    """The operator's call-back list (回访): answered tickets with no rating, asked in the chat 7 days ago or more,
    or never asked because they came by phone (or another system). Oldest answer first."""
    cutoff = (now or utcnow()) - timedelta(days=RATING_CALLBACK_DAYS)
    return list(
        s.scalars(
            select(Ticket)
            .where(
                Ticket.status == TicketStatus.RESOLVED,
                Ticket.rating.is_(None),
                or_(Ticket.rating_asked_at.is_(None), Ticket.rating_asked_at <= cutoff),
            )
            .order_by(Ticket.answered_at, Ticket.id)
            .limit(limit)
        )
    )


def tickets_of_sender(s: Session, sender_id: str) -> list[Ticket]:
    return list(s.scalars(select(Ticket).where(Ticket.sender_id == sender_id).order_by(Ticket.id.desc())))
