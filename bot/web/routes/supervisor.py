"""督办: volumes, overdue cases, hotspots and repeat petitions (phones masked), escalation of overdue tickets, and the
KPIs (bot/kpi.py) with their trend charts, monthly report files and definitions page."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from bot import kpi, kpi_report, tickets
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
    return render(request, "supervisor.html", db, user, kpi_dimensions=kpi.DIMENSIONS)


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


# ---------------------------------------------------------------- KPIs (考核指标)

# the chart is an image: no script at all, its own inline styles only
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _report(db: Session, month: str | None, by: str, today: date) -> dict:
    """The month's KPI report (default: this Beijing month); bad input answers 422 in Chinese."""
    try:
        return kpi.month_report(db, month or kpi.month_of(today), by, today)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/api/supervisor/kpi")
def kpi_figures(
    month: str | None = Query(None, description="YYYY-MM (北京时间月份)，默认本月"),
    by: str = Query("department", description="department | township | category | matter"),
    user: StaffUser = Depends(require(Role.SUPERVISOR)),
    db: Session = Depends(get_db),
) -> dict:
    """The month's KPIs per group with ranks, the county's total and its trend over the six months up to it."""
    return _report(db, month, by, china_today())


@router.get("/api/supervisor/kpi/trend.svg")
def kpi_trend_svg(
    kpi_code: str = Query(alias="kpi"),
    month: str | None = None,
    user: StaffUser = Depends(require(Role.SUPERVISOR)),
    db: Session = Depends(get_db),
) -> Response:
    if kpi_code not in kpi.KPIS:
        raise HTTPException(422, "没有这个指标：" + kpi_code[:40])
    svg = kpi_report.trend_svg(_report(db, month, "department", china_today()), kpi_code)
    return Response(svg, media_type="image/svg+xml", headers={"Content-Security-Policy": SVG_CSP})


def _download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/api/supervisor/report.xlsx")
def kpi_report_xlsx(
    month: str | None = None, user: StaffUser = Depends(require(Role.SUPERVISOR)), db: Session = Depends(get_db)
) -> Response:
    """The month's report: a sheet per dimension, the six-month trend with charts, the definitions."""
    today = china_today()
    reports = [_report(db, month, by, today) for by in kpi.DIMENSIONS]
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(kpi_report.report_xlsx(reports), xlsx, f"kpi-{reports[0]['month']}.xlsx")


@router.get("/api/supervisor/report.csv")
def kpi_report_csv(
    month: str | None = None, user: StaffUser = Depends(require(Role.SUPERVISOR)), db: Session = Depends(get_db)
) -> Response:
    """The month's department table and the definitions, UTF-8 with BOM (Excel)."""
    report = _report(db, month, "department", china_today())
    return _download(kpi_report.report_csv(report), "text/csv; charset=utf-8", f"kpi-{report['month']}.csv")


@router.get("/kpi/definitions")
def kpi_definitions_page(
    request: Request, user: StaffUser = Depends(page_user(Role.SUPERVISOR)), db: Session = Depends(get_db)
):
    return render(request, "kpi-definitions.html", db, user, definitions=kpi.definitions_json())
