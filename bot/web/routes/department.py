"""The responsible department: its own tickets only, the detail of one, and the life-cycle actions.

Every change goes through bot.tickets (which audits it and queues the citizen's push); the route commits and then
delivers the push at once. A ticket of another department answers exactly as a number that does not exist.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from bot import notify, tickets
from bot.deadlines import MAX_EXTENSION_DAYS
from bot.models import StaffUser, Ticket
from bot.views import (
    STORED_HERE,
    IncidentView,
    ReviewView,
    TicketForDepartment,
    TicketForOperator,
    TicketForSupervisor,
    TicketSummary,
    china_today,
)
from bot.vocabulary import OPEN_STATUSES, Role
from bot.web import queries
from bot.web.deps import actor_of, get_db, page_user, require
from bot.web.pages import render
from bot.web.uploads import store_upload

log = logging.getLogger(__name__)
router = APIRouter()
NOT_YOURS = "无权查看该工单：工单不属于本部门，或工单号不存在"
VIEW_BY_ROLE = {
    Role.DEPARTMENT: TicketForDepartment,
    Role.OPERATOR: TicketForOperator,
    Role.SUPERVISOR: TicketForSupervisor,
}


class ReturnIn(BaseModel):
    reason: str = Field(default="", max_length=2000)
    suggested_department: str | None = Field(default=None, max_length=64)  # where the department thinks it belongs


class ExtendIn(BaseModel):
    days: int = 0
    reason: str = Field(default="", max_length=2000)


class ProgressIn(BaseModel):
    note: str = Field(default="", max_length=2000)


class ResolveIn(BaseModel):
    reply: str = Field(default="", max_length=10_000)
    measures: str | None = Field(default=None, max_length=10_000)  # the 办结报告: measures taken


class DeclineIn(BaseModel):
    ground: str = Field(default="", max_length=32)  # a code of GET /api/decline-grounds
    reason: str = Field(default="", max_length=4000)


class ReviewDecisionIn(BaseModel):
    decision: str = Field(default="", max_length=10_000)
    upheld: bool = True  # the reply stands (维持), or it is changed (变更)


def find_ticket(db: Session, number: str, user: StaffUser) -> Ticket:
    t = queries.ticket_for_staff(db, number, user)
    if t is None:
        if user.role == Role.DEPARTMENT:
            raise HTTPException(403, NOT_YOURS)
        raise HTTPException(404, f"没有找到工单 {number.strip()[:40]}")
    return t


def ticket_view(db: Session, t: Ticket, user: StaffUser):
    repeat_of = queries.repeat_numbers(db, [t]).get(t.id)
    return VIEW_BY_ROLE[user.role].of(t, china_today(), repeat_of)


def commit_and_push(request: Request, db: Session) -> None:
    """The change is committed first; the push goes out after, so a slow channel never holds a database lock.
    A push that fails stays queued and is retried by the app's background loop."""
    db.commit()
    try:
        notify.deliver_pending(request.app.state.engine)
    except Exception:  # the change is saved; only the push is late
        log.exception("delivering pushes failed; they stay queued")


def _need_text(value: str | None, message: str) -> str:
    if not value or not value.strip():
        raise HTTPException(400, message)
    return value.strip()


@router.get("/department")
def department_page(
    request: Request, user: StaffUser = Depends(page_user(Role.DEPARTMENT)), db: Session = Depends(get_db)
):
    return render(request, "department.html", db, user, max_extension_days=MAX_EXTENSION_DAYS)


@router.get("/api/department/tickets", response_model=list[TicketSummary])
def department_tickets(
    status: str | None = Query(None, pattern="^(registered|accepted|returned|resolved|declined|review|second_review)$"),
    limit: int = Query(queries.PAGE, ge=1, le=queries.LIST_LIMIT),
    before: str | None = Query(None, max_length=32, description="the next page: tickets older than this number"),
    user: StaffUser = Depends(require(Role.DEPARTMENT)),
    db: Session = Depends(get_db),
) -> list[TicketSummary]:
    rows = queries.department_tickets(db, user.department_code, status, limit, before)
    repeats = queries.repeat_numbers(db, rows)
    today = china_today()
    return [TicketSummary.of(t, today, repeats.get(t.id)) for t in rows]


@router.get("/api/tickets/{number}")
def ticket_detail(
    number: str,
    user: StaffUser = Depends(require(Role.DEPARTMENT, Role.OPERATOR, Role.SUPERVISOR)),
    db: Session = Depends(get_db),
):
    return ticket_view(db, find_ticket(db, number, user), user)


