"""Every read the web app makes, in one place. Department scoping is part of the query itself: a department user's
lookup of another department's ticket finds nothing, exactly as for a number that does not exist."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy import exists, func, or_, select, text
from sqlalchemy.orm import Session, selectinload

from bot.jurisdiction import load_jurisdiction
from bot.models import (
    QUEUE_SQL,
    URGENT_WAITING_SQL,
    Attachment,
    Department,
    Incident,
    Notification,
    Review,
    StaffUser,
    Ticket,
    TicketCount,
    TicketDay,
    TicketEvent,
)
from bot.views import IncidentView, TicketSummary
from bot.vocabulary import OPEN_STATUSES, STATUS_LABELS, EventAction, Flag, Role, TicketStatus
from classifier.categories import category_name
from classifier.pii import mask_phone

LIST_LIMIT = 1000  # the largest page a queue gives
PAGE = 200  # a queue's page when none is asked for (the page asks for the next with `before` / `after`)
# the supervisor page's lists (overdue, urgent waiting, repeats): the oldest / largest first, counted in full
STATS_LIST_LIMIT = 100


def _normalise(number: str) -> str:
    return (number or "").strip().upper()


def ticket_for_staff(s: Session, number: str, user: StaffUser) -> Ticket | None:
    """The ticket this staff member may see: a department only its own, operators and supervisors any."""
    q = select(Ticket).where(Ticket.number == _normalise(number))
    if user.role == Role.DEPARTMENT:  # its own, or one it reviews (复查/复核)
        reviews = select(Review.ticket_id).where(Review.body_code == user.department_code)
        q = q.where(or_(Ticket.department_code == user.department_code, Ticket.id.in_(reviews)))
    return s.scalars(q).first()


def incident_for_staff(s: Session, incident_id: int, user: StaffUser) -> tuple[Incident, list[Ticket]] | None:
    """An event and the tickets of it this staff member sees: a department only an event it has a ticket in, and
    only its own tickets; operators and supervisors all."""
    incident = s.get(Incident, incident_id)
    if incident is None:
        return None
    tickets = list(incident.tickets)
    if user.role == Role.DEPARTMENT:
        tickets = [t for t in tickets if t.department_code == user.department_code]
        if not tickets:
            return None
    return incident, tickets


WARNINGS_LIMIT = 100


def warnings(s: Session, limit: int = WARNINGS_LIMIT) -> list[Incident]:
    """Events with an early warning, the newest activity first."""
    return list(
        s.scalars(
            select(Incident)
            .where(Incident.warned_at.is_not(None))
            .options(selectinload(Incident.tickets).selectinload(Ticket.department))
            .order_by(Incident.last_at.desc(), Incident.id.desc())
            .limit(limit)
        )
    )


def reviews_for(s: Session, body_code: str, limit: int = PAGE) -> list[Review]:
    """The 复查/复核 a body has to decide, the nearest deadline first."""
    return list(
        s.scalars(
            select(Review)
            .where(Review.body_code == body_code, Review.decided_at.is_(None))
            .options(selectinload(Review.ticket).selectinload(Ticket.department))
            .order_by(Review.decide_by, Review.id)
            .limit(limit)
        )
    )


def attachment_for_staff(s: Session, attachment_id: int, user: StaffUser) -> Attachment | None:
    q = select(Attachment).join(Ticket, Attachment.ticket_id == Ticket.id).where(Attachment.id == attachment_id)
    if user.role == Role.DEPARTMENT:
        q = q.where(Ticket.department_code == user.department_code)
    return s.scalars(q).first()


def _id_of(s: Session, number: str | None) -> int | None:
    return s.scalar(select(Ticket.id).where(Ticket.number == _normalise(number))) if number else None


def department_tickets(
    s: Session, department_code: str, status: str | None = None, limit: int = PAGE, before: str | None = None
) -> list[Ticket]:
    """A department's tickets, newest first, one page: `limit` of them, older than the ticket numbered `before`."""
    q = (
        select(Ticket)
        .where(Ticket.department_code == department_code)
        .options(selectinload(Ticket.department))
        .order_by(Ticket.id.desc())
        .limit(min(limit, LIST_LIMIT))
    )
    if status:
        q = q.where(Ticket.status == status)
    cursor = _id_of(s, before)
    if cursor is not None:
        q = q.where(Ticket.id < cursor)
    return list(s.scalars(q))


def repeat_numbers(s: Session, tickets: list[Ticket]) -> dict[int, str]:
    """ticket id -> number of the earlier ticket it repeats (for the tickets given)."""
    ids = {t.repeat_of_id for t in tickets if t.repeat_of_id}
    if not ids:
        return {}
    numbers = dict(s.execute(select(Ticket.id, Ticket.number).where(Ticket.id.in_(ids))).all())
    return {t.id: numbers[t.repeat_of_id] for t in tickets if t.repeat_of_id in numbers}


