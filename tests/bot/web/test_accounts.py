"""Staff accounts (issue 10, item 5): one's own password from a page and the API, and the administrator's CLI to
create, disable, enable, reset and list accounts; expired sessions are deleted."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from bot import auth, cli
from bot.clock import utcnow
from bot.db import session_scope
from bot.models import StaffSession, StaffUser
from tests.bot.web.conftest import PASSWORD


def petition(*args: str, stdin: bytes = b"") -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(["staff", *args], stdin=io.BytesIO(stdin), stdout=out)
    return code, out.getvalue()


def test_a_staff_member_changes_their_own_password_and_every_session_ends(client, login):
    first, second = login("hrss"), login("hrss")
    wrong = client.post("/api/password", headers=first, json={"old_password": "nope", "new_password": "new-secret-9"})
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.json()["detail"]
    short = client.post("/api/password", headers=first, json={"old_password": PASSWORD, "new_password": "x"})
    assert short.status_code == 400 and "至少" in short.json()["detail"]
    ok = client.post("/api/password", headers=first, json={"old_password": PASSWORD, "new_password": "new-secret-9"})
    assert ok.status_code == 200
    assert client.get("/api/department/tickets", headers=second).status_code == 401  # the other session ended too
    assert client.post("/api/login", json={"username": "hrss", "password": PASSWORD}).status_code == 401
    assert client.post("/api/login", json={"username": "hrss", "password": "new-secret-9"}).status_code == 200
    assert client.post("/api/password", json={"old_password": "a", "new_password": "b" * 10}).status_code == 401


def test_the_password_page_changes_it_and_sends_back_to_login(client, staff):
    client.post("/login", data={"username": "op", "password": PASSWORD}, follow_redirects=False)
    page = client.get("/password")
    assert page.status_code == 200 and "修改密码" in page.text and "当前密码" in page.text
    bad = client.post("/password", data={"old_password": "wrong-pw", "new_password": "new-secret-9"})
    assert bad.status_code == 400 and "当前密码不正确" in bad.text
    done = client.post("/password", data={"old_password": PASSWORD, "new_password": "new-secret-9"})
    assert done.status_code == 200 and "密码已修改" in done.text
    assert client.get("/password", follow_redirects=False).status_code in (302, 303, 307)  # logged out


def test_the_administrators_cli_creates_disables_enables_resets_and_lists(engine, client):
    code, out = petition("create", "clerk.new", "--role", "department", "--department", "county.hrss")
    assert code == 0
    password = re.search(r"初始密码：(\S+?)（", out).group(1)
    token = client.post("/api/login", json={"username": "clerk.new", "password": password}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/department/tickets", headers=headers).status_code == 200

    assert petition("disable", "clerk.new")[0] == 0
    assert client.get("/api/department/tickets", headers=headers).status_code == 401  # its session ended
    assert client.post("/api/login", json={"username": "clerk.new", "password": password}).status_code == 401
    assert "已停用" in petition("list")[1]

    assert petition("enable", "clerk.new")[0] == 0
    code, out = petition("reset", "clerk.new")
    fresh = re.search(r"新密码：(\S+?)（", out).group(1)
    assert client.post("/api/login", json={"username": "clerk.new", "password": password}).status_code == 401
    assert client.post("/api/login", json={"username": "clerk.new", "password": fresh}).status_code == 200

    assert petition("passwd", "clerk.new", stdin=b"typed-secret-1\n")[0] == 0
    assert client.post("/api/login", json={"username": "clerk.new", "password": "typed-secret-1"}).status_code == 200

    code, out = petition("disable", "nobody")
    assert code == 2 and "没有用户名为 nobody 的账号" in out
    code, out = petition("create", "x.y", "--role", "department", "--department", "county.nowhere")
    assert code == 2 and "没有编码为 county.nowhere 的部门" in out
    assert petition("create", "x.z")[0] == 2  # no role


def test_expired_sessions_of_everyone_are_deleted_at_the_next_login(engine, staff):
    with session_scope(engine) as s:
        auth.login(s, "hrss", PASSWORD, now=utcnow() - timedelta(days=30))  # long expired
        auth.login(s, "op", PASSWORD, now=utcnow() - timedelta(days=30))
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(StaffSession)) == 2
        auth.login(s, "sup", PASSWORD)
    with session_scope(engine) as s:
        rows = s.scalars(select(StaffSession)).all()
        assert [s.get(StaffUser, r.user_id).username for r in rows] == ["sup"]
