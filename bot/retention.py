"""Keeping personal data no longer than needed (GB/T 35273-2020 §6.1: 最小化存储时间): `petition purge`.

    purge(session, years, now=None, dry_run=False) -> Purged

A ticket closed (办结) more than `years` ago (RETENTION_YEARS, 3 by default) loses what says who the citizen is or
what they wrote: name, phone, ID number, sender, address, the complaint's text, the department's reply, the audit
notes, the personal facts, its stored messages' text and its evidence files. What statistics need stays: number,
category, matter, township and village codes, department, flags, dates, status and the audit trail's actions. An
audit row says it was done. Messages never filed and older than the same limit are deleted. Open tickets are never
touched, however old.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.models import Attachment, Message, Ticket, TicketEvent
from bot.tickets import SYSTEM, record_event
from bot.vocabulary import EventAction, TicketStatus

log = logging.getLogger(__name__)

PURGED_TEXT = "（已超过保存期限，个人信息和诉求内容已删除）"
KEPT_FACTS = ("people_count", "land_mu", "money")  # what statistics read; no person in them
PURGED_SENDER = "purged"


@dataclass(frozen=True)
class Purged:
    tickets: int
    messages: int
    attachments: int


def closed_before(s: Session, cutoff: datetime) -> list[Ticket]:
    """Resolved tickets whose last resolution is older than `cutoff`, not yet purged."""
    resolved_at = (
        select(TicketEvent.ticket_id, func.max(TicketEvent.at).label("at"))
        .where(TicketEvent.action == EventAction.RESOLVED)
        .group_by(TicketEvent.ticket_id)
        .subquery()
    )
    return list(
        s.scalars(
            select(Ticket)
            .join(resolved_at, resolved_at.c.ticket_id == Ticket.id)
            .where(Ticket.status == TicketStatus.RESOLVED, resolved_at.c.at < cutoff, Ticket.text != PURGED_TEXT)
        )
    )


def purge(s: Session, years: int, now: datetime | None = None, dry_run: bool = False) -> Purged:
    now = now or utcnow()
    cutoff = now - timedelta(days=365 * years)
    tickets = closed_before(s, cutoff)
    ids = [t.id for t in tickets]
    attachments = list(s.scalars(select(Attachment).where(Attachment.ticket_id.in_(ids)))) if ids else []
    messages = list(s.scalars(select(Message).where(Message.ticket_id.in_(ids)))) if ids else []
    unfiled = s.scalar(
        select(func.count()).select_from(Message).where(Message.ticket_id.is_(None), Message.received_at < cutoff)
    )
    if dry_run:
        return Purged(len(tickets), len(messages) + (unfiled or 0), len(attachments))
    for t in tickets:
        t.citizen_name = t.phone = t.id_number = t.sender_id = t.address = None
        t.text = PURGED_TEXT
        t.reply = PURGED_TEXT if t.reply else None
        t.facts = {k: v for k, v in (t.facts or {}).items() if k in KEPT_FACTS}
        for e in t.events:
            e.note = None
        record_event(s, t, SYSTEM, EventAction.PURGED, t.status, f"保存期限 {years} 年已过", at=now)
    for m in messages:
        m.text, m.sender_id, m.replies = PURGED_TEXT, PURGED_SENDER, None
    for a in attachments:
        _remove_file(a.ref)
        s.delete(a)
    s.execute(delete(Message).where(Message.ticket_id.is_(None), Message.received_at < cutoff))
    log.info("purged %d tickets, %d messages, %d attachments", len(tickets), len(messages), len(attachments))
    return Purged(len(tickets), len(messages) + (unfiled or 0), len(attachments))


def _remove_file(ref: str) -> None:
    """An uploaded file (a stored path); a Telegram file_id is not ours to delete."""
    path = Path(ref)
    if path.is_absolute() and path.is_file():
        path.unlink()
