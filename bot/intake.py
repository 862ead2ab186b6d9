"""The intake API the conversation layer and the Rasa actions call. Each function is one unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from bot.analysis import Analysis, analyse
from bot.db import session_scope
from bot.models import Attachment, Message
from bot.tickets import (
    STATUS_LABELS,
    Actor,
    TicketError,
    add_citizen_details,
    channel_of,
    create_ticket,
    get_ticket,
    tickets_of_sender,
)

CITIZEN = Actor("citizen", "citizen")


@dataclass(frozen=True)
class FiledTicket:
    number: str
    department_name: str
    answer_due: date
    legal_redirect: bool = False
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatusView:
    """What a citizen may see about their ticket: no phone, no ID number, no internal notes."""

    number: str
    status: str
    status_label: str
    category: str
    department_name: str
    answer_due: date
    last_reply: str | None


def store_message(sender_id: str, text: str, handling: str = "dialogue") -> int:
    with session_scope() as s:
        m = Message(sender_id=sender_id, channel=channel_of(sender_id), text=text, handling=handling)
        s.add(m)
        s.flush()
        return m.id


def mark_message(message_id: int, handling: str) -> None:
    with session_scope() as s:
        m = s.get(Message, message_id)
        if m is not None:
            m.handling = handling


def message_text(message_id: int | None, fallback: str = "") -> str:
    """The full stored text (Rasa only sees the start of a very long message)."""
    if not message_id:
        return fallback
    with session_scope() as s:
        m = s.get(Message, int(message_id))
        return m.text if m is not None else fallback


def analyse_message(message_id: int | None, text: str, today: date | None = None) -> Analysis:
    return analyse(message_text(message_id, text), today)


def file_ticket(
    sender_id: str,
    text: str,
    category: str,
    facts: dict | None = None,
    citizen_name: str | None = None,
    phone: str | None = None,
    message_id: int | None = None,
    township: str | None = None,
    village: str | None = None,
    when: str | None = None,
    today: date | None = None,
) -> FiledTicket:
    """Files the citizen's ticket; the routing uses the place the citizen confirmed in the dialogue."""
    full_text = message_text(message_id, text)
    a = analyse(full_text, today, category=category)
    if township or village:
        from bot.jurisdiction import load_jurisdiction
        from bot.routing import route

        place = {
            **a.place,
            "township": township or a.place.get("township"),
            "village": village or a.place.get("village"),
        }
        a = Analysis(
            a.category,
            a.confidence,
            a.top,
            a.needs_review,
            {**a.facts, **(facts or {})},
            a.flags,
            route(a.category, place["township"], place["village"], a.flags, load_jurisdiction()),
            a.category_name,
            place,
        )
    with session_scope() as s:
        t = create_ticket(
            s,
            analysis=a,
            text=full_text,
            channel=channel_of(sender_id),
            sender_id=sender_id,
            actor=CITIZEN,
            citizen_name=citizen_name,
            phone=phone,
            township=township,
            village=village,
            incident_time=when,
        )
        if message_id:
            m = s.get(Message, int(message_id))
            if m is not None:
                m.ticket_id = t.id
        return FiledTicket(t.number, a.route.department_name, t.answer_by, a.route.legal_redirect, tuple(t.flags))


def file_without_dialogue(
    sender_id: str,
    message_id: int,
    text: str,
    phone: str | None = None,
    citizen_name: str | None = None,
    category: str | None = None,
) -> FiledTicket:
    """Filed as it stands, marked for review by an operator: Rasa is unreachable, or the citizen asked for a
    person mid-dialogue (then what the dialogue collected comes along)."""
    a = analyse(text, category=category)
    a = Analysis(a.category, a.confidence, a.top, True, a.facts, a.flags, a.route, a.category_name, a.place)
    with session_scope() as s:
        t = create_ticket(
            s,
            analysis=a,
            text=text,
            channel=channel_of(sender_id),
            sender_id=sender_id,
            actor=CITIZEN,
            phone=phone,
            citizen_name=citizen_name,
        )
        m = s.get(Message, message_id)
        if m is not None:
            m.ticket_id, m.handling = t.id, "filed_directly"
        return FiledTicket(t.number, a.route.department_name, t.answer_by, a.route.legal_redirect, tuple(t.flags))


def add_details(
    sender_id: str,
    number: str,
    text: str | None = None,
    category: str | None = None,
    citizen_name: str | None = None,
    phone: str | None = None,
    township: str | None = None,
    village: str | None = None,
    when: str | None = None,
) -> FiledTicket:
    """What the citizen told after their ticket was filed (an urgent complaint is filed at once) goes onto it."""
    from bot.jurisdiction import load_jurisdiction

    with session_scope() as s:
        t = get_ticket(s, number)
        add_citizen_details(
            s,
            t,
            sender_id,
            load_jurisdiction(),
            text=text,
            category=category,
            citizen_name=citizen_name,
            phone=phone,
            township=township,
            village=village,
            incident_time=when,
        )
        return FiledTicket(t.number, t.department.name, t.answer_by, t.legal_redirect, tuple(t.flags))


def status_for(sender_id: str, number: str | None = None) -> list[StatusView]:
    """A citizen sees their own tickets; a number of somebody else's ticket reveals nothing."""
    with session_scope() as s:
        if number:
            try:
                t = get_ticket(s, number)
            except TicketError:
                return []
            tickets = [t] if t.sender_id == sender_id else []
        else:
            tickets = tickets_of_sender(s, sender_id)
        return [
            StatusView(t.number, t.status, STATUS_LABELS[t.status], t.category, t.department.name, t.answer_by, t.reply)
            for t in tickets
        ]


def add_attachment(sender_id: str, kind: str, ref: str, mime: str | None = None) -> int:
    """Evidence goes on the sender's newest open ticket, or waits for the ticket being filed."""
    with session_scope() as s:
        open_ticket = next((t for t in tickets_of_sender(s, sender_id) if t.status != "resolved"), None)
        a = Attachment(
            sender_id=sender_id, kind=kind, ref=ref, mime=mime, ticket_id=open_ticket.id if open_ticket else None
        )
        s.add(a)
        s.flush()
        return a.id


def pending_attachments(sender_id: str) -> int:
    with session_scope() as s:
        return len(
            s.scalars(select(Attachment).where(Attachment.sender_id == sender_id, Attachment.ticket_id.is_(None))).all()
        )
