"""Actions from complaint to ticket: analyse the complaint, confirm or choose its category, file the ticket.

The category comes from our classifier (bot.intake.analyse_message), never from a Rasa intent. Facts the complaint
already gives fill the form slots here, so petition_form only asks for what is missing. Filing builds the Draft
from the slots (answers.draft_from_slots) and files it as it stands: the dialogue's corrections are what is filed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import intake
from bot.clock import china_today
from bot.dispatch import best_matter
from bot.intake import Draft
from bot.jurisdiction import load_jurisdiction
from bot.matters import load_catalogue
from bot.vocabulary import Flag, find_ticket_number
from classifier.categories import category_codes, category_name, load_taxonomy
from classifier.extract.gazetteer import area_code
from classifier.facts import extract_facts
from handlers.actions import answers
from handlers.responses import format_date

log = logging.getLogger(__name__)

# Slots of one complaint; a new complaint starts from these cleared (phone and name belong to the citizen and stay).
COMPLAINT_SLOTS = (
    "category",
    "category_top",
    "matter",
    "matter_top",
    "facts",
    "flags",
    "township",
    "village",
    "address",
    "incident_time",
    "complaint_text",
    "message_ids",
    "complaint_ready",
    "phone_refused",
    "filed_ticket",
)
# An opening without content (我要投诉 / 有个事想反映一下): the bot asks for the details first.
FILLER = re.compile(
    r"你好|您好|请问|麻烦|帮帮忙|帮忙|帮我|我们|我要|我想|想要|想|要|我|有|一个|个|一件|件|事情|事|问题|情况|"
    r"投诉|反映|反应|举报|求助|咨询|信访|上访|一下|下|的|了|啊|呀|吧|哦|嗯|喂|在吗|请|你们|能不能|可以|吗|"
    r"政府|领导|同志"
)
MIN_CONTENT_CHARS = 3
# words that open a complaint without telling it yet (我要投诉 / 有个事想反映一下): the details are asked for
OPENER = re.compile(r"投诉|反映|反应|举报|求助|咨询|上访|信访|问题|事|帮|救|报警|管管")
# A message that reads like an answer (intent inform) and comes out of the blue is a complaint only when it is long
# enough (我叫王小明，电话…，砂石厂天天放炮…); a bare 戛洒镇南恩村 is kept and the details asked for.
MIN_INFORM_COMPLAINT_CHARS = 15
# a described problem this sure of the category the citizen rejected by name is still that category
SURE_OF_DESCRIPTION = 0.7
# A reply to "which category?" longer than this is the problem told again, not a category's name (交通 / 土地方面的).
DESCRIPTION_CHARS = 6
# The actions after which a new message continues the same complaint (it was not yet confirmed).
CONTINUES_AFTER = {"action_analyse_complaint", "action_offer_categories"}


def message_id_of(tracker: Tracker) -> int | None:
    value = (tracker.latest_message.get("metadata") or {}).get("message_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def has_content(text: str) -> bool:
    return len(FILLER.sub("", answers.clean(text))) >= MIN_CONTENT_CHARS


def previous_action(tracker: Tracker) -> str | None:
    """The bot's last action before the citizen's latest message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name")
    return None


