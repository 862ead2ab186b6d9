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
from bot.web.uploads import store_upload
from handlers import conversation

log = logging.getLogger(__name__)
router = APIRouter()

SENDER_PATTERN = r"^web:[A-Za-z0-9_-]{8,64}$"
MAX_TEXT_CHARS = 50_000


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
    kind, path, mime = store_upload(file, request.app.state.settings.upload_dir, "web")
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
