import logging
import time

from fastapi.testclient import TestClient

from bot import notify
from bot.db import session_scope
from bot.models import Notification


def test_background_loop_retries_pushes_and_can_be_switched_off(engine, settings_env, monkeypatch):
    from bot.web.app import create_app

    sent: list[str] = []
    monkeypatch.setitem(notify._transports, "tg", lambda chat, text, buttons=None: sent.append(text))
    with session_scope(engine) as s:
        s.add(Notification(sender_id="tg:1", text="您的工单已受理"))
    with TestClient(create_app(settings_env, push_interval=None)):
        time.sleep(0.3)
    assert sent == []
    with TestClient(create_app(settings_env, push_interval=0.05)):
        deadline = time.monotonic() + 5
        while not sent and time.monotonic() < deadline:
            time.sleep(0.05)
    assert sent == ["您的工单已受理"]


def test_phone_numbers_never_reach_the_log(engine, settings_env, caplog):
    from bot.web.app import create_app
    from classifier.pii import PiiMaskingFilter

    root = logging.getLogger()
    before = {id(t): list(t.filters) for t in [root, *root.handlers]}
    try:
        create_app(settings_env, push_interval=None)
        create_app(settings_env, push_interval=None)  # idempotent
        assert sum(isinstance(f, PiiMaskingFilter) for f in root.filters) == 1
        caplog.handler.addFilter(PiiMaskingFilter())  # pytest's capture handler came after the app started
        logging.getLogger("bot.web.test").warning("citizen %s called", "13812345678")
        assert "138****5678" in caplog.text and "13812345678" not in caplog.text
    finally:
        for target in [root, *root.handlers]:
            for f in [f for f in target.filters if isinstance(f, PiiMaskingFilter)]:
                if f not in before.get(id(target), []):
                    target.removeFilter(f)


def test_a_crash_is_a_chinese_500_without_a_trace(app, monkeypatch):
    from handlers import conversation

    def broken(*_a, **_k):
        raise RuntimeError("secret internals 13812345678")

    monkeypatch.setattr(conversation, "converse", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.post("/api/chat", json={"sender_id": "web:abcdef123456", "text": "你好"})
    assert r.status_code == 500 and r.json() == {"detail": "系统出现故障，请稍后再试。"}


def test_unknown_api_paths_answer_in_chinese(client):
    r = client.get("/api/nothing-here")
    assert r.status_code == 404 and r.json() == {"detail": "页面或接口不存在"}
    page = client.get("/nothing-here")
    assert page.status_code == 404 and "页面或接口不存在" in page.text


def test_access_log_hides_browser_ids_and_skips_status_polls():
    from bot.web.app import AccessLogFilter

    def record(path, status):
        return logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5000", "GET", path, "1.1", status),
            None,
        )

    f = AccessLogFilter()
    assert not f.filter(record("/api/chat/updates?sender_id=web%3Aabcdef123456&after=0", 200))
    failed = record("/api/chat/updates?sender_id=web:abcdef123456&after=0", 422)
    assert f.filter(failed) and "abcdef123456" not in failed.getMessage() and "web:***" in failed.getMessage()
    other = record("/api/department/tickets", 200)
    assert f.filter(other) and "/api/department/tickets" in other.getMessage()