def operator_queue(s: Session, limit: int = PAGE, after: str | None = None) -> list[tuple[Ticket, str | None]]:
    """Returned tickets, and tickets marked for review that nobody has re-routed or accepted yet, each with the
    department's return reason; oldest first, one page: `limit` of them, after the ticket numbered `after`."""
    rerouted = exists().where(TicketEvent.ticket_id == Ticket.id, TicketEvent.action == EventAction.REROUTED)
    q = (
        select(Ticket)
        # the partial index's condition (bot/models.py QUEUE_SQL), then: marked for review and not re-routed since
        .where(text(QUEUE_SQL), or_(Ticket.status == TicketStatus.RETURNED, ~rerouted))
        .options(selectinload(Ticket.department))
        .order_by(Ticket.id)
        .limit(min(limit, LIST_LIMIT))
    )
    cursor = _id_of(s, after)
    if cursor is not None:
        q = q.where(Ticket.id > cursor)
    tickets = list(s.scalars(q))
    reasons: dict[int, str | None] = {}
    if tickets:
        for e in s.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id.in_([t.id for t in tickets]), TicketEvent.action == EventAction.RETURNED)
            .order_by(TicketEvent.id)
        ):
            reasons[e.ticket_id] = e.note
    return [(t, reasons.get(t.id) if t.status == TicketStatus.RETURNED else None) for t in tickets]


def departments(s: Session) -> list[Department]:
    return list(s.scalars(select(Department).order_by(Department.level, Department.code)))


def department_name(s: Session, code: str | None) -> str | None:
    d = s.get(Department, code) if code else None
    return d.name if d else None


def web_updates(s: Session, sender_id: str, after: int = 0, limit: int = 50) -> list[Notification]:
    """Undelivered pushes of one web chat sender; the caller marks them delivered."""
    return list(
        s.scalars(
            select(Notification)
            .where(Notification.sender_id == sender_id, Notification.delivered.is_(False), Notification.id > after)
            .order_by(Notification.id)
            .limit(limit)
        )
    )


# ---------------------------------------------------------------- supervisor statistics


def _counts(s: Session, column) -> list[tuple[str | None, int]]:
    """Tickets by one column of the counts the database keeps (bot/aggregates.py), largest first."""
    n = func.sum(TicketCount.n)
    return [(k, int(c)) for k, c in s.execute(select(column, n).group_by(column).order_by(n.desc(), column)) if c]


def _week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def stats(s: Session, today: date, weeks: int = 12) -> dict:
    names = {d.code: d.name for d in departments(s)}
    # from the counts the database keeps (bot/aggregates.py): a few thousand rows, whatever the number of tickets
    total = int(s.scalar(select(func.sum(TicketCount.n))) or 0)
    by_category = [{"code": c, "name": category_name(c), "count": n} for c, n in _counts(s, TicketCount.category)]
    by_department = [
        {"code": c, "name": names.get(c, c), "count": n} for c, n in _counts(s, TicketCount.department_code)
    ]
    by_status = [{"code": c, "name": STATUS_LABELS.get(c, c), "count": n} for c, n in _counts(s, TicketCount.status)]

    first = _week_start(today) - timedelta(weeks=weeks - 1)
    week_counts: Counter[date] = Counter()
    for d, n in s.execute(select(TicketDay.day, TicketDay.n).where(TicketDay.day >= first)):
        week_counts[_week_start(d)] += n
    by_week = [
        {"week_start": first + timedelta(weeks=i), "count": week_counts[first + timedelta(weeks=i)]}
        for i in range(weeks)
    ]

    overdue_rows = list(
        s.scalars(
            select(Ticket)
            .where(Ticket.is_open(), Ticket.answer_by < today)
            .options(selectinload(Ticket.department))
            .order_by(Ticket.answer_by)
            .limit(STATS_LIST_LIMIT)
        )
    )
    overdue_total = s.scalar(select(func.count()).select_from(Ticket).where(Ticket.is_open(), Ticket.answer_by < today))
    overdue = [
        {**TicketSummary.of(t, today).model_dump(), "days_overdue": (today - t.answer_by).days} for t in overdue_rows
    ]
    # urgent tickets nobody has accepted yet: a person must contact the citizen by respond_by
    urgent_waiting = [
        TicketSummary.of(t, today).model_dump()
        for t in s.scalars(
            select(Ticket)
            .where(text(URGENT_WAITING_SQL))
            .options(selectinload(Ticket.department))
            .order_by(Ticket.respond_by)
            .limit(STATS_LIST_LIMIT)
        )
    ]

    # 挂牌督办 and still open: the nearest deadline first (an overdue one is flagged in its view)
    supervised = [
        TicketSummary.of(t, today).model_dump()
        for t in s.scalars(
            select(Ticket)
            .where(Ticket.supervise_by.is_not(None), Ticket.is_open())
            .options(selectinload(Ticket.department))
            .order_by(Ticket.supervise_by)
            .limit(STATS_LIST_LIMIT)
        )
    ]

    # by township code; the name is the jurisdiction's current one
    j = load_jurisdiction()
    hotspots = [
        {
            "township_code": town,
            "township": j.township_name(town) or town,
            "category": c,
            "category_name": category_name(c),
            "count": n,
        }
        for town, c, n in s.execute(
            select(TicketCount.township, TicketCount.category, func.sum(TicketCount.n).label("n"))
            .where(TicketCount.township != "")
            .group_by(TicketCount.township, TicketCount.category)
            .having(func.sum(TicketCount.n) > 0)
            .order_by(text("n DESC"), TicketCount.township, TicketCount.category)
            .limit(10)
        ).all()
    ]

    return {
        "total": total,
        "open": sum(x["count"] for x in by_status if x["code"] in OPEN_STATUSES),
        "by_category": by_category,
        "by_department": by_department,
        "by_status": by_status,
        "by_week": by_week,
        "overdue": overdue,
        "overdue_total": overdue_total,  # the list shows the STATS_LIST_LIMIT most overdue
        "urgent_waiting": urgent_waiting,
        "supervised": supervised,
        "hotspots": hotspots,
        "repeats": repeat_petitions(s, today),
        # 矛盾纠纷预警: events reported by many, or collective / urgent (bot/linking.py)
        "warnings": [
            IncidentView.of(i, list(i.tickets), today).model_dump(mode="json") for i in warnings(s, STATS_LIST_LIMIT)
        ],
    }


