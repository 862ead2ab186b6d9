"""End to end on the real stack: the Telegram Bot API emulator (telegram-test-api from npm), the real Rasa server
with the trained model, the rasa-sdk action server, the web app and the Telegram adapter — all started by the same
launcher as `make run`. A citizen talks through the emulator's client API, a department resolves the ticket through
the web app's HTTP API, and the citizen must receive the status messages."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bench.stack import TELEGRAM_TOKEN as TOKEN
from bench.stack import StackDidNotStart, running_stack, telegram_emulator

CHAT_ID = 4242
USER = {"id": CHAT_ID, "is_bot": False, "first_name": "王", "username": "citizen_wang"}
# the conversation subset must not fall below the level measured when it was added (README, "Conversations")
SUBSET_FLOOR = 0.7  # 0.70 when added (33 of 47); 0.85 (40 of 47) with the recap and the form fixes
CHAT = {"id": CHAT_ID, "type": "private", "first_name": "王"}
COMPLAINT = (
    "我们12个农民工在戛洒镇南恩村的工地上干活，包工头张大军拖欠我们三个月工资，一共三万六千元，"
    "找了好几次都不给，要求尽快支付拖欠的工资"
)


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


class Emulator:
    """The citizen's side of telegram-test-api's client HTTP API."""

    def __init__(self, url: str):
        self.url = url
        self.transcript: list[str] = []

    def say(self, text: str) -> None:
        self.transcript.append(f"citizen: {text}")
        msg = {"botToken": TOKEN, "from": USER, "chat": CHAT, "date": int(time.time()), "text": text}
        httpx.post(f"{self.url}/sendMessage", json=msg, timeout=10).raise_for_status()

    def press(self, button: dict) -> None:
        self.transcript.append(f"citizen presses: {button['text']}")
        query = {
            "botToken": TOKEN,
            "from": USER,
            "data": button["callback_data"],
            "message": {"message_id": 1, "date": int(time.time()), "chat": CHAT, "text": "按钮"},
        }
        httpx.post(f"{self.url}/sendCallback", json=query, timeout=10).raise_for_status()

    def _fetch(self) -> list[dict]:
        r = httpx.post(f"{self.url}/getUpdates", json={"token": TOKEN, "chatId": CHAT_ID}, timeout=10)
        r.raise_for_status()
        return [u["message"] for u in r.json()["result"]]

    def replies(self, timeout: float = 60, settle: float = 2.0) -> list[dict]:
        """Waits for the bot's answer, then for it to go quiet (one turn can produce several messages)."""
        got = wait_for(self._fetch, timeout, "a bot message")
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < settle:
            more = self._fetch()
            if more:
                got += more
                quiet_since = time.monotonic()
            time.sleep(0.2)
        for m in got:
            self.transcript.append(f"bot: {m.get('text')}")
        return got


def buttons(message: dict) -> list[dict]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    try:
        with telegram_emulator() as emu, running_stack(tmp, telegram_api=emu) as running:
            yield {
                "emulator": Emulator(emu),
                "web": running.web,
                "db": running.db,
                "env": running.env,
                "var": running.var,
            }
    except StackDidNotStart as exc:
        pytest.fail(str(exc))


def department_token(stack, username: str, department: str) -> str:
    """A department user created in the stack's database, then logged in through the web API."""
    from bot.auth import create_staff_user

    engine = create_engine(stack["db"])
    with Session(engine) as s:
        create_staff_user(s, username, "e2e-secret-pw", "department", department)
        s.commit()
    r = httpx.post(f"{stack['web']}/api/login", json={"username": username, "password": "e2e-secret-pw"})
    r.raise_for_status()
    return r.json()["token"]


