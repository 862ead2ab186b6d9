"""The KPIs of petition handling (考核指标), each defined once here: its numerator, denominator, the tickets it reads
and the month a ticket counts in. The supervisor page, the monthly report (XLSX, CSV), the definitions page
(/kpi/definitions) and bench/kpi.py all read DEFINITIONS and compute().

Months and days are Beijing ones (bot.clock): a ticket received at 2026-10-31 17:00 UTC is a November ticket. The
counts are made by SQL (SQLAlchemy Core; SQLite and PostgreSQL, the Beijing date written as bot/aggregates.py does),
one query per cohort of tickets (filed, acceptance decided, answer due), grouped by the chosen dimension and month.
Every ratio is a quotient of two such counts; a ratio whose denominator is 0 is None (shown as "—"), never 0.

p90 handling time: PostgreSQL computes it (percentile_cont); SQLite has no percentile, so there the durations are
selected by SQL and the same interpolation (percentile_cont's) is done in Python (_percentile).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, String, and_, case, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from bot.clock import CHINA
from bot.jurisdiction import load_jurisdiction
from bot.matters import load_catalogue
from bot.models import Department, Ticket, TicketEvent
from bot.vocabulary import ANSWERED_STATUSES, REVIEW_STATUSES, EventAction, Flag, Rating, TicketStatus
from classifier.categories import category_name

# ---------------------------------------------------------------- the definitions (one source of truth)


@dataclass(frozen=True)
class Kpi:
    code: str
    name: str
    unit: str  # "ratio" (0–1, shown as a percentage) or "days"
    higher_is_better: bool  # the ranking's direction
    numerator: str  # a code of COUNTS (p90: the durations it is taken from)
    denominator: str  # a code of COUNTS
    definition: str  # Chinese, shown to staff
    definition_en: str


# what the SQL counts per group and month; the definitions below are quotients of these
COUNTS = {
    "filed": "登记件数",
    "returned": "被退回件数",
    "misrouted": "被退回或改派件数",
    "repeat": "重复信访件数",
    "accept_due": "应受理件数",
    "accepted_on_time": "按期受理件数",
    "answer_due": "应办结件数",
    "answered": "办结件数（含不予受理）",
    "answered_on_time": "按期办结件数",
    "resolved": "答复办结件数",
    "rated": "已回访件数",
    "satisfied": "满意及基本满意件数",
    "handling_days": "办理天数合计",
}

_MONTH_FILED = "按登记（收到）时间的北京时间月份计。"
_DEPT_FIRST = "按部门统计时计入首次派单的部门。"
_DEPT_NOW = "按部门统计时计入工单当前的承办部门。"

DEFINITIONS: tuple[Kpi, ...] = (
    Kpi(
        "accept_on_time",
        "受理及时率",
        "ratio",
        True,
        "accepted_on_time",
        "accept_due",
        "按期受理件数 ÷ 应受理件数。应受理件数：当月作出受理决定（受理、不予受理，或未经受理直接办结）的工单，加上"
        "受理期限在当月、期限已过仍待受理的工单；按期受理：作出决定的北京时间日期不晚于受理期限。作出决定的按决定"
        "所在月份计，仍待受理的按受理期限所在月份计（计为未按期）；已退回、待重新分派的工单不计。" + _DEPT_NOW,
        "Tickets whose acceptance decision (accepted, declined, or resolved without a separate acceptance) fell on "
        "or before accept_by (Beijing date) / tickets decided in the month plus tickets still waiting for acceptance "
        "whose accept_by fell in the month and has passed (counted late). Month: of the decision, else of accept_by. "
        "Returned tickets waiting to be re-routed are left out. Department: the ticket's current one.",
    ),
    Kpi(
        "answer_on_time",
        "按期办结率",
        "ratio",
        True,
        "answered_on_time",
        "answer_due",
        "按期办结件数 ÷ 应办结件数。应办结件数：当月办结（答复或不予受理）的工单，加上答复期限（含延期后的期限）在"
        "当月、期限已过仍未办结的工单；按期办结：办结的北京时间日期不晚于答复期限。办结的按办结月份计，未办结的按答复"
        "期限所在月份计（计为未按期）。" + _DEPT_NOW,
        "Tickets answered (resolved or declined) on or before answer_by, as extended (Beijing date) / tickets answered "
        "in the month plus open tickets whose answer_by fell in the month and has passed (counted late). Month: of the "
        "answer, else of answer_by. Department: the ticket's current one.",
    ),
    Kpi(
        "resolution",
        "解决率",
        "ratio",
        True,
        "resolved",
        "answered",
        "答复办结件数 ÷ 办结件数。办结件数：当月办结的工单（答复办结与不予受理，含其后申请复查复核的）；答复办结：其中"
        "作出答复而非不予受理的。按办结月份计。" + _DEPT_NOW,
        "Tickets answered with a reply / tickets answered (reply or declined, including those under review since), "
        "by the month of the answer. Department: the ticket's current one.",
    ),
    Kpi(
        "satisfaction",
        "满意率",
        "ratio",
        True,
        "satisfied",
        "rated",
        "（满意 + 基本满意）件数 ÷ 已回访件数。已回访：当月答复办结、已有满意度评价的工单（以最近一次评价为准）；"
        "按办结月份计，评价在其后录入的，计入原办结月份。" + _DEPT_NOW,
        "(Satisfied + basically satisfied) / rated, among the tickets answered with a reply in the month (the latest "
        "rating counts); a rating given later counts in the month of the answer. Department: the ticket's current one.",
    ),
    Kpi(
        "callback",
        "回访率",
        "ratio",
        True,
        "rated",
        "resolved",
        "已回访件数 ÷ 答复办结件数：当月答复办结的工单中已有满意度评价（群众自评或话务员回访录入）的比例；按办结"
        "月份计（不予受理的不回访，不计）。" + _DEPT_NOW,
        "Rated / answered with a reply, among the tickets answered in the month (declined ones are not asked, and "
        "left out). Department: the ticket's current one.",
    ),
    Kpi(
        "return_rate",
        "退单率",
        "ratio",
        False,
        "returned",
        "filed",
        "被退回件数 ÷ 登记件数：当月登记的工单中被承办部门退回过（至少一次）的比例。" + _MONTH_FILED + _DEPT_FIRST,
        "Tickets returned by a department at least once / tickets filed, by the month of filing. Department: the one "
        "the ticket was first dispatched to.",
    ),
    Kpi(
        "first_dispatch",
        "一次派单准确率",
        "ratio",
        True,
        "misrouted",
        "filed",
        "（登记件数 − 被退回或改派件数）÷ 登记件数：当月登记的工单中从未被退回、也未被改派到其他部门的比例（话务员"
        "复核后派回原部门、超期提级不算改派）。" + _MONTH_FILED + _DEPT_FIRST,
        "(Filed − returned or re-routed) / filed: tickets never returned and never re-routed to another department "
        "(an operator's re-route to the same department and an overdue escalation do not count), by the month of "
        "filing. Department: the one the ticket was first dispatched to.",
    ),
    Kpi(
        "repeat_rate",
        "重复信访率",
        "ratio",
        False,
        "repeat",
        "filed",
        "重复信访件数 ÷ 登记件数：当月登记的工单中标记为“重复”或关联了此前工单的比例。" + _MONTH_FILED + _DEPT_FIRST,
        "Tickets flagged repeat or linked to an earlier ticket (repeat_of) / tickets filed, by the month of filing. "
        "Department: the one the ticket was first dispatched to.",
    ),
    Kpi(
        "avg_days",
        "平均办理时长（天）",
        "days",
        False,
        "handling_days",
        "answered",
        "当月办结工单从登记到办结（答复或不予受理）的天数（按实际时间计，含小数）的平均值。" + _DEPT_NOW,
        "Mean of (answered_at − received_at) in days, fractional, over the tickets answered (reply or declined) in "
        "the month. Department: the ticket's current one.",
    ),
    Kpi(
        "p90_days",
        "90%办理时长（天）",
        "days",
        False,
        "handling_days",
        "answered",
        "当月办结工单办理天数的第90百分位数（线性插值，即 PostgreSQL 的 percentile_cont(0.9)）：九成工单在此天数内"
        "办结。" + _DEPT_NOW,
        "The 90th percentile (linear interpolation, PostgreSQL's percentile_cont(0.9)) of the handling days of the "
        "tickets answered in the month. Department: the ticket's current one.",
    ),
)
KPIS = {k.code: k for k in DEFINITIONS}

DIMENSIONS = {"department": "承办部门", "township": "乡镇（街道）", "category": "类别", "matter": "事项"}
TOTAL_NAME = "全县合计"
NO_KEY_NAME = {"township": "未注明乡镇", "matter": "未归入事项"}
RATIO_DIGITS, DAYS_DIGITS = 4, 2  # the figures are rounded here once: page, XLSX and CSV show the same ones

# ---------------------------------------------------------------- months (Beijing)

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def parse_month(text: str) -> tuple[int, int]:
    """'2026-11' -> (2026, 11); ValueError in Chinese otherwise."""
    m = MONTH.fullmatch((text or "").strip())
    if not m:
        raise ValueError("月份格式应为 YYYY-MM，例如 2026-11")
    return int(m.group(1)), int(m.group(2))


def month_of(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def months_up_to(last: str, n: int) -> list[str]:
    """The n months ending with `last`, oldest first."""
    y, m = parse_month(last)
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def month_start_utc(month: str) -> datetime:
    """The first instant of a Beijing month, as the naive UTC the database stores (the day before, 16:00)."""
    y, m = parse_month(month)
    return datetime(y, m, 1) - CHINA.utcoffset(None)


def next_month(month: str) -> str:
    y, m = parse_month(month)
    return f"{y + 1:04d}-01" if m == 12 else f"{y:04d}-{m + 1:02d}"


# ---------------------------------------------------------------- SQL for Beijing dates, both databases


class _ChinaDate(FunctionElement):
    """The Beijing date of a stored (naive UTC) timestamp."""

    type = Date()
    inherit_cache = True
    name = "china_date"


class _ChinaMonth(FunctionElement):
    """'YYYY-MM' of the Beijing date of a stored timestamp."""

    type = String()
    inherit_cache = True
    name = "china_month"


class _DateMonth(FunctionElement):
    """'YYYY-MM' of a date column (deadlines are Beijing dates already)."""

    type = String()
    inherit_cache = True
    name = "date_month"


class _DaysBetween(FunctionElement):
    """(later − earlier) in days, with the fraction."""

    type = Float()
    inherit_cache = True
    name = "days_between"


def _args(element, compiler, **kw) -> list[str]:
    return [compiler.process(a, **kw) for a in element.clauses]


# SQLite: as bot/aggregates.py's triggers, date(x, '+8 hours'); the default for any other dialect
@compiles(_ChinaDate)
def _china_date_sqlite(element, compiler, **kw):
    return "date({}, '+8 hours')".format(*_args(element, compiler, **kw))


@compiles(_ChinaDate, "postgresql")
def _china_date_pg(element, compiler, **kw):
    return "CAST(({} + interval '8 hours') AS date)".format(*_args(element, compiler, **kw))


@compiles(_ChinaMonth)
def _china_month_sqlite(element, compiler, **kw):
    return "strftime('%Y-%m', {}, '+8 hours')".format(*_args(element, compiler, **kw))


@compiles(_ChinaMonth, "postgresql")
def _china_month_pg(element, compiler, **kw):
    return "to_char(({} + interval '8 hours'), 'YYYY-MM')".format(*_args(element, compiler, **kw))


@compiles(_DateMonth)
def _date_month_sqlite(element, compiler, **kw):
    return "strftime('%Y-%m', {})".format(*_args(element, compiler, **kw))


@compiles(_DateMonth, "postgresql")
def _date_month_pg(element, compiler, **kw):
    return "to_char({}, 'YYYY-MM')".format(*_args(element, compiler, **kw))


@compiles(_DaysBetween)
def _days_sqlite(element, compiler, **kw):
    return "(julianday({}) - julianday({}))".format(*_args(element, compiler, **kw))


@compiles(_DaysBetween, "postgresql")
def _days_pg(element, compiler, **kw):
    return "(EXTRACT(EPOCH FROM ({} - {})) / 86400.0)".format(*_args(element, compiler, **kw))


# ---------------------------------------------------------------- the counts


def _dimension(by: str):
    if by not in DIMENSIONS:
        raise ValueError("统计维度只能是：" + "、".join(f"{k}（{v}）" for k, v in DIMENSIONS.items()))
    return {
        "department": Ticket.department_code,
        "township": func.coalesce(Ticket.township, ""),
        "category": Ticket.category,
        "matter": func.coalesce(Ticket.matter, ""),
    }[by]


def _flag(condition) -> Any:
    return case((condition, 1), else_=0)


def _filed_counts(s: Session, by: str, first: str, last: str) -> list[tuple]:
    """filed, returned, misrouted, repeat per (key, month of filing)."""
    in_range = and_(
        Ticket.received_at >= month_start_utc(first), Ticket.received_at < month_start_utc(next_month(last))
    )
    # each event beside the department the ticket had before it: a re-route that changed it is a dispatch error
    events = (
        select(
            TicketEvent.ticket_id,
            TicketEvent.action,
            TicketEvent.department_code,
            func.lag(TicketEvent.department_code)
            .over(partition_by=TicketEvent.ticket_id, order_by=TicketEvent.id)
            .label("before"),
        )
        .where(TicketEvent.ticket_id.in_(select(Ticket.id).where(in_range)))
        .subquery()
    )
    per_ticket = (
        select(
            events.c.ticket_id,
            func.max(case((events.c.action == EventAction.FILED.value, events.c.department_code))).label("first_dept"),
            func.max(_flag(events.c.action == EventAction.RETURNED.value)).label("returned"),
            func.max(
                _flag(
                    or_(
                        events.c.action == EventAction.RETURNED.value,
                        and_(
                            events.c.action == EventAction.REROUTED.value,
                            events.c.department_code != events.c.before,
                        ),
                    )
                )
            ).label("misrouted"),
        )
        .group_by(events.c.ticket_id)
        .subquery()
    )
    key = func.coalesce(per_ticket.c.first_dept, Ticket.department_code) if by == "department" else _dimension(by)
    rows = (
        select(
            key.label("key"),
            _ChinaMonth(Ticket.received_at).label("month"),
            func.coalesce(per_ticket.c.returned, 0).label("returned"),
            func.coalesce(per_ticket.c.misrouted, 0).label("misrouted"),
            _flag(or_(Ticket.repeat_of_id.is_not(None), Ticket.flagged(Flag.REPEAT.value))).label("repeat"),
        )
        .outerjoin(per_ticket, per_ticket.c.ticket_id == Ticket.id)
        .where(in_range)
        .subquery()
    )
    return list(
        s.execute(
            select(
                rows.c.key,
                rows.c.month,
                func.count().label("filed"),
                func.sum(rows.c.returned),
                func.sum(rows.c.misrouted),
                func.sum(rows.c.repeat),
            ).group_by(rows.c.key, rows.c.month)
        )
    )


_DECIDED = [
    TicketStatus.ACCEPTED.value,
    *(s.value for s in ANSWERED_STATUSES),
    *(s.value for s in REVIEW_STATUSES),
]


def _accept_counts(s: Session, by: str, first: str, last: str, today: date) -> list[tuple]:
    """accept_due, accepted_on_time per (key, month of the decision, or of accept_by when still waiting)."""
    decided = Ticket.status.in_(_DECIDED)
    # declined: the decision is the answer; resolved with no acceptance recorded: the reply was the decision
    decision_at = case(
        (or_(Ticket.status == TicketStatus.DECLINED.value, Ticket.accepted_at.is_(None)), Ticket.answered_at),
        else_=Ticket.accepted_at,
    )
    waiting_late = and_(Ticket.status == TicketStatus.REGISTERED.value, Ticket.accept_by < today)
    month = case((decided, _ChinaMonth(decision_at)), else_=_DateMonth(Ticket.accept_by))
    rows = (
        select(
            _dimension(by).label("key"),
            month.label("month"),
            _flag(and_(decided, _ChinaDate(decision_at) <= Ticket.accept_by)).label("on_time"),
        )
        .where(or_(decided, waiting_late))
        .subquery()
    )
    return list(
        s.execute(
            select(rows.c.key, rows.c.month, func.count(), func.sum(rows.c.on_time))
            .where(rows.c.month >= first, rows.c.month <= last)
            .group_by(rows.c.key, rows.c.month)
        )
    )


def _answer_rows(by: str, today: date):
    """Per ticket answered, or open and past its answer date: key, month, and its part of each count."""
    answered = and_(
        Ticket.status.in_([*(s.value for s in ANSWERED_STATUSES), *(s.value for s in REVIEW_STATUSES)]),
        Ticket.answered_at.is_not(None),
    )
    late_open = and_(Ticket.is_open(), Ticket.answer_by < today)
    replied = and_(answered, Ticket.status != TicketStatus.DECLINED.value)
    good = [Rating.SATISFIED.value, Rating.BASICALLY_SATISFIED.value]
    return (
        select(
            _dimension(by).label("key"),
            case((answered, _ChinaMonth(Ticket.answered_at)), else_=_DateMonth(Ticket.answer_by)).label("month"),
            _flag(answered).label("answered"),
            _flag(and_(answered, _ChinaDate(Ticket.answered_at) <= Ticket.answer_by)).label("on_time"),
            _flag(replied).label("resolved"),
            _flag(and_(replied, Ticket.rating.is_not(None))).label("rated"),
            _flag(and_(replied, Ticket.rating.in_(good))).label("satisfied"),
            case((answered, _DaysBetween(Ticket.answered_at, Ticket.received_at))).label("days"),
        )
        .where(or_(answered, late_open))
        .subquery()
    )


def _answer_counts(s: Session, rows, first: str, last: str) -> list[tuple]:
    """answer_due, answered, answered_on_time, resolved, rated, satisfied, handling_days per (key, month)."""
    c = rows.c
    return list(
        s.execute(
            select(
                c.key,
                c.month,
                func.count(),
                func.sum(c.answered),
                func.sum(c.on_time),
                func.sum(c.resolved),
                func.sum(c.rated),
                func.sum(c.satisfied),
                func.sum(c.days),
            )
            .where(c.month >= first, c.month <= last)
            .group_by(c.key, c.month)
        )
    )


def _percentile(values: list[float], q: float = 0.9) -> float | None:
    """percentile_cont: linear interpolation between the two nearest ranks of the sorted values."""
    if not values:
        return None
    xs = sorted(values)
    pos = q * (len(xs) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _p90s(s: Session, rows, first: str, last: str) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
    """The p90 handling days per (key, month) and per month for the total."""
    c = rows.c
    where = and_(c.answered == 1, c.month >= first, c.month <= last)
    if s.get_bind().dialect.name == "postgresql":
        p90 = func.percentile_cont(0.9).within_group(c.days)
        grouped = select(c.key, c.month, p90).where(where).group_by(c.key, c.month)
        by_key = {(k, m): float(v) for k, m, v in s.execute(grouped)}
        total = {m: float(v) for m, v in s.execute(select(c.month, p90).where(where).group_by(c.month))}
        return by_key, total
    # SQLite has no percentile: the durations come from SQL, the interpolation is _percentile's
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    months: dict[str, list[float]] = defaultdict(list)
    for k, m, d in s.execute(select(c.key, c.month, c.days).where(where)):
        groups[(k, m)].append(float(d))
        months[m].append(float(d))
    return (
        {g: v for g, xs in groups.items() if (v := _percentile(xs)) is not None},
        {m: v for m, xs in months.items() if (v := _percentile(xs)) is not None},
    )


# ---------------------------------------------------------------- figures


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, RATIO_DIGITS) if den else None


def values_of(counts: dict[str, float], p90: float | None) -> dict[str, float | None]:
    """Each KPI's figure from the counts (rounded once, here)."""
    out: dict[str, float | None] = {}
    for k in DEFINITIONS:
        num, den = counts.get(k.numerator, 0), counts.get(k.denominator, 0)
        if k.code == "p90_days":
            out[k.code] = round(p90, DAYS_DIGITS) if p90 is not None and den else None
        elif k.code == "first_dispatch":
            out[k.code] = _ratio(den - num, den)
        elif k.unit == "days":
            out[k.code] = round(num / den, DAYS_DIGITS) if den else None
        else:
            out[k.code] = _ratio(num, den)
    return out


