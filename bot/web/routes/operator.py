"""The 12345 hotline operator: analyse a phone complaint, correct it, file it; work the queue of returned and
needs-review tickets by re-routing them. Also the department list every staff page uses."""

from __future__ import annotations

import re
from dataclasses import replace

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from bot import intake, tickets
from bot.clock import as_china_time, china_today
from bot.intake import Draft
from bot.matters import load_catalogue
from bot.models import StaffUser
from bot.views import TicketSummary
from bot.vocabulary import FLAG_LABELS, Role, TicketStatus
from bot.web import queries
from bot.web.deps import actor_of, get_db, page_user, require
from bot.web.pages import render
from bot.web.routes.department import commit_and_push, find_ticket, ticket_view
from classifier.categories import category_codes, category_name, load_taxonomy
from classifier.pii import mask_id_numbers

router = APIRouter()
MAX_TEXT_CHARS = 50_000
PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")


class SuggestIn(BaseModel):
    text: str = Field(max_length=MAX_TEXT_CHARS)
    category: str | None = Field(default=None, max_length=32)
    township: str | None = Field(default=None, max_length=64)  # a township code, or its name (the first API form)
    village: str | None = Field(default=None, max_length=64)  # a village code or name; an unlisted name is kept


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


def _draft(request: Request, body: SuggestIn) -> Draft:
    """The pipeline's draft; what the operator set (category, place) replaces the suggestions."""
    text = body.text.strip()
    if not text:
        raise HTTPException(400, "请先填写来电内容")
    draft = intake.analyse(text, china_today())
    category = _blank_to_none(body.category)
    if category:
        if category not in category_codes():
            raise HTTPException(400, f"没有这个类别：{category}")
        draft = intake.with_category(draft, category)
    township, village = _blank_to_none(body.township), _blank_to_none(body.village)
    if township or village:
        j = request.app.state.jurisdiction
        town = j.township_code(township) if township else draft.township
        if township and town is None:
            raise HTTPException(400, f"本县没有这个乡镇（街道）：{township}")
        listed = j.village(village, town) if village else None
        if village:  # the operator named the village: its code, or none when the list lacks it (kept in words)
            new_village = listed.code if listed else None
        else:  # only the township: the draft's village stays if it lies there
            new_village = draft.village if draft.village and j.villages[draft.village].township == town else None
        town = town or (listed.township if listed else None)
        words = j.place_name(town) + village if village and not listed else j.place_name(town, new_village)
        draft = replace(draft, township=town, village=new_village, address=words or draft.address)
    return draft


def _suggestion(request: Request, draft: Draft) -> dict:
    j = request.app.state.jurisdiction
    r = intake.route_of(draft, j)
    matter = load_catalogue().matters.get(draft.matter or "")
    return {
        "category": draft.category,
        "category_name": draft.category_name,
        "confidence": round(draft.confidence, 4),
        "top": [{"category": c, "name": category_name(c), "confidence": round(p, 4)} for c, p in draft.top[:3]],
        "matter": {"code": matter.code, "name": matter.name, "confidence": round(draft.matter_confidence, 4)}
        if matter
        else None,
        "alternatives": [
            {"code": code, "name": j.departments[code].name, "confidence": p}
            for code, p in intake.alternatives_of(draft, j)
        ],
        "out_of_area": intake.out_of_area_of(draft, j),
        "complaint": not draft.not_complaint,
        "needs_review": draft.needs_review,
        "facts": draft.facts,
        "flags": list(draft.flags),
        "flag_labels": [FLAG_LABELS.get(f, f) for f in draft.flags],
        "department": r.as_dict(),
        "route_reason": r.reason,
        "escalated": r.escalated,
        "legal_redirect": r.legal_redirect,
        "place": {
            "township_code": draft.township,
            "village_code": draft.village,
            "township": j.township_name(draft.township),
            "village": j.village_name(draft.village),
            "address": draft.address,
        },
        "phone": draft.phone,
        "incident_time": next((t.get("text") for t in draft.facts.get("times") or [] if t.get("text")), None),
    }


@router.get("/operator")
def operator_page(request: Request, user: StaffUser = Depends(page_user(Role.OPERATOR)), db: Session = Depends(get_db)):
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
def suggest(body: SuggestIn, request: Request, user: StaffUser = Depends(require(Role.OPERATOR))) -> dict:
    return _suggestion(request, _draft(request, body))


