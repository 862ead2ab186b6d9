"""action_handoff: the citizen wants a person. What they told us so far is filed for the operators' queue."""

from __future__ import annotations

import logging
from dataclasses import replace

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import intake
from handlers.actions.answers import NO_PHONE
from handlers.actions.complaint import COMPLAINT_SLOTS, collected_draft

log = logging.getLogger(__name__)


class ActionHandoff(Action):
    """Tells the citizen a hotline operator will follow up (and about 12345). A complaint not yet filed is filed
    with what the dialogue collected, marked for review, so it lands in the operator queue."""

    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        # a way back to the citizen: their phone, or this chat (never a call-back promised without a number)
        phone_known = tracker.get_slot("phone") not in (None, NO_PHONE)
        dispatcher.utter_message(response="utter_handoff" if phone_known else "utter_handoff_in_chat")
        if not tracker.get_slot("complaint_text") or not tracker.get_slot("complaint_ready"):
            return []
        draft = collected_draft(tracker)
        number = tracker.get_slot("filed_ticket")
        if not number and not draft.message_ids:
            log.warning("handoff of %s: the complaint has no stored message id, nothing filed", tracker.sender_id)
            return []
        try:
            if number:  # an urgent complaint, filed at once: what the form got goes onto it, no second ticket
                intake.add_details(tracker.sender_id, number, draft)
            else:
                number = intake.file_ticket(replace(draft, needs_review=True), sender_id=tracker.sender_id).number
        except Exception:
            log.exception("filing the handed-off complaint failed")
            return []
        dispatcher.utter_message(response="utter_handoff_filed", number=number)
        return [SlotSet(s, None) for s in COMPLAINT_SLOTS] + [SlotSet("ticket_number", number)]