@dataclass
class Figures:
    counts: dict[str, float] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    p90: float | None = None

    @property
    def values(self) -> dict[str, float | None]:
        return values_of(self.counts, self.p90)


@dataclass
class Table:
    """Figures per (key, month) and per month for the whole county, for months first..last."""

    by: str
    months: list[str]
    groups: dict[tuple[str, str], Figures]
    totals: dict[str, Figures]

    def keys(self) -> list[str]:
        return sorted({k for k, _ in self.groups})


def compute(s: Session, by: str, first: str, last: str, today: date) -> Table:
    """Every KPI by `by` (department, township, category, matter) and Beijing month, first..last ('YYYY-MM');
    `today` (Beijing) decides which waiting tickets are already late."""
    _dimension(by)
    months = months_up_to(last, 1 + _months_between(first, last))
    groups: dict[tuple[str, str], Figures] = defaultdict(Figures)

    def add(key: str, month: str, names: tuple[str, ...], numbers: tuple) -> None:
        figures = groups[(key or "", month)]
        for name, n in zip(names, numbers, strict=True):
            figures.counts[name] += float(n or 0) if name == "handling_days" else int(n or 0)

    for key, month, *n in _filed_counts(s, by, first, last):
        add(key, month, ("filed", "returned", "misrouted", "repeat"), tuple(n))
    for key, month, *n in _accept_counts(s, by, first, last, today):
        add(key, month, ("accept_due", "accepted_on_time"), tuple(n))
    answer_rows = _answer_rows(by, today)
    answer_names = ("answer_due", "answered", "answered_on_time", "resolved", "rated", "satisfied", "handling_days")
    for key, month, *n in _answer_counts(s, answer_rows, first, last):
        add(key, month, answer_names, tuple(n))
    p90_by_key, p90_total = _p90s(s, answer_rows, first, last)
    totals = {m: Figures() for m in months}
    for (key, month), figures in groups.items():
        figures.p90 = p90_by_key.get((key, month))
        for name, n in figures.counts.items():
            totals[month].counts[name] += n
    for month, v in p90_total.items():
        totals[month].p90 = v
    return Table(by, months, dict(groups), totals)


