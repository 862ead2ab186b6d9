"""Open311 GeoReport v2, read side: discovery, the service list (one service per matter of the catalogue), a
service's definition, and the requests (our tickets) with their status. JSON and XML, as the specification has them
(https://wiki.open311.org/GeoReport_v2).

Matters that would point at a person in a small village are never published: family matters, public security,
litigation, village officials' conduct, and every urgent ticket (violence, self-harm, danger to life).

No personal data leaves here: a request's description is its matter and category, never the citizen's words (they
carry names, phones and circumstances), its address is the place by the county's names for its codes (never the
citizen's own address words), and nothing of the citizen (name, phone, sender) is given.

POST requests files one through the one intake path, for a system holding an API key (`petition open311-key`): the
text is stored first, analysed like any complaint, its matter the service asked for.
"""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot import auth, intake
from bot.clock import as_china_time, china_today
from bot.jurisdiction import load_jurisdiction
from bot.matters import load_catalogue
from bot.models import Ticket, TicketEvent
from bot.vocabulary import STATUS_LABELS, Flag, TicketStatus
from bot.web.deps import get_db
from bot.web.routes.operator import PHONE
from classifier.categories import category_name

router = APIRouter(prefix="/open311/v2", tags=["Open311 GeoReport v2"])

FORMATS = ("json", "xml")
# categories not published at all (services nor requests): their matters point at a person or an open case
PRIVATE_CATEGORIES = frozenset({"family", "public_security", "litigation", "village_affairs"})
MAX_REQUESTS = 1000  # the specification's default cap
DEFAULT_DAYS = 90  # without start_date / end_date: the last 90 days, as the specification suggests
CHINA = "+08:00"


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise HTTPException(404, "格式只能是 json 或 xml")
    return fmt


def _xml_response(top: ET.Element, status_code: int = 200) -> Response:
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
    return Response(body, status_code=status_code, media_type="text/xml; charset=utf-8")


def _xml(root: str, item: str, rows: list[dict], status_code: int = 200) -> Response:
    top = ET.Element(root)
    for row in rows:
        el = ET.SubElement(top, item)
        for key, value in row.items():
            if isinstance(value, list):
                group = ET.SubElement(el, key)
                for v in value:
                    ET.SubElement(group, key.rstrip("s") or key).text = str(v)
            else:
                ET.SubElement(el, key).text = "" if value is None else str(value)
    return _xml_response(top, status_code)


def _answer(fmt: str, root: str, item: str, rows: list[dict]) -> Response:
    if fmt == "xml":
        return _xml(root, item, rows)
    return JSONResponse(rows)


def _iso(moment: datetime | None) -> str | None:
    """Beijing time with its offset (W3C), from our stored naive UTC."""
    local = as_china_time(moment)
    if local is None:
        return None
    return local.replace(microsecond=0).isoformat() + ("" if local.tzinfo else CHINA)


def _day_end(d: date | None) -> str | None:
    return datetime.combine(d, time(23, 59, 59)).isoformat() + CHINA if d else None


def services() -> list[dict]:
    """One service per matter of the catalogue: service_code is the matter's code, group its category."""
    return [
        {
            "service_code": m.code,
            "service_name": m.name,
            "description": m.covers,
            "metadata": "false",
            "type": "realtime",
            "keywords": ",".join(m.keywords[:8]),
            "group": category_name(m.category),
        }
        for m in load_catalogue().matters.values()
        if m.category not in PRIVATE_CATEGORIES
    ]


def _published():
    """SQL: the tickets Open311 shows (not of a private category, not urgent)."""
    return Ticket.category.not_in(PRIVATE_CATEGORIES) & ~Ticket.flagged(Flag.URGENT.value)


