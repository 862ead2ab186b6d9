from sqlalchemy import select

from bot.db import session_scope
from bot.models import Ticket, TicketEvent

COMPLAINT = "戛洒镇南恩村的包工头拖欠我们12个人三个月工资，一共三万六千元，电话13812345678"


def test_suggest_gives_top_three_facts_department_flags_and_review(client, login, fake_analyse):
    r = client.post("/api/operator/suggest", json={"text": COMPLAINT}, headers=login("op"))
    assert r.status_code == 200
    s = r.json()
    assert [c["category"] for c in s["top"]] == ["labour", "social_security", "other"]
    assert s["top"][0]["name"] == "劳动工资" and s["top"][0]["confidence"] == 0.62
    assert s["department"]["code"] == "county.hrss" and s["needs_review"] is True
    assert s["flags"] == ["collective"] and s["flag_labels"] == ["集体"]
    assert s["phone"] == "13812345678" and s["incident_time"] == "今年八月"
    assert s["place"] == {
        "township_code": "gasa",
        "village_code": "gasa.nanen",
        "township": "戛洒镇",
        "village": "南恩村",
        "address": "戛洒镇南恩村",
    }
    assert s["facts"]["money"][0]["yuan"] == 36000


def test_the_operators_category_and_place_change_the_route(client, login, fake_analyse):
    op = login("op")
    s = client.post(
        "/api/operator/suggest",
        json={"text": "邻居占了我家宅基地", "category": "land", "township": "扬武镇"},
        headers=op,
    ).json()
    assert s["category"] == "land" and s["needs_review"] is False
    assert s["department"]["code"] == "yangwu.government"
    assert s["place"]["township_code"] == "yangwu" and s["place"]["village_code"] is None  # 南恩村 is not in 扬武镇
    by_code = client.post(
        "/api/operator/suggest",
        json={"text": "邻居占了我家宅基地", "category": "land", "township": "mosha"},
        headers=op,
    ).json()
    assert by_code["department"]["code"] == "mosha.government"
    unlisted = client.post(
        "/api/operator/suggest", json={"text": "x", "township": "漠沙镇", "village": "李家村"}, headers=op
    ).json()
    assert unlisted["place"]["village_code"] is None and unlisted["place"]["address"] == "漠沙镇李家村"
    nowhere = client.post("/api/operator/suggest", json={"text": "x", "township": "新化县"}, headers=op)
    assert nowhere.status_code == 400 and "本县没有这个乡镇" in nowhere.json()["detail"]
    bad = client.post("/api/operator/suggest", json={"text": "x", "category": "nonsense"}, headers=op)
    assert bad.status_code == 400 and "没有这个类别" in bad.json()["detail"]
    empty = client.post("/api/operator/suggest", json={"text": "  "}, headers=op)
    assert empty.status_code == 400 and empty.json()["detail"] == "请先填写来电内容"


def test_operator_files_a_phone_ticket(client, login, fake_analyse, engine):
    r = client.post(
        "/api/operator/tickets",
        headers=login("op"),
        json={
            "text": COMPLAINT,
            "category": "labour",
            "citizen_name": "李女士",
            "phone": "13900001111",
            "incident_time": "今年八月",
        },
    )
    assert r.status_code == 201
    number = r.json()["number"]
    assert r.json()["department_name"] == "新平县人力资源和社会保障局"
    with session_scope(engine) as s:
        t = s.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert (t.channel, t.sender_id, t.phone, t.citizen_name) == ("phone", None, "13900001111", "李女士")
        assert (t.category, t.township, t.village, t.needs_review) == ("labour", "gasa", "gasa.nanen", False)
        events = s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.id)).all()
        assert (events[0].actor_role, events[0].actor_name, events[0].action) == ("operator", "op", "filed")
        assert [e.action for e in events[1:]] == [
            "escalation_notice",
            "warning",
        ]  # 12 people: the 信访局 is told and warned


