"""action_handoff: the citizen wants a person. What they told us so far is filed for the operators' queue."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import intake
from handlers.actions.answers import SENTINELS
from handlers.actions.intake import COMPLAINT_SLOTS

log = logging.getLogger(__name__)


def _known(tracker: Tracker, slot: str) -> str | None:
    """A slot the citizen really filled (not 匿名 / 未留 / 不详)."""
    value = tracker.get_slot(slot)
    return None if not value or value in SENTINELS else str(value)


class ActionHandoff(Action):
    """Tells the citizen a hotline operator will follow up (and about 12345). A complaint not yet filed is filed
    as it stands, marked for review, so it lands in the operator queue."""

    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        dispatcher.utter_message(response="utter_handoff")
        text, ids = tracker.get_slot("complaint_text"), tracker.get_slot("message_ids") or []
        if not text or not tracker.get_slot("complaint_ready"):
            return []
        number = tracker.get_slot("filed_ticket")
        if number:  # an urgent complaint, filed at once: what the form got goes onto it, no second ticket
            try:
                intake.add_details(
                    tracker.sender_id,
                    number,
                    phone=_known(tracker, "phone"),
                    citizen_name=_known(tracker, "citizen_name"),
                    township=_known(tracker, "township"),
                    village=_known(tracker, "village"),
                    when=_known(tracker, "when"),
                )
            except Exception:
                log.exception("adding the handed-off details to %s failed", number)
            dispatcher.utter_message(response="utter_handoff_filed", number=number)
            return [SlotSet(s, None) for s in COMPLAINT_SLOTS] + [SlotSet("ticket_number", number)]
        if not ids:
            log.warning("handoff of %s: the complaint has no stored message id, nothing filed", tracker.sender_id)
            return []
        try:
            # one stored message: its full text (Rasa saw at most its start); pieces: Rasa's view of each, joined
            full = intake.message_text(ids[0], text) if len(ids) == 1 else text
            filed = intake.file_without_dialogue(
                tracker.sender_id,
                ids[0],
                full,
                phone=_known(tracker, "phone"),
                citizen_name=_known(tracker, "citizen_name"),
                category=tracker.get_slot("category"),
            )
        except Exception:
            log.exception("filing the handed-off complaint failed")
            return []
        dispatcher.utter_message(response="utter_handoff_filed", number=filed.number)
        return [SlotSet(s, None) for s in COMPLAINT_SLOTS] + [SlotSet("ticket_number", filed.number)]
