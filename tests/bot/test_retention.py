"""`petition purge`: personal data of tickets closed longer ago than the retention period is removed; what
statistics need stays; open tickets are never touched."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot import intake, retention
from bot.clock import utcnow
from bot.models import Attachment, Message, Ticket, TicketEvent
from bot.tickets import Actor, accept, get_ticket, resolve
from bot.vocabulary import EventAction, Role

HRSS = Actor("clerk", Role.DEPARTMENT, "county.hrss")
TEXT = "我叫王小明，电话13812345678，身份证530427199001011234，包工头欠我们三个月工资"


def closed_ticket(session, make_draft, sender: str, years_ago: float, evidence=None) -> Ticket:
    m = Message(sender_id=sender, channel="web", text=TEXT)
    session.add(m)
    session.flush()
    draft = make_draft(
        "labour", township="gasa", text=TEXT, phone="13812345678", citizen_name="王小明", message_ids=(m.id,)
    )
    filed = intake.file_ticket(draft, sender_id=sender, session=session)
    t = get_ticket(session, filed.number)
    if evidence:
        session.add(Attachment(sender_id=sender, ticket=t, kind="photo", ref=str(evidence)))
    accept(session, t, HRSS)
    resolve(session, t, HRSS, "已约谈王小明所说的包工头，工资已结清")
    session.flush()
    for e in t.events:
        e.at = utcnow() - timedelta(days=365 * years_ago)
    session.flush()
    return t


def test_a_ticket_closed_longer_ago_loses_its_personal_data_and_keeps_its_statistics(session, make_draft, tmp_path):
    photo = tmp_path / "evidence.jpg"
    photo.write_bytes(b"jpeg")
    old = closed_ticket(session, make_draft, "web:old00001", years_ago=4, evidence=photo)
    recent = closed_ticket(session, make_draft, "web:new00001", years_ago=1)
    done = retention.purge(session, years=3)
    session.flush()
    assert (done.tickets, done.attachments) == (1, 1)
    assert (old.citizen_name, old.phone, old.id_number, old.sender_id) == (None, None, None, None)
    assert "13812345678" not in old.text and "王小明" not in (old.reply or "")
    assert not {"phones", "id_numbers", "persons"} & set(old.facts)
    assert (old.category, old.township, old.department_code, old.status) == (
        "labour",
        "gasa",
        "county.hrss",
        "resolved",
    )
    assert not photo.exists()
    [m] = session.scalars(select(Message).where(Message.ticket_id == old.id))
    assert "王小明" not in m.text
    assert [e.action for e in old.events][-1] == EventAction.PURGED  # audited
    assert recent.phone == "13812345678" and recent.text == TEXT  # within the period: untouched


def test_an_open_ticket_is_never_purged_and_a_dry_run_changes_nothing(session, make_draft):
    filed = intake.file_ticket(
        make_draft("labour", text=TEXT, phone="13812345678"), sender_id="web:open0001", session=session
    )
    t = get_ticket(session, filed.number)
    for e in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id)):
        e.at = utcnow() - timedelta(days=365 * 10)
    closed = closed_ticket(session, make_draft, "web:old00002", years_ago=5)
    assert retention.purge(session, years=3, dry_run=True).tickets == 1
    assert closed.phone == "13812345678"  # dry run
    retention.purge(session, years=3)
    assert t.phone == "13812345678" and t.text == TEXT