def test_citizen_complaint_is_filed_routed_resolved_and_citizen_notified(stack):
    emu: Emulator = stack["emulator"]
    try:
        emu.say("你好")
        assert emu.replies()[-1]["text"]

        emu.say(COMPLAINT)
        confirm = next(m for m in emu.replies() if buttons(m))
        assert "劳动工资" in confirm["text"]
        emu.press(next(b for b in buttons(confirm) if "是" in b["text"]))

        asked: list[str] = []
        answers = {"phone": "13812345678", "when": "从今年八月开始一直拖到现在", "name": "匿名"}
        filed = recap = None
        for _ in range(7):
            last_message = emu.replies()[-1]
            last = last_message["text"]
            if re.search(r"XP\d{8}-\d{5}", last):
                filed = last
                break
            if "请您核对" in last:  # the recap before filing: 确认 files
                recap = last
                emu.press(next(b for b in buttons(last_message) if b["text"] == "确认"))
                continue
            if "电话" in last:
                asked.append("phone")
            elif "什么时候" in last or "时间" in last:
                asked.append("when")
            elif "称呼" in last or "姓名" in last or "名字" in last:
                asked.append("name")
            else:
                pytest.fail(f"unexpected question (the place was already given?): {last}")
            emu.say(answers[asked[-1]])
        assert filed, "no ticket number"
        assert recap and "地点：戛洒镇南恩村" in recap and "电话：13812345678" in recap
        assert "phone" in asked  # the only fact the complaint lacked besides time and name
        number = re.search(r"XP\d{8}-\d{5}", filed).group(0)
        assert "人力资源和社会保障局" in filed
        assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", filed)

        token = department_token(stack, "e2e-hrss", "county.hrss")
        auth = {"Authorization": f"Bearer {token}"}
        listing = httpx.get(f"{stack['web']}/api/department/tickets", headers=auth).json()
        assert number in json.dumps(listing, ensure_ascii=False)
        httpx.post(f"{stack['web']}/api/tickets/{number}/accept", headers=auth).raise_for_status()
        accepted = emu.replies()
        assert any("已受理" in m["text"] and number in m["text"] for m in accepted)
        reply = "已约谈包工头张大军，工资将于本月底前全部结清"
        httpx.post(
            f"{stack['web']}/api/tickets/{number}/resolve", headers=auth, json={"reply": reply}
        ).raise_for_status()
        resolved = emu.replies()
        assert any("已办结" in m["text"] and reply in m["text"] for m in resolved)

        emu.say("/status")
        assert "已办结" in emu.replies()[-1]["text"]
    finally:
        print("\n".join(emu.transcript))  # shown with -s, and by pytest on failure

    from bot.models import Ticket, TicketEvent

    engine = create_engine(stack["db"])
    with Session(engine) as s:
        tickets = s.scalars(select(Ticket)).all()
        assert len(tickets) == 1
        t = tickets[0]
        assert (t.number, t.category, t.department_code, t.status) == (number, "labour", "county.hrss", "resolved")
        assert t.channel == "tg" and t.sender_id == f"tg:{CHAT_ID}"
        assert t.phone == "13812345678" and t.citizen_name in (None, "", "匿名")
        assert (t.township, t.village, t.address) == ("gasa", "gasa.nanen", "戛洒镇南恩村")
        assert 36000 in [m["yuan"] for m in t.facts["money"]]
        assert t.facts["people_count"] == 12 and "collective" in t.flags
        assert [e.action for e in s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id))][-2:] == [
            "accepted",
            "resolved",
        ]


def test_scripted_citizens_on_a_subset_of_the_held_out_conversations(stack):
    """Every fifth scenario of tests/data/dialogues (46 conversations) through the web chat of the same stack; the
    outcome in the database against each scenario's expectation. The issue's target is 0.95; this guards the level
    reached (README, "Conversations") against regressions."""
    from bench.dialogue import load_scenarios, report, run, succeeded

    results = run(stack["web"], stack["db"], load_scenarios(every=5))
    rate = sum(succeeded(p) for p in results) / len(results)
    assert len(results) >= 40
    assert not any(p.errors for p in results), report(results)
    assert rate >= SUBSET_FLOOR, report(results)


def listening_addresses(port: int) -> set[str]:
    """The local addresses a TCP port listens on, from /proc/net/tcp and tcp6 (state 0A = LISTEN)."""
    found = set()
    for name, width in (("tcp", 8), ("tcp6", 32)):
        path = Path("/proc/net") / name
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add("127.0.0.1" if address == "0100007F" else address[:width])
    return found


def test_rasa_and_the_action_server_are_closed_to_everyone_but_the_product(stack):
    rasa_url, action_port = stack["env"]["RASA_URL"], int(stack["env"]["ACTION_PORT"])
    rasa_port = int(rasa_url.rsplit(":", 1)[-1])
    # loopback only: nothing listens on 0.0.0.0 / ::
    assert listening_addresses(rasa_port) == {"127.0.0.1"}
    assert listening_addresses(action_port) == {"127.0.0.1"}
    # Rasa's HTTP API wants its token: another citizen's tracker (phone, name, first message) is not given out
    assert httpx.get(f"{rasa_url}/conversations/tg:{CHAT_ID}/tracker").status_code == 401
    # the action server answers Rasa only (the shared secret Rasa sends as `token`)
    call = {"next_action": "action_analyse_complaint", "sender_id": "web:x", "tracker": {}, "domain": {}}
    action = f"http://127.0.0.1:{action_port}/webhook"
    assert httpx.post(action, json=call).status_code == 403
    assert httpx.post(action, params={"token": "guessed-token-123456"}, json=call).status_code == 403
    assert httpx.get(f"http://127.0.0.1:{action_port}/health").status_code == 200


def test_rasa_keeps_the_conversations_in_its_sql_tracker_store(stack):
    """A restart of Rasa continues a conversation: its tracker is in var/rasa-tracker.db, not in memory."""
    import sqlite3

    httpx.post(
        f"{stack['web']}/api/chat", json={"sender_id": "web:tracker01", "text": "包工头欠了我们三个月工资"}, timeout=60
    )
    with sqlite3.connect(stack["var"] / "rasa-tracker.db") as db:
        (n,) = db.execute("SELECT COUNT(*) FROM events WHERE sender_id = 'web:tracker01'").fetchone()
    assert n > 0


def test_files_with_personal_data_are_the_owners_only_and_rasa_does_not_log_citizens_words(stack):
    message = {"sender_id": "web:privacy01", "text": "/包工头欠薪电话13912345678"}
    httpx.post(f"{stack['web']}/api/chat", json=message, timeout=60)
    logs = stack["var"] / "logs"
    for path in [*logs.glob("*.log"), stack["var"] / "endpoints.yml"]:
        assert path.stat().st_mode & 0o077 == 0, path  # nobody but the owner
    assert "13912345678" not in (logs / "rasa.log").read_text(errors="replace")
