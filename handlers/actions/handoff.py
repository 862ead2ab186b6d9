"""action_handoff: the citizen wants a person. What they told us so far is filed for the operators' queue."""

from __future__ import annotations

import logging
from dataclasses import replace

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import intake
from handlers.actions import answers
from handlers.actions.answers import NO_PHONE
from handlers.actions.complaint import COMPLAINT_SLOTS, collected_draft, message_id_of

log = logging.getLogger(__name__)

# a complaint told with the request is filed when at least this much of it is left
MIN_COMPLAINT_CHARS = 8


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
            return self._complaint_in_request(dispatcher, tracker)
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
        if phone_known and not (draft.township or draft.address):
            # one optional question for the operator's sake (no phone: the phone is asked first, then the place)
            dispatcher.utter_message(response="utter_handoff_ask_place")
        return [SlotSet(s, None) for s in COMPLAINT_SLOTS] + [SlotSet("ticket_number", number)]

    def _complaint_in_request(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """ "找真人。我要投诉平寨村的沼气池补贴没发": Rasa reads a request for a person, and the complaint told with it
        would be lost. What is left without the request is filed for the operators (needs review) when it is a
        complaint."""
        text = (tracker.latest_message.get("text") or "").strip()
        rest = answers.without_request_for_person(text)
        message_id = message_id_of(tracker)
        if message_id is None or len(rest) < MIN_COMPLAINT_CHARS or intake.not_a_complaint(rest):
            return []
        try:
            # judged without the request, filed with the citizen's whole message
            draft = replace(intake.analyse(rest), text=text, message_ids=(message_id,))
            number = intake.file_ticket(replace(draft, needs_review=True), sender_id=tracker.sender_id).number
        except Exception:
            log.exception("filing the complaint told with the handoff request failed")
            return []
        dispatcher.utter_message(response="utter_handoff_filed", number=number)
        if draft.phone and tracker.get_slot("phone") in (None, NO_PHONE):  # the number came with the request
            dispatcher.utter_message(response="utter_handoff_phone_added", number=number)
        if (draft.phone or tracker.get_slot("phone") not in (None, NO_PHONE)) and not (draft.township or draft.address):
            dispatcher.utter_message(response="utter_handoff_ask_place")
        return [SlotSet("ticket_number", number)] + ([SlotSet("phone", draft.phone)] if draft.phone else [])
