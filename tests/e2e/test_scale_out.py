"""The scale-out mode on the real stack: two Rasa workers sharing a Redis lock and tracker store (the launcher starts
Debian's redis-server), tickets on PostgreSQL, the web app keeping each citizen to one worker. Citizens talk to both
workers at once, and a worker killed in the middle of a conversation is restarted by the launcher and continues it.

Needs TEST_POSTGRES_URL (set by .ci/run) and redis-server on the PATH (installed by .ci/run)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.dialogue import QUESTIONS, response_patterns
from bench.stack import StackDidNotStart, running_stack
from bot.launcher import port_holder

PG = os.environ.get("TEST_POSTGRES_URL")
pytestmark = [
    pytest.mark.skipif(not PG, reason="TEST_POSTGRES_URL not set (.ci/run sets it)"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed (.ci/run installs it)"),
]
TOKEN = "e2e0scale0out0token0123456789abcdef"
PATTERNS = response_patterns()
ANSWERS = {
    "confirm": "是的",
    "category": "其他",
    "details": "就是刚才说的",
    "place": "漠沙镇",
    "village": "曼线村",
    "time": "上个月",
    "phone": "13987654321",
    "name": "李大姐",
    "recap": "确认",
    "second": "不用了",
}


def _own_database(url: str) -> str:
    """A database of this module's own on the test server (the storage tests reset theirs)."""
    name = f"{make_url(url).database}_scaleout"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    db = _own_database(PG)
    env = {"RASA_WORKERS": "2", "DATABASE_URL": db, "RASA_TOKEN": TOKEN}
    try:
        with running_stack(tmp_path_factory.mktemp("scale"), extra_env=env) as running:
            yield running
    except StackDidNotStart as exc:
        pytest.fail(str(exc))


def _settings(stack):
    from bot.settings import load_settings

    return load_settings(stack.env)


def say(stack, sender: str, words: str) -> list[str]:
    r = httpx.post(f"{stack.web}/api/chat", json={"sender_id": sender, "text": words}, timeout=120)
    r.raise_for_status()
    return [m["text"] for m in r.json()["replies"]]


def question(replies: list[str]) -> str | None:
    names = [n for t in replies for n, p in PATTERNS if p.match(t)]
    return next((QUESTIONS[n] for n in reversed(names) if n in QUESTIONS), None)


def finish(stack, sender: str, replies: list[str]) -> str:
    """Answers the bot's questions until the ticket number comes; returns it."""
    for _ in range(12):
        number = next((m.group(0) for t in replies for m in re.finditer(r"XP\d{8}-\d{5,}", t)), None)
        if number:
            return number
        asked = question(replies)
        assert asked, f"no question and no ticket: {replies}"
        replies = say(stack, sender, ANSWERS[asked])
    raise AssertionError(f"no ticket after 12 answers: {replies}")


def _tickets(stack, senders):
    from bot.models import Ticket

    engine = create_engine(stack.db)
    with Session(engine) as s:
        rows = list(s.scalars(select(Ticket).where(Ticket.sender_id.in_(senders))))
    engine.dispose()
    return rows


def test_citizens_on_both_workers_at_once_each_get_one_ticket_on_postgresql(stack):
    settings = _settings(stack)
    senders = [f"web:scaleout{i:02d}" for i in range(8)]
    assert {settings.rasa_url_for(s) for s in senders} == set(settings.rasa_urls)  # both workers in use
    opening = "我家承包地被村里占了修路，一分钱补偿都没有"
    with ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(lambda s: finish(stack, s, say(stack, s, opening)), senders))
    assert len(set(numbers)) == len(senders)
    tickets = _tickets(stack, senders)
    assert sorted(t.number for t in tickets) == sorted(numbers)  # one each, none twice
    assert all(t.text.startswith("我家承包地") and t.township == "mosha" for t in tickets)
    # each worker answers its API with the token only, and holds conversations of the other (shared tracker store)
    for url in settings.rasa_urls:
        assert httpx.get(f"{url}/conversations/{senders[0]}/tracker").status_code == 401
        tracker = httpx.get(f"{url}/conversations/{senders[0]}/tracker", params={"token": TOKEN}).json()
        assert any(e.get("text") == opening for e in tracker["events"] if e["event"] == "user")


def test_a_rasa_worker_killed_mid_conversation_is_restarted_and_the_conversation_goes_on(stack):
    settings = _settings(stack)
    sender = "web:scalekill"
    url = settings.rasa_url_for(sender)
    first = say(stack, sender, "漠沙镇曼线村的砂石厂天天半夜拉货，噪音吵得全村睡不着")
    asked = question(first)
    assert asked, first
    holder = port_holder(int(url.rsplit(":", 1)[-1]))
    pid = int(re.match(r"pid (\d+)", holder).group(1))
    os.killpg(os.getpgid(pid), signal.SIGKILL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:  # the launcher starts it again after a pause
        time.sleep(1)
        try:
            if httpx.get(f"{url}/status", params={"token": TOKEN}, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
    else:
        pytest.fail("the killed Rasa worker was not restarted")
    assert port_holder(int(url.rsplit(":", 1)[-1])) != holder  # a new process
    # the restarted worker continues from the question asked before (the tracker is in Redis), so the answer is
    # taken as an answer, not as a new complaint
    again = say(stack, sender, ANSWERS[asked])
    assert question(again) not in (None, asked), again
    number = finish(stack, sender, again)
    (ticket,) = _tickets(stack, [sender])
    assert ticket.number == number and ticket.text.startswith("漠沙镇曼线村的砂石厂")
