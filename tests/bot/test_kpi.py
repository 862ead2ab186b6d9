"""The KPIs on the known-answer fixture (bench/kpi.py known_fixture: twelve tickets, listed in its docstring), on
SQLite and PostgreSQL. Every figure below is worked out by hand from that list; today is 2026-12-10 (Beijing).

November 2026, whole county, by cohort:
- filed in November (Beijing month of receipt): T1 T2 T3 T4 T5 T6 T8 T9 T11 T12 = 10 (T6 came 2026-10-31 17:00 UTC,
  November in Beijing; T7 at 15:00 UTC is 10-31 23:00 Beijing, October; T10 is September).
  returned: T6 = 1; returned or re-routed elsewhere: T6 (T11's re-route kept its department) = 1; repeat: T9 = 1.
- acceptance decided in November, or still waiting with accept_by in November and passed:
  T1 (11-05 ≤ 11-07) T2 (11-20 > 11-18, late) T3 T4 (declined 11-07) T5 T6 (11-04 ≤ 11-18, the re-route's date)
  T7 (11-01 ≤ 11-15) T8 (waiting, accept_by 11-25 passed: late) T9 T11 (11-22 ≤ 12-06) T12 (resolved 11-14 without
  acceptance ≤ 11-27) = 11, on time 9.
- answer due: answered in November T1 T2 T3 T4 T5 T6 T12 = 7, all before their answer_by, plus T10 (open,
  answer_by 11-01 passed) = 8; on time 7.
  replied (not declined): T1 T2 T3 T5 T6 T12 = 6; rated T1 T2 T3 = 3; 满意 + 基本满意: T1 T2 = 2.
  handling days: T1 10, T2 20, T3 20, T4 2, T5 24, T6 28 (11-01 01:00 → 11-29 01:00), T12 2; sum 106.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bench.kpi import KNOWN_MONTH, KNOWN_TODAY, known_fixture
from bot import kpi
from bot.models import Ticket

NOVEMBER = KNOWN_MONTH


@pytest.fixture
def known(session):
    tickets = known_fixture(session)
    session.commit()
    return tickets


def november(session, by: str) -> kpi.Table:
    return kpi.compute(session, by, NOVEMBER, NOVEMBER, KNOWN_TODAY)


def test_the_fixture_is_what_its_docstring_says(session, known):
    # the life cycles went through bot/tickets.py as listed: the statuses and the two links the figures rest on
    statuses = {name: t.status for name, t in known.items()}
    assert statuses == {
        "T1": "resolved", "T2": "resolved", "T3": "resolved", "T4": "declined", "T5": "resolved", "T6": "resolved",
        "T7": "accepted", "T8": "registered", "T9": "accepted", "T10": "accepted", "T11": "accepted",
        "T12": "resolved",
    }  # fmt: skip
    assert known["T9"].repeat_of_id == known["T1"].id and "repeat" in known["T9"].flags
    assert known["T6"].department_code == "county.natural_resources"
    assert session.scalar(select(Ticket.accept_by).where(Ticket.id == known["T1"].id)) == date(2026, 11, 7)


def test_county_figures_for_november(session, known):
    figures = november(session, "department").totals[NOVEMBER]
    assert figures.values == {
        "accept_on_time": 0.8182,  # 9 / 11
        "answer_on_time": 0.875,  # 7 / 8 (T10 open past its answer date)
        "resolution": 0.8571,  # 6 / 7 (T4 declined)
        "satisfaction": 0.6667,  # 2 / 3
        "callback": 0.5,  # 3 rated / 6 replied
        "return_rate": 0.1,  # 1 / 10
        "first_dispatch": 0.9,  # (10 - 1) / 10
        "repeat_rate": 0.1,  # 1 / 10
        "avg_days": 15.14,  # 106 / 7 = 15.142…
        # sorted 2 2 10 20 20 24 28: position 0.9 × 6 = 5.4 → 24 + 0.4 × (28 − 24) = 25.6
        "p90_days": 25.6,
    }
    assert figures.counts["filed"] == 10 and figures.counts["accept_due"] == 11 and figures.counts["answer_due"] == 8


def test_by_department_current_department_and_first_dispatch(session, known):
    table = november(session, "department")
    hrss = table.groups[("county.hrss", NOVEMBER)].values
    # current department 人社局: T1 T2 T3 T4 T5 T9 (T10's acceptance was September)
    assert hrss["accept_on_time"] == 0.8333  # 5 / 6, T2 late
    assert hrss["answer_on_time"] == 0.8333  # T1 T2 T3 T4 T5 on time, T10 late: 5 / 6
    assert hrss["resolution"] == 0.8  # 4 replied (T1 T2 T3 T5) / 5 answered
    assert hrss["callback"] == 0.75  # 3 / 4
    assert hrss["satisfaction"] == 0.6667  # 2 / 3
    assert hrss["avg_days"] == 15.2  # (10 + 20 + 20 + 2 + 24) / 5
    assert hrss["p90_days"] == 22.4  # sorted 2 10 20 20 24: position 3.6 → 20 + 0.6 × 4
    assert hrss["repeat_rate"] == 0.1667  # T9 / six filed (T1 T2 T3 T4 T5 T9)
    # T6 counts where it was first sent (戛洒镇, with T11) for dispatch, and at 自然资源局 for its handling
    gasa = table.groups[("gasa.government", NOVEMBER)]
    assert gasa.counts["filed"] == 2  # T6 T11
    assert gasa.values["return_rate"] == 0.5 and gasa.values["first_dispatch"] == 0.5  # T6 of 2
    assert gasa.values["accept_on_time"] == 1.0  # T7 and T11 accepted in time
    nr = table.groups[("county.natural_resources", NOVEMBER)]
    assert nr.counts["filed"] == 0 and nr.values["return_rate"] is None  # nothing first sent there
    assert nr.values["avg_days"] == 28.0 and nr.values["p90_days"] == 28.0  # T6 alone
    assert nr.values["callback"] == 0.0  # T6 replied, not rated: 0 / 1, a real zero


def test_empty_denominators_are_none_not_zero(session, known):
    table = november(session, "department")
    gasa = table.groups[("gasa.government", NOVEMBER)].values
    # 戛洒镇 answered nothing in November and has nothing late: no figure for the answer's KPIs
    for code in ("answer_on_time", "resolution", "satisfaction", "callback", "avg_days", "p90_days"):
        assert gasa[code] is None, code
    health = table.groups[("county.health", NOVEMBER)].values
    assert health["satisfaction"] is None  # T12 replied, nobody rated it: 0 / 0
    assert health["accept_on_time"] == 0.5  # T12 in time, T8 still waiting past 11-25
    december = kpi.compute(session, "department", "2026-12", "2026-12", KNOWN_TODAY).totals["2026-12"]
    assert set(december.values.values()) == {None}  # nothing happened in December yet


def test_beijing_month_boundaries(session, known):
    table = kpi.compute(session, "category", "2026-09", NOVEMBER, KNOWN_TODAY)
    # T7, 2026-10-31 15:00 UTC = 23:00 Beijing: October; T6, 17:00 UTC = 11-01 01:00 Beijing: November
    assert table.totals["2026-10"].counts["filed"] == 1
    assert table.groups[("land", "2026-10")].counts["filed"] == 1
    assert table.groups[("land", NOVEMBER)].counts["filed"] == 2  # T6 T11
    # T10: filed and accepted in September (accept on time: 1 / 1), late for its answer in November
    assert table.groups[("labour", "2026-09")].values["accept_on_time"] == 1.0
    assert table.months == ["2026-09", "2026-10", NOVEMBER]


def test_grouping_by_township_category_and_matter(session, known):
    town = november(session, "township").groups
    assert town[("gasa", NOVEMBER)].counts["filed"] == 2  # T6 T11
    assert town[("", NOVEMBER)].counts["filed"] == 8  # the ten less those two, no township given
    # 戛洒镇 answered: T6 alone (28 days), so its p90 is that
    assert town[("gasa", NOVEMBER)].values["p90_days"] == 28.0
    category = november(session, "category").groups
    assert category[("labour", NOVEMBER)].counts["filed"] == 6  # T1 T2 T3 T4 T5 T9
    assert category[("medical", NOVEMBER)].values["accept_on_time"] == 0.5  # T12 yes, T8 no
    assert category[("land", NOVEMBER)].values["first_dispatch"] == 0.5  # T6 of T6 T11
    matter = november(session, "matter").groups
    assert matter[("labour.wage_arrears_migrant", NOVEMBER)].values["satisfaction"] == 1.0  # T1: 满意, 1 / 1
    assert matter[("", NOVEMBER)].counts["filed"] == 9  # all but T1


def test_month_report_ranks_and_names(session, known):
    report = kpi.month_report(session, NOVEMBER, "department", KNOWN_TODAY)
    assert report["months"] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", NOVEMBER]
    rows = {r["code"]: r for r in report["rows"]}
    assert rows["county.hrss"]["name"] == "新平县人力资源和社会保障局"
    # accept_on_time: 戛洒镇 1.0 and 自然资源局 1.0 share rank 1, 人社局 0.8333 is 3rd, 卫健局 0.5 4th
    assert [rows[c]["ranks"]["accept_on_time"] for c in ("gasa.government", "county.natural_resources")] == [1, 1]
    assert rows["county.hrss"]["ranks"]["accept_on_time"] == 3 and rows["county.health"]["ranks"]["accept_on_time"] == 4
    # lower is better for handling days: 卫健局 2 days, 人社局 15.2, 自然资源局 28; 戛洒镇 has none (no rank)
    assert [rows[c]["ranks"]["avg_days"] for c in ("county.health", "county.hrss", "county.natural_resources")] == [
        1,
        2,
        3,
    ]
    assert rows["gasa.government"]["ranks"]["avg_days"] is None
    assert report["total"]["values"]["accept_on_time"] == 0.8182
    # the trend: September's T10 (filed 1, accepted on time), October's T7 (filed 1), November's ten
    assert [m["counts"]["filed"] for m in report["trend"]] == [0, 0, 0, 1, 1, 10]


def test_p90_interpolates_as_percentile_cont():
    # 1..10: position 0.9 × 9 = 8.1 → 9 + 0.1 × (10 − 9) = 9.1; one value is itself; none is None
    assert kpi._percentile([float(x) for x in range(10, 0, -1)]) == pytest.approx(9.1)
    assert kpi._percentile([3.0]) == 3.0 and kpi._percentile([]) is None


def test_months_and_bad_input():
    assert kpi.months_up_to("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]
    assert str(kpi.month_start_utc("2026-11")) == "2026-10-31 16:00:00"  # Beijing midnight
    with pytest.raises(ValueError, match="月份格式"):
        kpi.parse_month("2026-13")
    with pytest.raises(ValueError, match="统计维度"):
        kpi.compute(None, "village", "2026-11", "2026-11", date(2026, 12, 1))


def test_every_kpi_is_defined_in_both_languages_with_known_counts():
    for k in kpi.DEFINITIONS:
        assert k.numerator in kpi.COUNTS and k.denominator in kpi.COUNTS, k.code
        assert k.definition and k.definition_en and k.name, k.code
    assert len(kpi.KPIS) == 10  # the ten figures of the issue
