"""Linked reports of one event and the early warning (bot/linking.py)."""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from bot import intake
from bot.linking import Report, same_event
from bot.models import Notification, TicketEvent

NOV = date(2026, 11, 10)


def report(text, received=NOV, category="labour", matter=None, township=None, village=None, orgs=(), citizen=None):
    return Report(text, received, category, matter, township, village, tuple(orgs), citizen)


def test_the_same_employer_told_by_two_workers_is_one_event():
    a = report("鑫达建筑公司欠我们十几个工人三个月工资", orgs=["鑫达建筑公司"], citizen="tg:1")
    b = report("我老公在鑫达建筑干活，工钱一直拖着不给", received=NOV + timedelta(days=12), citizen="tg:2")
    d = same_event(a, b)
    assert d.same and "同一单位" in d.reasons


def test_different_sites_places_citizens_or_months_are_not_one_event():
    bar = report(
        "古城街道金桥酒吧噪音扰民，每晚到凌晨两点",
        category="environment",
        township="gucheng",
        orgs=["金桥酒吧"],
        citizen="a",
    )
    other_bar = report(
        "古城街道月光酒吧噪音扰民，每晚到凌晨两点",
        category="environment",
        township="gucheng",
        orgs=["月光酒吧"],
        citizen="b",
    )
    assert same_event(bar, other_bar).reasons == ("不同单位",)
    nanen = report("村里自来水停了三天了", category="urban", township="gasa", village="gasa.nanen", citizen="a")
    manbang = report(
        "村里自来水停了三天了，没水吃", category="urban", township="gasa", village="gasa.manbang", citizen="b"
    )
    assert same_event(nanen, manbang).reasons == ("不同村",)
    assert same_event(nanen, report("自来水停了", category="urban", village="gasa.nanen", citizen="a")).reasons == (
        "同一人反映（重复信访）",
    )
    later = report(
        "自来水停了三天", category="urban", village="gasa.nanen", received=NOV + timedelta(days=45), citizen="b"
    )
    assert not same_event(nanen, later).same


def test_the_same_village_with_another_problem_is_not_one_event():
    road = report(
        "南恩村通村路塌方了，车子过不去", category="traffic", township="gasa", village="gasa.nanen", citizen="a"
    )
    rubbish = report(
        "南恩村路边有人乱倒垃圾，臭得很", category="environment", township="gasa", village="gasa.nanen", citizen="b"
    )
    assert not same_event(road, rubbish).same
    slide = report(
        "南恩村进村的路边坡垮下来堵住了，塌方的土石车子过不去",
        category="traffic",
        township="gasa",
        village="gasa.nanen",
        citizen="c",
    )
    assert same_event(road, slide).same


def file(session, make_draft, sender, days_ago=0, **kw):
    now = datetime(2026, 11, 23, 10, 0) - timedelta(days=days_ago)
    filed = intake.file_ticket(make_draft(**kw), sender_id=sender, session=session, now=now)
    session.flush()
    return intake.get_ticket(session, filed.number)


def test_three_reports_in_a_week_form_an_event_that_warns_the_petition_bureau(session, make_draft):
    text = "鑫达建筑公司欠我们工人三个月工资不发"
    facts = {"organizations": ["鑫达建筑公司"]}
    first = file(session, make_draft, "tg:1", days_ago=5, text=text, facts=facts)
    assert first.incident is None  # alone and neither collective nor urgent: no event
    second = file(session, make_draft, "tg:2", days_ago=3, text="我在鑫达建筑打工，三个月工资一分没拿到")
    assert first.incident is second.incident and second.incident.ticket_count == 2
    assert second.incident.warned_at is None
    told = session.scalars(select(Notification.text).where(Notification.ticket_id == first.id)).all()
    assert any("已并入同一事件（共2件）" in x for x in told)
    third = file(session, make_draft, "web:citizen3", text="鑫达建筑拖欠农民工工资三个月，我们要讨薪")
    incident = third.incident
    assert incident is first.incident and (incident.ticket_count, incident.households) == (3, 3)
    assert incident.warning_reasons == ["7日内3件"] and incident.warned_at is not None
    warned = session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == third.id, TicketEvent.action == "warning")
    )
    assert "county.petition" in warned.one().note
    # the same citizen again is a repeat, not another household
    again = file(session, make_draft, "tg:1", text="鑫达建筑公司的工资还是没发")
    assert again.incident is None or again.incident.households == 3


def test_a_collective_report_alone_raises_a_warning(session, make_draft):
    t = file(session, make_draft, "tg:9", flags=["collective"], facts={"people_count": 12})
    assert t.incident is not None and t.incident.households == 12
    assert t.incident.warning_reasons == ["同一事件已有12户（人）反映", f"含集体访（{t.number}）"]