def last_response(tracker: Tracker) -> str | None:
    """The response name of the bot's last message (Rasa keeps it in the bot event's metadata)."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            return (event.get("metadata") or {}).get("utter_action")
    return None


def ask_place_after_handoff(dispatcher: CollectingDispatcher, sender_id: str, number: str) -> None:
    """A handed-off complaint filed without a place: one optional question, so that the operator knows where
    (the citizen asked for a person, so it is asked once and may be skipped)."""
    if intake.place_missing(sender_id, number):
        dispatcher.utter_message(response="utter_handoff_ask_place")


def place_after_handoff(dispatcher: CollectingDispatcher, sender_id: str, number: str, text: str) -> bool:
    """The answer to utter_handoff_ask_place: onto the handed-off ticket. False: not a place (read as usual)."""
    j = load_jurisdiction()
    place = answers.parse_place(text, extract_facts(text, china_today(), j.gazetteer()), j)
    if place is None:
        return False
    if place.get("township") == answers.NOT_KNOWN and not place.get("address"):
        dispatcher.utter_message(response="utter_handoff_no_place")
        return True
    fields = {k: answers.or_none(v) for k, v in place.items() if k in ("township", "village", "address")}
    intake.add_details(sender_id, number, Draft(text="", **fields), only=tuple(fields))
    dispatcher.utter_message(response="utter_handoff_place_added", number=number)
    return True


class ActionAnalyseComplaint(Action):
    """Classifies the complaint, extracts its facts, warns at once about danger, and asks to confirm the category.
    A message right after the confirmation question continues the same complaint (people write in pieces)."""

    def name(self) -> str:
        return "action_analyse_complaint"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        text = (tracker.latest_message.get("text") or "").strip()
        message_id = message_id_of(tracker)
        handed_off = tracker.get_slot("ticket_number")
        phone = answers.phone_in(text)
        if previous_action(tracker) == "action_handoff" and handed_off and phone and len(answers.clean(text)) <= 20:
            # the number the handoff asked for: onto the handed-off ticket, not a new complaint
            intake.add_details(tracker.sender_id, handed_off, Draft(text="", phone=phone), only=("phone",))
            dispatcher.utter_message(response="utter_handoff_phone_added", number=handed_off)
            ask_place_after_handoff(dispatcher, tracker.sender_id, handed_off)
            return [SlotSet("phone", phone), SlotSet("complaint_ready", False)]  # then listen (no rule follows)
        if handed_off and last_response(tracker) == "utter_handoff_ask_place":
            answered = place_after_handoff(dispatcher, tracker.sender_id, handed_off, text)
            if answered:
                return [SlotSet("complaint_ready", False)]
        if (
            previous_action(tracker) == "action_handoff"
            and answers.REFUSE.search(text)
            and len(answers.clean(text)) <= 12
        ):
            # 不留 to the handoff's "send a phone if you like": the reply comes in this chat; not a new complaint
            dispatcher.utter_message(response="utter_handoff_no_phone")
            return [SlotSet("complaint_ready", False)]
        in_form = (tracker.active_loop or {}).get("name") == "petition_form"
        if in_form and answers.STOP.search(text) and not find_ticket_number(text):
            # 我要去挖人了，不说了，不登记了: Rasa read a new complaint into a stop during the form (a fallback rule
            # runs this action then); the form stops as on goodbye, an urgent ticket keeping what it got
            return [ActiveLoop(None), SlotSet("requested_slot", None), FollowupAction("action_stop_form")]
        if (
            not in_form
            and answers.ASK_HUMAN.search(text)
            and len(answers.clean(answers.without_request_for_person(text))) >= answers.COMPLAINT_WITH_REQUEST_CHARS
        ):
            # 找真人。我要投诉平寨村的沼气池补贴没发: a person is asked for, with the complaint; the handoff files it
            return [FollowupAction("action_handoff")]
        continuing = previous_action(tracker) in CONTINUES_AFTER and tracker.get_slot("complaint_text")
        ids = list(tracker.get_slot("message_ids") or []) if continuing else []
        if message_id is not None:
            ids.append(message_id)
        if continuing:
            text = f"{tracker.get_slot('complaint_text')}\n{text}"
        fresh = [] if continuing else [SlotSet(s, None) for s in COMPLAINT_SLOTS]
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        answer_like = intent == "inform" and len(answers.clean(text)) < MIN_INFORM_COMPLAINT_CHARS
        short = len(answers.clean(text)) < MIN_INFORM_COMPLAINT_CHARS
        if not continuing and short and not OPENER.search(text) and intake.not_a_complaint(text, 0.9):
            # 哦 好的 晓得了 / 嗯嗯: nothing to ask details about (a one-word complaint such as 吵 / 野狗 is asked)
            dispatcher.utter_message(response="utter_not_a_complaint")
            return [*fresh, SlotSet("complaint_ready", False)]
        if not has_content(text) or (answer_like and not continuing):
            dispatcher.utter_message(response="utter_ask_details")
            return fresh + [
                SlotSet("complaint_text", text),
                SlotSet("message_ids", ids),
                SlotSet("complaint_ready", False),
            ]
        try:
            # one stored message: its full text; pieces: joined. Only this sender's messages are ever read.
            draft = intake.analyse_message(ids, text, sender_id=tracker.sender_id)
        except Exception:
            log.exception("analysing the complaint failed")
            dispatcher.utter_message(response="utter_system_error")
            return fresh
        if draft.not_complaint and not continuing:
            # the gate model: 发错了 / 测试一下 / 好的收到. Rasa's intent said complaint; the text says otherwise, and a
            # message like that must never become a ticket. Nothing is kept as a complaint.
            dispatcher.utter_message(response="utter_not_a_complaint")
            return [*fresh, SlotSet("complaint_ready", False)]
        found = answers.slots_from_draft(draft, load_jurisdiction())
        matter = load_catalogue().matters.get(draft.matter or "")
        if not found.get("incident_time") and answers.is_consultation(text, matter.name if matter else None):
            found["incident_time"] = answers.NOT_KNOWN  # a policy question: nothing happened, so no "when?"
        latest_piece = (tracker.latest_message.get("text") or "").strip()
        if continuing and answers.CORRECTION.search(latest_piece):
            # 哦不对，我说的是曼线村，不是龙河村: the place the latest piece corrects to replaces the first message's
            fixed = answers.corrected_place(latest_piece, load_jurisdiction())
            if fixed:
                found.update(fixed)
        # the citizen's own phone and name stay from an earlier complaint of this conversation
        for slot in ("phone", "citizen_name"):
            found[slot] = found[slot] or tracker.get_slot(slot)
        filed_now = []
        if Flag.URGENT in draft.flags and Flag.URGENT not in (tracker.get_slot("flags") or []):
            dispatcher.utter_message(response="utter_urgent")
            if not (continuing and tracker.get_slot("filed_ticket")):
                filed_now = file_urgent_at_once(dispatcher, tracker, draft, found)
        elsewhere = intake.out_of_area_of(draft)
        if elsewhere:
            dispatcher.utter_message(response="utter_out_of_area", **out_of_area_values(elsewhere))
        reply_to_confirm = continuing and previous_action(tracker) == "action_analyse_complaint"
        latest = (tracker.latest_message.get("text") or "").strip()
        goes_on = reply_to_confirm and (YES.search(answers.clean(latest)) or confirmations_asked(tracker) >= 2)
        if goes_on:
            # Rasa read the reply to "对吗？" as more details, but it says yes in other words (咯是土地的事？是呢), or
            # the question was asked twice already: the form goes on, with a category the reply names if any.
            # Asking again would loop.
            named = category_in_text(latest, [c for c, _ in draft.top])
            category = named if named and named != "other" else draft.category
            draft = intake.with_category(draft, category)
            found["category"], found["matter"] = draft.category, draft.matter
            dispatcher.utter_message(response="utter_category_chosen", category_name=category_name(category))
        else:
            dispatcher.utter_message(response="utter_confirm_category", category_name=draft.category_name)
        second = None if filed_now or Flag.URGENT in draft.flags else intake.second_problem(draft)
        events = [
            *fresh,
            *filed_now,
            SlotSet("second_problem", {"text": second.text} if second else None),
            SlotSet("complaint_text", text),
            SlotSet("message_ids", ids),
            SlotSet("complaint_ready", True),
            SlotSet("category_top", [[c, p] for c, p in draft.top]),
            SlotSet("matter_top", [[c, p] for c, p in draft.matter_top]),
            SlotSet("facts", draft.facts),
            SlotSet("flags", list(draft.flags)),
        ]
        for slot, value in found.items():
            if slot not in ("phone", "citizen_name") or value != tracker.get_slot(slot):
                events.append(SlotSet(slot, value))
        return events + ([FollowupAction("petition_form")] if goes_on else [])


# a yes said in other words at the end of a reply (…是呢 / 对的 / 就是): the category is confirmed
YES = re.compile(r"(?<![不没])(?:是的|是呢|是嘞|是滴|是哦|对的|对头|对嘛|没错|就是|是|对|嗯)$")


def confirmations_asked(tracker: Tracker) -> int:
    """How often "对吗？" was asked for the complaint in progress (since the last filing or a fresh start)."""
    n = 0
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") in ("action_file_ticket", "action_stop_form"):
            break
        if (
            event.get("event") == "bot"
            and (event.get("metadata") or {}).get("utter_action") == "utter_confirm_category"
        ):
            n += 1
    return n


def out_of_area_values(place: dict) -> dict:
    """{place, hotline} for utter_out_of_area: where the matter belongs and how to reach that place's 12345."""
    where = "".join(place.get(k) or "" for k in ("province", "city", "county")) or place.get("text") or "当地"
    code = area_code(place.get("city"))
    hotline = f"（在外地拨打请加区号：{code}-12345）" if code else "（在外地拨打请加当地区号）"
    return {"place": where, "hotline": hotline}


