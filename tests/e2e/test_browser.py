"""In a real browser (Playwright driving Debian's Chromium, headless) on the real stack started as `make run` starts
it: a citizen's web-chat complaint and an operator's phone complaint are answered by the department with a 办结报告;
the citizen rates the answer 不满意 with the chat's buttons and asks for 复查; the operator records the phone caller's
rating from the call-back list; the supervisor sees the KPIs change and downloads the month's XLSX; the reviewing
body decides the 复查. Screenshots of each page go to var/screenshots/ (issue 11's closing note describes them).

Chromium comes from Debian's `chromium` package (scripts/chromium.sh installs it; Playwright's own browser download
does not work offline)."""

from __future__ import annotations

import re
import shutil

import httpx
import openpyxl
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bench.dialogue import Citizen, response_patterns
from bench.stack import ROOT, StackDidNotStart, running_stack
from bot.clock import china_today
from bot.models import Ticket

SHOTS = ROOT / "var" / "screenshots"
WEB_ID = "browsertest01"  # the web chat's id in localStorage: the browser is this citizen
COMPLAINT = "我在戛洒镇南恩村鑫达建筑的工地干活，包工头欠我三个月工资一万二千元，一直拖着不给"
CHAT_ANSWERS = {
    **{"confirm": "是的", "place": "戛洒镇南恩村", "village": "南恩村", "time": "上个月"},
    **{"phone": "13812345678", "name": "王芳", "recap": "确认", "second": "不用了"},
}
PHONE_COMPLAINT = "来电人反映：扬武镇青龙厂村的石料厂拖欠二十多个工人两个月工资，老板不接电话，要求尽快发放。"
NUMBER = re.compile(r"XP\d{8}-\d{5,}")


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("没有找到 Debian 的 chromium：请运行 bash scripts/chromium.sh（.ci/run 会自动安装）")
    return path


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    try:
        with running_stack(tmp_path_factory.mktemp("browser")) as running:
            yield running
    except StackDidNotStart as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def passwords(stack) -> dict[str, str]:
    """The demo accounts `make run` wrote into the var folder: user name -> password."""
    lines = (stack.var / "demo-staff.txt").read_text(encoding="utf-8").splitlines()
    return {cells[0]: cells[1] for cells in (line.split("\t") for line in lines if not line.startswith("#"))}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), headless=True)
        yield b
        b.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"issue11-{name}.png"), full_page=True)


