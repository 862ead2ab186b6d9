from datetime import date, datetime

import pytest
from sqlalchemy import select

from bot.models import Attachment, Notification, TicketEvent
from bot.tickets import (
    Actor,
    TicketError,
    accept,
    add_citizen_details,
    create_ticket,
    escalate_overdue_tickets,
    extend,
    reroute,
    resolve,
    return_ticket,
)

CITIZEN = Actor("citizen", "citizen")
HRSS = Actor("clerk", "department", "county.hrss")
OTHER = Actor("clerk2", "department", "county.health")
OPERATOR = Actor("op", "operator")


def file(session, make_analysis, sender="tg:42", **kw):
    t = create_ticket(
        session,
        analysis=make_analysis(**kw),
        text="包工头欠我们工资",
        channel="tg",
        sender_id=sender,
        actor=CITIZEN,
        now=datetime(2026, 11, 23, 10, 0),
    )
    session.flush()
    return t


def events(session, t):
    return [e.action for e in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id))]


def pushes(session, t):
    return [n.text for n in session.scalars(select(Notification).where(Notification.ticket_id == t.id))]


def test_filing_numbers_routes_and_sets_statutory_deadlines(session, make_analysis):
    t = file(session, make_analysis)
    assert t.number.startswith("XP20261123-")
    assert t.department_code == "county.hrss" and t.status == "registered"
    assert (t.accept_by, t.answer_by) == (date(2026, 12, 8), date(2027, 2, 6))
    assert events(session, t) == ["filed"]


def test_accept_and_resolve_are_audited_and_pushed_to_the_citizen(session, make_analysis):
    t = file(session, make_analysis)
    accept(session, t, HRSS, today=date(2026, 11, 24))
    assert t.answer_by == date(2027, 1, 23)
    resolve(session, t, HRSS, "已责令包工头支付")
    assert t.status == "resolved" and t.reply == "已责令包工头支付"
    assert events(session, t) == ["filed", "accepted", "resolved"]
    texts = pushes(session, t)
    assert len(texts) == 2 and "已受理" in texts[0] and "已责令包工头支付" in texts[1]


def test_a_department_cannot_touch_another_departments_ticket(session, make_analysis):
    t = file(session, make_analysis)
    with pytest.raises(TicketError, match="不属于本部门"):
        accept(session, t, OTHER)
    assert t.status == "registered"


def test_return_needs_a_reason_and_operator_reroutes(session, make_analysis):
    t = file(session, make_analysis)
    with pytest.raises(TicketError, match="理由"):
        return_ticket(session, t, HRSS, "  ")
    return_ticket(session, t, HRSS, "属于工伤认定，应转医保")
    assert t.status == "returned"
    with pytest.raises(TicketError):
        reroute(session, t, HRSS, "county.health")
    reroute(session, t, OPERATOR, "county.health", "改派卫健局")
    assert (t.status, t.department_code) == ("registered", "county.health")
    assert events(session, t)[-2:] == ["returned", "rerouted"]


def test_extension_only_once_and_only_after_acceptance(session, make_analysis):
    t = file(session, make_analysis)
    with pytest.raises(TicketError, match="已受理"):
        extend(session, t, HRSS, 10, "需要调查")
    accept(session, t, HRSS, today=date(2026, 11, 24))
    extend(session, t, HRSS, 30, "需要审计")
    assert t.answer_by == date(2027, 2, 22) and t.extended
    with pytest.raises(TicketError, match="一次"):
        extend(session, t, HRSS, 5, "再延")


def test_resolved_ticket_cannot_be_resolved_again(session, make_analysis):
    t = file(session, make_analysis)
    resolve(session, t, HRSS, "已处理")
    with pytest.raises(TicketError):
        resolve(session, t, HRSS, "再次")


def test_second_complaint_of_same_citizen_and_category_is_marked_repeat(session, make_analysis):
    first = file(session, make_analysis)
    second = file(session, make_analysis)
    assert second.repeat_of_id == first.id and "repeat" in second.flags
    other = file(session, make_analysis, category="medical")
    assert other.repeat_of_id is None


def test_evidence_sent_before_filing_is_attached_to_the_ticket(session, make_analysis):
    session.add(Attachment(sender_id="tg:42", kind="photo", ref="file-1"))
    session.flush()
    t = file(session, make_analysis)
    session.flush()
    assert [a.ref for a in session.scalars(select(Attachment).where(Attachment.ticket_id == t.id))] == ["file-1"]


def test_urgent_case_audit_records_the_notice_to_the_petition_bureau(session, make_analysis):
    t = file(session, make_analysis, category="family", township="漠沙镇", flags=["urgent"])
    assert t.department_code == "county.women" and t.escalated
    assert events(session, t) == ["filed", "escalation_notice"]


def test_overdue_township_ticket_is_escalated_to_county(session, make_analysis, jurisdiction):
    t = file(session, make_analysis, category="land", township="戛洒镇", village="南恩村")
    assert t.department_code == "gasa.government"
    moved = escalate_overdue_tickets(session, jurisdiction, date(2027, 3, 1))
    assert moved == [t] and t.department_code == "county.natural_resources" and "overdue" in t.flags
    assert events(session, t)[-1] == "escalated"
    assert escalate_overdue_tickets(session, jurisdiction, date(2027, 3, 2)) == []


def test_citizen_completes_an_urgent_ticket_filed_at_once(session, make_analysis, jurisdiction):
    t = file(session, make_analysis, category="family", flags=["urgent"])
    changed = add_citizen_details(
        session, t, "tg:42", jurisdiction, phone="13812345678", township="漠沙镇", village="", incident_time="昨天晚上"
    )
    assert changed == ["联系电话", "乡镇（街道）", "发生时间"]
    assert (t.phone, t.township, t.village, t.incident_time) == ("13812345678", "漠沙镇", None, "昨天晚上")
    assert t.department_code == "county.women"  # urgent stays at county level
    assert events(session, t)[-1] == "details_added"
    note = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id)).all()[-1].note
    assert "联系电话" in note and "138" not in note  # the audit names what changed, not the number


def test_a_new_category_from_the_citizen_reroutes_a_ticket_no_one_has_accepted(session, make_analysis, jurisdiction):
    t = file(session, make_analysis, category="labour", flags=["urgent"])
    add_citizen_details(session, t, "tg:42", jurisdiction, category="family")
    assert (t.category, t.department_code) == ("family", "county.women")
    accept(session, t, Actor("clerk", "department", "county.women"))
    add_citizen_details(session, t, "tg:42", jurisdiction, category="labour")
    assert (t.category, t.department_code) == ("labour", "county.women")  # accepted: the department keeps it


def test_only_the_ticket_owner_may_add_details_and_not_after_resolution(session, make_analysis, jurisdiction):
    t = file(session, make_analysis)
    with pytest.raises(TicketError, match="自己的工单"):
        add_citizen_details(session, t, "tg:99", jurisdiction, phone="13812345678")
    assert add_citizen_details(session, t, "tg:42", jurisdiction, phone=None, township="") == []
    resolve(session, t, HRSS, "已处理")
    with pytest.raises(TicketError, match="已办结"):
        add_citizen_details(session, t, "tg:42", jurisdiction, phone="13812345678")
    assert t.phone is None
