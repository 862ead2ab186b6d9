"""The staff reads at scale: a database filled with generated tickets (all departments, two years), then the
department queue, the operator queue, the supervisor statistics and the overdue scan, each timed repeatedly.

    python -m bench.scale [--tickets 1000000] [--db postgresql+psycopg://…]   (default: a temporary SQLite file)

The tickets are generated here (bulk inserts, no analysis); their text is filler. Printed: p50 / p95 per read, and
how long the generation took. The target of issue 10 is p95 ≤ 50 ms for each read on PostgreSQL.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.orm import Session

from bot import aggregates
from bot.db import init_db
from bot.jurisdiction import load_jurisdiction
from bot.matters import load_catalogue
from bot.models import Base, Ticket
from bot.routing import route
from bot.tickets import escalate_overdue_tickets
from bot.vocabulary import TicketStatus
from bot.web import queries
from classifier.categories import category_codes

STATUSES = [TicketStatus.RESOLVED] * 7 + [TicketStatus.ACCEPTED, TicketStatus.REGISTERED, TicketStatus.RETURNED]


def fill(engine, n: int, today: date, seed: int = 7) -> float:
    """n tickets over the two years before `today`, in chunks; seconds taken."""
    j = load_jurisdiction()
    rnd = random.Random(seed)
    towns = sorted(j.townships)
    categories = [c for c in category_codes()]
    matters = load_catalogue().by_category
    routed: dict[tuple, str] = {}

    def department(category: str, township: str, matter) -> str:
        """Where the product routes such a ticket (the matter's office or department): a county's tickets are not
        spread evenly over its departments, and the counts the statistics read have as many rows as occur."""
        key = (category, township, matter.code if matter else None)
        if key not in routed:
            routed[key] = route(category, township, [], j, matter=matter).department_code
        return routed[key]

    t0 = time.perf_counter()
    chunk = 20_000
    with engine.begin() as conn, aggregates.bulk_load(conn):
        start = conn.execute(select(Ticket.id).order_by(Ticket.id.desc()).limit(1)).scalar() or 0
        for base in range(0, n, chunk):
            rows = []
            for i in range(base, min(n, base + chunk)):
                received = datetime.combine(today, datetime.min.time()) - timedelta(
                    minutes=rnd.randrange(2 * 365 * 1440)
                )
                flags = ["repeat"] if rnd.random() < 0.02 else []
                category, township = rnd.choice(categories), rnd.choice(towns)
                matter = rnd.choice(matters[category]) if matters.get(category) else None
                rows.append(
                    {
                        "number": f"XP{received:%Y%m%d}-{start + i + 1:07d}",
                        "channel": "web",
                        "sender_id": f"web:gen{rnd.randrange(n // 3 + 1):08d}",
                        "text": "生成的工单",
                        "category": category,
                        "matter": matter.code if matter else None,
                        "confidence": 0.9,
                        "needs_review": rnd.random() < 0.03,
                        "facts": {},
                        "flags": flags,
                        "alternatives": [],
                        "township": township,
                        "department_code": department(category, township, matter),
                        # as a county's history looks: what is older than its answer window is mostly closed
                        "status": rnd.choice(STATUSES)
                        if received.date() > today - timedelta(days=90) or rnd.random() < 0.01
                        else TicketStatus.RESOLVED,
                        "received_at": received,
                        "accept_by": received.date() + timedelta(days=15),
                        "answer_by": received.date() + timedelta(days=75),
                    }
                )
            conn.execute(insert(Ticket), rows)
    return time.perf_counter() - t0


def timed(fn, times: int = 15) -> tuple[float, float]:
    """p50 and p95 of `times` reads, after one read not counted (the first after a start fills the caches)."""
    fn()
    ms = []
    for _ in range(times):
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    return statistics.median(ms), ms[min(len(ms) - 1, int(0.95 * len(ms)))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--db", help="a database URL to fill (its tickets table is emptied first)")
    args = ap.parse_args(argv)
    tmp = None
    if args.db:
        url = args.db
    else:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{Path(tmp.name) / 'scale.db'}"
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        Base.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    j = load_jurisdiction()
    init_db(engine, j)
    today = date(2026, 11, 30)
    seconds = fill(engine, args.tickets, today)
    if engine.dialect.name == "postgresql":
        # what autovacuum does after a bulk load (its insert threshold): statistics and the visibility map
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE tickets"))
    print(f"{args.tickets:,} tickets generated in {seconds:.0f} s on {engine.dialect.name}")
    with Session(engine) as s:
        # the first scan of a database that never had one reads every overdue ticket; later scans read what fell
        # overdue since (the first is timed once, the later ones as the others)
        t0 = time.perf_counter()
        escalate_overdue_tickets(s, j, today - timedelta(days=1))
        s.commit()
        print(f"first overdue scan (catching up): {time.perf_counter() - t0:.1f} s")
        dept = "county.hrss"
        last = queries.department_tickets(s, dept)[-1].number
        t0 = time.perf_counter()
        day = escalate_overdue_tickets(s, j, today)  # what fell overdue in a day
        s.commit()
        print(f"a day's overdue scan: {time.perf_counter() - t0:.2f} s ({len(day)} tickets moved up, with events)")
        print()
    reads = {
        f"department queue (first page, {queries.PAGE} newest)": lambda s: queries.department_tickets(s, dept),
        "department queue (next page)": lambda s: queries.department_tickets(s, dept, before=last),
        f"operator queue (first page, {queries.PAGE})": lambda s: queries.operator_queue(s),
        "supervisor statistics": lambda s: queries.stats(s, today),
        "overdue scan (nothing new since the last)": lambda s: (escalate_overdue_tickets(s, j, today), s.rollback()),
    }
    print("| read | p50 (ms) | p95 (ms) |")
    print("|---|---|---|")
    for name, fn in reads.items():

        def read(fn=fn) -> None:  # a session per read, as the web app has one per request
            with Session(engine) as s:
                fn(s)

        p50, p95 = timed(read, times=40)
        print(f"| {name} | {p50:.0f} | {p95:.0f} |")
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
