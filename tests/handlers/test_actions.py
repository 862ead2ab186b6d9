"""Rasa actions: the events they return and the responses they use, with the intake API and the fact extractor
replaced (the real ones are exercised by tests/e2e)."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import intake as intake_api
from bot.intake import Draft, FiledTicket, StatusView
from handlers.actions import answers, form
from handlers.actions.complaint import (
    ActionAnalyseComplaint,
    ActionChooseCategory,
    ActionFileTicket,
    ActionOfferCategories,
    ActionSecondProblem,
    ActionStopForm,
)
from handlers.actions.form import ActionAskVillage, ValidatePetitionForm
from handlers.actions.handoff import ActionHandoff
from handlers.actions.recap import ActionRecap, ActionRevise
from handlers.actions.status import ActionCheckStatus

NANEN = {
    "text": "戛洒镇南恩村",
    "province": "云南省",
    "city": "玉溪市",
    "county": "新平彝族傣族自治县",
    "township": "戛洒镇",
    "village": "南恩村",
    "group": None,
}
MOSHA = {**NANEN, "text": "漠沙镇", "township": "漠沙镇", "village": None}
EMPTY_FACTS = {
    "places": [],
    "times": [],
    "money": [],
    "people_count": None,
    "land_mu": None,
    "phones": [],
    "id_numbers": [],
    "invalid_id_numbers": [],
    "organizations": [],
    "persons": [],
    "demand": None,
}


def facts(**given) -> dict:
    return {**EMPTY_FACTS, **given}


def tracker(
    text: str = "",
    intent: str = "inform",
    slots: dict | None = None,
    events: list | None = None,
    message_id: int | None = None,
    entities: list | None = None,
    sender: str = "tg:42",
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "metadata": {"message_id": message_id} if message_id is not None else {},
    }
    history = list(events or []) + [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker(sender, dict(slots or {}), latest, history, False, None, None, "action_listen")


def run(action, t: Tracker) -> tuple[list, list[dict]]:
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, t, {})
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    return result, dispatcher.messages


def responses(messages: list[dict]) -> list[str]:
    return [m["response"] for m in messages]


def slots_of(events: list) -> dict:
    out: dict = {}
    for e in events:
        if e["event"] == "slot":
            out[e["name"]] = e["value"]
    return out


TOP = (("labour", 0.8), ("social_security", 0.1), ("village_affairs", 0.05))


def analysed(text: str = "", found: dict | None = None, flags=(), category="labour") -> Draft:
    """What bot.intake.analyse gives for a complaint whose facts are `found` (the real form fields from them)."""
    from bot.jurisdiction import load_jurisdiction

    f = found or facts()
    fields = intake_api.fields_from_facts(f, text, load_jurisdiction())
    return Draft(text, category, facts=f, flags=tuple(flags), confidence=TOP[0][1], top=TOP, **fields)


@pytest.fixture
def analyse(monkeypatch):
    calls: list[tuple] = []
    result = {"analysis": None}

    def fake(message_ids, text, today=None, sender_id=None):
        calls.append((list(message_ids), text))
        draft = result["analysis"] or analysed(text)
        return Draft(**{**draft.__dict__, "text": text, "message_ids": tuple(message_ids)})

    monkeypatch.setattr(intake_api, "analyse_message", fake)
    return calls, result


# --- the complaint ---------------------------------------------------------------------------------------------


def test_complaint_is_classified_and_facts_it_gives_fill_the_form_slots(analyse):
    calls, result = analyse
    result["analysis"] = analysed(found=facts(places=[NANEN], times=[{"text": "三个月", "days": 90}]))
    events, messages = run(
        ActionAnalyseComplaint(), tracker("我们在戛洒镇南恩村干活，老板拖欠三个月工资", "report_problem", message_id=7)
    )
    assert calls == [([7], "我们在戛洒镇南恩村干活，老板拖欠三个月工资")]
    assert responses(messages) == ["utter_confirm_category"]
    assert messages[0]["category_name"] == "劳动工资"
    slots = slots_of(events)
    assert (slots["category"], slots["township"], slots["village"]) == ("labour", "gasa", "gasa.nanen")
    assert slots["address"] == "戛洒镇南恩村" and slots["incident_time"] == "已持续三个月（约90天）"
    assert slots["category_top"] == [["labour", 0.8], ["social_security", 0.1], ["village_affairs", 0.05]]
    assert slots["message_ids"] == [7] and slots["complaint_ready"] is True
    assert "phone" not in slots and "citizen_name" not in slots  # not in the complaint: asked by the form


def test_the_citizens_own_name_and_phone_in_the_complaint_are_not_asked_again(analyse):
    _, result = analyse
    result["analysis"] = analysed("我叫王小明，电话13812345678，老板欠我工资", facts(phones=["13812345678"]))
    events, _ = run(ActionAnalyseComplaint(), tracker("我叫王小明，电话13812345678，老板欠我工资", "report_problem"))
    assert slots_of(events)["phone"] == "13812345678"
    assert slots_of(events)["citizen_name"] == "王小明"


def test_urgent_complaint_gets_the_emergency_numbers_and_is_filed_at_once(analyse, filed):
    _, result = analyse
    calls, _ = filed
    result["analysis"] = analysed(found=facts(places=[MOSHA]), flags=["urgent"])
    events, messages = run(
        ActionAnalyseComplaint(), tracker("漠沙镇，工资要不到，我不想活了", "report_problem", message_id=5)
    )
    assert responses(messages) == ["utter_urgent", "utter_urgent_filed", "utter_confirm_category"]
    [draft] = [c["draft"] for c in calls]
    assert draft.message_ids == (5,) and draft.township == "mosha" and draft.village is None
    slots = slots_of(events)
    assert "urgent" in slots["flags"] and slots["filed_ticket"] == "XP20261123-00001"


def test_an_urgent_complaint_is_not_filed_twice_when_written_in_pieces(analyse, filed):
    _, result = analyse
    calls, _ = filed
    result["analysis"] = analysed(flags=["urgent"])
    before = [{"event": "action", "name": "action_analyse_complaint"}, {"event": "action", "name": "action_listen"}]
    t = tracker(
        "他还说要杀了我",
        "inform",
        message_id=6,
        events=before,
        slots={
            "complaint_text": "我老公天天打我",
            "message_ids": [5],
            "complaint_ready": True,
            "filed_ticket": "XP20261123-00001",
        },
    )
    events, messages = run(ActionAnalyseComplaint(), t)
    assert calls == [] and "utter_urgent_filed" not in responses(messages)
    assert "filed_ticket" not in slots_of(events)  # kept


def test_an_opening_without_content_asks_for_the_details_and_is_not_classified(analyse):
    calls, _ = analyse
    events, messages = run(ActionAnalyseComplaint(), tracker("你好，我要投诉", "report_problem", message_id=1))
    assert calls == []
    assert responses(messages) == ["utter_ask_details"]
    assert slots_of(events)["complaint_ready"] is False and slots_of(events)["message_ids"] == [1]


def test_a_bare_place_out_of_the_blue_is_kept_and_the_details_asked_for(analyse):
    calls, _ = analyse
    events, messages = run(ActionAnalyseComplaint(), tracker("戛洒镇南恩村", "inform", message_id=3))
    assert calls == [] and responses(messages) == ["utter_ask_details"]
    assert slots_of(events)["complaint_text"] == "戛洒镇南恩村"


def test_a_long_answer_like_message_is_a_complaint(analyse):
    calls, _ = analyse
    text = "我叫王小明，电话13812345678，砂石厂天天放炮，房子都震裂了"
    run(ActionAnalyseComplaint(), tracker(text, "inform", message_id=4))
    assert calls == [([4], text)]


def test_details_after_the_bot_asked_continue_the_same_complaint(analyse):
    calls, _ = analyse
    before = [{"event": "action", "name": "action_analyse_complaint"}, {"event": "action", "name": "action_listen"}]
    t = tracker(
        "村主任把低保款拿去给自己家修房子",
        "inform",
        message_id=2,
        events=before,
        slots={"complaint_text": "我要投诉", "message_ids": [1], "complaint_ready": False},
    )
    events, _ = run(ActionAnalyseComplaint(), t)
    assert calls == [([1, 2], "我要投诉\n村主任把低保款拿去给自己家修房子")]
    assert slots_of(events)["message_ids"] == [1, 2]


def test_a_new_complaint_after_a_filed_one_starts_from_cleared_facts(analyse):
    before = [{"event": "action", "name": "action_file_ticket"}, {"event": "action", "name": "action_listen"}]
    t = tracker(
        "楼上漏水把我家天花板泡坏了",
        "report_problem",
        message_id=9,
        events=before,
        slots={"complaint_text": "旧的", "township": "gasa", "phone": "13812345678"},
    )
    events, _ = run(ActionAnalyseComplaint(), t)
    slots = slots_of(events)
    assert slots["township"] is None and slots["complaint_text"] == "楼上漏水把我家天花板泡坏了"
    assert "phone" not in slots  # the citizen's phone stays


def test_analysis_failure_is_told_politely(monkeypatch):
    def broken(message_ids, text, today=None):
        raise RuntimeError("model missing")

    monkeypatch.setattr(intake_api, "analyse_message", broken)
    _, messages = run(ActionAnalyseComplaint(), tracker("老板欠我三个月工资", "report_problem"))
    assert responses(messages) == ["utter_system_error"]


# --- the category ----------------------------------------------------------------------------------------------


def test_wrong_category_offers_the_other_suggestions_and_other():
    t = tracker("不对", "deny", slots={"category": "labour", "category_top": [list(p) for p in TOP]})
    _, messages = run(ActionOfferCategories(), t)
    assert responses(messages) == ["utter_offer_categories"]
    buttons = messages[0]["buttons"]
    assert [b["title"] for b in buttons] == ["社会保障与救助", "村务与干部作风", "其他"]
    assert buttons[0]["payload"] == '/inform{"category":"social_security"}'
    assert buttons[-1]["payload"] == '/inform{"category":"other"}'


def test_category_chosen_by_button():
    t = tracker('/inform{"category":"land"}', "inform", entities=[{"entity": "category", "value": "land"}])
    events, messages = run(ActionChooseCategory(), t)
    assert slots_of(events) == {"category": "land", "matter": None}  # no matter of land among the suggestions
    assert responses(messages) == ["utter_category_chosen"] and messages[0]["category_name"] == "土地"


@pytest.mark.parametrize(
    "typed, code",
    [
        ("是土地方面的", "land"),
        ("低保的事", "social_security"),
        ("劳动工资", "labour"),
        ("是村干部的问题", "village_affairs"),
        ("都不是", "other"),
    ],
)
def test_category_typed_instead_of_a_button(typed, code):
    t = tracker(
        typed,
        "inform",
        slots={
            "category": "social_security",
            "category_top": [["social_security", 0.5], ["village_affairs", 0.3], ["urban", 0.1]],
        },
    )
    events, messages = run(ActionChooseCategory(), t)
    assert slots_of(events)["category"] == code
    assert responses(messages) == ["utter_category_unclear" if code == "other" else "utter_category_chosen"]


# --- filing ----------------------------------------------------------------------------------------------------


@pytest.fixture
def filed(monkeypatch):
    calls: list[dict] = []
    result = {
        "ticket": FiledTicket("XP20261123-00001", "county.hrss", "新平县人力资源和社会保障局", date(2026, 12, 23))
    }

    def fake(draft, **kwargs):
        calls.append({"draft": draft, **kwargs})
        return result["ticket"]

    monkeypatch.setattr(intake_api, "file_ticket", fake)
    monkeypatch.setattr(intake_api, "complaint_text", lambda ids, fallback="", sender_id=None: fallback)
    monkeypatch.setattr(intake_api, "open_ticket_on_same_matter", lambda sender, draft: result.get("open"))
    return calls, result


COLLECTED = {
    "complaint_text": "老板拖欠三个月工资",
    "message_ids": [7],
    "category": "labour",
    "facts": facts(),
    "category_top": [list(p) for p in TOP],
    "township": "gasa",
    "village": "不详",
    "address": "戛洒镇李家村",
    "incident_time": "上个月（2026-10-01至2026-10-31）",
    "phone": "13812345678",
    "citizen_name": "匿名",
    "complaint_ready": True,
}


def test_ticket_is_filed_with_what_the_dialogue_collected(filed):
    """The Draft is built from the slots by name; sentinels become None; nothing is analysed again."""
    calls, _ = filed
    events, messages = run(ActionFileTicket(), tracker("匿名", slots=COLLECTED))
    assert [c["sender_id"] for c in calls] == ["tg:42"]
    assert calls[0]["draft"] == Draft(
        text="老板拖欠三个月工资",
        category="labour",
        township="gasa",
        village=None,
        address="戛洒镇李家村",
        incident_time="上个月（2026-10-01至2026-10-31）",
        phone="13812345678",
        citizen_name=None,
        facts=facts(),
        confidence=0.8,
        top=TOP,
        message_ids=(7,),
    )
    assert responses(messages) == ["utter_filed"]
    assert (messages[0]["number"], messages[0]["department"], messages[0]["due"]) == (
        "XP20261123-00001",
        "新平县人力资源和社会保障局",
        "2026年12月23日",
    )
    slots = slots_of(events)
    assert slots["ticket_number"] == "XP20261123-00001"
    assert slots["complaint_text"] is None and slots["township"] is None  # the next complaint starts afresh


def test_a_complaint_written_in_pieces_is_filed_with_all_of_them(filed):
    calls, _ = filed
    run(ActionFileTicket(), tracker("匿名", slots={**COLLECTED, "message_ids": [7, 8]}))
    assert calls[0]["draft"].message_ids == (7, 8) and calls[0]["draft"].text == "老板拖欠三个月工资"


def test_litigation_ticket_tells_about_the_legal_path(filed):
    _, result = filed
    result["ticket"] = FiledTicket(
        "XP20261123-00002", "county.politics_law", "中共新平县委政法委员会（涉法涉诉）", date(2026, 12, 23), True
    )
    _, messages = run(ActionFileTicket(), tracker("匿名", slots={**COLLECTED, "category": "litigation"}))
    assert responses(messages) == ["utter_filed_legal"]


def test_nothing_to_file_is_not_filed(filed):
    calls, _ = filed
    _, messages = run(ActionFileTicket(), tracker("好的"))
    assert calls == [] and responses(messages) == ["utter_default"]


def test_an_urgent_complaint_is_filed_even_when_the_citizen_leaves_the_form(filed):
    calls, _ = filed
    slots = {**COLLECTED, "flags": ["urgent"], "phone": None, "citizen_name": None}
    events, messages = run(ActionStopForm(), tracker("算了不说了", "goodbye", slots=slots))
    assert len(calls) == 1 and calls[0]["draft"].phone is None
    assert responses(messages) == ["utter_urgent_filed_anyway", "utter_filed"]


@pytest.fixture
def added(monkeypatch):
    calls: list[dict] = []

    def fake(sender_id, number, draft, only=None):
        calls.append({"sender_id": sender_id, "number": number, "draft": draft})
        return FiledTicket(number, "county.women", "新平县妇女联合会", date(2026, 12, 23))

    monkeypatch.setattr(intake_api, "add_details", fake)
    monkeypatch.setattr(intake_api, "complaint_text", lambda ids, fallback="", sender_id=None: fallback)
    monkeypatch.setattr(intake_api, "place_missing", lambda sender_id, number: False)
    return calls


def test_the_form_completes_the_urgent_ticket_instead_of_filing_another(filed, added):
    calls, _ = filed
    slots = {**COLLECTED, "flags": ["urgent"], "filed_ticket": "XP20261123-00009"}
    events, messages = run(ActionFileTicket(), tracker("匿名", slots=slots))
    assert calls == [] and len(added) == 1
    assert added[0]["number"] == "XP20261123-00009" and added[0]["draft"].phone == "13812345678"
    assert added[0]["draft"].village is None and added[0]["draft"].citizen_name is None
    assert responses(messages) == ["utter_details_added"] and messages[0]["due"] == "2026年12月23日"
    assert slots_of(events)["filed_ticket"] is None and slots_of(events)["ticket_number"] == "XP20261123-00009"


def test_leaving_after_an_urgent_ticket_was_filed_keeps_what_the_form_got(filed, added):
    calls, _ = filed
    slots = {**COLLECTED, "flags": ["urgent"], "filed_ticket": "XP20261123-00009", "phone": None}
    _, messages = run(ActionStopForm(), tracker("算了不说了", "goodbye", slots=slots))
    assert calls == [] and len(added) == 1 and responses(messages) == ["utter_details_added"]


def test_leaving_the_form_files_nothing_otherwise(filed):
    calls, _ = filed
    events, messages = run(ActionStopForm(), tracker("算了不说了", "goodbye", slots=COLLECTED))
    assert calls == [] and events == [] and responses(messages) == ["utter_goodbye_unfinished"]


# --- status ----------------------------------------------------------------------------------------------------


def view(number="XP20261123-00001", status="registered", label="已登记，待部门受理", reply=None) -> StatusView:
    return StatusView(number, status, label, "labour", "新平县人力资源和社会保障局", date(2026, 12, 23), reply)


@pytest.fixture
def status(monkeypatch):
    calls: list[tuple] = []
    result = {"views": []}

    def fake(sender_id, number=None):
        calls.append((sender_id, number))
        return result["views"]

    monkeypatch.setattr(intake_api, "status_for", fake)
    return calls, result


def test_status_by_ticket_number(status):
    calls, result = status
    result["views"] = [view()]
    _, messages = run(ActionCheckStatus(), tracker("查询 xp20261123-00001", "check_status"))
    assert calls == [("tg:42", "XP20261123-00001")]
    assert responses(messages) == ["utter_status"] and messages[0]["status"] == "已登记，待部门受理"


def test_status_of_all_own_tickets_with_the_departments_reply(status):
    calls, result = status
    result["views"] = [view("XP20261123-00002"), view(status="resolved", label="已办结", reply="工资已结清")]
    _, messages = run(ActionCheckStatus(), tracker("/check_status", "check_status"))
    assert calls == [("tg:42", None)]
    assert responses(messages) == ["utter_status_many", "utter_status", "utter_status_replied"]
    assert messages[-1]["reply"] == "工资已结清"


def test_unknown_or_foreign_ticket_number_reveals_nothing(status):
    _, messages = run(ActionCheckStatus(), tracker("查询 XP20261123-00099", "check_status"))
    assert responses(messages) == ["utter_status_not_found"] and messages[0]["number"] == "XP20261123-00099"


def test_no_tickets_yet(status):
    _, messages = run(ActionCheckStatus(), tracker("我的投诉怎么样了", "check_status"))
    assert responses(messages) == ["utter_status_none"]


# --- handoff ---------------------------------------------------------------------------------------------------


@pytest.fixture
def operator_queue(monkeypatch):
    calls: list[tuple] = []

    def fake(draft, sender_id=None, **kwargs):
        calls.append((sender_id, draft))
        return FiledTicket("XP20261123-00003", "county.petition", "新平县信访局", date(2026, 12, 23))

    monkeypatch.setattr(intake_api, "file_ticket", fake)
    monkeypatch.setattr(intake_api, "complaint_text", lambda ids, fallback="", sender_id=None: fallback + "（全文）")
    return calls


def test_a_complaint_told_with_the_request_for_a_person_is_filed_not_lost(operator_queue, monkeypatch):
    seen: list[str] = []
    monkeypatch.setattr(intake_api, "not_a_complaint", lambda text, threshold=0.2: seen.append(text) or False)
    monkeypatch.setattr(intake_api, "analyse", lambda text, today=None: Draft(text, "social_security"))
    said = "打你们12345一直占线，这个是真人回还是机器回？找真人。我要投诉平寨村的沼气池补贴没发"
    events, messages = run(ActionHandoff(), tracker(said, "ask_human", message_id=11))
    assert seen == ["我要投诉平寨村的沼气池补贴没发"]  # judged without the request
    sender, draft = operator_queue[0]
    assert (sender, draft.text, draft.message_ids, draft.needs_review) == ("tg:42", said, (11,), True)
    assert responses(messages) == ["utter_handoff_in_chat", "utter_handoff_filed"]
    assert slots_of(events) == {"ticket_number": "XP20261123-00003"}
    # a bare request files nothing
    _, messages = run(ActionHandoff(), tracker("转人工", "ask_human", message_id=12))
    assert responses(messages) == ["utter_handoff_in_chat"] and len(operator_queue) == 1


def test_handoff_files_the_pending_complaint_for_the_operators(operator_queue):
    t = tracker(
        "转人工", "ask_human", slots={"complaint_text": "老板拖欠工资", "message_ids": [7], "complaint_ready": True}
    )
    events, messages = run(ActionHandoff(), t)
    [(sender, draft)] = operator_queue
    assert (sender, draft.message_ids, draft.text, draft.needs_review) == ("tg:42", (7,), "老板拖欠工资（全文）", True)
    # no phone known: the reply comes in this chat, and the citizen may send a number
    assert responses(messages) == ["utter_handoff_in_chat", "utter_handoff_filed"]
    assert slots_of(events)["ticket_number"] == "XP20261123-00003"


def test_handoff_keeps_what_the_form_already_collected(operator_queue):
    t = tracker(
        "转人工",
        "ask_human",
        slots={
            "complaint_text": "老板拖欠工资",
            "message_ids": [7],
            "complaint_ready": True,
            "category": "labour",
            "phone": "13812345678",
            "citizen_name": "匿名",
        },
    )
    run(ActionHandoff(), t)
    draft = operator_queue[0][1]
    assert (draft.phone, draft.citizen_name, draft.category) == ("13812345678", None, "labour")


def test_handoff_of_an_urgent_complaint_already_filed_files_no_second_ticket(operator_queue, added):
    t = tracker(
        "转人工",
        "ask_human",
        slots={
            "complaint_text": "他说要杀了我",
            "message_ids": [7],
            "complaint_ready": True,
            "filed_ticket": "XP20261123-00009",
            "phone": "13812345678",
            "township": "mosha",
            "village": "不详",
        },
    )
    events, messages = run(ActionHandoff(), t)
    assert operator_queue == [] and responses(messages) == ["utter_handoff", "utter_handoff_filed"]
    d = added[0]["draft"]
    assert (d.phone, d.township, d.village) == ("13812345678", "mosha", None)
    assert messages[1]["number"] == "XP20261123-00009" and slots_of(events)["filed_ticket"] is None


def test_handoff_without_a_complaint_only_tells_about_the_hotline(operator_queue):
    events, messages = run(ActionHandoff(), tracker("人工", "ask_human"))
    assert operator_queue == [] and events == [] and responses(messages) == ["utter_handoff_in_chat"]
    events, messages = run(ActionHandoff(), tracker("人工", "ask_human", slots={"phone": "13812345678"}))
    assert responses(messages) == ["utter_handoff"]  # the operator calls the number given


def test_a_number_sent_after_the_handoff_goes_onto_the_handed_off_ticket(analyse, added):
    calls, _ = analyse
    before = [{"event": "action", "name": "action_handoff"}, {"event": "action", "name": "action_listen"}]
    t = tracker("幺三八一二三四五六七八", "inform", events=before, slots={"ticket_number": "XP20261130-00003"})
    events, messages = run(ActionAnalyseComplaint(), t)
    assert calls == [] and responses(messages) == ["utter_handoff_phone_added"]
    assert added[0]["number"] == "XP20261130-00003" and added[0]["draft"].phone == "13812345678"
    assert slots_of(events) == {"phone": "13812345678", "complaint_ready": False}  # then Rasa listens


def test_after_the_handoff_a_missing_place_is_asked_once_and_goes_onto_the_ticket(analyse, added, monkeypatch):
    calls, _ = analyse
    monkeypatch.setattr(intake_api, "place_missing", lambda sender_id, number: True)
    before = [{"event": "action", "name": "action_handoff"}, {"event": "action", "name": "action_listen"}]
    t = tracker("13812345678", "inform", events=before, slots={"ticket_number": "XP20261130-00003"})
    _, messages = run(ActionAnalyseComplaint(), t)
    assert responses(messages) == ["utter_handoff_phone_added", "utter_handoff_ask_place"]
    asked = [{"event": "bot", "metadata": {"utter_action": "utter_handoff_ask_place"}}]
    t = tracker("水塘镇南达村", "inform", events=asked, slots={"ticket_number": "XP20261130-00003"})
    events, messages = run(ActionAnalyseComplaint(), t)
    assert calls == [] and responses(messages) == ["utter_handoff_place_added"]
    place = added[-1]["draft"]
    assert (place.township, place.village) == ("shuitang", "shuitang.nanda")
    t = tracker("不清楚", "inform", events=asked, slots={"ticket_number": "XP20261130-00003"})
    _, messages = run(ActionAnalyseComplaint(), t)
    assert responses(messages) == ["utter_handoff_no_place"] and len(added) == 2


# --- the form --------------------------------------------------------------------------------------------------


@pytest.fixture
def extracted(monkeypatch):
    """What the fact extractor finds in an answer, by answer text."""
    table: dict[str, dict] = {}
    monkeypatch.setattr(form, "extract", lambda text: table.get(text, facts()))
    monkeypatch.setattr(intake_api, "is_urgent", lambda text, threshold=0.2: text in DANGER)
    return table


DANGER = {"他现在拿着刀堵在我家门口，说要砍人"}


def answer(text: str, requested: str, intent: str = "inform", **slots) -> tuple[list, list[dict]]:
    before = [{"event": "action", "name": "petition_form"}, {"event": "action", "name": "action_listen"}]
    t = tracker(text, intent, slots={"requested_slot": requested, **slots}, events=before)
    return run(ValidatePetitionForm(), t)


def test_place_answer_fills_township_and_village(extracted):
    extracted["戛洒镇南恩村"] = facts(places=[NANEN])
    events, messages = answer("戛洒镇南恩村", "township", facts=facts())
    assert slots_of(events)["township"] == "gasa" and slots_of(events)["village"] == "gasa.nanen"
    assert slots_of(events)["address"] == "戛洒镇南恩村" and messages == []


def test_correction_during_the_form_replaces_the_place(extracted):
    extracted["不是戛洒镇，是漠沙镇"] = facts(places=[MOSHA])
    events, messages = answer(
        "不是戛洒镇，是漠沙镇", "phone", township="gasa", village="gasa.nanen", facts=facts(places=[NANEN])
    )
    slots = slots_of(events)
    assert (slots["township"], slots["village"]) == ("mosha", None)  # the village is asked again
    assert slots["facts"]["places"] == [MOSHA]
    assert responses(messages) == ["utter_place_corrected"]  # no complaint about the phone


def test_time_answer_and_phone_answer(extracted):
    extracted["上个月"] = facts(times=[{"text": "上个月", "start": "2026-10-01", "end": "2026-10-31"}])
    extracted["138 1234 5678"] = facts(phones=["13812345678"])
    assert slots_of(answer("上个月", "incident_time")[0])["incident_time"] == "上个月（2026-10-01至2026-10-31）"
    assert slots_of(answer("138 1234 5678", "phone")[0])["phone"] == "13812345678"


@pytest.mark.parametrize("text", ["匿名", "不留", "名字就不留了"])
def test_anonymous_petitions_are_accepted(extracted, text):
    events, _ = answer(text, "citizen_name")
    assert slots_of(events) == {"citizen_name": "匿名"}


def test_a_name_is_accepted(extracted):
    assert slots_of(answer("我叫李四", "citizen_name")[0]) == {"citizen_name": "李四"}


def test_phone_refused_twice_files_without_a_phone(extracted):
    events, messages = answer("不想留电话", "phone")
    assert slots_of(events) == {"phone": None, "phone_refused": True}
    assert responses(messages) == ["utter_phone_why"]
    events, messages = answer("不留", "phone", phone_refused=True)
    assert slots_of(events) == {"phone": "未留"} and messages == []


def test_unclear_answer_gets_a_hint_and_the_question_again(extracted):
    events, messages = answer("嗯", "incident_time", intent="affirm")
    assert events == [SlotSet("incident_time", None)]
    assert responses(messages) == ["utter_invalid_incident_time"]


def test_status_query_during_the_form_is_left_to_the_rules(extracted):
    events, messages = answer("我的投诉怎么样了", "phone", intent="check_status")
    assert events == [] and messages == []  # the form rejects, the status rule answers


@pytest.mark.parametrize(
    "text, requested, intent",
    [
        ("你是机器人吗", "citizen_name", "out_of_scope"),
        ("今天天气怎么样", "incident_time", "out_of_scope"),
        ("我上个月投诉的事怎么样了", "incident_time", "check_status"),
    ],
)
def test_what_reads_like_something_else_is_not_taken_for_an_answer(extracted, text, requested, intent):
    extracted["今天天气怎么样"] = facts(times=[{"text": "今天", "start": "2026-11-23", "end": "2026-11-23"}])
    extracted["我上个月投诉的事怎么样了"] = facts(
        times=[{"text": "上个月", "start": "2026-10-01", "end": "2026-10-31"}]
    )
    events, messages = answer(text, requested, intent=intent)
    assert events == [] and messages == []  # the form rejects; the rules answer


@pytest.mark.parametrize("text", ["你是机器人吗", "好的谢谢", "怎么还要名字", "我的投诉怎么样了"])
def test_what_is_not_a_name_gets_a_hint(extracted, text):
    events, messages = answer(text, "citizen_name")
    assert events == [SlotSet("citizen_name", None)] and responses(messages) == ["utter_invalid_name"]


@pytest.mark.parametrize(
    "text, name",
    [("王小明", "王小明"), ("我姓王", "王"), ("叫我李师傅就行", "李师傅"), ("张女士", "张女士"), ("刀金花", "刀金花")],
)
def test_names_and_forms_of_address(extracted, text, name):
    assert slots_of(answer(text, "citizen_name")[0]) == {"citizen_name": name}


def test_ticket_number_while_the_phone_is_asked_is_a_status_query_not_a_wrong_phone(extracted):
    events, messages = answer("查询 XP20261123-00001", "phone", intent="check_status")
    assert events == [] and messages == []


def test_after_an_interruption_the_form_does_not_read_the_message_as_an_answer(extracted):
    after_status = [
        {"event": "action", "name": "petition_form"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "查询 XP20261123-00001"},
        {"event": "action", "name": "action_check_status"},
    ]
    t = Tracker(
        "tg:42",
        {"requested_slot": "phone"},
        {"text": "查询 XP20261123-00001", "intent": {"name": "check_status"}},
        after_status,
        False,
        None,
        None,
        "action_check_status",
    )
    events, messages = run(ValidatePetitionForm(), t)
    assert events == [] and messages == []


def test_form_start_repeats_what_the_complaint_already_said(extracted):
    t = Tracker(
        "tg:42",
        {
            "requested_slot": None,
            "township": "gasa",
            "village": "gasa.nanen",
            "incident_time": "已持续三个月（约90天）",
        },
        {"text": "是的", "intent": {"name": "affirm"}},
        [],
        False,
        None,
        None,
        "action_listen",
    )
    events, messages = run(ValidatePetitionForm(), t)
    assert events == [] and responses(messages) == ["utter_facts_noted"]
    assert messages[0]["noted"] == "地点 戛洒镇南恩村；时间 已持续三个月（约90天）"


def test_a_village_not_on_the_list_is_kept_in_words_and_not_asked_again(extracted):
    extracted["李家村"] = facts()
    events, messages = answer("李家村", "village", township="gasa")
    assert slots_of(events) == {"village": "不详", "address": "戛洒镇李家村"} and messages == []
    events, _ = answer("南恩村", "village", township="gasa")
    assert slots_of(events) == {"village": "gasa.nanen", "address": "戛洒镇南恩村"}


def test_a_place_outside_the_list_fills_the_place_question_in_words(extracted):
    extracted["湖南新化县"] = facts(places=[{**NANEN, "text": "湖南新化县", "township": None, "village": None}])
    events, _ = answer("湖南新化县", "township")
    assert slots_of(events).items() >= {"township": "不详", "village": "不详", "address": "湖南新化县"}.items()


def test_the_village_question_names_the_township_given():
    t = tracker("", slots={"township": "gasa"})
    _, messages = run(ActionAskVillage(), t)
    assert responses(messages) == ["utter_ask_village"] and messages[0]["township"] == "戛洒镇"


def test_a_chosen_category_takes_its_likeliest_matter():
    t = tracker(
        "不对，是社保方面的",
        "inform",
        slots={
            "category": "labour",
            "matter_top": [["labour.wage_arrears_migrant", 0.5], ["social_security.pension_benefit", 0.2]],
        },
        entities=[{"entity": "category", "value": "social_security"}],
    )
    events, _ = run(ActionChooseCategory(), t)
    assert slots_of(events) == {"category": "social_security", "matter": "social_security.pension_benefit"}


def test_a_message_that_is_not_a_complaint_is_not_taken_for_one(analyse, filed):
    calls, result = analyse
    filed_calls, _ = filed
    result["analysis"] = Draft("不好意思发错了", "medical", not_complaint=True, flags=("urgent",))
    events, messages = run(ActionAnalyseComplaint(), tracker("不好意思发错了，没事了", "report_problem", message_id=3))
    assert responses(messages) == ["utter_not_a_complaint"] and filed_calls == []
    assert slots_of(events)["complaint_ready"] is False and slots_of(events)["complaint_text"] is None


def test_a_matter_of_another_place_is_told_where_it_belongs(analyse):
    _, result = analyse
    hunan = {**NANEN, "text": "湖南省新化县", "province": "湖南省", "city": None, "county": "新化县", "township": None,
             "village": None}  # fmt: skip
    result["analysis"] = analysed(found=facts(places=[hunan]))
    events, messages = run(ActionAnalyseComplaint(), tracker("湖南省新化县的砖厂欠我三个月工资", "report_problem"))
    assert responses(messages) == ["utter_out_of_area", "utter_confirm_category"]
    assert messages[0]["place"] == "湖南省娄底市新化县" and "0738-12345" in messages[0]["hotline"]
    assert slots_of(events)["township"] == "不详"  # not asked again: the place is known, it is elsewhere


@pytest.mark.parametrize(
    "text, intent",
    [("上个星期", "out_of_scope"), ("昨晚", "goodbye"), ("这学期", "inform"), ("一个星期了", "affirm"),
     ("去年秋收的时候", "inform"), ("大概三年前", "out_of_scope"), ("好久了", "inform")],
)  # fmt: skip
def test_everyday_times_are_answers_whatever_rasa_thought(extracted, text, intent):
    events, messages = answer(text, "incident_time", intent=intent)
    assert slots_of(events) == {"incident_time": text} and messages == []


def test_said_before_uses_what_was_said(extracted):
    events, _ = answer("前面说了的", "incident_time", intent="inform", incident_time=None)
    assert slots_of(events)["incident_time"] == "（见诉求内容）"


@pytest.mark.parametrize(
    "text, phone",
    [("幺三八 一二三四 五六七八", "13812345678"), ("匿名，我的电话是15912345678", "15912345678"),
     ("座机 0877-7654321", "0877-7654321"), ("电话是 138-1234-5678 白天打", "13812345678")],
)  # fmt: skip
def test_phones_in_every_written_form(extracted, text, phone):
    events, messages = answer(text, "phone", intent="inform")
    assert slots_of(events)["phone"] == phone and messages == []


def test_a_name_inside_a_longer_answer(extracted):
    events, _ = answer("我叫李四，前面说了的", "citizen_name", intent="goodbye")
    assert slots_of(events) == {"citizen_name": "李四"}


@pytest.mark.parametrize("text", ["转人工", "查询 XP20261130-00001"])
def test_a_clear_other_request_leaves_the_form(extracted, text):
    extracted[text] = facts(times=[{"text": "今天", "start": "2026-11-30", "end": "2026-11-30"}])
    events, messages = answer(text, "incident_time", intent="inform")
    assert events == [] and messages == []


@pytest.mark.parametrize("intent", ["inform", "report_problem", "goodbye"])
def test_an_explicit_stop_stops_the_form_whatever_the_intent(extracted, intent):
    text = "我要去挖人了，不说了，不登记了"
    extracted[text] = facts()
    events, messages = answer(text, "phone", intent=intent)
    assert messages == []
    assert [e["event"] for e in events] == ["active_loop", "slot", "followup"]
    assert events[0]["name"] is None and events[2]["name"] == "action_stop_form"


def test_the_same_matter_told_again_joins_the_open_ticket(filed, monkeypatch):
    calls, result = filed
    result["open"] = "XP20261130-00007"
    joined = []

    def add_repeat(sender, number, draft):
        joined.append((number, draft.text))
        return FiledTicket(number, "county.hrss", "新平县人力资源和社会保障局", date(2026, 12, 23))

    monkeypatch.setattr(intake_api, "add_repeat", add_repeat)
    events, messages = run(ActionFileTicket(), tracker("匿名", slots=COLLECTED))
    assert calls == [] and joined == [("XP20261130-00007", "老板拖欠三个月工资")]
    assert responses(messages) == ["utter_added_to_open_ticket"] and messages[0]["number"] == "XP20261130-00007"


def test_a_question_is_not_asked_a_third_time(extracted):
    """Hinted once and still not understood: the words are kept and the form goes on."""
    before = [
        {"event": "action", "name": "petition_form"},
        {
            "event": "bot",
            "text": "抱歉，我没听出是什么时候。",
            "metadata": {"utter_action": "utter_invalid_incident_time"},
        },
        # the form asks again right after the hint: the hint is not the last thing the bot said
        {"event": "bot", "text": "这件事是什么时候发生的？", "metadata": {"utter_action": "utter_ask_incident_time"}},
        {"event": "action", "name": "action_listen"},
    ]
    t = tracker("嗯嗯嗯", "affirm", slots={"requested_slot": "incident_time"}, events=before)
    events, messages = run(ValidatePetitionForm(), t)
    assert slots_of(events) == {"incident_time": "嗯嗯嗯"} and messages == []
    first_time = tracker("嗯嗯嗯", "affirm", slots={"requested_slot": "incident_time"}, events=before[:1])
    events, messages = run(ValidatePetitionForm(), first_time)
    assert responses(messages) == ["utter_invalid_incident_time"]


@pytest.mark.parametrize("text", ["不知道", "不想说", "说不准"])
def test_a_place_not_known_or_not_said_is_not_asked_again(extracted, text):
    events, messages = answer(text, "township")
    assert slots_of(events) == {"township": "不详", "village": "不详"} and messages == []


# --- the recap before filing -----------------------------------------------------------------------------------


def test_the_recap_shows_what_will_be_filed_and_where_it_goes(filed):
    calls, _ = filed
    events, messages = run(ActionRecap(), tracker("匿名", slots={**COLLECTED, "matter": "labour.wage_arrears"}))
    assert calls == [] and events == []  # nothing filed before 确认
    assert responses(messages) == ["utter_recap"]
    text = messages[0]["summary"]
    assert "事项：劳动工资" in text and "地点：戛洒镇李家村" in text and "电话：13812345678" in text
    assert "称呼：匿名" in text and "承办部门：新平县人力资源和社会保障局" in text


def test_an_urgent_complaint_filed_at_once_is_not_held_up_by_a_recap(filed, added):
    events, messages = run(ActionRecap(), tracker("匿名", slots={**COLLECTED, "filed_ticket": "XP20261123-00001"}))
    assert responses(messages) == ["utter_details_added"] and added[0]["number"] == "XP20261123-00001"


def recap_answer(text: str, intent: str = "inform", **slots) -> tuple[list, list[dict]]:
    before = [{"event": "action", "name": "action_recap"}, {"event": "action", "name": "action_listen"}]
    return run(ActionRevise(), tracker(text, intent, slots={**COLLECTED, **slots}, events=before))


def test_a_change_said_at_the_recap_replaces_the_value_and_the_recap_comes_again(extracted):
    extracted["电话改成13912345678"] = facts(phones=["13912345678"])
    events, messages = recap_answer("电话改成13912345678")
    assert slots_of(events)["phone"] == "13912345678"
    assert responses(messages) == ["utter_phone_corrected"]
    assert events[-1] == FollowupAction("action_recap")


def test_a_place_said_at_the_recap_replaces_the_place_even_without_a_correction_word(extracted):
    extracted["漠沙镇"] = facts(places=[MOSHA])
    events, messages = recap_answer("漠沙镇")
    assert slots_of(events)["township"] == "mosha" and responses(messages) == ["utter_place_corrected"]


def test_a_name_and_a_category_in_words_can_be_changed_at_the_recap(extracted):
    events, messages = recap_answer("称呼改成李")
    assert slots_of(events) == {"citizen_name": "李"} and responses(messages) == ["utter_name_corrected"]
    events, messages = recap_answer("算交通方面的", matter_top=[["transport.road_damage", 0.3]])
    assert slots_of(events)["category"] == "traffic"
    assert responses(messages) == ["utter_category_chosen"]


@pytest.mark.parametrize("text, intent", [("修改", "deny"), ("/deny", "deny"), ("嗯嗯啊", "inform")])
def test_revise_without_anything_to_apply_asks_what_to_change(extracted, text, intent):
    events, messages = recap_answer(text, intent)
    assert events == [] and responses(messages) == ["utter_ask_revision"]


def test_danger_told_while_answering_gets_the_safety_advice_and_files_at_once(extracted, filed):
    calls, _ = filed
    text = "他现在拿着刀堵在我家门口，说要砍人"
    events, messages = answer(text, "incident_time", **{**COLLECTED, "incident_time": None})
    assert responses(messages)[:2] == ["utter_urgent", "utter_urgent_filed"]
    [call] = calls
    assert "urgent" in call["draft"].flags and text in call["draft"].text
    slots = slots_of(events)
    assert "urgent" in slots["flags"] and slots["filed_ticket"] == "XP20261123-00001"
    assert "utter_invalid_incident_time" not in responses(messages)  # no hint after the safety advice


def test_an_ordinary_answer_is_not_read_for_danger(extracted, filed, monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(intake_api, "is_urgent", lambda text, threshold=0.2: asked.append(text) or False)
    answer("上个月", "incident_time")
    answer("我叫李四，前面说了的", "citizen_name")
    assert asked == ["我叫李四，前面说了的"] and filed[0] == []


# --- two matters in one message --------------------------------------------------------------------------------

SECOND = "还有一件事，我们村的路被大车压坏了"


@pytest.fixture
def second_analysed(monkeypatch):
    def fake(text, today=None, j=None, matters_by=None):
        return Draft(text, "traffic", matter="traffic.village_road", facts=facts(), top=(("traffic", 0.9),))

    monkeypatch.setattr(intake_api, "analyse", fake)


def test_after_the_first_ticket_the_second_matter_is_offered_with_its_department(filed, second_analysed):
    slots = {**COLLECTED, "second_problem": {"text": SECOND}}
    events, messages = run(ActionFileTicket(), tracker("确认", "affirm", slots=slots))
    assert responses(messages) == ["utter_filed", "utter_offer_second"]
    assert messages[1]["matter_text"] == SECOND and messages[1]["department"]
    assert "text" not in messages[1] or not messages[1]["text"]  # the response, not the bare words
    kept = slots_of(events)["second_problem"]
    assert kept["text"] == SECOND and kept["township"] == "gasa" and kept["address"] == "戛洒镇李家村"


def test_yes_files_the_second_matter_with_the_citizens_details_and_the_place_told_before(filed, second_analysed):
    calls, _ = filed
    pending = {"text": SECOND, "township": "gasa", "village": "不详", "address": "戛洒镇李家村"}
    slots = {"second_problem": pending, "phone": "13812345678", "citizen_name": "匿名"}
    events, messages = run(ActionSecondProblem(), tracker("好的，另外登记", "affirm", slots=slots))
    [call] = calls
    draft = call["draft"]
    assert (draft.text, draft.category, draft.township, draft.village) == (SECOND, "traffic", "gasa", None)
    assert draft.phone == "13812345678" and draft.citizen_name is None
    assert responses(messages) == ["utter_second_filed"] and slots_of(events)["second_problem"] is None


def test_no_keeps_one_ticket_and_an_okay_without_an_offer_is_thanked(filed):
    calls, _ = filed
    events, messages = run(ActionSecondProblem(), tracker("不用了", "deny", slots={"second_problem": {"text": SECOND}}))
    assert calls == [] and responses(messages) == ["utter_second_not_filed"]
    assert slots_of(events) == {"second_problem": None}
    _, messages = run(ActionSecondProblem(), tracker("好的", "affirm"))
    assert responses(messages) == ["utter_thank"]


def test_a_policy_question_is_not_asked_when_it_happened(analyse):
    events, _ = run(ActionAnalyseComplaint(), tracker("请问农村低保怎么申请，要什么材料", "report_problem"))
    assert slots_of(events)["incident_time"] == "不详"
    events, _ = run(ActionAnalyseComplaint(), tracker("村里的路灯坏了三个月没人修", "report_problem"))
    assert slots_of(events).get("incident_time") is None  # a complaint: asked


def test_nothing_happened_is_an_answer_to_when(extracted):
    events, messages = answer("没有发生什么，就是想问一下", "incident_time")
    assert slots_of(events) == {"incident_time": "不详"} and messages == []


def test_the_problem_told_again_instead_of_a_category_is_classified_without_the_rejected_one(monkeypatch):
    def described(text, today=None, j=None, matters_by=None):
        return Draft(text, "environment", top=(("environment", 0.6), ("neighbour", 0.3)), facts=facts())

    monkeypatch.setattr(intake_api, "analyse", described)
    slots = {"category": "environment", "complaint_text": "吵", "category_top": [["environment", 0.5]]}
    events, messages = run(ActionChooseCategory(), tracker("隔壁装修太吵了", "report_problem", slots=slots))
    assert slots_of(events)["category"] == "neighbour"  # not the one the citizen said was wrong
    assert slots_of(events)["complaint_text"] == "吵\n隔壁装修太吵了"
    assert responses(messages) == ["utter_category_chosen"]


def test_a_bare_refusal_at_the_name_question_is_an_answer_not_a_stop(extracted):
    events, messages = answer("不说了", "citizen_name")
    assert slots_of(events) == {"citizen_name": "匿名"}


def test_a_phone_correction_in_everyday_words_replaces_the_phone(extracted):
    extracted["刚才电话后面两个数打反了，是13988762518"] = facts(phones=["13988762518"])
    events, messages = answer("刚才电话后面两个数打反了，是13988762518", "citizen_name", phone="13988762581")
    assert slots_of(events)["phone"] == "13988762518" and "utter_phone_corrected" in responses(messages)


def test_no_phone_after_a_handoff_is_not_a_new_complaint(analyse):
    calls, _ = analyse
    before = [{"event": "action", "name": "action_handoff"}, {"event": "action", "name": "action_listen"}]
    events, messages = run(ActionAnalyseComplaint(), tracker("不留", "inform", events=before))
    assert calls == [] and responses(messages) == ["utter_handoff_no_phone"]


@pytest.mark.parametrize(
    "text, village",
    [("南恩", "gasa.nanen"), ("南恩那边", "gasa.nanen"), ("南恩三组", "gasa.nanen"), ("嘎洒社区", "gasa.gasa"),
     ("南恩村委会", "gasa.nanen"), ("新寨", "gasa.xinzhai")],
)  # fmt: skip
def test_a_village_is_known_in_the_forms_people_write_it(extracted, text, village):
    events, _ = answer(text, "village", township="gasa")
    assert slots_of(events)["village"] == village


def confirm_asked(times: int) -> list[dict]:
    asked = {"event": "bot", "text": "…对吗？", "metadata": {"utter_action": "utter_confirm_category"}}
    return [{"event": "action", "name": "action_analyse_complaint"}, asked] * (times - 1) + [
        {"event": "action", "name": "action_analyse_complaint"},
        asked,
        {"event": "action", "name": "action_listen"},
    ]


READY = {"complaint_text": "我家的水田被隔壁寨子的人占去了", "message_ids": [1], "complaint_ready": True}


def test_a_yes_in_other_words_at_the_confirmation_goes_on_with_the_form(analyse):
    t = tracker("咯是土地的事？是呢", "inform", slots=READY, events=confirm_asked(1))
    events, messages = run(ActionAnalyseComplaint(), t)
    assert responses(messages)[-1] == "utter_category_chosen"
    assert events[-1] == FollowupAction("petition_form")


def test_the_confirmation_is_not_asked_a_third_time(analyse):
    t = tracker("我们寨子的田", "inform", slots=READY, events=confirm_asked(2))
    events, messages = run(ActionAnalyseComplaint(), t)
    assert "utter_confirm_category" not in responses(messages) and events[-1] == FollowupAction("petition_form")
    once = tracker("我们寨子的田", "inform", slots=READY, events=confirm_asked(1))
    assert responses(run(ActionAnalyseComplaint(), once)[1])[-1] == "utter_confirm_category"  # more details: asked


def test_a_no_in_other_words_is_not_a_yes():
    from handlers.actions.complaint import YES

    assert YES.search("是呢") and YES.search("对的") and not YES.search("不是") and not YES.search("没对")


def test_a_correction_naming_a_bare_village_at_another_question_replaces_the_village(extracted):
    events, messages = answer(
        "刚才说的不对，不是平田，砖厂和我们都在马鹿寨", "phone", township="guishan", village="guishan.pingtian"
    )
    assert slots_of(events)["village"] == "guishan.maluzhai" and "utter_place_corrected" in responses(messages)
    assert "phone" not in slots_of(events)  # a correction, not an answer to the phone question


def test_the_number_after_a_correction_in_the_same_answer_is_the_phone(extracted):
    extracted["15887324410，哦不对，是15887324470"] = facts(phones=["15887324410", "15887324470"])
    events, _ = answer("15887324410，哦不对，是15887324470", "phone")
    assert slots_of(events)["phone"] == "15887324470"


def test_a_spoken_phone_correction_at_another_question(extracted):
    events, messages = answer("电话号码不是这个，我的是一五一二五七七三六八零", "citizen_name", phone="13887460235")
    assert slots_of(events)["phone"] == "15125773680" and "utter_phone_corrected" in responses(messages)


def test_a_category_corrected_in_words_at_another_question_is_not_taken_for_the_answer(extracted):
    events, messages = answer(
        "刚才那个类别不对，主要是村干部不公开乱承包，算村务的", "incident_time", category="land", matter_top=[]
    )
    assert slots_of(events)["category"] == "village_affairs" and "incident_time" not in slots_of(events)


@pytest.mark.parametrize(
    "text, township, village",
    [
        ("新萍县水塘", "shuitang", None),
        ("水糖南达", "shuitang", "shuitang.nanda"),
        ("杨武 青龙厂", "yangwu", "yangwu.qinglongchang"),
        ("桂山 他啦村", "guishan", "guishan.tala"),
    ],
)
def test_a_place_written_by_ear_is_understood(extracted, text, township, village):
    slots = slots_of(answer(text, "township")[0])
    assert (slots["township"], slots["village"]) == (township, village)


def test_the_township_seat_is_its_community(extracted):
    assert slots_of(answer("就在镇上，街子上", "village", township="shuitang")[0])["village"] == "shuitang.shuitang"


def test_a_bare_village_at_the_recap_is_changed_and_confirmed_once(extracted):
    events, messages = recap_answer("村子不是李家村，是南恩")
    assert slots_of(events)["village"] == "gasa.nanen"
    assert responses(messages) == ["utter_place_corrected"]


def test_the_county_alone_is_no_place_and_the_township_is_still_asked(jurisdiction):
    county_only = {"places": [{"text": "新平县", "county": "新平彝族傣族自治县", "township": None, "village": None}]}
    assert answers.place_slots(county_only, jurisdiction) is None
    elsewhere = {"places": [{"text": "昆明市五华区", "city": "昆明市", "county": "五华区", "township": None}]}
    assert answers.place_slots(elsewhere, jurisdiction)["township"] == answers.NOT_KNOWN  # transferred, not asked


def test_a_stop_that_reaches_the_complaint_action_during_the_form_stops_the_form(analyse):
    calls, _ = analyse
    t = tracker("我要去挖人了，不说了，不登记了", "report_problem", slots={"requested_slot": "phone"})
    t.active_loop = {"name": "petition_form"}
    events, messages = run(ActionAnalyseComplaint(), t)
    assert calls == [] and messages == []
    assert [e["event"] for e in events] == ["active_loop", "slot", "followup"]
    assert events[2]["name"] == "action_stop_form"


def test_a_complaint_that_asks_for_a_person_goes_to_the_handoff(analyse):
    calls, _ = analyse
    said = "这个是真人回还是机器回？找真人。我要投诉平寨村的沼气池补贴没发"
    events, messages = run(ActionAnalyseComplaint(), tracker(said, "report_problem", message_id=3))
    assert calls == [] and messages == []
    assert events == [{"event": "followup", "timestamp": None, "name": "action_handoff"}]


def test_a_phone_told_with_the_request_is_the_way_back(operator_queue, monkeypatch):
    monkeypatch.setattr(intake_api, "not_a_complaint", lambda text, threshold=0.2: False)
    monkeypatch.setattr(
        intake_api, "analyse", lambda text, today=None: Draft(text, "land", phone="13800137406", township="shuitang")
    )
    said = "我要人工客服。我家的林权证办了一年多还没下来，电话13800137406"
    events, messages = run(ActionHandoff(), tracker(said, "ask_human", message_id=5))
    assert responses(messages) == ["utter_handoff", "utter_handoff_filed"]  # a call-back promised: the number is known
    assert slots_of(events) == {"ticket_number": "XP20261123-00003", "phone": "13800137406"}


def test_the_time_said_after_bu_shi_is_not_the_correction():
    times = [{"text": "上礼拜", "start": "2026-11-23", "end": "2026-11-29"}, {"text": "上个月", "start": "2026-10-01"}]
    assert answers.affirmed(times, "时间我说错了，不是上礼拜，是上个月初就开始冒了")["text"] == "上个月"
    assert answers.affirmed(list(reversed(times)), "是上个月初，不是上礼拜")["text"] == "上个月"
    assert answers.affirmed(times, "上礼拜")["text"] == "上礼拜"


@pytest.mark.parametrize(("said", "name"), [("我不识字，姓起", "起"), ("姓刀", "刀"), ("我叫李四，前面说了的", "李四")])
def test_a_surname_said_in_a_longer_answer(said, name):
    assert answers.parse_name(said, {}) == name


def test_not_saying_where_is_an_answer_not_a_goodbye(jurisdiction):
    assert answers.parse_place("这个就不说了", {"places": []}, jurisdiction)["township"] == answers.NOT_KNOWN


def test_a_place_corrected_while_the_category_is_asked(jurisdiction):
    said = "哦不对，我说的是曼线村，不是龙河村，龙河是我亲戚那边"
    assert answers.corrected_place(said, jurisdiction)["village"] == "mosha.manxian"
    assert answers.corrected_place("不是龙河村", jurisdiction) is None  # only what it is not
