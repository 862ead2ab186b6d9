"""The one intake path: drafts from facts, filing a draft as it stands, details added to an early ticket."""

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import intake
from bot.models import Attachment, Message, TicketEvent
from bot.tickets import Actor, TicketError, accept, get_ticket
from bot.vocabulary import Role

NANEN = {"text": "戛洒镇南恩村三组", "township": "戛洒镇", "village": "南恩村", "group": "三组"}
UNLISTED = {"text": "戛洒镇李家村", "township": "戛洒镇", "village": "李家村", "group": None}
HUNAN = {"text": "湖南省新化县", "province": "湖南省", "county": "新化县", "township": None, "village": None}


def file(session, make_draft, sender="tg:42", **kw):
    filed = intake.file_ticket(make_draft(**kw), sender_id=sender, session=session, now=datetime(2026, 11, 23, 10))
    session.flush()
    return get_ticket(session, filed.number)


def events(session, t):
    return [e.action for e in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id))]


def test_places_become_codes_and_keep_the_citizens_words(jurisdiction):
    assert intake.place_fields({"places": [NANEN]}, jurisdiction) == {
        "township": "gasa",
        "village": "gasa.nanen",
        "address": "戛洒镇南恩村三组",
    }
    # a village not on the list: the township's code, no village code, the words kept
    assert intake.place_fields({"places": [UNLISTED]}, jurisdiction) == {
        "township": "gasa",
        "village": None,
        "address": "戛洒镇李家村",
    }
    # the first place inside the county wins over one outside it
    assert intake.place_fields({"places": [HUNAN, NANEN]}, jurisdiction)["township"] == "gasa"
    assert intake.place_fields({"places": [HUNAN]}, jurisdiction) == {
        "township": None,
        "village": None,
        "address": "湖南省新化县",
    }


def test_a_complaint_answers_the_form_fields_it_gives(jurisdiction):
    facts = {
        "places": [NANEN],
        "times": [{"text": "去年十月", "start": "2025-10-01", "end": "2025-10-31"}],
        "phones": ["13812345678"],
    }
    fields = intake.fields_from_facts(facts, "我叫王小明，去年十月……电话13812345678", jurisdiction)
    assert fields == {
        "township": "gasa",
        "village": "gasa.nanen",
        "address": "戛洒镇南恩村三组",
        "incident_time": "去年十月（2025-10-01至2025-10-31）",
        "phone": "13812345678",
        "citizen_name": "王小明",
    }
    assert set(fields) <= set(intake.FORM_FIELDS)


def test_filing_stores_the_draft_as_it_stands(session, make_draft):
    """The dialogue's corrections are what is filed: nothing is classified or extracted again."""
    t = file(
        session,
        make_draft,
        category="land",
        township="gasa",
        village="gasa.nanen",
        address="戛洒镇南恩村",
        incident_time="上个月",
        phone="13912345678",
        citizen_name="李",
        facts={"phones": ["13800000000"], "demand": "要求补偿"},
        text="修路占了我家的地",
    )
    assert (t.category, t.township, t.village, t.address) == ("land", "gasa", "gasa.nanen", "戛洒镇南恩村")
    assert (t.incident_time, t.phone, t.citizen_name) == ("上个月", "13912345678", "李")
    assert t.facts["demand"] == "要求补偿" and t.department_code == "gasa.government"
    assert t.number.startswith("XP20261123-") and events(session, t) == ["filed"]


def test_filing_links_the_stored_messages_and_marks_how_they_were_handled(session, make_draft):
    m = Message(sender_id="web:abcdefgh", channel="web", text="包工头欠薪")
    session.add(m)
    session.flush()
    filed = intake.file_ticket(
        replace(make_draft(), message_ids=(m.id,)), sender_id="web:abcdefgh", handling="filed_directly", session=session
    )
    session.flush()
    assert (m.ticket_id, m.handling) == (get_ticket(session, filed.number).id, "filed_directly")


def test_an_operator_may_choose_another_department_and_a_wrong_code_is_refused(session, make_draft):
    op = Actor("op", Role.OPERATOR)
    filed = intake.file_ticket(make_draft(), actor=op, department_code="county.health", session=session)
    assert filed.department_code == "county.health"
    t = get_ticket(session, filed.number)
    assert t.channel == "phone" and t.sender_id is None
    with pytest.raises(TicketError, match="部门"):
        intake.file_ticket(make_draft(), actor=op, department_code="county.nothing", session=session)


def test_second_complaint_of_same_citizen_and_category_is_marked_repeat(session, make_draft):
    first = file(session, make_draft)
    second = file(session, make_draft)
    assert second.repeat_of_id == first.id and "repeat" in second.flags
    other = file(session, make_draft, category="medical")
    assert other.repeat_of_id is None