def file_urgent_at_once(
    dispatcher: CollectingDispatcher, tracker: Tracker, draft: Draft, found: dict
) -> list[EventType]:
    """Danger to life or a threat of extreme action must reach a person at once, not when the form is done: the
    ticket is filed now with what we know (escalated by routing) and the form's answers are added to it later."""
    try:
        filed = intake.file_ticket(
            replace(draft, phone=answers.or_none(found["phone"]), citizen_name=answers.or_none(found["citizen_name"])),
            sender_id=tracker.sender_id,
        )
    except Exception:
        log.exception("filing the urgent complaint failed")
        return []  # the form goes on; the ticket is filed at its end (or when the citizen leaves)
    dispatcher.utter_message(response="utter_urgent_filed", number=filed.number, department=filed.department_name)
    return [SlotSet("filed_ticket", filed.number), SlotSet("ticket_number", filed.number)]


def category_buttons(current: str | None, top: list) -> list[dict]:
    """The classifier's other suggestions (`top`: [code, p] pairs), then 其他."""
    codes = [c for c, _ in top if c != current and c != "other" and c in category_codes()]
    return [{"title": category_name(c), "payload": f'/inform{{"category":"{c}"}}'} for c in codes] + [
        {"title": category_name("other"), "payload": '/inform{"category":"other"}'}
    ]


