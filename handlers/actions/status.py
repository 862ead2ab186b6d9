"""action_check_status: the citizen asks how their ticket is doing.

("查询 XP20261123-00001", /status, 我的投诉怎么样了) A ticket number in the message: that ticket, only if it is the
citizen's own; otherwise all of theirs. handlers/conversation.py answers the same way when Rasa is down.
"""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot import intake
from bot.intake import StatusView
from bot.vocabulary import find_ticket_number
from handlers.responses import format_date

log = logging.getLogger(__name__)

MAX_SHOWN = 5


def status_messages(views: list[StatusView], number: str | None) -> list[tuple[str, dict]]:
    """(response name, values) for the status of `views`, the tickets found for the citizen's query."""
    if not views:
        return [("utter_status_not_found", {"number": number})] if number else [("utter_status_none", {})]
    out: list[tuple[str, dict]] = []
    if len(views) > 1:
        out.append(("utter_status_many", {"count": len(views), "shown": min(len(views), MAX_SHOWN)}))
    for v in views[:MAX_SHOWN]:
        details = {
            "number": v.number,
            "status": v.status_label,
            "department": v.department_name,
            "due": format_date(v.answer_due),
        }
        if v.last_reply:
            out.append(("utter_status_replied", {**details, "reply": v.last_reply}))
        else:
            out.append(("utter_status", details))
    return out


class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        number = find_ticket_number(tracker.latest_message.get("text") or "")
        try:
            views = intake.status_for(tracker.sender_id, number)
        except Exception:
            log.exception("status query failed")
            dispatcher.utter_message(response="utter_system_error")
            return []
        for name, values in status_messages(views, number):
            dispatcher.utter_message(response=name, **values)
        return []