def test_evidence_sent_before_filing_is_attached_to_the_ticket(session, make_draft):
    session.add(Attachment(sender_id="tg:42", kind="photo", ref="file-1"))
    session.flush()
    t = file(session, make_draft)
    assert [a.ref for a in session.scalars(select(Attachment).where(Attachment.ticket_id == t.id))] == ["file-1"]


def test_urgent_case_audit_records_the_notice_to_the_petition_bureau(session, make_draft):
    t = file(session, make_draft, category="family", township="mosha", flags=["urgent"])
    assert t.department_code == "county.women" and t.escalated
    assert events(session, t) == ["filed", "escalation_notice", "warning"]  # an urgent report raises the early warning


def test_citizen_completes_an_urgent_ticket_filed_at_once(session, make_draft):
    t = file(session, make_draft, category="family", flags=["urgent"])
    details = make_draft("family", township="mosha", phone="13812345678", incident_time="昨天晚上", flags=["urgent"])
    intake.add_details("tg:42", t.number, details, session=session)
    assert (t.phone, t.township, t.village, t.incident_time) == ("13812345678", "mosha", None, "昨天晚上")
    assert t.department_code == "county.women"  # urgent stays at county level
    assert events(session, t)[-1] == "details_added"
    note = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id)).all()[-1].note
    assert "联系电话" in note and "138" not in note  # the audit names what changed, not the number


def test_a_new_category_from_the_citizen_reroutes_a_ticket_no_one_has_accepted(session, make_draft):
    t = file(session, make_draft, category="labour", flags=["urgent"])
    intake.add_details("tg:42", t.number, make_draft("family", flags=["urgent"]), session=session)
    assert (t.category, t.department_code) == ("family", "county.women")
    accept(session, t, Actor("clerk", Role.DEPARTMENT, "county.women"))
    intake.add_details("tg:42", t.number, make_draft("labour"), session=session)
    assert (t.category, t.department_code) == ("labour", "county.women")  # accepted: the department keeps it


def test_only_the_ticket_owner_may_add_details_and_not_after_resolution(session, make_draft):
    from bot.tickets import resolve

    t = file(session, make_draft)
    with pytest.raises(TicketError, match="自己的工单"):
        intake.add_details("tg:99", t.number, make_draft(phone="13812345678"), session=session)
    resolve(session, t, Actor("clerk", Role.DEPARTMENT, "county.hrss"), "已处理")
    with pytest.raises(TicketError, match="已办结"):
        intake.add_details("tg:42", t.number, make_draft(phone="13812345678"), session=session)
    assert t.phone is None


def test_the_category_model_is_read_from_the_settings_model_dir(tmp_path, monkeypatch):
    from bot import settings
    from classifier.model import CategoryModel, clear_model_cache

    texts = ["包工头欠薪", "老板不发工资", "工地拖欠工钱", "物业乱收费", "物业不修电梯", "物业费太贵"]
    CategoryModel(cv=0).fit(texts, ["labour"] * 3 + ["property"] * 3).save(tmp_path / "category.joblib")
    monkeypatch.setenv("MODEL_DIR", str(tmp_path))
    settings.get_settings.cache_clear()
    clear_model_cache()
    try:
        assert intake.category_model().classes_ == ["labour", "property"]
    finally:
        settings.get_settings.cache_clear()
        clear_model_cache()


def test_a_matter_with_its_own_limits_gets_its_deadlines(session, make_draft):

    from bot.matters import load_catalogue

    limited = next(m for m in load_catalogue().matters.values() if m.limits.accept_days)
    t = file(session, make_draft, category=limited.category, matter=limited.code)
    assert t.accept_by == date(2026, 11, 23) + timedelta(days=limited.limits.accept_days)
    plain = file(session, make_draft, category="labour", matter=None)
    assert plain.accept_by == date(2026, 12, 8)


@pytest.mark.parametrize(
    "text, phone",
    [
        ("隔壁超市老板电话13812345678，他卖过期食品，我的电话15912345678", "15912345678"),
        ("饭馆电话0877-7654321，卖的东西吃坏了肚子", None),  # the shop's landline is not the citizen's
        ("他的手机13812345678一直不接", None),
        ("包工头欠薪，我电话13800001111", "13800001111"),
        ("欠薪三个月了，13800001111", "13800001111"),  # a bare mobile: most likely the writer's own
    ],
)
def test_the_citizens_own_phone_is_told_from_a_third_partys(text, phone):
    assert intake.own_phone(text) == phone


def test_an_urgent_ticket_must_be_answered_by_a_person_within_the_configured_hours(session, make_draft):
    from bot.views import TicketSummary

    urgent = file(session, make_draft, category="family", flags=["urgent"])
    assert urgent.respond_by == datetime(2026, 11, 23, 12)  # filed 10:00, `respond_within_hours: 2`
    assert TicketSummary.of(urgent).respond_overdue  # 2026-11-23 is long past
    assert file(session, make_draft, category="labour").respond_by is None