@router.get("/discovery.{fmt}")
def discovery(request: Request, fmt: str) -> Response:
    base = str(request.base_url).rstrip("/") + router.prefix + "/"
    row = {
        "changeset": "2026-11-30T00:00:00+08:00",
        "contact": "新平县12345政务服务便民热线",
        "key_service": "暂不开放申请（只读）",
        "endpoints": [],
    }
    endpoint = {"specification": "http://wiki.open311.org/GeoReport_v2", "url": base, "changeset": row["changeset"]}
    if _format(fmt) == "xml":
        top = ET.Element("discovery")
        for key in ("changeset", "contact", "key_service"):
            ET.SubElement(top, key).text = row[key]
        eps = ET.SubElement(top, "endpoints")
        ep = ET.SubElement(eps, "endpoint")
        for key, value in {**endpoint, "type": "production"}.items():
            ET.SubElement(ep, key).text = value
        formats = ET.SubElement(ep, "formats")
        for f in ("text/xml", "application/json"):
            ET.SubElement(formats, "format").text = f
        return _xml_response(top)
    row["endpoints"] = [{**endpoint, "type": "production", "formats": ["text/xml", "application/json"]}]
    return JSONResponse(row)


@router.get("/services.{fmt}")
def service_list(fmt: str) -> Response:
    return _answer(_format(fmt), "services", "service", services())


@router.get("/services/{service_code}.{fmt}")
def service_definition(service_code: str, fmt: str) -> Response:
    """Our services take no extra attributes (metadata false): the definition lists none."""
    _format(fmt)
    matter = load_catalogue().matters.get(service_code)
    if matter is None or matter.category in PRIVATE_CATEGORIES:
        raise HTTPException(404, f"没有编码为 {service_code} 的服务")
    if fmt == "xml":
        top = ET.Element("service_definition")
        ET.SubElement(top, "service_code").text = service_code
        ET.SubElement(top, "attributes")
        return _xml_response(top)
    return JSONResponse({"service_code": service_code, "attributes": []})


def request_row(t: Ticket, updated: datetime | None) -> dict:
    """A ticket as an Open311 service request, without personal data."""
    j = load_jurisdiction()
    matter = load_catalogue().matters.get(t.matter or "")
    name = matter.name if matter else category_name(t.category)
    closed = t.status == TicketStatus.RESOLVED
    return {
        "service_request_id": t.number,
        "status": "closed" if closed else "open",
        "status_notes": STATUS_LABELS[TicketStatus(t.status)],
        "service_name": name,
        "service_code": t.matter or t.category,
        "description": f"{name}（{category_name(t.category)}）",
        "agency_responsible": t.department.name,
        "service_notice": "",
        "requested_datetime": _iso(t.received_at),
        "updated_datetime": _iso(updated or t.received_at),
        "expected_datetime": None if closed else _day_end(t.answer_by),
        "address": j.place_name(t.township, t.village) or "",
        "address_id": t.village or t.township or "",
        "zipcode": "",
        "lat": "",
        "long": "",
        "media_url": "",
    }


def _last_change(s: Session, ids: list[int]) -> dict[int, datetime]:
    if not ids:
        return {}
    rows = s.execute(
        select(TicketEvent.ticket_id, func.max(TicketEvent.at))
        .where(TicketEvent.ticket_id.in_(ids))
        .group_by(TicketEvent.ticket_id)
    )
    return dict(rows.all())


