"""督办: volumes, overdue cases, hotspots and repeat petitions (phones masked), and escalation of overdue tickets."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from bot import tickets
from bot.jurisdiction import load_jurisdiction
from bot.models import StaffUser
from bot.views import IncidentView, china_today
from bot.vocabulary import Flag, Role
from bot.web import queries
from bot.web.deps import actor_of, get_db, page_user, require
from bot.web.pages import render
from bot.web.routes.department import commit_and_push, find_ticket

router = APIRouter()


@router.get("/supervisor")
def supervisor_page(
    request: Request, user: StaffUser = Depends(page_user(Role.SUPERVISOR)), db: Session = Depends(get_db)
):
    return render(request, "supervisor.html", db, user)


@router.get("/api/supervisor/stats")
def stats(user: StaffUser = Depends(require(Role.SUPERVISOR)), db: Session = Depends(get_db)) -> dict:
    today = china_today()
    return {"today": today, **queries.stats(db, today)}


@router.get("/api/supervisor/warnings")
def early_warnings(user: StaffUser = Depends(require(Role.SUPERVISOR, Role.DEPARTMENT)), db: Session = Depends(get_db)):
    """矛盾纠纷预警: events with a warning and the reasons, for supervisors and the county 信访局 (whose department
    account is the `notify` office of the jurisdiction's collective rule)."""
    j = load_jurisdiction()
    rule = j.escalation.get(Flag.COLLECTIVE)
    if user.role == Role.DEPARTMENT and user.department_code != (rule.notify if rule else None):
        raise HTTPException(403, "只有督办人员和县信访局可以查看预警")
    today = china_today()
    return [IncidentView.of(i, list(i.tickets), today) for i in queries.warnings(db)]


class SuperviseIn(BaseModel):
    days: int = 7
    note: str = Field(default="", max_length=2000)


@router.post("/api/tickets/{number}/supervise")
def supervise(
    number: str,
    request: Request,
    body: SuperviseIn | None = None,
    user: StaffUser = Depends(require(Role.SUPERVISOR)),
    db: Session = Depends(get_db),
) -> dict:
    """挂牌督办: the supervisor's own deadline on an open ticket (days from today), audited and told to the citizen."""
    body = body or SuperviseIn()
    t = find_ticket(db, number, user)
    tickets.supervise(db, t, actor_of(user), body.days, body.note, china_today())
    commit_and_push(request, db)
    return {"number": t.number, "supervise_by": t.supervise_by, "department_name": t.department.name}


@router.post("/api/supervisor/escalate")
def escalate(
    request: Request, user: StaffUser = Depends(require(Role.SUPERVISOR)), db: Session = Depends(get_db)
) -> dict:
    moved = tickets.escalate_overdue_tickets(db, request.app.state.jurisdiction, china_today())
    result = [
        {"number": t.number, "department_code": t.department_code, "department_name": t.department.name} for t in moved
    ]
    commit_and_push(request, db)
    return {"escalated": result, "count": len(result)}
