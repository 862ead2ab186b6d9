from datetime import date, datetime

import pytest
from sqlalchemy import select

from bot import intake
from bot.models import Notification, TicketEvent
from bot.tickets import (
    Actor,
    TicketError,
    accept,
    escalate_overdue_tickets,
    extend,
    get_ticket,
    reroute,
    resolve,
    return_ticket,
)
from bot.vocabulary import Role

HRSS = Actor("clerk", Role.DEPARTMENT, "county.hrss")
OTHER = Actor("clerk2", Role.DEPARTMENT, "county.health")
OPERATOR = Actor("op", Role.OPERATOR)


def file(session, make_draft, sender="tg:42", **kw):
    """A ticket filed through the one intake path, in the test's session."""
    filed = intake.file_ticket(make_draft(**kw), sender_id=sender, session=session, now=datetime(2026, 11, 23, 10, 0))
    session.flush()
    return get_ticket(session, filed.number)


def events(session, t):
    return [e.action for e in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id))]


def pushes(session, t):
    return [n.text for n in session.scalars(select(Notification).where(Notification.ticket_id == t.id))]


def test_filing_numbers_routes_and_sets_statutory_deadlines(session, make_draft):
    t = file(session, make_draft)
    assert t.number.startswith("XP20261123-")
    assert t.department_code == "county.hrss" and t.status == "registered"
    assert (t.accept_by, t.answer_by) == (date(2026, 12, 8), date(2027, 2, 6))
    assert events(session, t) == ["filed"]


def test_accept_and_resolve_are_audited_and_pushed_to_the_citizen(session, make_draft):
    t = file(session, make_draft)
    accept(session, t, HRSS, today=date(2026, 11, 24))
    assert t.answer_by == date(2027, 1, 23)
    resolve(session, t, HRSS, "已责令包工头支付")
    assert t.status == "resolved" and t.reply == "已责令包工头支付"
    assert events(session, t) == ["filed", "accepted", "resolved"]
    texts = pushes(session, t)
    assert len(texts) == 2 and "已受理" in texts[0] and "已责令包工头支付" in texts[1]


def test_a_department_cannot_touch_another_departments_ticket(session, make_draft):
    t = file(session, make_draft)
    with pytest.raises(TicketError, match="不属于本部门"):
        accept(session, t, OTHER)
    assert t.status == "registered"


def test_return_needs_a_reason_and_operator_reroutes(session, make_draft):
    t = file(session, make_draft)
    with pytest.raises(TicketError, match="理由"):
        return_ticket(session, t, HRSS, "  ")
    return_ticket(session, t, HRSS, "属于工伤认定，应转医保")
    assert t.status == "returned"
    with pytest.raises(TicketError):
        reroute(session, t, HRSS, "county.health")
    reroute(session, t, OPERATOR, "county.health", "改派卫健局")
    assert (t.status, t.department_code) == ("registered", "county.health")
    assert events(session, t)[-2:] == ["returned", "rerouted"]


def test_extension_only_once_and_only_after_acceptance(session, make_draft):
    t = file(session, make_draft)
    with pytest.raises(TicketError, match="已受理"):
        extend(session, t, HRSS, 10, "需要调查")
    accept(session, t, HRSS, today=date(2026, 11, 24))
    extend(session, t, HRSS, 30, "需要审计")
    assert t.answer_by == date(2027, 2, 22) and t.extended
    with pytest.raises(TicketError, match="一次"):
        extend(session, t, HRSS, 5, "再延")


def test_resolved_ticket_cannot_be_resolved_again(session, make_draft):
    t = file(session, make_draft)
    resolve(session, t, HRSS, "已处理")
    with pytest.raises(TicketError):
        resolve(session, t, HRSS, "再次")


def test_overdue_township_ticket_is_escalated_to_county(session, make_draft, jurisdiction):
    t = file(session, make_draft, category="land", township="gasa", village="gasa.nanen")
    assert t.department_code == "gasa.government"
    moved = escalate_overdue_tickets(session, jurisdiction, date(2027, 3, 1))
    assert moved == [t] and t.department_code == "county.natural_resources" and "overdue" in t.flags
    assert events(session, t)[-1] == "escalated"
    assert escalate_overdue_tickets(session, jurisdiction, date(2027, 3, 2)) == []


def test_escalation_of_overdue_tickets_follows_the_jurisdiction_rule(session, make_draft, jurisdiction):
    """`overdue: {to_county: false}` in the file: the ticket is flagged overdue but stays with the township."""
    from dataclasses import replace

    from bot.jurisdiction import EscalationRule

    t = file(session, make_draft, category="land", township="gasa")
    stays = replace(jurisdiction, escalation={**jurisdiction.escalation, "overdue": EscalationRule(to_county=False)})
    assert escalate_overdue_tickets(session, stays, date(2027, 3, 1)) == []
    assert t.department_code == "gasa.government" and "overdue" in t.flags
    short = replace(jurisdiction, escalation={"overdue": EscalationRule(to_county=True, answer_within_days=7)})
    assert escalate_overdue_tickets(session, short, date(2027, 3, 1)) == [t]
    assert t.answer_by == date(2027, 3, 8)


def test_audit_rows_name_the_actor_in_columns(session, make_draft):
    t = file(session, make_draft)
    accept(session, t, HRSS, today=date(2026, 11, 24))
    session.flush()
    rows = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.id)).all()
    assert [(e.actor_role, e.actor_name, e.actor_department) for e in rows] == [
        ("citizen", "citizen", None),
        ("department", "clerk", "county.hrss"),
    ]


def test_returns_and_reroutes_are_kept_as_dispatch_examples(session, make_draft):
    from bot.models import DispatchExample

    t = file(session, make_draft, category="labour", township="gasa")
    with pytest.raises(TicketError, match="没有编码为"):
        return_ticket(session, t, HRSS, "不归我们", "county.nowhere")
    return_ticket(session, t, HRSS, "这是医保报销的事", "county.medical_insurance")
    reroute(session, t, OPERATOR, "county.medical_insurance", "改派医保局")
    session.flush()
    rows = session.scalars(select(DispatchExample).where(DispatchExample.ticket_id == t.id)).all()
    assert [(e.source, e.wrong_department, e.right_department, e.confirmed) for e in rows] == [
        ("returned", "county.hrss", "county.medical_insurance", False),
        ("rerouted", "county.hrss", "county.medical_insurance", True),
    ]
    assert rows[0].text == t.text and rows[0].township == "gasa"
    note = session.scalars(select(TicketEvent).where(TicketEvent.action == "returned")).one().note
    assert "建议转交：新平县医疗保障局" in note


def test_an_overdue_scan_does_not_read_again_what_an_earlier_scan_settled(session, make_draft, jurisdiction):
    """At a million tickets the scan read every overdue ticket each time (0.7 s): a ticket at the county already
    flagged overdue cannot change, and is left out of the query."""
    from sqlalchemy import event

    from bot.models import Ticket

    county = file(session, make_draft, category="labour")
    assert county.department_code == "county.hrss"
    escalate_overdue_tickets(session, jurisdiction, date(2027, 3, 1))
    assert "overdue" in county.flags
    fresh = file(session, make_draft, category="labour", sender="tg:43")
    numbers = county.number, fresh.number
    session.flush()
    session.expunge_all()
    loaded: list[str] = []

    def on_load(target, _context):
        loaded.append(target.number)

    event.listen(Ticket, "load", on_load)
    try:
        escalate_overdue_tickets(session, jurisdiction, date(2027, 3, 2))
    finally:
        event.remove(Ticket, "load", on_load)
    assert numbers[0] not in loaded and numbers[1] in loaded