@router.post("/api/tickets/{number}/accept", response_model=TicketForDepartment)
def accept(
    number: str, request: Request, user: StaffUser = Depends(require(Role.DEPARTMENT)), db: Session = Depends(get_db)
) -> TicketForDepartment:
    t = find_ticket(db, number, user)
    tickets.accept(db, t, actor_of(user), today=china_today())
    commit_and_push(request, db)
    return ticket_view(db, t, user)


@router.post("/api/tickets/{number}/return", response_model=TicketForDepartment)
def return_ticket(
    number: str,
    request: Request,
    body: ReturnIn | None = None,
    user: StaffUser = Depends(require(Role.DEPARTMENT)),
    db: Session = Depends(get_db),
) -> TicketForDepartment:
    t = find_ticket(db, number, user)
    reason = _need_text(body and body.reason, "退回工单需要说明理由")
    tickets.return_ticket(db, t, actor_of(user), reason, (body.suggested_department or None) if body else None)
    commit_and_push(request, db)
    return ticket_view(db, t, user)


@router.post("/api/tickets/{number}/progress", response_model=TicketForDepartment)
def progress(
    number: str,
    request: Request,
    body: ProgressIn | None = None,
    user: StaffUser = Depends(require(Role.DEPARTMENT)),
    db: Session = Depends(get_db),
) -> TicketForDepartment:
    """A progress note (办理过程) on an open ticket: audited and told to the citizen; the status stays."""
    t = find_ticket(db, number, user)
    note = _need_text((body or ProgressIn()).note, "请填写办理进展")
    tickets.add_progress(db, t, actor_of(user), note)
    commit_and_push(request, db)
    return ticket_view(db, t, user)


@router.post("/api/tickets/{number}/extend", response_model=TicketForDepartment)
def extend(
    number: str,
    request: Request,
    body: ExtendIn | None = None,
    user: StaffUser = Depends(require(Role.DEPARTMENT)),
    db: Session = Depends(get_db),
) -> TicketForDepartment:
    t = find_ticket(db, number, user)
    body = body or ExtendIn()
    if not 1 <= body.days <= MAX_EXTENSION_DAYS:
        raise HTTPException(400, f"延期天数须在 1 到 {MAX_EXTENSION_DAYS} 天之间")
    reason = _need_text(body.reason, "延期需要说明理由")
    tickets.extend(db, t, actor_of(user), body.days, reason)
    commit_and_push(request, db)
    return ticket_view(db, t, user)


@router.post("/api/tickets/{number}/resolve", response_model=TicketForDepartment)
def resolve(
    number: str,
    request: Request,
    body: ResolveIn | None = None,
    user: StaffUser = Depends(require(Role.DEPARTMENT)),
    db: Session = Depends(get_db),
) -> TicketForDepartment:
    t = find_ticket(db, number, user)
    reply = _need_text(body and body.reply, "办结工单需要填写答复意见")
    tickets.resolve(db, t, actor_of(user), reply, body.measures if body else None)
    commit_and_push(request, db)
    return ticket_view(db, t, user)


@router.get("/api/decline-grounds")
def decline_grounds(user: StaffUser = Depends(require(Role.DEPARTMENT, Role.OPERATOR, Role.SUPERVISOR))) -> list[dict]:
    """The grounds for 不予受理 with their legal basis (bot/decline_grounds.yml)."""
    return [g.__dict__ for g in tickets.decline_grounds().values()]


@router.post("/api/tickets/{number}/decline", response_model=TicketForDepartment)
def decline(
    number: str,
    request: Request,
    body: DeclineIn | None = None,
    user: StaffUser = Depends(require(Role.DEPARTMENT)),
    db: Session = Depends(get_db),
) -> TicketForDepartment:
    """不予受理 on a listed ground, with the department's own reason; the citizen is told where to turn instead."""
    t = find_ticket(db, number, user)
    body = body or DeclineIn()
    tickets.decline(db, t, actor_of(user), body.ground, body.reason)
    commit_and_push(request, db)
    return ticket_view(db, t, user)


