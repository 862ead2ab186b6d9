from sqlalchemy import select

from bot import notify
from bot.db import session_scope
from bot.models import Notification


def add(engine, sender, text="状态更新"):
    with session_scope(engine) as s:
        s.add(Notification(sender_id=sender, text=text))


def test_pushes_go_out_once_through_the_channel_transport(engine, monkeypatch):
    sent = []
    monkeypatch.setattr(notify, "_transports", {"tg": lambda chat, text, buttons: sent.append((chat, text))})
    add(engine, "tg:42", "已受理")
    add(engine, "web:abc")
    assert notify.deliver_pending(engine) == 1
    assert notify.deliver_pending(engine) == 0
    assert sent == [("42", "已受理")]


def test_many_waiting_web_rows_do_not_block_telegram_pushes(engine, monkeypatch):
    sent = []
    monkeypatch.setattr(notify, "_transports", {"tg": lambda chat, text, buttons: sent.append(chat)})
    for i in range(120):
        add(engine, f"web:{i}")
    add(engine, "tg:7")
    assert notify.deliver_pending(engine, limit=100) == 1 and sent == ["7"]


def test_failed_push_is_retried_then_given_up(engine, monkeypatch):
    def broken(chat, text, buttons):
        raise ConnectionError("blocked by user")

    monkeypatch.setattr(notify, "_transports", {"tg": broken})
    add(engine, "tg:9")
    for _ in range(notify.MAX_ATTEMPTS + 3):
        notify.deliver_pending(engine)
    with session_scope(engine) as s:
        n = s.scalars(select(Notification)).one()
        assert not n.delivered and n.attempts == notify.MAX_ATTEMPTS and "blocked" in n.error
