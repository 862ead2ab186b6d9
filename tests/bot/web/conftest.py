"""Web fixtures: the app on a fresh database (tests/conftest.py's `engine`), staff of two departments plus an
operator and a supervisor, logging in as them, filing tickets directly, and a fake analysis pipeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from bot import auth, intake
from bot.clock import utcnow
from bot.db import session_scope
from bot.intake import Draft

PASSWORD = "secret-pw-1"
STAFF = {
    "hrss": ("department", "county.hrss"),
    "health": ("department", "county.health"),
    "gasa": ("department", "gasa.government"),
    "op": ("operator", None),
    "sup": ("supervisor", None),
}


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch):
    monkeypatch.setattr(auth, "SCRYPT_N", 2**4)


@pytest.fixture
def app(engine, settings_env):
    from handlers.webchat import create_app

    return create_app(settings_env, push_interval=None)


@pytest.fixture
def client(app):
    # as a browser on our own pages: every POST carries the page's Origin (the CSRF check wants it)
    with TestClient(app, headers={"origin": "http://testserver"}) as c:
        yield c


@pytest.fixture
def staff(engine):
    with session_scope(engine) as s:
        for username, (role, dept) in STAFF.items():
            auth.create_staff_user(s, username, PASSWORD, role, dept)
    return STAFF


@pytest.fixture
def login(client, staff):
    """login("hrss") -> Authorization headers of a fresh session."""

    def do(username: str) -> dict[str, str]:
        r = client.post("/api/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    return do


@pytest.fixture
def file_ticket(engine, make_draft):
    """file_ticket(category="labour", sender="web:citizen01", ...) -> ticket number, filed and committed."""

    def make(
        category: str = "labour",
        sender: str | None = "web:citizen01",
        township: str | None = None,
        village: str | None = None,
        phone: str | None = None,
        flags: list[str] | None = None,
        facts: dict | None = None,
        text: str = "包工头欠我们三个月工资，一共三万六千元",
        confidence: float = 0.9,
        days_ago: int = 0,
        id_number: str | None = None,
    ) -> str:
        draft = make_draft(
            category,
            township=township,
            village=village,
            flags=flags,
            facts={**(facts or {}), **({"id_numbers": [id_number]} if id_number else {})},
            confidence=confidence,
            text=text,
            phone=phone,
        )
        return intake.file_ticket(draft, sender_id=sender, now=utcnow() - timedelta(days=days_ago)).number

    return make


@pytest.fixture
def fake_analyse(monkeypatch):
    """Replaces the real pipeline (bot.intake.analyse) by a fixed draft; records its calls."""
    calls: list[dict] = []

    def analyse(text, today=None, j=None):
        calls.append({"text": text})
        flags = ("collective",) if "12个人" in text else ()
        facts = {
            "places": [{"text": "戛洒镇南恩村", "township": "戛洒镇", "village": "南恩村"}],
            "times": [{"text": "今年八月", "start": "2026-08-01", "end": "2026-08-31"}],
            "money": [{"text": "三万六千元", "yuan": 36000}],
            "people_count": 12 if flags else None,
            "land_mu": None,
            "phones": ["13812345678"],
            "id_numbers": [],
            "invalid_id_numbers": [],
            "organizations": [],
            "persons": [],
            "demand": "要回工资",
        }
        return Draft(
            text,
            "labour",
            township="gasa",
            village="gasa.nanen",
            address="戛洒镇南恩村",
            incident_time="今年八月（2026-08-01至2026-08-31）",
            phone="13812345678",
            facts=facts,
            flags=flags,
            confidence=0.62,
            top=(("labour", 0.62), ("social_security", 0.21), ("other", 0.08)),
            needs_review=True,
        )

    monkeypatch.setattr("bot.intake.analyse", analyse)
    return calls


@pytest.fixture
def fake_converse(monkeypatch):
    """handlers.conversation.converse replaced by a recorder that answers with one reply and two buttons."""
    from handlers import conversation

    calls: list[tuple] = []

    def converse(sender_id, text, attachments=(), key=None):
        calls.append((sender_id, text, list(attachments)) + ((key,) if key else ()))
        return [
            conversation.Reply(
                "您反映的是劳动工资问题，对吗？",
                (conversation.Button("是", "/affirm"), conversation.Button("不是", "/deny")),
            )
        ]

    monkeypatch.setattr(conversation, "converse", converse)
    return calls
