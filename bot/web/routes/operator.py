"""The 12345 hotline operator: analyse a phone complaint, correct it, file it; work the queue of returned and
needs-review tickets by re-routing them. Also the department list every staff page uses."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from bot import analysis as analysis_module
from bot import tickets
from bot.analysis import Analysis
from bot.models import Department, StaffUser
from bot.routing import Route, route
from bot.views import FLAG_LABELS, TicketSummary, china_today, mask_id_numbers_in_text
from bot.web import queries
from bot.web.deps import actor_of, get_db, page_user, require
from bot.web.pages import render
from bot.web.routes.department import commit_and_push, find_ticket, ticket_view

router = APIRouter()
MAX_TEXT_CHARS = 50_000
PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")


class SuggestIn(BaseModel):
    text: str = Field(max_length=MAX_TEXT_CHARS)
    category: str | None = Field(default=None, max_length=32)
    township: str | None = Field(default=None, max_length=64)
    village: str | None = Field(default=None, max_length=64)


class FileIn(SuggestIn):
    department_code: str | None = Field(default=None, max_length=64)
    citizen_name: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    incident_time: str | None = Field(default=None, max_length=64)


class RerouteIn(BaseModel):
    department_code: str = Field(max_length=64)
    note: str | None = Field(default=None, max_length=2000)


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _analyse(request: Request, body: SuggestIn) -> Analysis:
    """The pipeline's analysis; the operator's category and place, when given, replace the suggestions."""
    from classifier.categories import category_codes

    text = body.text.strip()
    if not text:
        raise HTTPException(400, "请先填写来电内容")
    category = _blank_to_none(body.category)
    if category and category not in category_codes():
        raise HTTPException(400, f"没有这个类别：{category}")
    a = analysis_module.analyse(text, china_today(), category=category)
    township, village = _blank_to_none(body.township), _blank_to_none(body.village)
    if township or village:
        j = request.app.state.jurisdiction
        place = {
            **a.place,
            "township": township or a.place.get("township"),
            "village": village or a.place.get("village"),
        }
        a = Analysis(
            a.category,
            a.confidence,
            a.top,
            a.needs_review,
            a.facts,
            a.flags,
            route(a.category, place["township"], place["village"], a.flags, j),
            a.category_name,
            place,
        )
    return a


def _suggestion(a: Analysis) -> dict:
    from classifier.categories import category_name

    facts = {**a.facts}
    return {
        "category": a.category,
        "category_name": category_name(a.category),
        "confidence": round(a.confidence, 4),
        "top": [{"category": c, "name": category_name(c), "confidence": round(p, 4)} for c, p in a.top[:3]],
        "needs_review": a.needs_review,
        "facts": facts,
        "flags": a.flags,
        "flag_labels": [FLAG_LABELS.get(f, f) for f in a.flags],
        "department": {"code": a.route.department_code, "name": a.route.department_name, "level": a.route.level},
        "route_reason": a.route.reason,
        "escalated": a.route.escalated,
        "legal_redirect": a.route.legal_redirect,
        "place": {"township": a.place.get("township"), "village": a.place.get("village")},
        "phone": next(iter(facts.get("phones") or []), None),
        "incident_time": next((t.get("text") for t in facts.get("times") or [] if t.get("text")), None),
    }


@router.get("/operator")
def operator_page(request: Request, user: StaffUser = Depends(page_user("operator")), db: Session = Depends(get_db)):
    from classifier.categories import load_taxonomy

    j = request.app.state.jurisdiction
    return render(
        request,
        "operator.html",
        db,
        user,
        categories=load_taxonomy(),
        departments=queries.departments(db),
        townships=list(j.townships.values()),
    )


@router.get("/api/departments")
def departments(user: StaffUser = Depends(require()), db: Session = Depends(get_db)) -> list[dict]:
    return [
        {"code": d.code, "name": d.name, "level": d.level, "township_code": d.township_code}
        for d in queries.departments(db)
    ]


@router.post("/api/operator/suggest")
def suggest(body: SuggestIn, request: Request, user: StaffUser = Depends(require("operator"))) -> dict:
    return _suggestion(_analyse(request, body))


@router.post("/api/operator/tickets", status_code=201)
def file_ticket(
    body: FileIn, request: Request, user: StaffUser = Depends(require("operator")), db: Session = Depends(get_db)
) -> dict:
    phone = _blank_to_none(body.phone)
    if phone and not PHONE.match(phone):
        raise HTTPException(400, "电话号码格式不正确，请只填写数字（可含区号和“-”）")
    a = _analyse(request, body)
    code = _blank_to_none(body.department_code)
    if code and code != a.route.department_code:
        dept = db.get(Department, code)
        if dept is None:
            raise HTTPException(400, f"没有编码为 {code} 的部门")
        a = Analysis(
            a.category,
            a.confidence,
            a.top,
            a.needs_review,
            a.facts,
            a.flags,
            Route(
                dept.code,
                dept.name,
                dept.level,
                a.route.escalated,
                a.route.legal_redirect,
                a.route.notify,
                "话务员指定承办部门",
            ),
            a.category_name,
            a.place,
        )
    t = tickets.create_ticket(
        db,
        analysis=a,
        text=body.text.strip(),
        channel="phone",
        sender_id=None,
        actor=actor_of(user),
        citizen_name=_blank_to_none(body.citizen_name),
        phone=phone,
        township=a.place.get("township"),
        village=a.place.get("village"),
        incident_time=_blank_to_none(body.incident_time),
    )
    db.flush()
    number, department_name, answer_by = t.number, a.route.department_name, t.answer_by
    commit_and_push(request, db)
    return {
        "number": number,
        "department_code": a.route.department_code,
        "department_name": department_name,
        "answer_by": answer_by,
        "flags": list(t.flags),
    }


@router.get("/api/operator/queue")
def queue(user: StaffUser = Depends(require("operator", "supervisor")), db: Session = Depends(get_db)) -> list[dict]:
    rows = queries.operator_queue(db)
    repeats = queries.repeat_numbers(db, [t for t, _ in rows])
    today = china_today()
    return [
        {
            **TicketSummary.of(t, today, repeats.get(t.id)).model_dump(mode="json"),
            "reason": "returned" if t.status == "returned" else "needs_review",
            "return_note": note,
            "excerpt": mask_id_numbers_in_text(t.text[:120]),
        }
        for t, note in rows
    ]


@router.post("/api/tickets/{number}/reroute")
def reroute(
    number: str,
    body: RerouteIn,
    request: Request,
    user: StaffUser = Depends(require("operator", "supervisor")),
    db: Session = Depends(get_db),
):
    t = find_ticket(db, number, user)
    tickets.reroute(db, t, actor_of(user), body.department_code.strip(), _blank_to_none(body.note), today=china_today())
    commit_and_push(request, db)
    return ticket_view(db, t, user)
