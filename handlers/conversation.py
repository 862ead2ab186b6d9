"""The one conversation path every channel uses: converse(sender_id, text, attachments) -> replies.

Channels (Telegram, web chat) are thin adapters around this function. Rasa owns the dialogue state; this module
only stores what arrives (so nothing is lost), screens input Rasa cannot use, and keeps the citizen served when
Rasa is down: a complaint is then filed without dialogue and marked for an operator to review.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot import intake
from bot.settings import get_settings
from handlers import rasa_client

log = logging.getLogger(__name__)

# Rasa sees at most this much of a message; the full text stays in the database and the actions read it there.
RASA_MAX_CHARS = 1000
# A complaint shorter than this (after removing spaces) is not filed without dialogue: 你好 is not a petition.
MIN_COMPLAINT_CHARS = 8
TICKET_NUMBER = re.compile(r"XP\d{8}-\d{5}", re.IGNORECASE)
STATUS_WORDS = re.compile(r"查询|进展|进度|怎么样了|办得怎么样|处理得怎么样|结果")
COMMANDS = {"/start": "/greet", "/help": "/greet", "/status": "/check_status"}


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Attachment:
    kind: str  # photo / voice / document
    ref: str  # Telegram file_id, or the path the web upload was stored at
    mime: str | None = None


ATTACHMENT_ACK = {
    "photo": "已收到您发来的照片，会作为证据附在您的工单上。",
    "voice": "已收到您的语音，已作为证据保存。目前我还听不懂语音，麻烦您再用文字简单说一下情况。",
}
EMPTY = "您好像没有输入内容。请用文字说一下您遇到的问题，比如“包工头欠我们三个月工资”。"
NOISE = "抱歉，我没看懂您发的内容。请用文字描述您遇到的问题，我会帮您登记。"
NO_ANSWER = "抱歉，我没有理解您的意思。您可以直接描述遇到的问题，或者发送“查询 工单号”了解办理进度。"


def _is_noise(text: str) -> bool:
    try:
        from classifier.normalise import is_blank_or_noise
    except ImportError:  # the classifier package is optional for this check only
        return not any(ch.isalnum() for ch in text)
    return is_blank_or_noise(text)


def _status_replies(sender_id: str, text: str) -> list[Reply]:
    match = TICKET_NUMBER.search(text)
    views = intake.status_for(sender_id, match.group(0).upper() if match else None)
    if not views:
        return [Reply("没有查到您名下的工单。如果您有工单号，请发送“查询 工单号”。")]
    lines = [
        f"工单 {v.number}：{v.status_label}，承办部门：{v.department_name}，答复期限：{v.answer_due:%Y年%m月%d日}"
        + (f"。答复：{v.last_reply}" if v.last_reply else "")
        for v in views[:5]
    ]
    return [Reply("\n".join(lines))]


def _without_dialogue(sender_id: str, message_id: int, text: str) -> list[Reply]:
    """Rasa is down. Chosen behaviour: status queries are answered from the database; a substantive complaint is
    filed at once (needs_review, so an operator checks it); anything else is kept and the citizen told so."""
    if TICKET_NUMBER.search(text) or (STATUS_WORDS.search(text) and len(text) < 30):
        intake.mark_message(message_id, "stored")
        return _status_replies(sender_id, text)
    if len(re.sub(r"\s", "", text)) >= MIN_COMPLAINT_CHARS:
        try:
            filed = intake.file_without_dialogue(sender_id, message_id, text)
        except Exception:  # the message is already stored; an operator can file it from there
            log.exception("could not file message %s without dialogue", message_id)
            return [Reply("系统暂时繁忙，您的留言已完整保存，工作人员会尽快处理。也可以拨打12345热线。")]
        return [
            Reply(
                f"智能对话服务暂时不可用，您反映的问题已直接登记。工单号：{filed.number}，"
                f"承办部门：{filed.department_name}，答复期限：{filed.answer_due:%Y年%m月%d日}。"
                "工作人员会尽快与您核实情况。"
            )
        ]
    intake.mark_message(message_id, "stored")
    return [Reply("系统暂时繁忙，您的留言已保存。请直接描述您遇到的问题（什么事、在哪里、什么时候），我们会为您登记。")]


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


def converse(sender_id: str, text: str | None, attachments: Sequence[Attachment] = ()) -> list[Reply]:
    replies: list[Reply] = []
    for a in attachments:
        intake.add_attachment(sender_id, a.kind, a.ref, a.mime)
        replies.append(Reply(ATTACHMENT_ACK.get(a.kind, "已收到您发送的文件，已作为证据保存。")))
    text = (text or "").strip()
    if not text:
        return replies or [Reply(EMPTY)]
    if _is_noise(text):
        intake.store_message(sender_id, text, handling="stored")
        return replies + [Reply(NOISE)]
    message_id = intake.store_message(sender_id, text)
    command = text.split()[0].split("@")[0].lower()
    rasa_text = COMMANDS.get(command, text[:RASA_MAX_CHARS])
    settings = get_settings()
    try:
        answer = rasa_client.send(
            settings.rasa_url, sender_id, rasa_text, {"message_id": message_id}, timeout=settings.rasa_timeout
        )
    except rasa_client.RasaUnavailable as exc:
        log.warning("Rasa unavailable, handling message %s without dialogue: %s", message_id, exc)
        return replies + _without_dialogue(sender_id, message_id, text)
    out = [r for r in (_to_reply(m) for m in answer) if r is not None]
    return replies + (out or [Reply(NO_ANSWER)])
