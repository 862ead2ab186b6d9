"""action_check_status: the citizen asks how their ticket is doing.

("查询 XP20261123-00001", /status, 我的投诉怎么样了)
"""

from __future__ import annotations

import logging
import unicodedata

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot import intake
from handlers.actions.answers import TICKET_NUMBER
from handlers.actions.intake import format_date

log = logging.getLogger(__name__)

MAX_SHOWN = 5


class ActionCheckStatus(Action):
    """A ticket number in the message: that ticket (only if it is the citizen's own); otherwise all of theirs."""

    def name(self) -> str:
        return "action_check_status"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        text = unicodedata.normalize("NFKC", tracker.latest_message.get("text") or "")
        match = TICKET_NUMBER.search(text)
        number = match.group(0).upper() if match else None
        try:
            views = intake.status_for(tracker.sender_id, number)
        except Exception:
            log.exception("status query failed")
            dispatcher.utter_message(response="utter_system_error")
            return []
        if not views:
            if number:
                dispatcher.utter_message(response="utter_status_not_found", number=number)
            else:
                dispatcher.utter_message(response="utter_status_none")
            return []
        if len(views) > 1:
            dispatcher.utter_message(response="utter_status_many", count=len(views), shown=min(len(views), MAX_SHOWN))
        for v in views[:MAX_SHOWN]:
            details = {
                "number": v.number,
                "status": v.status_label,
                "department": v.department_name,
                "due": format_date(v.answer_due),
            }
            if v.last_reply:
                dispatcher.utter_message(response="utter_status_replied", reply=v.last_reply, **details)
            else:
                dispatcher.utter_message(response="utter_status", **details)
        return []
