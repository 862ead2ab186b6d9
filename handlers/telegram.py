"""Telegram channel: a thin python-telegram-bot adapter around handlers.conversation.converse.

Run: `python -m handlers.telegram` (needs TELEGRAM_BOT_TOKEN; TELEGRAM_API_BASE_URL points it at an emulator).
Status pushes do not pass through here: bot.notify sends them straight to the Bot API.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.logs import setup_logging
from bot.settings import get_settings
from handlers.conversation import Attachment, Reply, converse

log = logging.getLogger(__name__)


def sender_id(update: Update) -> str:
    return f"tg:{update.effective_chat.id}"


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    # Telegram limits callback data to 64 bytes; our payloads are short intent payloads.
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.title, callback_data=b.payload[:64])] for b in reply.buttons])


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, attachments: list[Attachment]) -> None:
    # update_id: a redelivered update gets the same answer and is not acted on twice
    key = f"tg:{update.update_id}" if update.update_id is not None else None
    replies = await asyncio.to_thread(converse, sender_id(update), text, attachments, key)
    for r in replies:
        await context.bot.send_message(update.effective_chat.id, r.text or "请选择：", reply_markup=keyboard(r))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _answer(update, context, update.effective_message.text or "", [])


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    m = update.effective_message
    if m.photo:
        att = Attachment("photo", m.photo[-1].file_id, "image/jpeg")
    elif m.voice or m.audio:
        media = m.voice or m.audio
        att = Attachment("voice", media.file_id, media.mime_type)
    else:
        media = m.document or m.video or m.video_note
        att = Attachment("document", media.file_id if media else "unknown", getattr(media, "mime_type", None))
    await _answer(update, context, m.caption or "", [att])


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    try:
        await query.answer()
    except Exception:  # an emulator may not keep the original query; the answer is cosmetic
        log.debug("answerCallbackQuery failed", exc_info=True)
    await _answer(update, context, query.data or "", [])


class PerChatOrder(BaseUpdateProcessor):
    """Updates of different chats are handled at once (python-telegram-bot's default is one at a time for the
    whole bot: one slow reply held up every citizen); those of one chat still one after another, in order."""

    def __init__(self, max_concurrent_updates: int = 32):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine) -> None:
        chat = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat, asyncio.Lock())
        self._waiting[chat] = self._waiting.get(chat, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[chat] -= 1
            if not self._waiting[chat]:  # nobody else of this chat waiting: forget its lock
                del self._waiting[chat], self._locks[chat]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def build_application(token: str, base_url: str | None = None) -> Application:
    builder = Application.builder().token(token).concurrent_updates(PerChatOrder())
    if base_url:
        base = base_url.rstrip("/")
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    app = builder.build()
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(
        MessageHandler(
            filters.PHOTO | filters.VOICE | filters.AUDIO | filters.Document.ALL | filters.VIDEO | filters.VIDEO_NOTE,
            on_media,
        )
    )
    app.add_handler(MessageHandler(filters.TEXT, on_text))  # commands too: /status goes through converse
    return app


def main() -> None:
    setup_logging()
    settings = get_settings()
    if not settings.telegram_token:
        raise SystemExit("TELEGRAM_BOT_TOKEN 未设置，Telegram 渠道不启动")
    app = build_application(settings.telegram_token, settings.telegram_api_base_url)
    # An emulator answers getUpdates at once instead of long polling, so poll briskly there.
    app.run_polling(poll_interval=0.3 if settings.telegram_api_base_url else 0.0, drop_pending_updates=False)


if __name__ == "__main__":
    main()
