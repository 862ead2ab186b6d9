"""The KPIs of bot/kpi.py on a realistic county: a few hundred tickets over six months, their life cycles driven
through bot/tickets.py (seeded random), in a temporary SQLite database. Printed: each KPI's definition and its
figure for the last month, with the time the computation took, then the figures of the small known-answer fixture
that tests/bot/test_kpi.py checks by hand.

    python -m bench.kpi [--tickets 400] [--seed 11] [--db URL]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from unittest import mock

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bot import intake, kpi, tickets
from bot.clock import CHINA
from bot.db import init_db, sessionmaker_for
from bot.intake import Draft
from bot.jurisdiction import load_jurisdiction
from bot.matters import load_catalogue
from bot.models import Base, Ticket
from bot.tickets import Actor
from bot.vocabulary import Rating, Role
from classifier.facts import empty_facts

OPERATOR = Actor("op", Role.OPERATOR)
CITIZEN = tickets.CITIZEN


@contextmanager
def clock(when_beijing: datetime) -> Iterator[datetime]:
    """bot/tickets.py's clock set to a Beijing wall time (stored as naive UTC, as utcnow gives)."""
    utc = utc_of(when_beijing)
    with mock.patch.object(tickets, "utcnow", return_value=utc):
        yield utc


def bj(month: int, day: int, hour: int = 10, year: int = 2026) -> datetime:
    """A Beijing wall time."""
    return datetime(year, month, day, hour)


def utc_of(when_beijing: datetime) -> datetime:
    return when_beijing - CHINA.utcoffset(None)


def dept(t: Ticket) -> Actor:
    return Actor("clerk", Role.DEPARTMENT, t.department_code)


def file(s: Session, received: datetime, category: str, sender: str, **draft) -> Ticket:
    """A ticket filed through the one intake path, received at a Beijing time."""
    d = Draft(text=draft.pop("text", "反映的问题"), category=category, facts=empty_facts(), confidence=0.9, **draft)
    filed = intake.file_ticket(d, sender_id=sender, session=s, now=utc_of(received))
    s.flush()
    return tickets.get_ticket(s, filed.number)


def accept(s: Session, t: Ticket, when: datetime) -> None:
    with clock(when):
        tickets.accept(s, t, dept(t), today=when.date())


def resolve(s: Session, t: Ticket, when: datetime) -> None:
    with clock(when):
        tickets.resolve(s, t, dept(t), "已办理并答复")


# ---------------------------------------------------------------- the known-answer fixture

KNOWN_MONTH = "2026-11"
KNOWN_TODAY = date(2026, 12, 10)


