"""The KPIs on the supervisor's page and in the month's report files, on the known-answer fixture (bench/kpi.py;
its November figures are worked out by hand in tests/bot/test_kpi.py): the JSON, the XLSX and the CSV carry the
same figures, the trend chart has no script, and only supervisors see any of it."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from bench.kpi import KNOWN_MONTH, KNOWN_TODAY, known_fixture
from bot import kpi
from bot.db import sessionmaker_for


@pytest.fixture
def known(engine, monkeypatch):
    with sessionmaker_for(engine)() as s:
        known_fixture(s)
        s.commit()
    # the figures depend on which waiting tickets are late: the fixture's today, not the machine's
    monkeypatch.setattr("bot.web.routes.supervisor.china_today", lambda: KNOWN_TODAY)


def figures(client, headers, by: str = "department") -> dict:
    r = client.get(f"/api/supervisor/kpi?month={KNOWN_MONTH}&by={by}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_kpi_api_gives_the_months_figures_ranks_and_trend(client, login, known):
    r = figures(client, login("sup"))
    assert r["month"] == KNOWN_MONTH and r["by"] == "department" and r["by_name"] == "承办部门"
    assert r["months"] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    assert r["total"]["values"]["accept_on_time"] == 0.8182  # 9 / 11, see tests/bot/test_kpi.py
    assert r["total"]["values"]["p90_days"] == 25.6
    rows = {row["code"]: row for row in r["rows"]}
    # 人社局: T1 T2 T3 T4 T5 T9 filed (6), T1 T2 T3 T4 T5 answered (5); first in the table by tickets filed
    assert r["rows"][0]["code"] == "county.hrss" and rows["county.hrss"]["counts"]["filed"] == 6
    assert (
        rows["county.hrss"]["values"]["accept_on_time"] == 0.8333
        and rows["county.hrss"]["ranks"]["accept_on_time"] == 3
    )
    assert rows["gasa.government"]["values"]["avg_days"] is None  # JSON null, "—" on screen
    assert [k["code"] for k in r["kpis"]] == [k.code for k in kpi.DEFINITIONS]
    assert r["kpis"][0]["name"] == "受理及时率" and r["kpis"][0]["definition"].startswith("按期受理件数")
    # the trend: filed 1 in September (T10), 1 in October (T7), 10 in November
    assert [p["counts"]["filed"] for p in r["trend"]] == [0, 0, 0, 1, 1, 10]
    township = figures(client, login("sup"), "township")
    assert {row["name"] for row in township["rows"]} == {"戛洒镇", "未注明乡镇"}


def test_kpi_api_checks_its_input(client, login, known):
    sup = login("sup")
    r = client.get("/api/supervisor/kpi?month=2026-13", headers=sup)
    assert r.status_code == 422 and "月份格式" in r.json()["detail"]
    r = client.get("/api/supervisor/kpi?month=2026-11&by=village", headers=sup)
    assert r.status_code == 422 and "统计维度" in r.json()["detail"]
    r = client.get("/api/supervisor/kpi/trend.svg?kpi=nothing", headers=sup)
    assert r.status_code == 422
    r = client.get("/api/supervisor/kpi", headers=sup)  # no month: this Beijing month (the fixture's today)
    assert r.status_code == 200 and r.json()["month"] == "2026-12"


@pytest.mark.parametrize(
    "path",
    [
        "/api/supervisor/kpi?month=2026-11",
        "/api/supervisor/kpi/trend.svg?kpi=satisfaction&month=2026-11",
        "/api/supervisor/report.xlsx?month=2026-11",
        "/api/supervisor/report.csv?month=2026-11",
    ],
)
def test_only_supervisors_get_the_kpis(client, login, path):
    assert client.get(path).status_code == 401
    assert client.get(path, headers=login("hrss")).status_code == 403
    assert client.get(path, headers=login("op")).status_code == 403
    assert client.get(path, headers=login("sup")).status_code == 200


def _number(text: str):
    """A CSV cell back as the JSON's number: 83.33% -> 0.8333, 15.14 -> 15.14, — -> None."""
    if text == "—":
        return None
    return round(float(text[:-1]) / 100, 4) if text.endswith("%") else float(text)


