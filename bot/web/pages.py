"""Rendering staff and citizen pages with the context every page shares (who is logged in, the navigation)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from bot.models import StaffUser
from bot.vocabulary import ROLE_HOME, ROLE_LABELS, Role
from bot.web import queries


def render(
    request: Request,
    template: str,
    db: Session | None = None,
    user: StaffUser | None = None,
    status_code: int = 200,
    **context,
) -> HTMLResponse:
    who = None
    if user is not None:
        who = {
            "username": user.username,
            "role": user.role,
            "role_label": ROLE_LABELS[Role(user.role)],
            "home": ROLE_HOME.get(user.role, "/"),
            "department_name": queries.department_name(db, user.department_code) if db is not None else None,
        }
    return request.app.state.templates.TemplateResponse(
        request, template, {"user": who, "path": request.url.path, **context}, status_code=status_code
    )