def staff_page(browser, stack, passwords, username: str):
    """A fresh browser context logged in through the login page."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1700}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{stack.web}/login")
    page.fill("#username", username)
    page.fill("#password", passwords[username])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/(department|operator|supervisor)"))
    return page


def department_of(stack, number: str) -> str:
    with Session(create_engine(stack.db)) as s:
        return s.scalar(select(Ticket.department_code).where(Ticket.number == number))


def kpi(stack, token: str) -> dict:
    month = china_today().strftime("%Y-%m")  # the Beijing month, as the KPIs count
    r = httpx.get(
        f"{stack.web}/api/supervisor/kpi", params={"month": month}, headers={"Authorization": f"Bearer {token}"}
    )
    r.raise_for_status()
    return r.json()["total"]["values"]


def test_the_loop_closes_in_the_browser(stack, passwords, browser):
    # the citizen's complaint in the web chat, played by the scripted citizen of the dialogue benchmark
    played = Citizen(stack.web, response_patterns()).play(
        {"opening": COMPLAINT, "answers": CHAT_ANSWERS}, f"web:{WEB_ID}"
    )
    chat_number = next((m.group(0) for line in played.transcript if (m := NUMBER.search(line))), None)
    assert chat_number, "\n".join(played.transcript)

    # the operator files a pasted phone complaint
    operator = staff_page(browser, stack, passwords, "operator")
    operator.fill("#text", PHONE_COMPLAINT)
    operator.click("#suggest-btn")
    operator.wait_for_selector("#file-form:not([hidden])")
    operator.fill("#citizen_name", "李先生")
    operator.fill("#phone", "13900001111")
    shot(operator, "1-operator-analysed")
    operator.click("#file-btn")
    operator.wait_for_selector("#filed:not([hidden])")
    phone_number = NUMBER.search(operator.inner_text("#filed")).group(0)

    token = httpx.post(
        f"{stack.web}/api/login", json={"username": "supervisor", "password": passwords["supervisor"]}
    ).json()["token"]
    before = kpi(stack, token)
    assert before["satisfaction"] is None  # nothing answered or rated yet

    # the department answers both with a 办结报告: the web ticket through its page, with a photo
    dept = department_of(stack, chat_number)
    page = staff_page(browser, stack, passwords, dept)
    page.click(f"button[aria-label^='查看工单 {chat_number}']")
    page.click("summary:has-text('办结（答复群众，附办结报告）')")
    page.fill("textarea[name=reply]", "已约谈鑫达建筑负责人，责令十日内结清拖欠工资。")
    page.fill("textarea[name=measures]", "现场核查考勤表，约谈项目经理，签订付款承诺书。")
    evidence = SHOTS / "evidence.png"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(evidence))  # any PNG will do as the "photo of the signed promise"
    page.set_input_files("input[name=files]", str(evidence))
    page.locator("input[name=files]").scroll_into_view_if_needed()  # the detail panel scrolls on its own
    shot(page, "2-department-resolving")
    page.click("form button:has-text('办结')")
    page.wait_for_selector("#msg:has-text('已办结')")
    shot(page, "3-department-resolved")
    phone_dept = department_of(stack, phone_number)
    phone_dept_token = httpx.post(
        f"{stack.web}/api/login", json={"username": phone_dept, "password": passwords[phone_dept]}
    ).json()["token"]
    httpx.post(
        f"{stack.web}/api/tickets/{phone_number}/resolve",
        json={"reply": "已督促石料厂发放工资"},
        headers={"Authorization": f"Bearer {phone_dept_token}"},
    ).raise_for_status()

    # the citizen reads the answer in the chat and rates it 不满意, then asks for 复查
    context = browser.new_context(locale="zh-CN", viewport={"width": 420, "height": 860})
    context.add_init_script(f"localStorage.setItem('petition.webId', '{WEB_ID}')")
    chat = context.new_page()
    chat.goto(stack.web + "/")
    notice = chat.locator("li.msg.notice", has_text="满意吗").last
    notice.wait_for(timeout=20_000)
    shot(chat, "4-citizen-asked-to-rate")
    notice.locator("button", has_text="不满意").click()
    offer = chat.locator("li.msg.bot", has_text="申请复查").last
    offer.wait_for(timeout=20_000)
    offer.locator("button", has_text="申请复查").click()
    chat.locator("li.msg.bot", has_text="复查申请已登记").wait_for(timeout=20_000)
    shot(chat, "5-citizen-review-requested")

    # the operator calls the phone caller back and records 满意
    operator.click("#refresh-callbacks")
    item = operator.locator(f"article[aria-label='回访工单 {phone_number}']")
    item.wait_for()
    item.locator("input").fill("电话回访：工资已到账")
    shot(operator, "6-operator-call-back")
    item.locator("button", has_text="满意").first.click()
    item.wait_for(state="detached")

    # the supervisor sees the figures change and downloads the month's report
    supervisor = staff_page(browser, stack, passwords, "supervisor")
    supervisor.wait_for_selector("#kpi-total .stat")
    after = kpi(stack, token)
    assert after["satisfaction"] == 0.5 and after["callback"] == 1.0  # 满意 1, 不满意 1
    assert "50" in supervisor.inner_text("#kpi-total")
    shot(supervisor, "7-supervisor-kpis")
    with supervisor.expect_download() as download:
        supervisor.click("#kpi-xlsx")
    report = SHOTS / "monthly-report.xlsx"
    download.value.save_as(report)
    cells = [str(c) for ws in openpyxl.load_workbook(report).worksheets for row in ws.iter_rows(values_only=True)
             for c in row if c is not None]  # fmt: skip
    assert any("满意率" in c for c in cells)

    # the reviewing body (the superior of the department that answered) decides the 复查
    body = httpx.get(f"{stack.web}/api/tickets/{chat_number}", headers={"Authorization": f"Bearer {token}"}).json()[
        "reviews"
    ][0]["body_code"]
    reviewer = staff_page(browser, stack, passwords, body)
    reviewer.wait_for_selector("#reviews:not([hidden])")
    reviewer.click(f"#reviews button:has-text('{chat_number}')")
    reviewer.click("summary:has-text('作出复查意见')")
    reviewer.fill("textarea[name=decision]", "经复查，原答复符合规定，维持。")
    reviewer.locator("textarea[name=decision]").scroll_into_view_if_needed()
    shot(reviewer, "8-reviewer-deciding")
    reviewer.click("form button:has-text('提交意见')")
    reviewer.wait_for_selector("#msg:has-text('已作出复查意见')")
    assert (
        httpx.get(f"{stack.web}/api/tickets/{chat_number}", headers={"Authorization": f"Bearer {token}"}).json()[
            "status"
        ]
        == "resolved"
    )
