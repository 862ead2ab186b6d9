"""The recap before filing: what will be filed (事项、地点、时间、电话、称呼, and the department it goes to) with
确认 / 修改. A change said at the recap in free words (电话改成139… / 地点是漠沙镇 / 算交通方面的) replaces the value,
is confirmed in one short line, and the recap is shown again; 确认 files.

An urgent complaint was filed when it was told (complaint.file_urgent_at_once): its recap step adds the form's
answers to that ticket at once rather than asking, so help is never held up by a question.
"""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import intake
from bot.jurisdiction import Jurisdiction, load_jurisdiction
from bot.matters import load_catalogue
from classifier.categories import category_name
from handlers.actions import answers, form
from handlers.actions.complaint import collected_draft, file_collected

# 修改 / 不对 / 要改 with nothing to change yet: ask what
ONLY_REVISE = re.compile(r"^(?:/deny|修改|要修改|我要修改|改一下|要改|有要改的|不对|不对的|错了|有错|有问题|不是)$")
NAME_CUE = re.compile(r"称呼|姓|叫|名字")
CHANGE_TO = re.compile(r"(?:称呼|名字|姓名)?(?:改成|改为|换成|应该是|写错了[，,]?)")


def summary(slots: dict, j: Jurisdiction, department: str | None) -> str:
    """The recap's lines, each as the citizen will read it on the ticket."""
    category = slots.get("category")
    matter = load_catalogue().matters.get(slots.get("matter") or "")
    what = category_name(category) if category else "其他"
    if matter:
        what += f"（{matter.name}）"
    phone = slots.get("phone")
    name = slots.get("citizen_name")
    lines = [
        f"事项：{what}",
        f"地点：{answers.place_shown(slots, j) or '不清楚'}",
        f"时间：{slots.get('incident_time') or '不清楚'}",
        f"电话：{'未留' if phone in (None, answers.NO_PHONE) else phone}",
        f"称呼：{name or answers.ANONYMOUS}",
    ]
    if department:
        lines.append(f"承办部门：{department}")
    return "\n".join(lines)


class ActionRecap(Action):
    """Shows what will be filed, with 确认 / 修改 (utter_recap)."""

    def name(self) -> str:
        return "action_recap"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        if tracker.get_slot("filed_ticket"):  # urgent, filed already: the answers go onto it now
            return file_collected(dispatcher, tracker)
        j = load_jurisdiction()
        try:
            department = intake.route_of(collected_draft(tracker), j).department_name
        except Exception:  # the recap must not fail on routing; filing routes again
            department = None
        dispatcher.utter_message(response="utter_recap", summary=summary(tracker.slots, j, department))
        return []


def revisions(text: str, slots: dict, dispatcher: CollectingDispatcher) -> dict:
    """Slot changes for a change said at the recap; each is confirmed in one short line."""
    j = load_jurisdiction()
    facts = form.extract(text)
    # everything said at the recap is a change: a place, time, phone or category in words replaces what was there
    changes = form.corrections(text, facts, slots, "", dispatcher, correcting=True)
    if not {"township", "village"} & changes.keys() and slots.get("township"):  # 南达那边: not found above
        village = answers.parse_village(text, facts, j, slots.get("township"))
        if village and village.get("village") not in (None, answers.NOT_KNOWN):
            changes.update(village)
            dispatcher.utter_message(
                response="utter_place_corrected", place=answers.place_shown({**slots, **village}, j)
            )
    if NAME_CUE.search(text) and not changes:
        name = answers.parse_name(CHANGE_TO.sub("", text), facts)
        if name and name != slots.get("citizen_name"):
            changes["citizen_name"] = name
            dispatcher.utter_message(response="utter_name_corrected", citizen_name=name)
    return changes


class ActionRevise(Action):
    """修改 at the recap, or a change said there: applies it and shows the recap again; asks what to change when
    the message holds nothing to apply."""

    def name(self) -> str:
        return "action_revise"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        text = (tracker.latest_message.get("text") or "").strip()
        if ONLY_REVISE.match(answers.clean(text)) or text.startswith("/"):
            dispatcher.utter_message(response="utter_ask_revision")
            return []
        changes = revisions(text, tracker.slots, dispatcher)
        if not changes:
            dispatcher.utter_message(response="utter_ask_revision")
            return []
        return [SlotSet(k, v) for k, v in changes.items()] + [FollowupAction("action_recap")]