class ActionOfferCategories(Action):
    """The citizen said the category is wrong: the classifier's other suggestions as buttons, plus 其他."""

    def name(self) -> str:
        return "action_offer_categories"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        buttons = category_buttons(tracker.get_slot("category"), tracker.get_slot("category_top") or [])
        dispatcher.utter_message(response="utter_offer_categories", buttons=buttons)
        return []


def category_in_text(text: str, preferred: list[str] | tuple[str, ...] = ()) -> str | None:
    """A category the citizen typed instead of pressing a button (土地 / 是劳动工资方面的 / 村干部的问题): a word of
    its name or of what it covers, else the most two-character pieces in common; the offered ones win ties."""
    t = answers.clean(text)
    core = re.sub(r"是|的|问题|方面|那个|这个|一类|类|吧|啊|呀|嘛|应该|算|事情?", "", t)
    order = {code: i for i, code in enumerate(preferred)}
    taxonomy = sorted((c for c in load_taxonomy() if c.code != "other"), key=lambda c: order.get(c.code, len(order)))
    for c in taxonomy:
        words = [w for w in re.split(r"[与和、/，,（）()\s]+", c.name + "，" + c.covers) if len(w) >= 2]
        if any(w in t for w in words):
            return c.code
    pieces = {core[i : i + 2] for i in range(len(core) - 1)}
    scores = [(sum(p in c.name + c.covers for p in pieces), -i, c.code) for i, c in enumerate(taxonomy)]
    best = max(scores, default=(0, 0, None))
    return best[2] if best[0] > 0 else None