def repeat_petitions(s: Session, today: date) -> list[dict]:
    """Tickets that repeat an earlier one (linked, or flagged 重复), grouped by the citizen's phone, shown masked.
    The earlier tickets they repeat are in the group too."""
    linked = list(
        s.scalars(
            select(Ticket)
            .where(Ticket.repeat_of_id.is_not(None))
            .options(selectinload(Ticket.department))
            .order_by(Ticket.id.desc())
            .limit(STATS_LIST_LIMIT * 2)
        )
    )
    # flagged in the JSON list: found by the database (its text form in both SQLite and PostgreSQL), then checked
    flagged = [
        t
        for t in s.scalars(
            select(Ticket)
            .where(Ticket.repeat_of_id.is_(None), Ticket.flagged(Flag.REPEAT.value))
            .options(selectinload(Ticket.department))
            .order_by(Ticket.id.desc())
            .limit(STATS_LIST_LIMIT * 2)
        )
        if Flag.REPEAT in (t.flags or [])
    ]
    tickets = {t.id: t for t in linked + flagged}
    missing = {t.repeat_of_id for t in linked} - tickets.keys()
    if missing:
        for t in s.scalars(select(Ticket).where(Ticket.id.in_(missing)).options(selectinload(Ticket.department))):
            tickets[t.id] = t
    groups: dict[str, list[Ticket]] = defaultdict(list)
    for t in tickets.values():
        # one citizen: same phone, else same chat; a ticket with neither stays on its own
        key = f"phone:{t.phone}" if t.phone else f"sender:{t.sender_id}" if t.sender_id else f"ticket:{t.id}"
        groups[key].append(t)
    # a chat whose tickets also carry a phone joins that phone's group
    phones_of: dict[str, set[str]] = defaultdict(set)
    for t in tickets.values():
        if t.sender_id and t.phone:
            phones_of[t.sender_id].add(t.phone)
    for key in [k for k in groups if k.startswith("sender:")]:
        phones = set(phones_of.get(key[7:], ()))
        if len(phones) == 1:
            groups[f"phone:{phones.pop()}"].extend(groups.pop(key))
    for rows in groups.values():
        rows.sort(key=lambda t: t.id)
    # the largest groups first; only those listed are turned into views (the views are the costly part)
    largest = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[1][0].number))[:STATS_LIST_LIMIT]
    out = []
    for key, rows in largest:
        phone = key[6:] if key.startswith("phone:") else None
        out.append(
            {
                "citizen": mask_phone(phone) if phone else "未留电话",
                "count": len(rows),
                "tickets": [
                    TicketSummary.of(
                        t, today, tickets[t.repeat_of_id].number if t.repeat_of_id in tickets else None
                    ).model_dump()
                    for t in rows
                ],
            }
        )
    return out
