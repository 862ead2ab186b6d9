"""回访, 复查/复核, 不予受理 and the 办结报告 in the ticket life cycle (bot/tickets.py)."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import intake
from bot.models import Notification, TicketEvent
from bot.tickets import (
    CITIZEN,
    Actor,
    TicketError,
    accept,
    add_report_file,
    callback_due,
    decide_review,
    decline,
    decline_grounds,
    rate,
    request_review,
    resolve,
)
from bot.vocabulary import Role

HRSS = Actor("clerk", Role.DEPARTMENT, "county.hrss")
GASA = Actor("gasa", Role.DEPARTMENT, "gasa.government")
NATURAL = Actor("nr", Role.DEPARTMENT, "county.natural_resources")
COUNTY = Actor("gov", Role.DEPARTMENT, "county.government")
OPERATOR = Actor("op", Role.OPERATOR)


def file(session, make_draft, sender="tg:42", **kw):
    filed = intake.file_ticket(make_draft(**kw), sender_id=sender, session=session, now=datetime(2026, 11, 23, 10, 0))
    session.flush()
    return intake.get_ticket(session, filed.number)


def pushes(session, t):
    return list(session.scalars(select(Notification).where(Notification.ticket_id == t.id).order_by(Notification.id)))


def actions(session, t):
    return [e.action for e in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id))]


def test_resolving_asks_the_chat_citizen_to_rate_with_three_buttons(session, make_draft):
    t = file(session, make_draft)
    accept(session, t, HRSS, today=date(2026, 11, 24))
    resolve(session, t, HRSS, "已责令包工头支付", measures="约谈包工头，现场监督发放")
    last = pushes(session, t)[-1]
    assert "约谈包工头" in last.text and "满意吗" in last.text
    assert [b[0] for b in last.buttons] == ["满意", "基本满意", "不满意"]
    assert last.buttons[2][1] == f'/rate{{"ticket":"{t.number}","rating":3}}'
    assert all(len(p.encode()) <= 64 for _, p in last.buttons)  # Telegram's callback data limit
    assert t.rating_asked_at is not None and t.accepted_at is not None and t.answered_at is not None


def test_a_phone_ticket_goes_straight_to_the_call_back_list(session, make_draft):
    phone = file(session, make_draft, sender=None)
    chat = file(session, make_draft)
    for t in (phone, chat):
        resolve(session, t, HRSS, "已处理")
    session.flush()
    now = datetime.now()
    assert [t.number for t in callback_due(session, now=now)] == [phone.number]
    # seven days without an answer in the chat: the operator calls that citizen too
    later = [t.number for t in callback_due(session, now=now + timedelta(days=7, minutes=1))]
    assert later == [phone.number, chat.number]
    rate(session, phone, OPERATOR, "basically_satisfied", "电话回访：基本满意")
    session.flush()
    assert [t.number for t in callback_due(session, now=now + timedelta(days=8))] == [chat.number]
    assert phone.rated_by == "operator" and "rated" in actions(session, phone)


def test_ratings_are_checked(session, make_draft):
    t = file(session, make_draft)
    with pytest.raises(TicketError, match="还不能评价"):
        rate(session, t, CITIZEN, "satisfied")
    resolve(session, t, HRSS, "已处理")
    with pytest.raises(TicketError, match="满意度只能是"):
        rate(session, t, CITIZEN, "great")
    with pytest.raises(TicketError, match="话务员"):
        rate(session, t, HRSS, "satisfied")


def test_review_goes_to_the_superior_and_then_the_second_review_above_it(session, make_draft):
    # a land matter answered by the township: 复查 by the county's land department, 复核 by the county government
    t = file(session, make_draft, category="land", township="gasa", text="村里占了我家承包地不给补偿")
    assert t.department_code == "gasa.government"
    resolve(session, t, GASA, "已协调补偿")
    rate(session, t, CITIZEN, "dissatisfied", "补偿太少")
    first = request_review(session, t, CITIZEN, today=date(2026, 11, 30))
    assert (t.status, first.level, first.body_code) == ("review", 1, "county.natural_resources")
    assert first.decide_by == date(2026, 12, 30) and first.reason == "补偿太少"
    with pytest.raises(TicketError, match="复查中"):
        request_review(session, t, CITIZEN, today=date(2026, 11, 30))
    with pytest.raises(TicketError, match="不由本部门"):
        decide_review(session, t, GASA, "维持", upheld=True)
    session.flush()
    decide_review(session, t, NATURAL, "补偿标准符合规定", upheld=True)
    assert t.status == "resolved" and t.rating is None and "复查意见" in t.reply
    assert "可在30日内申请复核" in pushes(session, t)[-1].text and pushes(session, t)[-1].buttons
    second = request_review(session, t, CITIZEN, "仍不服", today=date(2026, 12, 5))
    assert (t.status, second.level, second.body_code) == ("second_review", 2, "county.government")
    session.flush()
    decide_review(session, t, COUNTY, "复核：维持复查意见", upheld=True)
    with pytest.raises(TicketError, match="最终意见"):
        request_review(session, t, CITIZEN, today=date(2026, 12, 6))
    assert actions(session, t).count("review_requested") == 2 and actions(session, t).count("review_decided") == 2


def test_a_review_must_be_asked_within_thirty_days_of_the_answer(session, make_draft):
    t = file(session, make_draft)
    resolve(session, t, HRSS, "已处理")
    answered = t.answered_at.date()
    with pytest.raises(TicketError, match="已超过期限"):
        request_review(session, t, CITIZEN, today=answered + timedelta(days=32))
    assert request_review(session, t, CITIZEN, today=answered + timedelta(days=29)).body_code == "county.government"


def test_decline_needs_a_listed_ground_and_a_reason_and_tells_the_citizen_where_to_turn(session, make_draft):
    t = file(session, make_draft)
    with pytest.raises(TicketError, match="依据"):
        decline(session, t, HRSS, "no_such_ground", "理由")
    with pytest.raises(TicketError, match="说明理由"):
        decline(session, t, HRSS, "legal_procedure", " ")
    decline(session, t, HRSS, "legal_procedure", "双方已签劳动合同纠纷，属劳动争议仲裁范围")
    ground = decline_grounds()["legal_procedure"]
    assert t.status == "declined" and t.decline_ground == "legal_procedure" and t.answered_at is not None
    told = pushes(session, t)[-1].text
    assert ground.basis in told and ground.advice in told and "劳动争议仲裁" in told
    with pytest.raises(TicketError, match="只有待受理"):
        decline(session, t, HRSS, "legal_procedure", "再次")


def test_report_files_are_kept_and_audited_for_the_department_only(session, make_draft):
    t = file(session, make_draft)
    a = add_report_file(session, t, HRSS, "/var/report/x.pdf", "application/pdf")
    assert a.kind == "report" and a.sender_id == "staff:clerk" and "report_file" in actions(session, t)
    with pytest.raises(TicketError, match="不属于本部门"):
        add_report_file(session, t, Actor("x", Role.DEPARTMENT, "county.health"), "/y", None)


def test_a_broken_grounds_file_is_reported_in_chinese_with_the_entry(tmp_path):
    broken = tmp_path / "grounds.yml"
    broken.write_text("- code: a\n  name: 甲\n  basis: 依据\n  advice: 建议\n- code: b\n  name: 乙\n", encoding="utf-8")
    with pytest.raises(ValueError, match="第2项需要 code、name、basis、advice"):
        decline_grounds(broken)
    assert {"legal_procedure", "review_final"} <= set(decline_grounds())  # the shipped file is whole