class ActionChooseCategory(Action):
    """The category the citizen chose (button payload or typed); 其他 when it is still unclear."""

    def name(self) -> str:
        return "action_choose_category"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        codes = category_codes()
        text = tracker.latest_message.get("text") or ""
        rejected = tracker.get_slot("category")
        chosen = next((v for v in tracker.get_latest_entity_values("category") if v in codes), None)
        offered = [c for c, _ in tracker.get_slot("category_top") or [] if c != rejected]
        events: list[EventType] = []
        if not chosen and len(answers.clean(text)) > DESCRIPTION_CHARS and not text.startswith("/"):
            # not a category named but the problem told again in other words (隔壁装修太吵了): classified, the
            # rejected category aside, and the words join the complaint. Asking to confirm again would loop.
            described = intake.analyse(text)
            top, p = described.top[0] if described.top else (None, 0.0)
            # 不对 → 是工伤，老板不认账: the citizen's own words are clearly of the category they rejected by its
            # name; their words win. Otherwise the likeliest other one.
            keep = top == rejected and p >= SURE_OF_DESCRIPTION
            chosen = top if keep else next((c for c, _ in described.top if c != rejected), None)
            joined = "\n".join(t for t in (tracker.get_slot("complaint_text"), text) if t)
            events.append(SlotSet("complaint_text", joined))
        chosen = chosen or category_in_text(text, offered)
        if chosen and chosen != "other":
            dispatcher.utter_message(response="utter_category_chosen", category_name=category_name(chosen))
        else:
            chosen = "other"
            dispatcher.utter_message(response="utter_category_unclear")
        matter = best_matter(tracker.get_slot("matter_top") or [], chosen, load_catalogue())
        return [*events, SlotSet("category", chosen), SlotSet("matter", matter)]


def collected_draft(tracker: Tracker) -> Draft:
    """The Draft the dialogue collected, with the complaint's full stored text."""
    ids = tracker.get_slot("message_ids") or []
    text = intake.complaint_text(ids, tracker.get_slot("complaint_text") or "", tracker.sender_id)
    return answers.draft_from_slots(tracker.slots, text, ids)