def test_an_open_ticket_on_the_same_matter_takes_the_repeat(engine, make_draft):
    first = intake.file_ticket(make_draft("labour", matter="labour.x", text="包工头欠薪"), sender_id="web:abcdefgh")
    again = make_draft("labour", matter="labour.x", text="包工头欠薪的事还没人管")
    assert intake.open_ticket_on_same_matter("web:abcdefgh", again) == first.number
    assert intake.open_ticket_on_same_matter("web:someoneelse", again) is None
    assert intake.open_ticket_on_same_matter("web:abcdefgh", replace(again, matter="labour.y")) is None
    # the citizen's own word that it was reported before: the same category is enough, whatever the matter
    said_before = replace(again, matter="labour.y", text="包工头欠薪的事我之前反映过了", flags=("repeat",))
    assert intake.open_ticket_on_same_matter("web:abcdefgh", said_before) == first.number
    other = replace(said_before, category="land", matter="land.z", text="承包地的事我之前反映过了，村上不管")
    assert intake.open_ticket_on_same_matter("web:abcdefgh", other) is None
    new = replace(again, text="这是新的问题，工地上还有人受伤了")
    assert intake.open_ticket_on_same_matter("web:abcdefgh", new) is None
    intake.add_repeat("web:abcdefgh", first.number, again)
    from bot.db import session_scope

    with session_scope(engine) as s:
        t = get_ticket(s, first.number)
        assert "【群众再次反映】包工头欠薪的事还没人管" in t.text and "repeat" in t.flags
        assert t.events[-1].note == "群众再次反映同一事项"


@pytest.mark.parametrize(
    "text, second",
    [
        ("包工头欠了我们三个月工资。还有一件事，我们村的路被大车压坏了，一下雨就没法走。", "我们村的路被大车压坏了"),
        ("隔壁饭店天天晚上吵到半夜，另外，我家孩子上学的学校乱收补课费。", "学校乱收补课费"),
        ("老板拖欠工资三个月了，还有就是他不给我们买保险", None),  # no word that starts a second matter
        ("小区门口的路灯坏了一个多月，另外，旁边那几盏路灯也不亮", None),  # the same matter, the same office
    ],
)
def test_a_second_matter_in_one_message_is_found_when_the_citizen_says_so(text, second, jurisdiction, trained_models):
    found = intake.second_problem(intake.analyse(text, j=jurisdiction), jurisdiction)
    assert (found is None) == (second is None)
    assert second is None or second in found.text


def test_another_senders_stored_message_is_never_read_or_linked(session, make_draft):
    other = Message(sender_id="web:victim01", channel="web", text="我的身份证号530427199001011234，电话13900001111")
    session.add(other)
    session.commit()
    # a forged message id in the dialogue gets the dialogue's own text, not the stored message
    assert intake.complaint_text([other.id], "我的投诉", sender_id="web:attacker") == "我的投诉"
    assert intake.complaint_text([other.id], "我的投诉", sender_id="web:victim01") == other.text
    filed = intake.file_ticket(
        replace(make_draft(), message_ids=(other.id,)), sender_id="web:attacker", session=session
    )
    session.flush()
    assert other.ticket_id is None and get_ticket(session, filed.number).sender_id == "web:attacker"


def test_the_same_text_from_the_same_sender_just_filed_is_not_filed_twice(session, make_draft):
    first = intake.file_ticket(make_draft(), sender_id="tg:77", session=session, once=True)
    again = intake.file_ticket(make_draft(), sender_id="tg:77", session=session, once=True)
    other = intake.file_ticket(make_draft(), sender_id="tg:78", session=session, once=True)
    assert again.number == first.number and other.number != first.number
    later = intake.file_ticket(
        make_draft(), sender_id="tg:77", session=session, now=datetime.now() + timedelta(hours=1)
    )
    assert later.number != first.number


def test_details_added_to_an_urgent_ticket_keep_it_with_the_department_of_its_matter(session, make_draft):
    fire = replace(
        make_draft("public_security", flags=["urgent"], text="隔壁着火了，火很大"), matter="public_security.fire_now"
    )
    filed = intake.file_ticket(fire, sender_id="web:fire0001", session=session)
    assert filed.department_code == "county.fire"
    # the citizen then confirms another category (邻里纠纷) and gives the place: the matter still decides
    later = replace(fire, category="neighbour", township="shuitang", text="")
    assert intake.add_details("web:fire0001", filed.number, later, session=session).department_code == "county.fire"


def test_the_transfer_desks_matter_is_only_for_a_place_that_is_not_ours(trained_models):
    local = intake.analyse("我老家在外地，现在住在古城街道，小区物业乱收停车费")
    assert intake.route_of(local).department_code != "county.petition_transfer"
