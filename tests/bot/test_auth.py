import stat
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import auth
from bot.models import Department, StaffSession, StaffUser, utcnow


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch):
    monkeypatch.setattr(auth, "SCRYPT_N", 2**4)


def test_password_hash_is_salted_per_user_and_verifies():
    a, b = auth.hash_password("correct horse"), auth.hash_password("correct horse")
    assert a != b and a.startswith("scrypt$")
    assert auth.verify_password("correct horse", a)
    assert not auth.verify_password("correct hors", a)
    assert not auth.verify_password("x", "garbage")


def test_hash_made_with_another_cost_still_verifies(monkeypatch):
    stored = auth.hash_password("correct horse")
    monkeypatch.setattr(auth, "SCRYPT_N", 2**5)
    assert auth.verify_password("correct horse", stored)


def test_department_user_needs_an_existing_department(session):
    with pytest.raises(auth.AuthError, match="没有编码"):
        auth.create_staff_user(session, "x", "long-enough", "department", "county.nowhere")
    with pytest.raises(auth.AuthError, match="角色"):
        auth.create_staff_user(session, "x", "long-enough", "admin")
    with pytest.raises(auth.AuthError, match="密码"):
        auth.create_staff_user(session, "x", "short", "operator")
    auth.create_staff_user(session, "hrss", "long-enough", "department", "county.hrss")
    with pytest.raises(auth.AuthError, match="已存在"):
        auth.create_staff_user(session, "hrss", "long-enough", "operator")


def test_login_gives_a_token_stored_only_as_its_hash(session):
    auth.create_staff_user(session, "op", "long-enough", "operator")
    assert auth.login(session, "op", "wrong-password") is None
    assert auth.login(session, "nobody", "long-enough") is None
    token = auth.login(session, "op", "long-enough")
    assert token
    stored = session.scalars(select(StaffSession)).one()
    assert stored.token_hash != token and token not in stored.token_hash
    assert auth.user_for_token(session, token).username == "op"
    assert auth.user_for_token(session, token + "x") is None
    auth.logout(session, token)
    assert auth.user_for_token(session, token) is None


def test_expired_session_is_refused_and_removed(session):
    auth.create_staff_user(session, "op", "long-enough", "operator")
    token = auth.login(session, "op", "long-enough", now=utcnow() - timedelta(hours=auth.SESSION_HOURS + 1))
    assert auth.user_for_token(session, token) is None
    assert session.scalars(select(StaffSession)).all() == []


def test_demo_staff_is_seeded_once_with_a_private_password_file(session, tmp_path):
    path = tmp_path / "var" / "demo-staff.txt"
    accounts = auth.seed_demo_staff(session, path)
    departments = session.scalars(select(Department.code)).all()
    names = [a[0] for a in accounts]
    assert names[:2] == ["operator", "supervisor"] and set(names[2:]) == set(departments)
    assert ("county.hrss", "department") in [(u, r) for u, _, r, _ in accounts]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    username, password, _, _ = accounts[2]
    assert f"{username}\t{password}" in path.read_text(encoding="utf-8")
    assert auth.login(session, username, password)
    assert auth.seed_demo_staff(session, path) == []
    assert len(session.scalars(select(StaffUser)).all()) == len(accounts)
