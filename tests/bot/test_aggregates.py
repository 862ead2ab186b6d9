"""The ticket counts the database keeps by triggers (bot/aggregates.py): always equal to counting the tickets,
whatever writes them, on SQLite and PostgreSQL; and filled from the tickets there when migration 0008 adds them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from alembic import command
from sqlalchemy import func, insert, select, text

from bot import intake, migrate
from bot.models import Ticket, TicketCount, TicketDay
from bot.tickets import Actor, accept, get_ticket, reroute, resolve
from bot.vocabulary import Role

HRSS = Actor("clerk", Role.DEPARTMENT, "county.hrss")
OPERATOR = Actor("op", Role.OPERATOR)


def file(session, make_draft, **kw) -> Ticket:
    filed = intake.file_ticket(make_draft(**kw), sender_id="tg:42", session=session, now=datetime(2026, 11, 23, 10))
    session.flush()
    return get_ticket(session, filed.number)


def counted(session) -> dict:
    rows = session.execute(
        select(
            TicketCount.category, TicketCount.department_code, TicketCount.status, TicketCount.township, TicketCount.n
        )
    ).all()
    return {tuple(r[:4]): r[4] for r in rows if r[4]}


def actual(session) -> dict:
    town = func.coalesce(Ticket.township, "")
    rows = session.execute(
        select(Ticket.category, Ticket.department_code, Ticket.status, town, func.count()).group_by(
            Ticket.category, Ticket.department_code, Ticket.status, town
        )
    ).all()
    return {tuple(r[:4]): r[4] for r in rows}


def days(session) -> dict:
    return {d: n for d, n in session.execute(select(TicketDay.day, TicketDay.n)) if n}


def test_the_counts_follow_every_write_to_the_tickets(session, make_draft):
    a = file(session, make_draft, category="labour", township="gasa")
    b = file(session, make_draft, category="land")
    assert counted(session) == actual(session) and len(actual(session)) == 2
    accept(session, a, HRSS, today=date(2026, 11, 24))
    resolve(session, a, HRSS, "已处理")
    reroute(session, b, OPERATOR, "county.medical_insurance", "改派")
    b.township = "mosha"  # a correction of the place
    session.flush()
    assert counted(session) == actual(session)
    assert counted(session)[("labour", a.department_code, "resolved", "gasa")] == 1
    # written around the application: a bulk import and a clerk's SQL
    session.execute(
        insert(Ticket),
        [
            {
                "number": f"XP20260101-{i:05d}",
                "channel": "phone",
                "text": "导入",
                "category": "urban",
                "department_code": "county.urban",
                "status": "registered",
                "received_at": datetime(2025, 12, 31, 20, 0),  # 2026-01-01 in Beijing
                "accept_by": date(2026, 1, 16),
                "answer_by": date(2026, 3, 16),
            }
            for i in range(3)
        ],
    )
    session.execute(text("UPDATE tickets SET status = 'resolved' WHERE number = 'XP20260101-00001'"))
    session.execute(text("DELETE FROM tickets WHERE number = 'XP20260101-00002'"))
    assert counted(session) == actual(session)
    assert days(session)[date(2026, 1, 1)] == 2  # counted by the Beijing day, the deleted one taken off
    assert sum(days(session).values()) == session.scalar(select(func.count()).select_from(Ticket))


def test_supervisor_totals_come_from_the_counts_and_agree_with_the_tickets(session, make_draft):
    from bot.web import queries

    for category, town in [("labour", "gasa"), ("labour", "gasa"), ("land", None), ("urban", "mosha")]:
        file(session, make_draft, category=category, township=town)
    session.flush()
    stats = queries.stats(session, date(2026, 11, 30))
    assert stats["total"] == 4
    assert {x["code"]: x["count"] for x in stats["by_category"]} == {"labour": 2, "land": 1, "urban": 1}
    assert [(h["township_code"], h["category"], h["count"]) for h in stats["hotspots"]][0] == ("gasa", "labour", 2)
    assert sum(w["count"] for w in stats["by_week"]) == 4  # filed 2026-11-23, inside the 12 weeks


def test_migration_0008_counts_the_tickets_already_there(empty_engine, make_draft):
    with empty_engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0007")
        conn.execute(text("INSERT INTO departments (code, name, level) VALUES ('county.hrss', '人社局', 'county')"))
        for i, (status, day) in enumerate([("registered", 1), ("registered", 1), ("resolved", 2)]):
            conn.execute(
                text(
                    "INSERT INTO tickets (number, channel, text, category, confidence, needs_review, facts, flags,"
                    " alternatives, department_code, status, escalated, legal_redirect, received_at, accept_by,"
                    " answer_by, extended) VALUES (:n, 'web', 't', 'labour', 0.9, false, '{}', '[]', '[]',"
                    " 'county.hrss', :s, false, false, :at, '2026-12-01', '2027-01-01', false)"
                ),
                {"n": f"XP-{i}", "s": status, "at": datetime(2026, 11, day, 12) - timedelta(hours=0)},
            )
        command.upgrade(migrate.alembic_config(conn), "head")
    with empty_engine.connect() as conn:
        rows = dict(
            ((c, d, s, t), n)
            for c, d, s, t, n in conn.execute(
                text("SELECT category, department_code, status, township, n FROM ticket_counts")
            )
        )
        assert rows == {("labour", "county.hrss", "registered", ""): 2, ("labour", "county.hrss", "resolved", ""): 1}
        assert dict(conn.execute(text("SELECT day, n FROM ticket_days")).all()) in (
            {date(2026, 11, 1): 2, date(2026, 11, 2): 1},
            {"2026-11-01": 2, "2026-11-02": 1},  # SQLite gives the text
        )
