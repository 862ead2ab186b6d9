"""The web-chat channel, a thin adapter like handlers/telegram.py: the chat page, the message endpoint (the one
conversation path, handlers.conversation.converse), file uploads kept as evidence, the status pushes the page polls
for, and the citizen's own tickets.

A browser talks only as `web:<random id>`: it can never speak for, or read the pushes of, a Telegram chat.

`create_app()` is the product's web application: the staff app of bot.web with this channel mounted
(`uvicorn handlers.webchat:create_app --factory`).
"""

from __future__ import annotations

import logging
import re
import uuid
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from bot.clock import as_china_time
from bot.settings import Settings
from bot.tickets import tickets_of_sender
from bot.views import CitizenStatus
from bot.web import app as web_app
from bot.web import queries
from bot.web.deps import get_db
from bot.web.pages import render
from handlers import conversation

log = logging.getLogger(__name__)
router = APIRouter()

SENDER_PATTERN = r"^web:[A-Za-z0-9_-]{8,64}$"
MAX_TEXT_CHARS = 50_000
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_TYPES = {  # what a citizen may send as evidence -> (kind, file suffix); never HTML or SVG
    "image/jpeg": ("photo", ".jpg"),
    "image/png": ("photo", ".png"),
    "image/gif": ("photo", ".gif"),
    "image/webp": ("photo", ".webp"),
    "image/heic": ("photo", ".heic"),
    "audio/mpeg": ("voice", ".mp3"),
    "audio/mp4": ("voice", ".m4a"),
    "audio/x-m4a": ("voice", ".m4a"),
    "audio/aac": ("voice", ".aac"),
    "audio/ogg": ("voice", ".ogg"),
    "audio/wav": ("voice", ".wav"),
    "audio/x-wav": ("voice", ".wav"),
    "audio/amr": ("voice", ".amr"),
    "audio/webm": ("voice", ".webm"),
    "application/pdf": ("document", ".pdf"),
    "text/plain": ("document", ".txt"),
    "application/msword": ("document", ".doc"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("document", ".docx"),
}


class ChatIn(BaseModel):
    sender_id: str = Field(pattern=SENDER_PATTERN)
    text: str = Field(default="", max_length=MAX_TEXT_CHARS)
    # optional: the page's id for this message; sent again on a retry, it gets the same replies, acted on once
    client_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")


class ButtonOut(BaseModel):
    title: str
    payload: str


class ReplyOut(BaseModel):
    text: str
    buttons: list[ButtonOut] = []


class ChatOut(BaseModel):
    replies: list[ReplyOut]


def _replies(replies) -> ChatOut:
    return ChatOut(
        replies=[
            ReplyOut(text=r.text, buttons=[ButtonOut(title=b.title, payload=b.payload) for b in (r.buttons or ())])
            for r in replies
        ]
    )


@router.get("/")
def chat_page(request: Request):
    return render(request, "chat.html")


@router.post("/api/chat", response_model=ChatOut)
def chat(body: ChatIn) -> ChatOut:
    key = f"web:{body.client_id}" if body.client_id else None
    return _replies(conversation.converse(body.sender_id, body.text, (), key=key))


def _check_sender(sender_id: str) -> str:
    if not re.fullmatch(SENDER_PATTERN, sender_id or ""):
        raise HTTPException(422, "请求格式不正确：sender_id 格式不正确")
    return sender_id


def _store_upload(upload: UploadFile, upload_dir: Path) -> tuple[str, Path, str]:
    """Writes the upload under a random name (the citizen's file name is never used as a path)."""
    mime = (upload.content_type or "").split(";")[0].strip().lower()
    if mime not in UPLOAD_TYPES:
        raise HTTPException(415, "不支持这种文件。可以发送照片（JPG/PNG）、语音或 PDF、Word、文本文件。")
    kind, suffix = UPLOAD_TYPES[mime]
    folder = upload_dir / "web" / uuid.uuid4().hex[:2]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    size = 0
    try:
        with path.open("wb") as out:
            while chunk := upload.file.read(1024 * 1024):
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise HTTPException(413, f"文件太大了，请发送不超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB 的文件。")
                out.write(chunk)
        if size == 0:
            raise HTTPException(422, "文件是空的，请重新选择。")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return kind, path, mime


@router.post("/api/chat/upload", response_model=ChatOut)
def upload(
    request: Request,
    sender_id: str = Form(""),
    file: UploadFile | None = File(None),
    text: str = Form("", max_length=MAX_TEXT_CHARS),
) -> ChatOut:
    _check_sender(sender_id)
    if file is None:
        raise HTTPException(422, "请求格式不正确：请选择要发送的文件")
    kind, path, mime = _store_upload(file, request.app.state.settings.upload_dir)
    attachment = conversation.Attachment(kind, str(path), mime)
    return _replies(conversation.converse(sender_id, text, [attachment]))


@router.get("/api/chat/updates")
def updates(
    sender_id: str = Query("", max_length=80), after: int = Query(0, ge=0), db: Session = Depends(get_db)
) -> dict:
    """Status pushes for this browser that it has not seen yet; each is handed out once."""
    _check_sender(sender_id)
    rows = queries.web_updates(db, sender_id, after)
    out = [
        {
            "id": n.id,
            "text": n.text,
            "at": as_china_time(n.at),
            "buttons": [{"title": t, "payload": p} for t, p in n.buttons or ()],
        }
        for n in rows
    ]
    for n in rows:
        n.delivered = True
    db.commit()
    return {"updates": out}


@router.get("/api/chat/tickets", response_model=list[CitizenStatus])
def my_tickets(sender_id: str = Query("", max_length=80), db: Session = Depends(get_db)) -> list[CitizenStatus]:
    """This browser's own tickets, as a citizen may see them (no phone, no ID number, no internal notes)."""
    _check_sender(sender_id)
    return [CitizenStatus.of(t) for t in tickets_of_sender(db, sender_id)]


def create_app(settings: Settings | None = None, **options) -> FastAPI:
    """The web application with the citizen web chat mounted; `options` as bot.web.app.create_app's."""
    return web_app.create_app(settings, channels=[router], **options)
