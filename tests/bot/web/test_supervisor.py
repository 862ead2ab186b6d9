from datetime import timedelta

from sqlalchemy import select

from bot.db import session_scope
from bot.models import Notification, Ticket
from bot.views import china_today


def seed(file_ticket):
    """Five tickets: two land cases in 戛洒镇 (one overdue), a labour case and its repeat by the same phone, and a
    medical case from last month."""
    return {
        "old_land": file_ticket("land", township="gasa", days_ago=100, phone="13900002222"),
        "land": file_ticket("land", township="gasa", sender="tg:7"),
        "labour": file_ticket("labour", township="yangwu", phone="13812345678", sender=None),
        "labour_again": file_ticket("labour", township="yangwu", phone="13812345678", sender=None),
        "medical": file_ticket("medical", days_ago=30),
    }


def test_stats_count_by_category_department_status_and_week(client, login, file_ticket):
    seed(file_ticket)
    s = client.get("/api/supervisor/stats", headers=login("sup")).json()
    assert s["total"] == 5 and s["open"] == 5
    assert {c["code"]: c["count"] for c in s["by_category"]} == {"land": 2, "labour": 2, "medical": 1}
    assert s["by_category"][0]["name"] in ("土地", "劳动工资")
    assert {d["code"]: d["count"] for d in s["by_department"]} == {
        "gasa.government": 2,
        "county.hrss": 2,
        "county.health": 1,
    }
    assert s["by_status"] == [{"code": "registered", "name": "已登记，待部门受理", "count": 5}]
    assert len(s["by_week"]) == 12 and sum(w["count"] for w in s["by_week"]) == 4  # the 100-day-old one is older
    assert s["by_week"][-1]["count"] == 3


def test_overdue_hotspots_and_repeat_petitions(client, login, file_ticket):
    numbers = seed(file_ticket)
    s = client.get("/api/supervisor/stats", headers=login("sup")).json()
    assert [o["number"] for o in s["overdue"]] == [numbers["old_land"]]
    assert s["overdue"][0]["days_overdue"] in (25, 26) and s["overdue"][0]["overdue"]  # Beijing vs UTC date
    assert s["hotspots"][0] == {
        "township_code": "gasa",
        "township": "戛洒镇",
        "category": "land",
        "category_name": "土地",
        "count": 2,
    }
    assert ("扬武镇", "labour", 2) in [(h["township"], h["category"], h["count"]) for h in s["hotspots"]]
    [group] = s["repeats"]
    assert group["citizen"] == "138****5678" and group["count"] == 2
    assert [t["number"] for t in group["tickets"]] == [numbers["labour"], numbers["labour_again"]]
    assert group["tickets"][1]["repeat_of"] == numbers["labour"]
    raw = client.get("/api/supervisor/stats", headers=login("sup")).text
    assert "13812345678" not in raw and "13900002222" not in raw


def test_supervisor_detail_masks_the_phone_and_has_no_id_number(client, login, file_ticket):
    number = file_ticket(
        "labour",
        phone="13812345678",
        id_number="110101199003071234",
        text="我叫王五，电话13812345678，身份证110101199003071234",
    )
    t = client.get(f"/api/tickets/{number}", headers=login("sup")).json()
    assert t["phone_masked"] == "138****5678"
    assert not any("id_number" in k for k in t) and "phone" not in t and "citizen_name" not in t
    assert "13812345678" not in str(t) and "110101199003071234" not in str(t)
    assert "138****5678" in t["text"]


def test_escalation_moves_overdue_township_tickets_to_the_county_and_tells_the_citizen(
    client, login, file_ticket, engine
):
    numbers = seed(file_ticket)
    with session_scope(engine) as s:  # the overdue one came by Telegram
        t = s.scalars(select(Ticket).where(Ticket.number == numbers["old_land"])).one()
        t.sender_id, t.channel = "tg:99", "tg"
    r = client.post("/api/supervisor/escalate", headers=login("sup"))
    assert r.status_code == 200
    assert r.json() == {
        "count": 1,
        "escalated": [
            {
                "number": numbers["old_land"],
                "department_code": "county.natural_resources",
                "department_name": "新平县自然资源局",
            }
        ],
    }
    with session_scope(engine) as s:
        t = s.scalars(select(Ticket).where(Ticket.number == numbers["old_land"])).one()
        assert t.escalated and t.answer_by == china_today() + timedelta(days=15)
        assert [e.action for e in t.events][-1] == "escalated"
        assert "提级" in s.scalars(select(Notification.text).where(Notification.ticket_id == t.id)).one()
    assert client.post("/api/supervisor/escalate", headers=login("sup")).json()["count"] == 0


def test_statistics_are_for_supervisors_only(client, login):
    assert client.get("/api/supervisor/stats", headers=login("op")).status_code == 403
    assert client.post("/api/supervisor/escalate", headers=login("hrss")).status_code == 403


def test_a_supervisor_puts_a_ticket_under_supervision_with_its_own_deadline(client, login, file_ticket, engine):
    from bot.models import TicketEvent

    number = file_ticket("labour")
    sup = login("sup")
    r = client.post(f"/api/tickets/{number}/supervise", headers=sup, json={"days": 5, "note": "群众反映强烈"})
    assert r.status_code == 200
    due = china_today() + timedelta(days=5)
    assert r.json()["supervise_by"] == due.isoformat()
    assert client.post(f"/api/tickets/{number}/supervise", headers=login("hrss"), json={"days": 5}).status_code == 403
    bad = client.post(f"/api/tickets/{number}/supervise", headers=sup, json={"days": 0})
    assert bad.status_code == 409 and "1 到 30" in bad.json()["detail"]
    with session_scope(engine) as s:
        t = s.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert "supervised" in t.flags and t.supervise_by == due
        actions = [e.action for e in s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id))]
        assert actions[-1] == "supervised"
        pushes = [n.text for n in s.scalars(select(Notification).where(Notification.ticket_id == t.id))]
        assert "挂牌督办" in pushes[-1]
    (row,) = client.get("/api/supervisor/stats", headers=sup).json()["supervised"]
    assert row["number"] == number and row["supervision_overdue"] is False and "挂牌督办" in row["flag_labels"]
    with session_scope(engine) as s:  # the deadline passes
        s.scalars(select(Ticket).where(Ticket.number == number)).one().supervise_by = china_today() - timedelta(days=1)
    (row,) = client.get("/api/supervisor/stats", headers=sup).json()["supervised"]
    assert row["supervision_overdue"] is True
    dept_row = client.get("/api/department/tickets", headers=login("hrss")).json()[0]
    assert dept_row["supervision_overdue"] is True  # the department sees it too
    hrss = login("hrss")
    client.post(f"/api/tickets/{number}/accept", headers=hrss).raise_for_status()
    client.post(f"/api/tickets/{number}/resolve", headers=hrss, json={"reply": "已办结"}).raise_for_status()
    assert client.get("/api/supervisor/stats", headers=sup).json()["supervised"] == []
    late = client.post(f"/api/tickets/{number}/supervise", headers=sup, json={"days": 5})
    assert late.status_code == 409