def _date(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
    except ValueError:
        raise HTTPException(400, f"{name} 应为 W3C 日期时间，例如 2026-11-01T00:00:00+08:00") from None


@router.get("/requests.{fmt}")
def request_list(
    fmt: str,
    service_request_id: str | None = Query(None, max_length=2000),
    service_code: str | None = Query(None, max_length=64),
    start_date: str | None = Query(None, max_length=40),
    end_date: str | None = Query(None, max_length=40),
    status: str | None = Query(None, pattern="^(open|closed)(,(open|closed))?$"),
    db: Session = Depends(get_db),
) -> Response:
    _format(fmt)
    q = (
        select(Ticket)
        .where(_published())
        .options(selectinload(Ticket.department))
        .order_by(Ticket.id.desc())
        .limit(MAX_REQUESTS)
    )
    if service_request_id:  # the specification: the other parameters are then ignored
        q = q.where(Ticket.number.in_([x.strip().upper() for x in service_request_id.split(",")][:MAX_REQUESTS]))
    else:
        start, end = _date(start_date, "start_date"), _date(end_date, "end_date")
        if start is None and end is None:
            start = china_today() - timedelta(days=DEFAULT_DAYS)
        if start:  # Beijing days against stored UTC
            q = q.where(Ticket.received_at >= datetime.combine(start, time()) - timedelta(hours=8))
        if end:
            q = q.where(Ticket.received_at < datetime.combine(end + timedelta(days=1), time()) - timedelta(hours=8))
        if service_code:
            q = q.where((Ticket.matter == service_code) | (Ticket.category == service_code))
        if status and "," not in status:
            closed = Ticket.status == TicketStatus.RESOLVED
            q = q.where(closed if status == "closed" else ~closed)
    tickets = list(db.scalars(q))
    changed = _last_change(db, [t.id for t in tickets])
    rows = [request_row(t, changed.get(t.id)) for t in tickets]
    return _answer(fmt, "service_requests", "request", rows)


@router.get("/requests/{service_request_id}.{fmt}")
def request_one(service_request_id: str, fmt: str, db: Session = Depends(get_db)) -> Response:
    _format(fmt)
    t = db.scalars(
        select(Ticket)
        .where(Ticket.number == service_request_id.strip().upper(), _published())
        .options(selectinload(Ticket.department))
    ).first()
    if t is None:
        raise HTTPException(404, f"没有编号为 {service_request_id} 的请求")
    return _answer(fmt, "service_requests", "request", [request_row(t, _last_change(db, [t.id]).get(t.id))])


def _error(fmt: str, code: int, description: str) -> Response:
    """GeoReport's error answer: a list of {code, description}."""
    if fmt == "xml":
        return _xml("errors", "error", [{"code": code, "description": description}], code)
    return JSONResponse([{"code": code, "description": description}], status_code=code)


@router.post("/requests.{fmt}")
def create_request(
    fmt: str,
    api_key: str = Form(""),
    service_code: str = Form(""),
    description: str = Form(""),
    address_string: str = Form(""),
    first_name: str = Form(""),
    last_name: str = Form(""),
    phone: str = Form(""),
    db: Session = Depends(get_db),
) -> Response:
    _format(fmt)
    client = auth.open311_client(db, api_key)
    if client is None:
        return _error(fmt, 403, "api_key 无效或已吊销")
    matter = load_catalogue().matters.get(service_code)
    if matter is None or matter.category in PRIVATE_CATEGORIES:
        return _error(fmt, 400, f"service_code {service_code or '（空）'} 不是本系统的服务（见 services.{fmt}）")
    text = " ".join(description.split())[:5000]
    if len(text) < 4:
        return _error(fmt, 400, "description 必填：请写明是什么事")
    phone = phone.strip()
    if phone and not PHONE.match(phone):
        return _error(fmt, 400, "phone 不是有效的电话号码")
    place = " ".join(address_string.split())[:200]
    sender = f"open311:{client.name}-{secrets.token_hex(6)}"  # one citizen per request: never merged with another
    full = f"{text}\n地点：{place}" if place else text
    message_id = intake.store_message(sender, full, handling="stored")
    draft = intake.analyse(full)
    name = (last_name + first_name).strip()[:64] or None
    draft = replace(
        draft,
        matter=matter.code,
        category=matter.category,
        phone=phone or draft.phone,
        citizen_name=name or draft.citizen_name,
        address=place or draft.address,
        message_ids=(message_id,),
    )
    filed = intake.file_ticket(draft, sender_id=sender)
    row = {"service_request_id": filed.number, "service_notice": f"已转{filed.department_name}办理", "account_id": ""}
    return _answer(fmt, "service_requests", "request", [row])
