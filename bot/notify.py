"""Pushes queued notifications to citizens through one transport per channel (as healthchecks' transports do).

Ticket changes write Notification rows in their transaction; `deliver_pending` sends them after the commit, so a
push never holds a database lock and a failed push is retried rather than lost. Web chat has no transport: the
browser polls its undelivered rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Engine, or_, select

from bot import http
from bot.db import session_scope
from bot.models import Notification
from bot.settings import get_settings

log = logging.getLogger(__name__)
# (address within the channel, text, buttons as [[title, payload]] or None); raises on failure
Transport = Callable[[str, str, list | None], None]
_transports: dict[str, Transport] = {}
MAX_ERRORS_KEPT = 500
# A push that failed this often (e.g. the citizen blocked the bot) stays in the table for staff, unsent.
MAX_ATTEMPTS = 20


def register(channel: str, transport: Transport) -> None:
    _transports[channel] = transport


def deliver_pending(engine: Engine | None = None, limit: int = 100) -> int:
    """Sends undelivered pushes of channels that have a transport; returns how many went out."""
    sent = 0
    if not _transports:
        return 0
    # Only rows some transport can send: web rows wait for their browser and must not crowd out the rest.
    pushable = or_(*(Notification.sender_id.startswith(f"{c}:") for c in _transports))
    with session_scope(engine) as s:
        rows = s.scalars(
            select(Notification)
            .where(Notification.delivered.is_(False), pushable, Notification.attempts < MAX_ATTEMPTS)
            .order_by(Notification.id)
            .limit(limit)
        ).all()
        for n in rows:
            channel, _, address = n.sender_id.partition(":")
            transport = _transports[channel]
            n.attempts = (n.attempts or 0) + 1
            try:
                transport(address, n.text, n.buttons)
            except Exception as exc:  # keep the row for the next round; the error is for the operator
                n.error = f"{type(exc).__name__}: {exc}"[:MAX_ERRORS_KEPT]
                log.warning("push %s via %s failed: %s", n.id, channel, n.error)
                continue
            n.delivered, n.error = True, None
            sent += 1
    return sent


def telegram_transport(token: str, base_url: str | None = None) -> Transport:
    base = (base_url or "https://api.telegram.org").rstrip("/")

    def send(chat_id: str, text: str, buttons: list | None = None) -> None:
        body: dict = {"chat_id": int(chat_id), "text": text}
        if buttons:  # the rating question: one inline button per answer, its payload as the callback data
            body["reply_markup"] = {"inline_keyboard": [[{"text": t, "callback_data": p[:64]}] for t, p in buttons]}
        http.post_json(f"{base}/bot{token}/sendMessage", body)

    return send


def configure_from_settings() -> None:
    settings = get_settings()
    if settings.telegram_token:
        register("tg", telegram_transport(settings.telegram_token, settings.telegram_api_base_url))
