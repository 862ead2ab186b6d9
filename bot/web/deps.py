"""Request dependencies: one database session per request, and the logged-in staff member (cookie or Bearer)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from bot import auth
from bot.models import StaffUser
from bot.tickets import Actor
from bot.vocabulary import Role

COOKIE = "petition_session"


def get_db(request: Request) -> Iterator[Session]:
    s = request.app.state.sessionmaker()
    try:
        yield s
    except BaseException:
        s.rollback()
        raise
    finally:
        s.close()


def token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE) or None


def optional_user(request: Request, db: Session = Depends(get_db)) -> StaffUser | None:
    user = auth.user_for_token(db, token_of(request))
    if user is not None:
        db.commit()  # an expired session found on the way was deleted
    return user


def require(*roles: str) -> Callable[..., StaffUser]:
    """API dependency: 401 without a valid session, 403 for a role that may not do this."""

    def dependency(user: StaffUser | None = Depends(optional_user)) -> StaffUser:
        if user is None:
            raise HTTPException(401, "请先登录", headers={"WWW-Authenticate": "Bearer"})
        if roles and user.role not in roles:
            raise HTTPException(403, "您的账号没有权限执行此操作")
        return user

    return dependency


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class WrongRole(Exception):
    def __init__(self, user: StaffUser) -> None:
        self.user = user


def page_user(*roles: str) -> Callable[..., StaffUser]:
    """Page dependency: sends a visitor without a session to /login, and a wrong role to a Chinese 403 page."""

    def dependency(request: Request, user: StaffUser | None = Depends(optional_user)) -> StaffUser:
        if user is None:
            raise LoginRequired(request.url.path)
        if roles and user.role not in roles:
            raise WrongRole(user)
        return user

    return dependency


def actor_of(user: StaffUser) -> Actor:
    return Actor(user.username, Role(user.role), user.department_code)