@router.post("/api/operator/tickets", status_code=201)
def file_ticket(
    body: FileIn, request: Request, user: StaffUser = Depends(require(Role.OPERATOR)), db: Session = Depends(get_db)
) -> dict:
    phone = _blank_to_none(body.phone)
    if phone and not PHONE.match(phone):
        raise HTTPException(400, "电话号码格式不正确，请只填写数字（可含区号和“-”）")
    draft = replace(
        _draft(request, body),
        phone=phone or None,
        citizen_name=_blank_to_none(body.citizen_name),
        incident_time=_blank_to_none(body.incident_time),
    )
    try:
        filed = intake.file_ticket(
            draft, actor=actor_of(user), department_code=_blank_to_none(body.department_code), session=db
        )
    except tickets.TicketError as exc:
        raise HTTPException(400, str(exc)) from exc
    commit_and_push(request, db)
    return {
        "number": filed.number,
        "department_code": filed.department_code,
        "department_name": filed.department_name,
        "answer_by": filed.answer_due,
        "flags": list(filed.flags),
    }


@router.get("/api/operator/queue")
def queue(
    limit: int = Query(queries.PAGE, ge=1, le=queries.LIST_LIMIT),
    after: str | None = Query(None, max_length=32, description="the next page: tickets after this number"),
    user: StaffUser = Depends(require(Role.OPERATOR, Role.SUPERVISOR)),
    db: Session = Depends(get_db),
) -> list[dict]:
    rows = queries.operator_queue(db, limit, after)
    repeats = queries.repeat_numbers(db, [t for t, _ in rows])
    today = china_today()
    return [
        {
            **TicketSummary.of(t, today, repeats.get(t.id)).model_dump(mode="json"),
            "reason": "returned" if t.status == TicketStatus.RETURNED else "needs_review",
            "return_note": note,
            "excerpt": mask_id_numbers(t.text[:120]),
        }
        for t, note in rows
    ]


@router.post("/api/tickets/{number}/reroute")
def reroute(
    number: str,
    body: RerouteIn,
    request: Request,
    user: StaffUser = Depends(require(Role.OPERATOR, Role.SUPERVISOR)),
    db: Session = Depends(get_db),
):
    t = find_ticket(db, number, user)
    tickets.reroute(db, t, actor_of(user), body.department_code.strip(), _blank_to_none(body.note), today=china_today())
    commit_and_push(request, db)
    return ticket_view(db, t, user)


# ---------------------------------------------------------------- 回访: the call-back list


class RatingIn(BaseModel):
    rating: str = Field(max_length=24)  # bot.vocabulary.Rating
    comment: str | None = Field(default=None, max_length=2000)


class ReviewRequestIn(BaseModel):
    reason: str | None = Field(default=None, max_length=4000)


@router.get("/api/operator/callbacks")
def callbacks(
    limit: int = Query(queries.PAGE, ge=1, le=queries.LIST_LIMIT),
    user: StaffUser = Depends(require(Role.OPERATOR, Role.SUPERVISOR)),
    db: Session = Depends(get_db),
) -> list[dict]:
    """Answered tickets to call back for the citizen's satisfaction: no answer in the chat after 7 days, or a
    ticket with no chat (phone, Open311). The operator calls and records the answer (POST …/rating)."""
    today = china_today()
    return [
        {
            **TicketSummary.of(t, today).model_dump(mode="json"),
            "citizen_name": t.citizen_name,
            "phone": t.phone,
            "reply": t.reply,
            "answered_at": as_china_time(t.answered_at),
            "asked_in_chat": t.rating_asked_at is not None,
        }
        for t in tickets.callback_due(db, limit)
    ]


@router.post("/api/tickets/{number}/rating")
def record_rating(
    number: str,
    body: RatingIn,
    request: Request,
    user: StaffUser = Depends(require(Role.OPERATOR)),
    db: Session = Depends(get_db),
):
    """The satisfaction a citizen gave on the phone (回访), recorded by the operator."""
    t = find_ticket(db, number, user)
    tickets.rate(db, t, actor_of(user), body.rating, body.comment)
    commit_and_push(request, db)
    return ticket_view(db, t, user)


@router.post("/api/tickets/{number}/review-request")
def review_request(
    number: str,
    request: Request,
    body: ReviewRequestIn | None = None,
    user: StaffUser = Depends(require(Role.OPERATOR)),
    db: Session = Depends(get_db),
):
    """A 复查/复核 the citizen asked for on the phone, registered by the operator."""
    t = find_ticket(db, number, user)
    tickets.request_review(db, t, actor_of(user), body.reason if body else None, china_today())
    commit_and_push(request, db)
    return ticket_view(db, t, user)