def file_collected(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Files the ticket with everything the dialogue collected and tells number, department and due date."""
    if not tracker.get_slot("complaint_text") or not tracker.get_slot("category"):
        dispatcher.utter_message(response="utter_default")
        return []
    if tracker.get_slot("filed_ticket"):
        return add_to_filed(dispatcher, tracker)
    draft = collected_draft(tracker)
    open_number = intake.open_ticket_on_same_matter(tracker.sender_id, draft)
    if open_number:  # told again: onto the open ticket, and the citizen hears its number
        try:
            filed = intake.add_repeat(tracker.sender_id, open_number, draft)
        except Exception:
            log.exception("adding the repeat to %s failed", open_number)
            dispatcher.utter_message(response="utter_system_error")
            return []
        dispatcher.utter_message(
            response="utter_added_to_open_ticket", number=filed.number, department=filed.department_name
        )
        return [SlotSet(s, None) for s in COMPLAINT_SLOTS] + [SlotSet("ticket_number", filed.number)]
    try:
        filed = intake.file_ticket(draft, sender_id=tracker.sender_id)
    except Exception:
        log.exception("filing the ticket failed")
        dispatcher.utter_message(response="utter_system_error")
        return []
    response = "utter_filed_legal" if filed.legal_redirect else "utter_filed"
    dispatcher.utter_message(
        response=response, number=filed.number, department=filed.department_name, due=format_date(filed.answer_due)
    )
    return (
        [SlotSet(s, None) for s in COMPLAINT_SLOTS]
        + [SlotSet("ticket_number", filed.number)]
        + offer_second_problem(dispatcher, tracker)
    )


PLACE_SLOTS = ("township", "village", "address")


def second_draft(pending: dict) -> Draft:
    """The second matter's Draft: its own words analysed, with the place told for the first matter (kept in
    `pending`) when its words name none."""
    second = intake.analyse(pending["text"])
    if second.township:
        return second
    return replace(second, **{k: answers.or_none(pending.get(k)) for k in PLACE_SLOTS})


def offer_second_problem(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """After the first ticket, the second matter of the same message is offered as a ticket of its own; the place
    told for the first one is kept for it in case its own words name none."""
    pending = tracker.get_slot("second_problem")
    if not pending:
        return []
    place = {k: tracker.get_slot(k) for k in PLACE_SLOTS}
    department = intake.route_of(second_draft({**pending, **place})).department_name
    # (not `text=`: utter_message would send the bare words instead of the response)
    dispatcher.utter_message(response="utter_offer_second", matter_text=pending["text"], department=department)
    return [SlotSet("second_problem", {**pending, **place})]


class ActionSecondProblem(Action):
    """The answer to the offer of a second ticket (要 / 不用); with no offer pending, an okay after the ticket
    number is thanked."""

    def name(self) -> str:
        return "action_second_problem"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        pending = tracker.get_slot("second_problem")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if not pending:
            dispatcher.utter_message(response="utter_thank")
            return []
        if intent == "deny":
            dispatcher.utter_message(response="utter_second_not_filed")
            return [SlotSet("second_problem", None)]
        second = replace(
            second_draft(pending),
            phone=answers.or_none(tracker.get_slot("phone")),
            citizen_name=answers.or_none(tracker.get_slot("citizen_name")),
        )
        try:
            filed = intake.file_ticket(second, sender_id=tracker.sender_id)
        except Exception:
            log.exception("filing the second problem failed")
            dispatcher.utter_message(response="utter_system_error")
            return []
        dispatcher.utter_message(
            response="utter_second_filed",
            number=filed.number,
            department=filed.department_name,
            due=format_date(filed.answer_due),
        )
        return [SlotSet("second_problem", None), SlotSet("ticket_number", filed.number)]


def add_to_filed(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The form's answers go onto the ticket filed at once (urgent); the citizen hears where it stands."""
    number = tracker.get_slot("filed_ticket")
    try:
        filed = intake.add_details(tracker.sender_id, number, collected_draft(tracker))
    except Exception:
        log.exception("adding details to %s failed", number)
        dispatcher.utter_message(response="utter_system_error")
        return []
    dispatcher.utter_message(
        response="utter_details_added",
        number=filed.number,
        department=filed.department_name,
        due=format_date(filed.answer_due),
    )
    return [SlotSet(s, None) for s in COMPLAINT_SLOTS] + [SlotSet("ticket_number", filed.number)]


class ActionFileTicket(Action):
    """Files the ticket once petition_form has every fact it needs."""

    def name(self) -> str:
        return "action_file_ticket"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        return file_collected(dispatcher, tracker)


class ActionStopForm(Action):
    """The citizen leaves before the form is complete. An urgent complaint was filed at once; what the form got
    goes onto it (danger to life is never dropped); any other is kept unfiled until the citizen comes back."""

    def name(self) -> str:
        return "action_stop_form"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        if tracker.get_slot("filed_ticket"):  # urgent, filed at once: what the form got so far goes onto it
            return file_collected(dispatcher, tracker)
        if Flag.URGENT in (tracker.get_slot("flags") or []):  # filing at once failed: file now
            dispatcher.utter_message(response="utter_urgent_filed_anyway")
            return file_collected(dispatcher, tracker)
        dispatcher.utter_message(response="utter_goodbye_unfinished")
        return []
