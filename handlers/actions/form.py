"""validate_petition_form: reads the citizen's answers during petition_form and fills the slots.

The form slots have `custom` mappings, so this action is where answers are understood:
* the answer to the question asked (requested_slot) fills that slot: 戛洒镇南恩村 / 上个月 / 13888888888 / 匿名;
* a correction of something said before replaces it at any point: 不是戛洒镇，是漠沙镇 / 电话说错了，是139…;
* an answer that is not understood gets a short hint and the question again;
* a status query, a request for a person, out-of-scope talk or goodbye is left to the rules (the form rejects),
  even when it contains a fact (我上个月投诉的事怎么样了 is no answer to "when").
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from bot import intake
from bot.clock import china_today
from bot.dispatch import best_matter
from bot.intake import format_time
from bot.jurisdiction import load_jurisdiction
from bot.matters import load_catalogue
from bot.vocabulary import Flag, find_ticket_number
from classifier.categories import category_name
from classifier.facts import extract_facts
from handlers.actions import answers
from handlers.actions.answers import CORRECTION, NO_PHONE, SENTINELS
from handlers.actions.complaint import category_in_text, collected_draft, file_urgent_at_once, message_id_of

log = logging.getLogger(__name__)

# Intents that interrupt the form: the form rejects and a rule answers (then the form asks again, or stops).
INTERRUPTIONS = {"check_status", "ask_human", "out_of_scope", "goodbye"}
# Actions of the form machinery itself, as seen in the tracker the form sends along.
FORM_ACTIONS = {"action_listen", "action_extract_slots", "petition_form", "validate_petition_form"}
HINTS = {
    "township": "utter_invalid_place",
    "village": "utter_invalid_village",
    "incident_time": "utter_invalid_incident_time",
    "phone": "utter_no_phone",
    "citizen_name": "utter_invalid_name",
}


def extract(text: str) -> dict:
    return extract_facts(text, china_today(), load_jurisdiction().gazetteer())


def is_answer_turn(tracker: Tracker) -> bool:
    """True when the form runs right after the citizen spoke. After an interruption (a rule ran an action, e.g. a
    status query) the form calls this action again before asking; that message was no answer."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
            break
        if event.get("event") == "action" and event.get("name") not in FORM_ACTIONS:
            return False
    return seen_user


class ValidatePetitionForm(FormValidationAction):
    def name(self) -> str:
        return "validate_petition_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        requested = tracker.get_slot("requested_slot")
        if requested is None:  # the form is being activated with facts from the complaint
            noted = answers.noted_summary(tracker.slots, load_jurisdiction())
            if noted:
                dispatcher.utter_message(response="utter_facts_noted", noted=noted)
            return []
        if not is_answer_turn(tracker):
            return []
        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if STOP.search(text) and not find_ticket_number(text):
            # 不登记了 / 算了不说了: the form stops here, as the goodbye rule stops it, whatever Rasa read into the
            # rest of the message (我要去挖人了，不登记了 was read as a new complaint and the question came again)
            return [ActiveLoop(None), SlotSet("requested_slot", None), FollowupAction("action_stop_form")]
        if leaves_the_form(text, intent):
            return []  # rejected: a rule answers, then the form asks again (or stops)
        danger = danger_in_answer(dispatcher, tracker, text)
        if text.startswith("/"):  # a button payload other than an answer
            changes, facts = {}, {}
        else:
            # Rasa's intent is overridden here on purpose: a short answer (昨晚 / 一个星期了 / 幺三八…) is often
            # read as out_of_scope or goodbye, and a citizen must never be told "I can't help" for answering. Every
            # reply is first read as an answer; only a clear other request leaves the form (leaves_the_form).
            facts = extract(text)
            changes = corrections(text, facts, tracker.slots, requested, dispatcher)
            if not (changes and CORRECTION.search(text)):  # a correction of another answer is not this one
                changes.update(answer(requested, text, facts, tracker.slots, dispatcher))
        if not changes and danger:
            return danger  # the danger is dealt with; the question comes again, without a hint
        if not changes and intent in INTERRUPTIONS:
            return []  # not an answer either: the rules answer (out of scope, goodbye)
        if not changes and hinted_before(tracker, requested):
            # asked twice and still not understood: the citizen's words are kept as they are (the staff read them)
            # rather than a third question; a conversation never loops on one question
            changes = as_said(requested, text)
        if not changes:
            dispatcher.utter_message(response=HINTS[requested])
            return [SlotSet(requested, None)]
        old_facts = tracker.get_slot("facts") or {}
        new_facts = merged_facts(old_facts, facts, changes, tracker.slots)
        if new_facts != old_facts:
            changes["facts"] = new_facts
        return danger + [SlotSet(k, v) for k, v in changes.items()]