def _months_between(first: str, last: str) -> int:
    (y0, m0), (y1, m1) = parse_month(first), parse_month(last)
    n = (y1 - y0) * 12 + (m1 - m0)
    if n < 0:
        raise ValueError("起始月份不能晚于结束月份")
    return n


# ---------------------------------------------------------------- names and the month's report


def names_of(s: Session, by: str, keys: list[str]) -> dict[str, str]:
    """Display names of the keys (codes are what is stored; names are today's)."""
    if by == "department":
        found = dict(s.execute(select(Department.code, Department.name).where(Department.code.in_(keys))).all())
        return {k: found.get(k, k) for k in keys}
    if by == "township":
        j = load_jurisdiction()
        return {k: (j.township_name(k) or k) if k else NO_KEY_NAME["township"] for k in keys}
    if by == "category":
        return {k: category_name(k) for k in keys}
    matters = load_catalogue().matters
    return {k: (matters[k].name if k in matters else k) if k else NO_KEY_NAME["matter"] for k in keys}


def ranks(rows: list[dict]) -> None:
    """Each row's rank per KPI among the rows with a figure (1 = best; ties share a rank), set in row['ranks']."""
    for row in rows:
        row["ranks"] = dict.fromkeys(KPIS)
    for k in DEFINITIONS:
        scored = [r for r in rows if r["values"][k.code] is not None]
        scored.sort(key=lambda r: r["values"][k.code], reverse=k.higher_is_better)
        for i, r in enumerate(scored):
            previous = scored[i - 1] if i else None
            same = previous is not None and previous["values"][k.code] == r["values"][k.code]
            r["ranks"][k.code] = previous["ranks"][k.code] if same else i + 1