def known_fixture(s: Session) -> dict[str, Ticket]:
    """Twelve tickets whose November 2026 figures tests/bot/test_kpi.py works out by hand. Beijing times; every
    ticket has its own chat, except T9 (T1's citizen again: a repeat). Today is 2026-12-10.

    T1  labour (人社局, matter 拖欠农民工工资: accept within 5 days)  filed 11-02, accepted 11-05, resolved 11-12, 满意
    T2  labour  filed 11-03, accepted 11-20 (accept_by 11-18: late), resolved 11-23, 基本满意
    T3  labour  filed 11-04, accepted 11-06, resolved 11-24, 不满意
    T4  labour  filed 11-05, declined 11-07 (不予受理)
    T5  labour  filed 11-06, accepted 11-09, resolved 11-30, not rated
    T6  land, 戛洒镇  filed 2026-10-31 17:00 UTC = 11-01 01:00 Beijing (November); returned by the township 11-02,
        re-routed to 自然资源局 11-03, accepted 11-04, resolved 11-29 01:00 (28 days), not rated
    T7  land, 戛洒镇  filed 2026-10-31 15:00 UTC = 10-31 23:00 Beijing (October); accepted 11-01; open
    T8  medical (卫健局)  filed 11-10; never accepted (accept_by 11-25, passed)
    T9  labour  filed 11-15 by T1's citizen (flagged repeat, repeat_of T1); accepted 11-16; open
    T10 labour  filed 09-01, accepted 09-02 (answer_by 11-01); still open on 12-10: late
    T11 land, 戛洒镇  filed 11-20; the operator re-routes it to the same township (a confirmation) 11-21;
        accepted 11-22; open
    T12 medical  filed 11-12, resolved 11-14 without a separate acceptance, not rated
    """
    t: dict[str, Ticket] = {}
    t["T1"] = file(s, bj(11, 2), "labour", "web:kpi1", matter="labour.wage_arrears_migrant")
    t["T2"] = file(s, bj(11, 3), "labour", "web:kpi2")
    t["T3"] = file(s, bj(11, 4), "labour", "web:kpi3")
    t["T4"] = file(s, bj(11, 5), "labour", "web:kpi4")
    t["T5"] = file(s, bj(11, 6), "labour", "web:kpi5")
    t["T6"] = file(s, datetime(2026, 11, 1, 1), "land", "web:kpi6", township="gasa")
    t["T7"] = file(s, datetime(2026, 10, 31, 23), "land", "web:kpi7", township="gasa")
    t["T8"] = file(s, bj(11, 10), "medical", "web:kpi8")
    t["T9"] = file(s, bj(11, 15), "labour", "web:kpi1")
    t["T10"] = file(s, bj(9, 1), "labour", "web:kpi10")
    t["T11"] = file(s, bj(11, 20), "land", "web:kpi11", township="gasa")
    t["T12"] = file(s, bj(11, 12), "medical", "web:kpi12")

    accept(s, t["T1"], bj(11, 5))
    resolve(s, t["T1"], bj(11, 12))
    accept(s, t["T2"], bj(11, 20))
    resolve(s, t["T2"], bj(11, 23))
    accept(s, t["T3"], bj(11, 6))
    resolve(s, t["T3"], bj(11, 24))
    with clock(bj(11, 7)):
        tickets.decline(s, t["T4"], dept(t["T4"]), "not_administrative", "属于民事纠纷")
    accept(s, t["T5"], bj(11, 9))
    resolve(s, t["T5"], bj(11, 30))
    with clock(bj(11, 2)):
        tickets.return_ticket(s, t["T6"], dept(t["T6"]), "不属于本乡镇职责", "county.natural_resources")
    with clock(bj(11, 3)):
        tickets.reroute(s, t["T6"], OPERATOR, "county.natural_resources", today=date(2026, 11, 3))
    accept(s, t["T6"], bj(11, 4))
    resolve(s, t["T6"], datetime(2026, 11, 29, 1))
    accept(s, t["T7"], bj(11, 1))
    accept(s, t["T9"], bj(11, 16))
    accept(s, t["T10"], bj(9, 2))
    with clock(bj(11, 21)):
        tickets.reroute(s, t["T11"], OPERATOR, t["T11"].department_code, today=date(2026, 11, 21))
    accept(s, t["T11"], bj(11, 22))
    resolve(s, t["T12"], bj(11, 14))
    for name, rating in (("T1", Rating.SATISFIED), ("T2", Rating.BASICALLY_SATISFIED), ("T3", Rating.DISSATISFIED)):
        with clock(bj(11, 28)):
            tickets.rate(s, t[name], CITIZEN, rating)
    s.flush()
    return t


# ---------------------------------------------------------------- a realistic county


def realistic_fixture(s: Session, n: int, last_month: str, seed: int) -> int:
    """n tickets spread over the six months up to `last_month` (Beijing), each driven through a life cycle drawn at
    random: accepted (sometimes late), returned and re-routed, declined, extended, resolved and rated, or left
    waiting. Returns the number of tickets filed."""
    rnd = random.Random(seed)
    j = load_jurisdiction()
    towns = sorted(j.townships)
    by_category = load_catalogue().by_category
    categories = sorted(c for c in by_category if by_category[c])
    first = kpi.months_up_to(last_month, 6)[0]
    # Beijing wall times of the first instant of the first month and of the month after the last
    start = kpi.month_start_utc(first) + CHINA.utcoffset(None)
    end = kpi.month_start_utc(kpi.next_month(last_month)) + CHINA.utcoffset(None)
    span = (end - start).total_seconds()
    senders = [f"web:bench{i}" for i in range(int(n * 0.8))]  # some citizens come back: repeats
    departments = sorted(code for code, d in j.departments.items() if d.level in ("county", "township"))
    filed = 0
    for _ in range(n):
        received = start + timedelta(seconds=rnd.random() * span * 0.97)
        category = rnd.choice(categories)
        matter = rnd.choice(by_category[category]).code if rnd.random() < 0.7 else None
        town = rnd.choice(towns) if rnd.random() < 0.6 else None
        t = file(s, received, category, rnd.choice(senders), matter=matter, township=town)
        filed += 1
        _live(s, t, received, rnd, departments)
    s.flush()
    return filed