# An answer this short is an answer (上个月 / 戛洒镇南恩村 / 匿名): it is not read for danger.
MIN_DANGER_CHARS = 6
# Answers are short and out of context: the urgency model's 0.2 for complaints would read "为什么要电话？我不想留"
# (0.28) or "不想说是哪个村，怕他们晓得是我" (0.36) as danger; told danger scores above 0.9 (他现在拿着刀堵在门口 1.0,
# 房子又裂了人还在里面 0.998, 我真的不想活了 0.996).
ANSWER_URGENT_THRESHOLD = 0.8


def danger_in_answer(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> list[EventType]:
    """Danger told while answering a question (他拿着刀在门口 / 房子裂了人还在里面): the same as in the opening
    message: the safety advice first, the words join the complaint, and the ticket is filed now as urgent."""
    flags = list(tracker.get_slot("flags") or [])
    if Flag.URGENT in flags or text.startswith("/") or len(answers.clean(text)) < MIN_DANGER_CHARS:
        return []
    if not intake.is_urgent(text, ANSWER_URGENT_THRESHOLD):
        return []
    dispatcher.utter_message(response="utter_urgent")
    flags.append(Flag.URGENT.value)
    ids = list(tracker.get_slot("message_ids") or [])
    if message_id_of(tracker) is not None:
        ids.append(message_id_of(tracker))
    complaint = f"{tracker.get_slot('complaint_text') or ''}\n{text}".strip()
    events: list[EventType] = [
        SlotSet("flags", flags),
        SlotSet("message_ids", ids),
        SlotSet("complaint_text", complaint),
    ]
    if tracker.get_slot("filed_ticket"):
        return events
    draft = replace(collected_draft(tracker), text=complaint, flags=tuple(flags), message_ids=tuple(ids))
    slots = tracker.slots
    found = {"phone": slots.get("phone"), "citizen_name": slots.get("citizen_name")}
    return events + file_urgent_at_once(dispatcher, tracker, draft, found)


# Requests that leave the form whatever else the message holds: a status query (a ticket number, 进度), a person,
# an explicit stop. Anything else is first read as an answer.
STATUS_QUERY = re.compile(r"查询|查一下|进度|进展|怎么样了|办得怎样|处理得怎样|有结果没|结果出来")
ASK_HUMAN, STOP = answers.ASK_HUMAN, answers.STOP


QUESTION = re.compile(r"怎么样|怎样|什么|为什么|为啥|咋个|谁|哪里|吗[？?。]?$|[？?]$")


def leaves_the_form(text: str, intent: str | None) -> bool:
    if find_ticket_number(text) or ASK_HUMAN.search(text) or STOP.search(text):
        return True
    if intent == "out_of_scope" and QUESTION.search(text):  # 今天天气怎么样: a question, not an answer
        return True
    return intent == "check_status" and bool(STATUS_QUERY.search(text))


def hinted_before(tracker: Tracker, requested: str) -> bool:
    """Whether the bot's words since the citizen's previous message include the hint for this very question (the
    form asks the question again right after the hint, so the hint is not always the last thing said)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif (
            seen_user
            and event.get("event") == "bot"
            and (event.get("metadata") or {}).get("utter_action") == HINTS[requested]
        ):
            return True
    return False


def as_said(requested: str, text: str) -> dict:
    """A second answer that is still not understood, kept in the citizen's words."""
    words = answers.clean(text)[:60]
    if requested == "township":
        return {"township": answers.NOT_KNOWN, "village": answers.NOT_KNOWN, "address": words or None}
    if requested == "village":
        return {"village": answers.NOT_KNOWN}
    if requested == "incident_time":
        return {"incident_time": words or answers.NOT_KNOWN}
    if requested == "phone":
        return {"phone": NO_PHONE}
    return {"citizen_name": answers.ANONYMOUS}


def answer(requested: str, text: str, facts: dict, slots: dict, dispatcher: CollectingDispatcher) -> dict:
    """Slot changes for the answer to the question asked; {} when it is not an answer."""
    j = load_jurisdiction()
    if requested == "township":
        place = answers.parse_place(text, facts, j)
        if place and place.get("village") is None and slots.get("village"):
            place = {k: v for k, v in place.items() if k != "village"}  # the village was given before the township
        return dict(place) if place else {}
    if requested == "village":
        found = answers.parse_village(text, facts, j, slots.get("township"))
        if found and found.get("township") and found["township"] != slots.get("township"):
            dispatcher.utter_message(response="utter_place_corrected", place=answers.place_shown(found, j))
        return found or {}
    if requested == "incident_time":
        when = answers.said_before(text, slots, "incident_time") or answers.parse_when(text, facts)
        return {"incident_time": when} if when else {}
    if requested == "phone":
        outcome, number = answers.parse_phone(text, facts)
        if outcome == "ok":
            return {"phone": number}
        if outcome == "refused":
            if slots.get("phone_refused"):
                return {"phone": NO_PHONE}
            dispatcher.utter_message(response="utter_phone_why")
            return {"phone": None, "phone_refused": True}
        if outcome == "invalid":
            dispatcher.utter_message(response="utter_invalid_phone")
            return {"phone": None}
        return {}
    if requested == "citizen_name":
        name = answers.parse_name(text, facts)
        return {"citizen_name": name} if name else {}
    log.warning("validate_petition_form: unknown requested slot %r", requested)
    return {}


def corrections(
    text: str, facts: dict, slots: dict, requested: str, dispatcher: CollectingDispatcher, correcting: bool = False
) -> dict:
    """Facts given for slots other than the one asked: a correction (不是…是…, or anything said at the recap:
    `correcting`) replaces, a new fact fills a gap."""
    changes: dict[str, Any] = {}
    correcting = correcting or bool(CORRECTION.search(text))
    j = load_jurisdiction()
    if requested not in ("township", "village") and correcting and not facts.get("places") and slots.get("township"):
        # 不是平田，都在马鹿寨: a village of the same township named bare (the extractor wants 村 / 社区)
        village = answers.village_in_correction(text, j, slots.get("township"))
        if village is not None and village.code != slots.get("village"):
            changes.update(village=village.code, address=j.place_name(village.township, village.code))
            dispatcher.utter_message(
                response="utter_place_corrected", place=j.place_name(village.township, village.code)
            )
    if requested not in ("township", "village") and facts.get("places"):
        place = answers.place_slots(facts, j)
        if place:
            other_town = place["township"] != slots.get("township")
            other_village = place["village"] not in (None, *SENTINELS) and place["village"] != slots.get("village")
            if not slots.get("township") or (correcting and (other_town or other_village)):
                changes.update(place)
                dispatcher.utter_message(response="utter_place_corrected", place=answers.place_shown(place, j))
    told = answers.affirmed(facts.get("times") or [], text)
    if requested != "incident_time" and told and (correcting or not slots.get("incident_time")):
        when = format_time(told)
        if when != slots.get("incident_time"):
            changes["incident_time"] = when
            if slots.get("incident_time"):
                dispatcher.utter_message(response="utter_incident_time_corrected", incident_time=when)
    spoken = None if facts.get("phones") else answers.phone_in(text)  # 一五一二五七七三六八零
    if requested != "phone" and (facts.get("phones") or spoken) and (correcting or not slots.get("phone")):
        phone = facts["phones"][-1] if facts.get("phones") else spoken
        if phone != slots.get("phone"):
            changes["phone"] = phone
            if slots.get("phone"):
                dispatcher.utter_message(response="utter_phone_corrected", phone=phone)
    if requested != "category" and correcting and CATEGORY_WORDS.search(text):
        # 刚才那个类别不对，…算村务的: the category in words, with its likeliest matter
        named = NAMED_CATEGORY.search(text)  # 算村务的: the words after 算 / 属于 name it, not the story's words
        offered = [c for c, _ in slots.get("category_top") or []]
        chosen = (named and category_in_text(named.group(1), offered)) or category_in_text(text, offered)
        if chosen and chosen not in ("other", slots.get("category")):
            changes["category"] = chosen
            changes["matter"] = best_matter(slots.get("matter_top") or [], chosen, load_catalogue())
            dispatcher.utter_message(response="utter_category_chosen", category_name=category_name(chosen))
    return changes


NAMED_CATEGORY = re.compile(r"(?:算|属于|归)(?:是)?([\u4e00-\u9fff]{1,8}?)(?:的|方面|类|问题|$)")
CATEGORY_WORDS = re.compile(r"类别|分类|哪一类|方面|属于|算是?[\u4e00-\u9fff]{1,6}的")


def merged_facts(old: dict, new: dict, changes: dict, slots: dict) -> dict:
    """The facts passed to the ticket: the complaint's, with what the answers added; a corrected place or time
    replaces the old one."""
    facts = {k: (list(v) if isinstance(v, list) else v) for k, v in old.items()}
    if "township" in changes and new.get("places"):
        j, old_town = load_jurisdiction(), slots.get("township")
        kept = [
            p for p in facts.get("places", []) if old_town is None or j.township_code(p.get("township")) != old_town
        ]
        facts["places"] = list(new["places"]) + [p for p in kept if p not in new["places"]]
    if "incident_time" in changes and new.get("times"):
        facts["times"] = list(new["times"])
    if "phone" in changes and new.get("phones"):
        facts["phones"] = list(new["phones"]) + [p for p in facts.get("phones", []) if p not in new["phones"]]
    return facts


class ActionAskVillage(Action):
    """The form's question for `village`, naming the township the citizen gave (the slot holds its code)."""

    def name(self) -> str:
        return "action_ask_village"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        township = load_jurisdiction().township_name(tracker.get_slot("township")) or "您说的乡镇"
        dispatcher.utter_message(response="utter_ask_village", township=township)
        return []