@router.post("/api/tickets/{number}/report-files", response_model=TicketForDepartment)
def report_file(
    number: str,
    request: Request,
    file: UploadFile | None = File(None),
    user: StaffUser = Depends(require(Role.DEPARTMENT)),
    db: Session = Depends(get_db),
) -> TicketForDepartment:
    """A file of the 办结报告 (photo, PDF, Word): kept with the ticket for the supervisor and the review."""
    t = find_ticket(db, number, user)
    if file is None:
        raise HTTPException(422, "请选择要上传的办结材料")
    _kind, path, mime = store_upload(file, request.app.state.settings.upload_dir, "report")
    try:
        tickets.add_report_file(db, t, actor_of(user), str(path), mime)
        db.commit()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return ticket_view(db, t, user)


@router.get("/api/department/reviews")
def department_reviews(
    user: StaffUser = Depends(require(Role.DEPARTMENT)), db: Session = Depends(get_db)
) -> list[dict]:
    """The 复查/复核 this department decides as the superior body (信访工作条例 第三十五、三十六条)."""
    today = china_today()
    return [
        {**ReviewView.of(r, today).model_dump(), "ticket": TicketSummary.of(r.ticket, today).model_dump()}
        for r in queries.reviews_for(db, user.department_code)
    ]


@router.post("/api/tickets/{number}/review-decision")
def review_decision(
    number: str,
    request: Request,
    body: ReviewDecisionIn | None = None,
    user: StaffUser = Depends(require(Role.DEPARTMENT)),
    db: Session = Depends(get_db),
):
    """The reviewing body's 复查/复核 意见: the reply upheld or changed; the citizen is asked to rate it again."""
    t = find_ticket(db, number, user)
    body = body or ReviewDecisionIn()
    tickets.decide_review(db, t, actor_of(user), body.decision, body.upheld)
    commit_and_push(request, db)
    return ticket_view(db, t, user)


class IncidentResolveIn(ResolveIn):
    pass


@router.get("/api/incidents/{incident_id}", response_model=IncidentView)
def incident_detail(
    incident_id: int,
    user: StaffUser = Depends(require(Role.DEPARTMENT, Role.OPERATOR, Role.SUPERVISOR)),
    db: Session = Depends(get_db),
) -> IncidentView:
    """An event reported by several citizens: a department sees its own tickets of it and how many others there are."""
    found = queries.incident_for_staff(db, incident_id, user)
    if found is None:
        raise HTTPException(403 if user.role == Role.DEPARTMENT else 404, "无权查看该事件，或事件不存在")
    return IncidentView.of(*found, china_today())


@router.post("/api/incidents/{incident_id}/resolve", response_model=IncidentView)
def incident_resolve(
    incident_id: int,
    request: Request,
    body: IncidentResolveIn | None = None,
    user: StaffUser = Depends(require(Role.DEPARTMENT)),
    db: Session = Depends(get_db),
) -> IncidentView:
    """One answer to the whole event: every open ticket of it that this department holds is resolved with it, each
    audited and told to its citizen (with the satisfaction question)."""
    found = queries.incident_for_staff(db, incident_id, user)
    if found is None:
        raise HTTPException(403, "无权办理该事件，或事件不存在")
    incident, own = found
    reply = _need_text(body and body.reply, "办结工单需要填写答复意见")
    open_ones = [t for t in own if t.status in OPEN_STATUSES]
    if not open_ones:
        raise HTTPException(409, "本部门在该事件中没有未办结的工单")
    for t in open_ones:
        tickets.resolve(db, t, actor_of(user), reply, body.measures if body else None)
    commit_and_push(request, db)
    return IncidentView.of(incident, own, china_today())


@router.get("/api/attachments/{attachment_id}")
def attachment_file(
    attachment_id: int,
    request: Request,
    user: StaffUser = Depends(require(Role.DEPARTMENT, Role.SUPERVISOR)),
    db: Session = Depends(get_db),
) -> FileResponse:
    """A web upload, to the department that holds its ticket (and supervisors). Served sandboxed."""
    a = queries.attachment_for_staff(db, attachment_id, user)
    if a is None:
        raise HTTPException(403 if user.role == Role.DEPARTMENT else 404, "无权查看该附件，或附件不存在")
    root = Path(request.app.state.settings.upload_dir).resolve()
    path = Path(a.ref).resolve()
    if not a.sender_id.startswith(STORED_HERE) or not path.is_relative_to(root) or not path.is_file():
        raise HTTPException(404, "该附件不在本系统中保存（例如 Telegram 文件），无法下载")
    return FileResponse(
        path,
        media_type=a.mime or "application/octet-stream",
        filename=f"附件{a.id}{path.suffix}",
        content_disposition_type="inline",
        headers={"Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'"},
    )