def _live(s: Session, t: Ticket, received: datetime, rnd: random.Random, departments: list[str]) -> None:
    """One ticket's life after filing, at random but plausible times (Beijing)."""
    now = received
    horizon = datetime.combine(KNOWN_TODAY, datetime.min.time())  # nothing happens after the bench's "today"

    def later(lo: float, hi: float) -> datetime | None:
        nonlocal now
        now = now + timedelta(days=rnd.uniform(lo, hi))
        return now if now < horizon else None

    if rnd.random() < 0.12:  # the first department returns it; the operator sends it elsewhere
        if (when := later(0.2, 4)) is None:
            return
        with clock(when):
            tickets.return_ticket(s, t, dept(t), "不属于本部门职责")
        if (when := later(0.1, 2)) is None:
            return
        other = rnd.choice([d for d in departments if d != t.department_code])
        with clock(when):
            tickets.reroute(s, t, OPERATOR, other, today=when.date())
    elif rnd.random() < 0.05:  # the operator confirms the department after review
        if (when := later(0.1, 1)) is None:
            return
        with clock(when):
            tickets.reroute(s, t, OPERATOR, t.department_code, today=when.date())
    roll = rnd.random()
    if roll < 0.06:
        return  # nobody has accepted it yet
    if roll < 0.12:
        if (when := later(0.5, 10)) is not None:
            with clock(when):
                tickets.decline(s, t, dept(t), "legal_procedure", "应通过诉讼途径解决")
        return
    if (when := later(0.5, 20 if rnd.random() < 0.1 else 12)) is None:
        return
    accept(s, t, when)
    if rnd.random() < 0.08 and (when := later(20, 50)) is not None:
        with clock(when):
            tickets.extend(s, t, dept(t), 20, "需要现场核查")
    if (when := later(2, 75 if rnd.random() < 0.1 else 40)) is None:
        return
    resolve(s, t, when)
    if rnd.random() < 0.75 and (when := later(0, 7)) is not None:
        rating = rnd.choices(list(Rating), weights=(6, 3, 1))[0]
        with clock(when):
            tickets.rate(s, t, CITIZEN, rating)


# ---------------------------------------------------------------- printing


def print_month(title: str, table: kpi.Table, month: str) -> None:
    figures = table.totals[month]
    print(f"\n{title}（{month}，全县）")
    for k in kpi.DEFINITIONS:
        num, den = figures.counts[k.numerator], figures.counts[k.denominator]
        shown = kpi.display(k, figures.values[k.code])
        print(f"  {k.name:<12} {shown:>8}   ({k.numerator}={num:g}, {k.denominator}={den:g})")


def print_definitions() -> None:
    print("指标定义（bot/kpi.py）：")
    for k in kpi.DEFINITIONS:
        print(f"  {k.name}：{k.definition}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.kpi", description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=400)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--db", help="a database URL (default: a temporary SQLite file)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in (("realistic", True), ("known", False)):
            url = args.db or f"sqlite:///{Path(tmp) / f'{name}.db'}"
            engine = create_engine(url)
            Base.metadata.drop_all(engine)
            init_db(engine, load_jurisdiction())
            with sessionmaker_for(engine)() as s:
                if build:
                    t0 = time.perf_counter()
                    n = realistic_fixture(s, args.tickets, KNOWN_MONTH, args.seed)
                    s.commit()
                    print(
                        f"{n} tickets over six months built through bot/tickets.py in {time.perf_counter() - t0:.1f} s"
                    )
                    statuses = dict(s.execute(select(Ticket.status, func.count()).group_by(Ticket.status)).all())
                    print("  by status:", dict(sorted(statuses.items())))
                    print_definitions()
                    for by in kpi.DIMENSIONS:
                        t0 = time.perf_counter()
                        table = kpi.compute(s, by, kpi.months_up_to(KNOWN_MONTH, 6)[0], KNOWN_MONTH, KNOWN_TODAY)
                        ms = (time.perf_counter() - t0) * 1000
                        print(f"  by {by}: six months computed in {ms:.0f} ms, {len(table.keys())} groups")
                    print_month("realistic fixture", table, KNOWN_MONTH)
                else:
                    known_fixture(s)
                    s.commit()
                    table = kpi.compute(s, "department", KNOWN_MONTH, KNOWN_MONTH, KNOWN_TODAY)
                    print_month("known-answer fixture (tests/bot/test_kpi.py)", table, KNOWN_MONTH)
            engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
