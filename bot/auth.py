"""Staff accounts and sessions: scrypt password hashes with a per-user salt, random session tokens stored hashed.

Roles: `department` (bound to one department), `operator` (12345 hotline), `supervisor` (督办). A session token is
handed to the browser as an HttpOnly cookie or to an API client as a Bearer token; only its SHA-256 is stored, so a
copy of the database does not let anyone log in.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import os
import secrets
import threading
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.models import Department, Open311Key, StaffSession, StaffUser
from bot.settings import get_settings
from bot.vocabulary import ROLE_LABELS, STAFF_ROLES, Role

SESSION_HOURS = 12
MIN_PASSWORD_CHARS = 8
# scrypt cost (RFC 7914): n=2**14, r=8 is ~16 MiB and tens of milliseconds per check. Tests lower SCRYPT_N; the
# parameters are stored with every hash, so old hashes keep verifying when the cost changes.
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LEN = 2**14, 8, 1, 32


class AuthError(ValueError):
    """A staff account cannot be created or changed; the message is Chinese and safe to show."""


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=256 * r * n + 1024 * 1024
    )


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LEN)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = bytes.fromhex(digest)
        actual = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_staff_user(
    session: Session, username: str, password: str, role: str, department_code: str | None = None
) -> StaffUser:
    """Adds a staff account (flushed, not committed). A department user must name an existing department."""
    username = (username or "").strip()
    if not username or len(username) > 64 or any(ch.isspace() for ch in username):
        raise AuthError("用户名不能为空、不能含空格，且不超过 64 个字符")
    if role not in STAFF_ROLES:
        raise AuthError(f"角色只能是 {'、'.join(STAFF_ROLES)} 之一")
    if len(password or "") < MIN_PASSWORD_CHARS:
        raise AuthError(f"密码至少需要 {MIN_PASSWORD_CHARS} 个字符")
    if role == Role.DEPARTMENT:
        if not department_code or session.get(Department, department_code) is None:
            raise AuthError(f"没有编码为 {department_code} 的部门")
    elif department_code:
        raise AuthError(f"{ROLE_LABELS[Role(role)]}账号不属于某个部门，请不要填写部门")
    if session.scalars(select(StaffUser).where(StaffUser.username == username)).first() is not None:
        raise AuthError(f"用户名 {username} 已存在")
    user = StaffUser(
        username=username,
        password_hash=hash_password(password),
        role=role,
        department_code=department_code if role == Role.DEPARTMENT else None,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: StaffUser, password: str) -> None:
    """A new password; every session of the account ends (a stolen session does not outlive the change)."""
    if len(password or "") < MIN_PASSWORD_CHARS:
        raise AuthError(f"密码至少需要 {MIN_PASSWORD_CHARS} 个字符")
    user.password_hash = hash_password(password)
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))


def change_own_password(session: Session, user: StaffUser, old: str, new: str) -> None:
    """The user's own change: the current password first."""
    if not verify_password(old or "", user.password_hash):
        raise AuthError("当前密码不正确")
    if old == new:
        raise AuthError("新密码不能和当前密码相同")
    set_password(session, user, new)


def staff_user(session: Session, username: str) -> StaffUser:
    user = session.scalars(select(StaffUser).where(StaffUser.username == (username or "").strip())).first()
    if user is None:
        raise AuthError(f"没有用户名为 {username} 的账号")
    return user


def set_disabled(session: Session, user: StaffUser, disabled: bool) -> None:
    """A disabled account cannot log in, and its open sessions end at once."""
    user.disabled = disabled
    if disabled:
        session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    session.flush()


def reset_password(session: Session, user: StaffUser) -> str:
    """A new random password for a user who lost theirs (shown once to the administrator)."""
    password = secrets.token_urlsafe(12)
    set_password(session, user, password)
    return password


# Checked when the user name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH: str | None = None


def authenticate(session: Session, username: str, password: str) -> StaffUser | None:
    global _DUMMY_HASH
    user = session.scalars(select(StaffUser).where(StaffUser.username == (username or "").strip())).first()
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password(secrets.token_hex(8))
        verify_password(password or "", _DUMMY_HASH)
        return None
    if not verify_password(password or "", user.password_hash):
        return None
    return None if user.disabled else user


def login(session: Session, username: str, password: str, now: datetime | None = None) -> str | None:
    """A new session token for the right password, else None (the caller says only 用户名或密码错误)."""
    user = authenticate(session, username, password)
    if user is None:
        return None
    now = now or utcnow()
    session.execute(delete(StaffSession).where(StaffSession.expires_at < now))  # everyone's expired ones
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(token_hash=_token_hash(token), user_id=user.id, expires_at=now + timedelta(hours=SESSION_HOURS))
    )
    session.flush()
    return token


