"""The one conversation path every channel uses: converse(sender_id, text, attachments) -> replies.

Channels (Telegram, web chat) are thin adapters around this function. Rasa owns the dialogue state; this module
only stores what arrives (so nothing is lost), screens input Rasa cannot use, and keeps the citizen served when
Rasa is down: a complaint is then filed without dialogue (bot.intake) and marked for an operator to review.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError

from bot import intake
from bot.settings import Settings, get_settings
from bot.vocabulary import find_ticket_number
from classifier.normalise import is_blank_or_noise
from handlers import followup, rasa_client
from handlers.actions.status import status_messages
from handlers.responses import Button, Reply, format_date, intents, reply

__all__ = ["Attachment", "Button", "Reply", "converse"]

log = logging.getLogger(__name__)

# Rasa sees at most this much of a message; the full text stays in the database and the actions read it there.
RASA_MAX_CHARS = 1000
# A complaint shorter than this (after removing spaces) is not filed without dialogue: 你好 is not a petition.
MIN_COMPLAINT_CHARS = 8
STATUS_WORDS = re.compile(r"查询|进展|进度|怎么样了|办得怎么样|处理得怎么样|结果")
COMMANDS = {"/start": "/greet", "/help": "/greet", "/status": "/check_status"}
SLASH_INTENT = re.compile(r"/(\w+)")  # a button payload: /affirm, /inform{"category":"land"}
ATTACHMENT_REPLIES = {"photo": "utter_attachment_photo", "voice": "utter_attachment_voice"}


@dataclass(frozen=True)
class Attachment:
    kind: str  # photo / voice / document
    ref: str  # Telegram file_id, or the path the web upload was stored at
    mime: str | None = None


def _status_replies(sender_id: str, text: str) -> list[Reply]:
    number = find_ticket_number(text)
    return [reply(name, **values) for name, values in status_messages(intake.status_for(sender_id, number), number)]


def _without_dialogue(sender_id: str, message_id: int, text: str) -> list[Reply]:
    """Rasa (or its action server) is down. Chosen behaviour: status queries are answered from the database; a
    substantive complaint is filed at once (needs_review, so an operator checks it) with what the citizen told the
    dialogue before it went down (so an answer such as a phone number is never filed alone as a complaint);
    anything else is kept and the citizen told so."""
    if find_ticket_number(text) or (STATUS_WORDS.search(text) and len(text) < 30):
        intake.mark_message(message_id, "stored")
        return _status_replies(sender_id, text)
    # the conversation so far: a complaint told to the dialogue before it went down, and this answer to it
    earlier = intake.unfiled_conversation(sender_id, message_id)
    ids = tuple(i for i, _ in earlier) + (message_id,)
    whole = "\n".join([t for _, t in earlier] + [text])
    if len(re.sub(r"\s", "", whole)) >= MIN_COMPLAINT_CHARS:
        try:
            draft = replace(intake.analyse(whole), needs_review=True, message_ids=ids)
            if draft.not_complaint:  # 发错了 / 测试一下: never a ticket
                intake.mark_message(message_id, "stored")
                return [reply("utter_not_a_complaint")]
            filed = intake.file_ticket(draft, sender_id=sender_id, handling="filed_directly", once=True)
        except Exception:  # the message is already stored; an operator can file it from there
            log.exception("could not file message %s without dialogue", message_id)
            return [reply("utter_saved_busy")]
        return [
            reply(
                "utter_filed_without_dialogue",
                number=filed.number,
                department=filed.department_name,
                due=format_date(filed.answer_due),
            )
        ]
    intake.mark_message(message_id, "stored")
    return [reply("utter_saved_describe")]


def _to_reply(message: dict) -> Reply | None:
    text = (message.get("text") or "").strip()
    buttons = tuple(
        Button(str(b.get("title", "")), str(b.get("payload", "")))
        for b in message.get("buttons") or []
        if b.get("payload")
    )
    if not text and not buttons:
        return None
    return Reply(text, buttons)


def converse(
    sender_id: str, text: str | None, attachments: Sequence[Attachment] = (), key: str | None = None
) -> list[Reply]:
    """Replies to one incoming message. `key`: the channel's id for it (Telegram update_id, the web chat's client
    message id); a message that arrives again with the same key gets the replies it got the first time, and is
    not acted on twice."""
    replies: list[Reply] = []
    for a in attachments:
        intake.add_attachment(sender_id, a.kind, a.ref, a.mime)
        replies.append(reply(ATTACHMENT_REPLIES.get(a.kind, "utter_attachment_document")))
    text = (text or "").strip()
    if not text:
        return replies or [reply("utter_empty")]
    if key:
        seen = intake.seen_message(sender_id, key)
        if seen is not None:
            return replies + _again(sender_id, key, seen)
    if is_blank_or_noise(text):
        intake.store_message(sender_id, text, handling="stored", key=key)
        return [*replies, reply("utter_noise")]
    try:
        message_id = intake.store_message(sender_id, text, key=key)
    except IntegrityError:  # the same key at the same moment (a double submit): the first one answers
        return replies + _again(sender_id, key or "", intake.seen_message(sender_id, key or ""))
    out = _answered(sender_id, message_id, text)
    intake.keep_replies(
        message_id, [{"text": r.text, "buttons": [[b.title, b.payload] for b in r.buttons]} for r in out]
    )
    return replies + out


# How long a repeated message waits for the first one's answer (it may still be on its way).
AGAIN_WAIT_SECONDS = 20.0


def _again(sender_id: str, key: str, seen: intake.SeenMessage | None) -> list[Reply]:
    """The replies a message got the first time it came; while they are not there yet, wait for them; if they
    never come, the ticket it is on, or that it is kept."""
    deadline = time.monotonic() + AGAIN_WAIT_SECONDS
    while seen is not None and seen.replies is None and time.monotonic() < deadline:
        time.sleep(0.2)
        seen = intake.seen_message(sender_id, key)
    if seen is not None and seen.replies is not None:
        return [Reply(r["text"], tuple(Button(t, p) for t, p in r.get("buttons") or ())) for r in seen.replies]
    if seen is not None and seen.ticket_number:
        return _status_replies(sender_id, seen.ticket_number)
    return [reply("utter_saved_busy")]


def _answered(sender_id: str, message_id: int, text: str) -> list[Reply]:
    # an answer to the satisfaction question of a push, which Rasa never saw (handlers/followup.py)
    done = followup.answer(sender_id, text)
    if done is not None:
        return done
    command = text.split()[0].split("@")[0].lower()
    rasa_text = COMMANDS.get(command, text[:RASA_MAX_CHARS])
    payload = SLASH_INTENT.match(rasa_text)
    if rasa_text.startswith("/") and not (payload and payload.group(1) in intents()):
        # "/包工头欠薪…" is the citizen's words, not a button: Rasa would take it for an intent (and log the
        # words in a warning); it gets the words without the slash
        rasa_text = rasa_text.lstrip("/").strip() or text
    settings = get_settings()
    try:
        answer = rasa_client.send(
            settings.rasa_url_for(sender_id),
            sender_id,
            rasa_text,
            {"message_id": message_id},
            timeout=settings.rasa_timeout,
        )
    except rasa_client.RasaUnavailable as exc:
        log.warning("Rasa unavailable, handling message %s without dialogue: %s", message_id, exc)
        return _without_dialogue(sender_id, message_id, text)
    out = [r for r in (_to_reply(m) for m in answer) if r is not None]
    if not out and not rasa_client.actions_alive(actions_health_url(settings)):
        # Rasa is up but its actions cannot run: it answers nothing. Served as when Rasa is down, not with
        # "I did not understand" (a complaint would be lost).
        log.warning("action server down, handling message %s without dialogue", message_id)
        return _without_dialogue(sender_id, message_id, text)
    return out or [reply("utter_default")]


def actions_health_url(settings: Settings) -> str:
    host = "127.0.0.1" if settings.internal_host in ("0.0.0.0", "::", "") else settings.internal_host
    return f"http://{host}:{settings.action_port}/health"