def definitions_json() -> list[dict]:
    return [
        {
            "code": k.code,
            "name": k.name,
            "unit": k.unit,
            "higher_is_better": k.higher_is_better,
            "numerator": COUNTS[k.numerator],
            "denominator": COUNTS[k.denominator],
            "definition": k.definition,
            "definition_en": k.definition_en,
        }
        for k in DEFINITIONS
    ]


TREND_MONTHS = 6


def month_report(s: Session, month: str, by: str, today: date, trend_months: int = TREND_MONTHS) -> dict:
    """The month's figures per group with their ranks, the county's total, and the county's trend over the
    `trend_months` months up to `month`: what the page shows and the report files write."""
    months = months_up_to(month, trend_months)
    table = compute(s, by, months[0], month, today)
    keys = sorted({k for k, m in table.groups if m == month})
    names = names_of(s, by, keys)
    rows = [{"code": k, "name": names[k], **_figures_json(table.groups[(k, month)])} for k in keys]
    rows.sort(key=lambda r: (-r["counts"]["filed"], -r["counts"]["answer_due"], r["code"]))
    ranks(rows)
    total = table.totals[month]
    return {
        "month": month,
        "by": by,
        "by_name": DIMENSIONS[by],
        "months": months,
        "kpis": definitions_json(),
        "rows": rows,
        "total": {"code": "", "name": TOTAL_NAME, **_figures_json(total)},
        "trend": [{"month": m, **_figures_json(table.totals[m])} for m in months],
    }


def _figures_json(f: Figures) -> dict:
    return {"counts": {k: round(v, DAYS_DIGITS) for k, v in f.counts.items()}, "values": f.values}


def display(kpi: Kpi, value: float | None) -> str:
    """A figure as staff read it: 83.33%, 12.50, or — for none."""
    if value is None:
        return "—"
    return f"{value * 100:.2f}%" if kpi.unit == "ratio" else f"{value:.{DAYS_DIGITS}f}"
