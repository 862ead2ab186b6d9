"""The month's KPI report as files and charts: XLSX (openpyxl, a sheet per dimension, the six-month trend with a
chart, the definitions), CSV (the department table, UTF-8 with BOM for Excel) and the trend as an SVG (pygal,
server-rendered, no script). All write the figures of bot.kpi.month_report as they are: the page, the XLSX and the
CSV show the same numbers."""

from __future__ import annotations

import csv
import io
from xml.etree import ElementTree

import pygal
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from pygal.style import Style

from bot import kpi

NONE = "—"  # a figure whose denominator is 0
FORMATS = {"ratio": "0.00%", "days": "0.00"}
VOLUME_COLUMNS = (("filed", "登记件数"), ("answered", "办结件数"))


def header(report: dict) -> list[str]:
    return ["编码", report["by_name"], *(name for _, name in VOLUME_COLUMNS), *(k.name for k in kpi.DEFINITIONS)]


def _lines(report: dict) -> list[dict]:
    """The county's total first, then the groups in the report's order."""
    return [report["total"], *report["rows"]]


def table_rows(report: dict) -> list[list]:
    """The month's table as cells: numbers as numbers, a missing figure as —."""
    out = []
    for line in _lines(report):
        values = line["values"]
        figures = [NONE if values[k.code] is None else values[k.code] for k in kpi.DEFINITIONS]
        out.append([line["code"], line["name"], *(int(line["counts"][c]) for c, _ in VOLUME_COLUMNS), *figures])
    return out


def definition_rows() -> list[list[str]]:
    return [
        [k.name, kpi.COUNTS[k.numerator], kpi.COUNTS[k.denominator], k.definition, k.definition_en]
        for k in kpi.DEFINITIONS
    ]


DEFINITION_HEADER = ["指标", "分子", "分母", "定义", "Definition"]

# ---------------------------------------------------------------- CSV


def report_csv(report: dict) -> bytes:
    """The department table (ratios written as 83.33%, which Excel reads as numbers), then the definitions."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([f"{report['month']} 信访工作考核指标（按{report['by_name']}）"])
    w.writerow(header(report))
    for row in table_rows(report):
        fixed = row[: 2 + len(VOLUME_COLUMNS)]
        figures = row[len(fixed) :]
        w.writerow(
            [*fixed, *(kpi.display(k, None if v == NONE else v) for k, v in zip(kpi.DEFINITIONS, figures, strict=True))]
        )
    w.writerow([])
    w.writerow(["指标定义"])
    w.writerow(DEFINITION_HEADER)
    w.writerows(definition_rows())
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel then reads UTF-8, not the local code page


# ---------------------------------------------------------------- XLSX


def _sheet_title(by_name: str) -> str:
    return f"按{by_name}"


def _write_table(ws, report: dict) -> None:
    ws.append([f"{report['month']} 信访工作考核指标（按{report['by_name']}）"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(header(report))
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    first_figure = 3 + len(VOLUME_COLUMNS)
    for row in table_rows(report):
        ws.append(row)
        for k, cell in zip(kpi.DEFINITIONS, ws[ws.max_row][first_figure - 1 :], strict=True):
            if cell.value != NONE:
                cell.number_format = FORMATS[k.unit]
            else:
                cell.alignment = Alignment(horizontal="right")
    ws.freeze_panes = "C3"
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 30
    for i in range(3, first_figure + len(kpi.DEFINITIONS)):
        ws.column_dimensions[get_column_letter(i)].width = 12


def _write_trend(ws, report: dict) -> None:
    """The county's figures per month, and two line charts: the ratios (percent) and the handling days."""
    ws.append(["月份", *(k.name for k in kpi.DEFINITIONS)])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for point in report["trend"]:
        ws.append([point["month"], *(point["values"][k.code] for k in kpi.DEFINITIONS)])  # None: an empty cell
        for k, cell in zip(kpi.DEFINITIONS, ws[ws.max_row][1:], strict=True):
            cell.number_format = FORMATS[k.unit]
    ws.column_dimensions["A"].width = 10
    last = 1 + len(report["trend"])
    months = Reference(ws, min_col=1, min_row=2, max_row=last)
    for unit, title, axis, anchor in (
        ("ratio", "近6个月比率类指标（全县）", "比率", "B10"),
        ("days", "近6个月办理时长（全县）", "天", "B28"),
    ):
        chart = LineChart()
        chart.title, chart.y_axis.title, chart.x_axis.title = title, axis, "月份"
        chart.height, chart.width = 8, 18
        for col, k in enumerate(kpi.DEFINITIONS, start=2):
            if k.unit == unit:
                chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=last), titles_from_data=True)
        chart.set_categories(months)
        if unit == "ratio":
            chart.y_axis.number_format = "0%"
        ws.add_chart(chart, anchor)


def report_xlsx(reports: list[dict]) -> bytes:
    """One sheet per report (a dimension each, the first's trend), the trend with its charts, the definitions."""
    wb = Workbook()
    wb.remove(wb.active)
    for report in reports:
        _write_table(wb.create_sheet(_sheet_title(report["by_name"])), report)
    _write_trend(wb.create_sheet("近6个月趋势"), reports[0])
    ws = wb.create_sheet("指标定义")
    ws.append(DEFINITION_HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in definition_rows():
        ws.append(row)
    for letter, width in zip("ABCDE", (18, 20, 20, 70, 70), strict=True):
        ws.column_dimensions[letter].width = width
        for cell in ws[letter][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- the trend chart (SVG)

CHART_STYLE = Style(
    font_family='"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif',
    background="white",
    plot_background="white",
    colors=("#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#d35400"),
)


def trend_svg(report: dict, code: str) -> str:
    """One KPI's six months for the county as an SVG line chart. pygal adds a script from its CDN and an inline
    config script by default: the page's CSP forbids both, so no script goes in (js=[]) and the inline one is
    taken out of the tree; the chart needs none (no tooltips)."""
    k = kpi.KPIS[code]
    ratio = k.unit == "ratio"
    chart = pygal.Line(
        js=[],
        style=CHART_STYLE,
        title=f"{k.name}：近{len(report['trend'])}个月（全县）",
        width=640,
        height=300,
        explicit_size=True,
        show_legend=False,
        disable_xml_declaration=True,
        allow_interruptions=True,
        value_formatter=(lambda v: f"{v:.1f}%") if ratio else (lambda v: f"{v:.2f}"),
        print_values=True,
        y_title="%" if ratio else "天",
        range=(0, 100) if ratio else None,
        no_data_text="暂无数据",
    )
    chart.x_labels = [p["month"] for p in report["trend"]]
    values = [p["values"][code] for p in report["trend"]]
    chart.add(kpi.TOTAL_NAME, [None if v is None else (round(v * 100, 2) if ratio else v) for v in values])
    tree = chart.render_tree()
    for parent in tree.iter():
        for child in [c for c in parent if c.tag in ("script", "{http://www.w3.org/2000/svg}script")]:
            parent.remove(child)
        for child in [c for c in parent if c.tag is ElementTree.Comment]:  # pygal's links to its own site
            parent.remove(child)
    return ElementTree.tostring(tree, encoding="unicode")