def test_xlsx_and_csv_carry_the_same_figures_as_the_page(client, login, known):
    sup = login("sup")
    pages = {by: figures(client, sup, by) for by in kpi.DIMENSIONS}
    r = client.get(f"/api/supervisor/report.xlsx?month={KNOWN_MONTH}", headers=sup)
    assert r.status_code == 200 and 'filename="kpi-2026-11.xlsx"' in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["按承办部门", "按乡镇（街道）", "按类别", "按事项", "近6个月趋势", "指标定义"]
    codes = [k.code for k in kpi.DEFINITIONS]
    for by, page in pages.items():
        ws = wb[f"按{kpi.DIMENSIONS[by]}"]
        rows = list(ws.iter_rows(min_row=3, values_only=True))
        expected = [page["total"], *page["rows"]]
        assert [row[1] for row in rows] == [line["name"] for line in expected]
        for row, line in zip(rows, expected, strict=True):
            assert row[2:4] == (line["counts"]["filed"], line["counts"]["answered"])
            assert [None if v == "—" else v for v in row[4:]] == [line["values"][c] for c in codes], line["name"]
    trend = wb["近6个月趋势"]
    assert [row[0] for row in trend.iter_rows(min_row=2, values_only=True)] == pages["department"]["months"]
    november = next(trend.iter_rows(min_row=7, max_row=7, values_only=True))
    assert list(november[1:]) == [pages["department"]["total"]["values"][c] for c in codes]
    assert len(trend._charts) == 2  # ratios and handling days
    definitions = list(wb["指标定义"].iter_rows(min_row=2, values_only=True))
    assert [d[0] for d in definitions] == [k.name for k in kpi.DEFINITIONS]

    r = client.get(f"/api/supervisor/report.csv?month={KNOWN_MONTH}", headers=sup)
    assert r.headers["content-type"].startswith("text/csv") and r.content.startswith(b"\xef\xbb\xbf")  # the BOM
    lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert lines[0] == ["2026-11 信访工作考核指标（按承办部门）"]
    page = pages["department"]
    table = lines[2 : 3 + len(page["rows"])]
    for row, line in zip(table, [page["total"], *page["rows"]], strict=True):
        assert row[1] == line["name"] and [int(row[2]), int(row[3])] == [
            line["counts"]["filed"],
            line["counts"]["answered"],
        ]
        assert [_number(v) for v in row[4:]] == [line["values"][c] for c in codes], line["name"]
    assert table[0][4] == "81.82%"  # 受理及时率 of the county, 9 / 11
    assert lines[3 + len(page["rows"])] == [] and lines[4 + len(page["rows"])] == ["指标定义"]
    assert len(lines[6 + len(page["rows"]) :]) == len(kpi.DEFINITIONS)


def test_trend_chart_is_an_svg_without_any_script(client, login, known):
    r = client.get(f"/api/supervisor/kpi/trend.svg?kpi=accept_on_time&month={KNOWN_MONTH}", headers=login("sup"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    svg = r.text
    assert svg.startswith("<svg") and "<script" not in svg.lower()
    # the only URL is the SVG namespace: no CDN script, no link to pygal's site
    assert set(re.findall(r"https?://[^\"'\s<>]+", svg)) == {"http://www.w3.org/2000/svg"}
    assert "受理及时率" in svg and "81.8" in svg  # November's 81.82%, printed on the line
    assert "script-src" not in r.headers["content-security-policy"]  # default-src 'none': no script at all
    assert r.headers["content-security-policy"].startswith("default-src 'none'")


def test_definitions_page_lists_every_kpi_from_the_module(client, login, staff):
    page = client.get("/kpi/definitions", headers=login("sup"))
    assert page.status_code == 200
    for k in kpi.DEFINITIONS:
        assert k.name in page.text and k.definition in page.text and k.definition_en.replace("'", "&#39;") in page.text
    assert client.get("/kpi/definitions", headers=login("hrss")).status_code == 403


def test_supervisor_page_has_the_kpi_section(client, login, staff):
    page = client.get("/supervisor", headers=login("sup")).text
    assert 'id="kpi-month"' in page and 'href="/kpi/definitions"' in page and "下载月报 XLSX" in page
    assert '<option value="matter">事项</option>' in page
