"""Staff log-in: a form that sets an HttpOnly session cookie, and POST /api/login giving a Bearer token; each staff
member changes their own password at /password (or POST /api/password)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from bot import auth
from bot.models import StaffUser
from bot.vocabulary import ROLE_HOME, ROLE_LABELS, Role
from bot.web import queries
from bot.web.deps import COOKIE, get_db, optional_user, page_user, require, token_of
from bot.web.pages import render

router = APIRouter()
WRONG = "用户名或密码错误"


def _throttle_keys(request: Request, username: str) -> list[str]:
    return [f"user:{username.strip().lower()}", f"addr:{request.client.host if request.client else '?'}"]


def _locked(request: Request, keys: list[str]) -> str | None:
    """The Chinese message for a locked-out account or address, else None."""
    wait = request.app.state.login_throttle.wait_seconds(keys, time.monotonic())
    return f"登录失败次数过多，请 {wait} 秒后再试。" if wait > 0 else None


def _attempted(request: Request, keys: list[str], ok: bool) -> None:
    throttle = request.app.state.login_throttle
    if ok:
        throttle.succeeded(keys)
    else:
        throttle.failed(keys, time.monotonic())


class LoginIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)


def _safe_next(next_path: str | None, user: StaffUser) -> str:
    """Only a path on this site (never //host or a scheme), else the role's own page."""
    if next_path and next_path.startswith("/") and not next_path.startswith(("//", "/\\")) and next_path != "/login":
        return next_path
    return ROLE_HOME.get(user.role, "/")


def _set_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=auth.SESSION_HOURS * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.public_url.startswith("https://"),
    )


@router.get("/login")
def login_page(
    request: Request,
    next: str | None = None,
    db: Session = Depends(get_db),
    user: StaffUser | None = Depends(optional_user),
) -> Response:
    if user is not None:
        return RedirectResponse(_safe_next(next, user), status_code=303)
    return render(request, "login.html", next=next or "", error=None, username="")


@router.post("/login")
def login_form(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form(""),
    db: Session = Depends(get_db),
) -> Response:
    keys = _throttle_keys(request, username[:64])
    locked = _locked(request, keys)
    if locked:
        return render(request, "login.html", status_code=429, next=next, error=locked, username=username[:64])
    token = auth.login(db, username[:64], password[:256])
    _attempted(request, keys, token is not None)
    if token is None:
        return render(request, "login.html", status_code=401, next=next, error=WRONG, username=username[:64])
    db.commit()
    user = auth.user_for_token(db, token)
    response = RedirectResponse(_safe_next(next, user), status_code=303)
    _set_cookie(request, response, token)
    return response


@router.post("/logout")
def logout_form(request: Request, db: Session = Depends(get_db)) -> Response:
    auth.logout(db, token_of(request))
    db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/api/login")
def api_login(body: LoginIn, request: Request, db: Session = Depends(get_db)) -> JSONResponse:
    keys = _throttle_keys(request, body.username)
    locked = _locked(request, keys)
    if locked:
        return JSONResponse({"detail": locked}, status_code=429)
    token = auth.login(db, body.username, body.password)
    _attempted(request, keys, token is not None)
    if token is None:
        return JSONResponse({"detail": WRONG}, status_code=401)
    db.commit()
    user = auth.user_for_token(db, token)
    return JSONResponse(
        {
            "token": token,
            "token_type": "bearer",
            "role": user.role,
            "department_code": user.department_code,
            "expires_in": auth.SESSION_HOURS * 3600,
        }
    )


@router.post("/api/logout")
def api_logout(request: Request, db: Session = Depends(get_db)) -> JSONResponse:
    auth.logout(db, token_of(request))
    db.commit()
    response = JSONResponse({"ok": True})
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/api/me")
def me(user: StaffUser = Depends(require()), db: Session = Depends(get_db)) -> dict:
    return {
        "username": user.username,
        "role": user.role,
        "role_label": ROLE_LABELS[Role(user.role)],
        "department_code": user.department_code,
        "department_name": queries.department_name(db, user.department_code),
    }


STAFF = (Role.DEPARTMENT, Role.OPERATOR, Role.SUPERVISOR)


class PasswordIn(BaseModel):
    old_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


@router.post("/api/password")
def api_change_password(
    body: PasswordIn, user: StaffUser = Depends(require(*STAFF)), db: Session = Depends(get_db)
) -> JSONResponse:
    """The caller's own password; every session of the account ends, this one too."""
    try:
        auth.change_own_password(db, user, body.old_password, body.new_password)
    except auth.AuthError as exc:
        raise HTTPException(400, str(exc)) from None
    db.commit()
    return JSONResponse({"detail": "密码已修改，请用新密码重新登录"})


@router.get("/password")
def password_page(request: Request, user: StaffUser = Depends(page_user(*STAFF))) -> Response:
    return render(request, "password.html", user=user, error=None, min_chars=auth.MIN_PASSWORD_CHARS)


@router.post("/password")
def password_form(
    request: Request,
    old_password: str = Form(""),
    new_password: str = Form(""),
    user: StaffUser = Depends(page_user(*STAFF)),
    db: Session = Depends(get_db),
) -> Response:
    try:
        auth.change_own_password(db, user, old_password[:256], new_password[:256])
    except auth.AuthError as exc:
        return render(
            request, "password.html", status_code=400, user=user, error=str(exc), min_chars=auth.MIN_PASSWORD_CHARS
        )
    db.commit()
    response = render(
        request, "login.html", next="", error=None, username=user.username, notice="密码已修改，请用新密码登录。"
    )
    response.delete_cookie(COOKIE, path="/")
    return response