def user_for_token(session: Session, token: str | None, now: datetime | None = None) -> StaffUser | None:
    if not token or len(token) > 256:
        return None
    row = session.get(StaffSession, _token_hash(token))
    if row is None:
        return None
    if row.expires_at < (now or utcnow()):
        session.delete(row)
        session.flush()
        return None
    return None if row.user.disabled else row.user


def logout(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))


def demo_staff_file() -> Path:
    return get_settings().var_dir / "demo-staff.txt"


def seed_demo_staff(session: Session, path: Path | None = None) -> list[tuple[str, str, str, str | None]]:
    """On an empty staff table: an operator, a supervisor and one user per department (user name = department
    code), with random passwords written to var/demo-staff.txt (mode 600). Returns (username, password, role,
    department_code) for each account created, or [] when staff already exists."""
    if session.scalar(select(func.count()).select_from(StaffUser)):
        return []
    accounts: list[tuple[str, str, str, str | None]] = [
        ("operator", secrets.token_urlsafe(9), Role.OPERATOR, None),
        ("supervisor", secrets.token_urlsafe(9), Role.SUPERVISOR, None),
    ]
    for d in session.scalars(select(Department).order_by(Department.level, Department.code)):
        accounts.append((d.code, secrets.token_urlsafe(9), Role.DEPARTMENT, d.code))
    for username, password, role, dept in accounts:
        create_staff_user(session, username, password, role, dept)
    path = path or demo_staff_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# 演示账号（首次启动时生成）。请在正式使用前修改密码或删除这些账号。", "# 用户名\t密码\t角色\t部门"]
    lines += [f"{u}\t{p}\t{ROLE_LABELS[Role(r)]}\t{d or '-'}" for u, p, r, d in accounts]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)  # the file may have existed with wider permissions
    return accounts


log = logging.getLogger(__name__)


class LoginThrottle:
    """Failed log-ins per account and per address: after FREE_FAILURES in a row, each further attempt waits a
    lock-out that doubles (30 s, 60 s … up to 15 min). A success clears the account's count. Kept in the web
    process (one process serves the staff pages); each lock-out is logged for the supervisor."""

    FREE_FAILURES = 5
    FIRST_LOCK_SECONDS = 30.0
    MAX_LOCK_SECONDS = 900.0

    def __init__(self) -> None:
        self._failures: dict[str, int] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, keys: list[str], now: float) -> int:
        """How long these keys (account, address) must still wait; 0: try."""
        with self._lock:
            return max([0, *(math.ceil(self._locked_until.get(k, 0.0) - now) for k in keys)])

    def failed(self, keys: list[str], now: float) -> None:
        with self._lock:
            for k in keys:
                n = self._failures.get(k, 0) + 1
                self._failures[k] = n
                if n >= self.FREE_FAILURES:
                    lock = min(self.MAX_LOCK_SECONDS, self.FIRST_LOCK_SECONDS * 2 ** (n - self.FREE_FAILURES))
                    self._locked_until[k] = now + lock
                    log.warning("login locked for %.0f s after %d failures: %s", lock, n, k)

    def succeeded(self, keys: list[str]) -> None:
        with self._lock:
            for k in keys:
                self._failures.pop(k, None)
                self._locked_until.pop(k, None)


# ---------------------------------------------------------------- Open311 API keys


def create_open311_key(session: Session, name: str) -> str:
    """A new key for the system `name`, returned once; only its hash is kept."""
    name = (name or "").strip()
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise AuthError("名称不能为空、不能含空格，且不超过 64 个字符")
    if session.scalars(select(Open311Key).where(Open311Key.name == name)).first() is not None:
        raise AuthError(f"名称 {name} 已存在")
    key = secrets.token_urlsafe(24)
    session.add(Open311Key(name=name, key_hash=_token_hash(key)))
    session.flush()
    return key


def revoke_open311_key(session: Session, name: str) -> None:
    row = session.scalars(select(Open311Key).where(Open311Key.name == (name or "").strip())).first()
    if row is None:
        raise AuthError(f"没有名称为 {name} 的 Open311 密钥")
    row.revoked = True
    session.flush()


def open311_client(session: Session, key: str | None) -> Open311Key | None:
    """The system a key belongs to, or None (unknown, revoked or malformed)."""
    if not key or len(key) > 256:
        return None
    row = session.scalars(select(Open311Key).where(Open311Key.key_hash == _token_hash(key))).first()
    return None if row is None or row.revoked else row