def test_operator_can_choose_the_department_and_bad_input_is_refused(client, login, fake_analyse):
    op = login("op")
    r = client.post(
        "/api/operator/tickets",
        headers=op,
        json={"text": COMPLAINT, "category": "labour", "department_code": "county.petition"},
    )
    assert r.status_code == 201 and r.json()["department_code"] == "county.petition"
    nowhere = client.post(
        "/api/operator/tickets", headers=op, json={"text": COMPLAINT, "department_code": "county.nowhere"}
    )
    assert nowhere.status_code == 400 and "没有编码为" in nowhere.json()["detail"]
    phone = client.post("/api/operator/tickets", headers=op, json={"text": COMPLAINT, "phone": "call me"})
    assert phone.status_code == 400 and "电话号码" in phone.json()["detail"]
    assert client.post("/api/operator/tickets", headers=login("hrss"), json={"text": COMPLAINT}).status_code == 403


def test_queue_holds_returned_and_needs_review_tickets_until_rerouted(client, login, file_ticket, engine):
    returned = file_ticket("labour")
    unsure = file_ticket("other", confidence=0.3)  # make_draft marks < 0.5 as needs_review
    file_ticket("medical")  # neither: not in the queue
    hrss, op = login("hrss"), login("op")
    client.post(f"/api/tickets/{returned}/return", headers=hrss, json={"reason": "应由卫健局办理"}).raise_for_status()
    queue = client.get("/api/operator/queue", headers=op).json()
    assert {q["number"]: q["reason"] for q in queue} == {returned: "returned", unsure: "needs_review"}
    assert next(q for q in queue if q["number"] == returned)["return_note"] == "应由卫健局办理"

    r = client.post(
        f"/api/tickets/{returned}/reroute", headers=op, json={"department_code": "county.health", "note": "改派卫健局"}
    )
    assert r.status_code == 200 and r.json()["department_code"] == "county.health"
    assert r.json()["status"] == "registered"
    client.post(f"/api/tickets/{unsure}/reroute", headers=op, json={"department_code": "county.petition"})
    assert client.get("/api/operator/queue", headers=op).json() == []
    assert client.get(f"/api/tickets/{returned}", headers=hrss).status_code == 403
    assert client.get(f"/api/tickets/{returned}", headers=login("health")).status_code == 200
    with session_scope(engine) as s:
        t = s.scalars(select(Ticket).where(Ticket.number == returned)).one()
        assert [e.action for e in t.events] == ["filed", "returned", "rerouted"]


def test_reroute_is_for_operators_and_needs_a_real_department(client, login, file_ticket):
    number = file_ticket("labour")
    assert (
        client.post(
            f"/api/tickets/{number}/reroute", headers=login("hrss"), json={"department_code": "county.health"}
        ).status_code
        == 403
    )
    r = client.post(f"/api/tickets/{number}/reroute", headers=login("op"), json={"department_code": "county.x"})
    assert r.status_code == 409 and "没有编码为" in r.json()["detail"]
    missing = client.post(
        "/api/tickets/XP20990101-99999/reroute", headers=login("op"), json={"department_code": "county.health"}
    )
    assert missing.status_code == 404


def test_department_list_for_staff(client, login):
    r = client.get("/api/departments", headers=login("op"))
    codes = {d["code"]: d for d in r.json()}
    assert codes["county.hrss"]["name"] == "新平县人力资源和社会保障局"
    assert codes["gasa.government"]["level"] == "township"
    assert client.get("/api/departments").status_code == 401


def test_operator_sees_the_phone_but_not_the_id_number(client, login, file_ticket):
    number = file_ticket("labour", phone="13812345678", id_number="110101199003071234")
    t = client.get(f"/api/tickets/{number}", headers=login("op")).json()
    assert t["phone"] == "13812345678" and "110101199003071234" not in str(t)


def test_the_queue_comes_a_page_at_a_time_oldest_first(client, login, file_ticket):
    unsure = [file_ticket("other", confidence=0.3) for _ in range(3)]
    op = login("op")
    first = [q["number"] for q in client.get("/api/operator/queue?limit=2", headers=op).json()]
    assert first == unsure[:2]
    rest = client.get(f"/api/operator/queue?limit=2&after={first[-1]}", headers=op).json()
    assert [q["number"] for q in rest] == unsure[2:]
