"""action_handoff: the citizen wants a person. What they told us so far is filed for the operators' queue."""

from __future__ import annotations

import logging
from dataclasses import replace

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import intake
from bot.intake import Draft
from handlers.actions import answers
from handlers.actions.answers import NO_PHONE
from handlers.actions.complaint import COMPLAINT_SLOTS, collected_draft, message_id_of

log = logging.getLogger(__name__)


def _tell_filed(dispatcher: CollectingDispatcher, number: str, draft: Draft, phone_known: bool) -> None:
    """The handed-off complaint's number, and, when the operator can call but does not know where, one optional
    question for the place (no phone: the phone is asked first, then the place)."""
    dispatcher.utter_message(response="utter_handoff_filed", number=number)
    if phone_known and not (draft.township or draft.address):
        dispatcher.utter_message(response="utter_handoff_ask_place")


class ActionHandoff(Action):
    """Tells the citizen a hotline operator will follow up (and about 12345). A complaint not yet filed is filed
    with what the dialogue collected, marked for review, so it lands in the operator queue."""

    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        pending = tracker.get_slot("complaint_text") and tracker.get_slot("complaint_ready")
        told = None if pending else self._told_with_request(tracker)
        # a way back to the citizen: their phone, or this chat (never a call-back promised without a number)
        phone_known = tracker.get_slot("phone") not in (None, NO_PHONE) or bool(told and told.phone)
        dispatcher.utter_message(response="utter_handoff" if phone_known else "utter_handoff_in_chat")
        if told is not None:
            return self._file_told(dispatcher, tracker, told, phone_known)
        if not pending:
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
        _tell_filed(dispatcher, number, draft, phone_known)
        return [SlotSet(s, None) for s in COMPLAINT_SLOTS] + [SlotSet("ticket_number", number)]

    def _told_with_request(self, tracker: Tracker) -> Draft | None:
        """ "找真人。我要投诉平寨村的沼气池补贴没发": Rasa reads a request for a person, and the complaint told with it
        would be lost. What is left without the request, when it is a complaint, judged without the request and
        kept with the citizen's whole message; None otherwise."""
        text = (tracker.latest_message.get("text") or "").strip()
        rest = answers.without_request_for_person(text)
        message_id = message_id_of(tracker)
        if (
            message_id is None
            or len(answers.clean(rest)) < answers.COMPLAINT_WITH_REQUEST_CHARS
            or intake.not_a_complaint(rest)
        ):
            return None
        return replace(intake.analyse(rest), text=text, message_ids=(message_id,), needs_review=True)

    def _file_told(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, draft: Draft, phone_known: bool
    ) -> list[EventType]:
        """Files the complaint told with the request for the operators' queue (needs review)."""
        try:
            number = intake.file_ticket(draft, sender_id=tracker.sender_id).number
        except Exception:
            log.exception("filing the complaint told with the handoff request failed")
            return []
        _tell_filed(dispatcher, number, draft, phone_known)
        return [SlotSet("ticket_number", number)] + ([SlotSet("phone", draft.phone)] if draft.phone else [])
