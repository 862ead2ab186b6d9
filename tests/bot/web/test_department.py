from sqlalchemy import select

from bot import notify
from bot.db import session_scope
from bot.models import Notification, Ticket, TicketEvent


def ticket_row(engine, number):
    with session_scope(engine) as s:
        t = s.scalars(select(Ticket).where(Ticket.number == number)).one()
        events = [
            e.action
            for e in s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.id))
        ]
        pushes = [
            n.text
            for n in s.scalars(select(Notification).where(Notification.ticket_id == t.id).order_by(Notification.id))
        ]
        return t, events, pushes


def test_department_list_contains_only_its_own_tickets(client, login, file_ticket):
    mine = file_ticket("labour")
    theirs = file_ticket("medical")
    r = client.get("/api/department/tickets", headers=login("hrss"))
    assert r.status_code == 200
    assert [t["number"] for t in r.json()] == [mine]
    assert theirs not in r.text
    row = r.json()[0]
    assert row["category_name"] == "劳动工资" and row["status_label"] == "已登记，待部门受理"
    assert "phone" not in row and "text" not in row  # the list carries no contact data


def test_another_departments_ticket_is_403_and_indistinguishable_from_a_missing_one(client, login, file_ticket):
    theirs = file_ticket("medical")
    hrss = login("hrss")
    other = client.get(f"/api/tickets/{theirs}", headers=hrss)
    missing = client.get("/api/tickets/XP20990101-99999", headers=hrss)
    assert other.status_code == missing.status_code == 403
    assert other.json() == missing.json() and "无权查看" in other.json()["detail"]
    assert client.get(f"/api/tickets/{theirs}", headers=login("health")).status_code == 200


def test_actions_on_another_departments_ticket_are_refused_and_change_nothing(client, login, file_ticket, engine):
    theirs = file_ticket("medical")
    hrss = login("hrss")
    for action, body in [
        ("accept", None),
        ("return", {"reason": "不归我们"}),
        ("resolve", {"reply": "已办"}),
        ("extend", {"days": 5, "reason": "调查"}),
    ]:
        r = client.post(f"/api/tickets/{theirs}/{action}", headers=hrss, json=body)
        assert r.status_code == 403, action
    t, events, pushes = ticket_row(engine, theirs)
    assert t.status == "registered" and events == ["filed"] and pushes == []


def test_detail_shows_the_department_the_phone_and_a_masked_id_number(client, login, file_ticket):
    number = file_ticket(
        "labour", phone="13812345678", id_number="110101199003071234", text="我的身份证是110101199003071234，包工头欠薪"
    )
    t = client.get(f"/api/tickets/{number.lower()}", headers=login("hrss")).json()
    assert t["phone"] == "13812345678"
    assert t["id_number_masked"] == "1101**********1234"
    assert "110101199003071234" not in str(t)
    assert t["events"][0]["action_label"] == "登记" and t["attachments"] == []
    assert t["facts"]["money"] == [] and "text" in t


def test_accept_changes_status_audits_and_the_web_citizen_gets_the_push(client, login, file_ticket, engine):
    number = file_ticket("labour", sender="web:citizen01")
    r = client.post(f"/api/tickets/{number}/accept", headers=login("hrss"))
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    t, events, pushes = ticket_row(engine, number)
    assert t.status == "accepted" and events == ["filed", "accepted"]
    assert len(pushes) == 1 and "已受理" in pushes[0]
    updates = client.get("/api/chat/updates", params={"sender_id": "web:citizen01"}).json()["updates"]
    assert [u["text"] for u in updates] == pushes


def test_a_telegram_push_goes_out_as_soon_as_the_change_is_committed(client, login, file_ticket, engine, monkeypatch):
    sent: list[tuple[str, str]] = []
    monkeypatch.setitem(notify._transports, "tg", lambda chat, text, buttons=None: sent.append((chat, text)))
    number = file_ticket("labour", sender="tg:4242")
    client.post(f"/api/tickets/{number}/accept", headers=login("hrss")).raise_for_status()
    assert len(sent) == 1 and sent[0][0] == "4242" and number in sent[0][1]
    with session_scope(engine) as s:
        assert s.scalars(select(Notification.delivered)).all() == [True]


def test_return_without_a_reason_is_a_400_in_chinese_and_with_one_it_is_returned(client, login, file_ticket, engine):
    number = file_ticket("labour")
    hrss = login("hrss")
    for body in (None, {}, {"reason": "   "}):
        r = client.post(f"/api/tickets/{number}/return", headers=hrss, json=body)
        assert r.status_code == 400 and r.json()["detail"] == "退回工单需要说明理由"
    r = client.post(f"/api/tickets/{number}/return", headers=hrss, json={"reason": "属于工伤认定，应转医保"})
    assert r.status_code == 200 and r.json()["status"] == "returned"
    t, events, pushes = ticket_row(engine, number)
    assert events[-1] == "returned" and len(pushes) == 1 and "重新分派" in pushes[0]
    again = client.post(f"/api/tickets/{number}/return", headers=hrss, json={"reason": "再退"})
    assert again.status_code == 409 and "不能退回" in again.json()["detail"]


def test_extend_only_after_acceptance_only_once_and_within_30_days(client, login, file_ticket, engine):
    number = file_ticket("labour")
    hrss = login("hrss")
    early = client.post(f"/api/tickets/{number}/extend", headers=hrss, json={"days": 10, "reason": "需要调查"})
    assert early.status_code == 409 and "已受理" in early.json()["detail"]
    client.post(f"/api/tickets/{number}/accept", headers=hrss).raise_for_status()
    before = client.get(f"/api/tickets/{number}", headers=hrss).json()["answer_by"]
    for body, message in [
        ({"days": 31, "reason": "x"}, "1 到 30"),
        ({"days": 0, "reason": "x"}, "1 到 30"),
        ({"days": 10, "reason": ""}, "理由"),
    ]:
        r = client.post(f"/api/tickets/{number}/extend", headers=hrss, json=body)
        assert r.status_code == 400 and message in r.json()["detail"]
    r = client.post(f"/api/tickets/{number}/extend", headers=hrss, json={"days": 30, "reason": "需要审计"})
    assert r.status_code == 200 and r.json()["extended"] and r.json()["answer_by"] > before
    twice = client.post(f"/api/tickets/{number}/extend", headers=hrss, json={"days": 5, "reason": "再延"})
    assert twice.status_code == 409 and twice.json()["detail"] == "办理期限只能延长一次"
    _, events, pushes = ticket_row(engine, number)
    assert events == ["filed", "accepted", "extended"] and "需要审计" in pushes[-1]


def test_resolve_needs_a_reply_and_sends_it_to_the_citizen(client, login, file_ticket, engine):
    number = file_ticket("labour")
    hrss = login("hrss")
    assert client.post(f"/api/tickets/{number}/resolve", headers=hrss, json={"reply": ""}).status_code == 400
    reply = "已约谈包工头，工资月底前结清"
    r = client.post(f"/api/tickets/{number}/resolve", headers=hrss, json={"reply": reply})
    assert r.status_code == 200 and r.json()["status"] == "resolved" and r.json()["reply"] == reply
    t, events, pushes = ticket_row(engine, number)
    assert events == ["filed", "resolved"] and reply in pushes[-1]


def test_only_departments_act_on_tickets_and_strangers_must_log_in(client, login, file_ticket):
    number = file_ticket("labour")
    assert client.post(f"/api/tickets/{number}/accept", headers=login("op")).status_code == 403
    r = client.post(f"/api/tickets/{number}/accept")
    assert r.status_code == 401 and r.json()["detail"] == "请先登录"
    assert client.get("/api/department/tickets", headers=login("sup")).status_code == 403


def test_web_upload_is_downloadable_by_its_department_only(client, login, file_ticket, fake_converse, app):
    number = file_ticket("labour", sender="web:citizen01")
    client.post(
        "/api/chat/upload",
        data={"sender_id": "web:citizen01"},
        files={"file": ("工资条.png", b"\x89PNG\r\n\x1a\nfake", "image/png")},
    ).raise_for_status()
    from bot import intake

    attachment = fake_converse[0][2][0]
    intake.add_attachment("web:citizen01", attachment.kind, attachment.ref, attachment.mime)
    t = client.get(f"/api/tickets/{number}", headers=login("hrss")).json()
    [a] = t["attachments"]
    assert a["kind"] == "photo" and a["stored_here"]
    got = client.get(f"/api/attachments/{a['id']}", headers=login("hrss"))
    assert got.status_code == 200 and got.content.startswith(b"\x89PNG")
    assert "sandbox" in got.headers["content-security-policy"]
    assert client.get(f"/api/attachments/{a['id']}", headers=login("health")).status_code == 403


def test_the_department_list_comes_a_page_at_a_time_newest_first(client, login, file_ticket):
    numbers = [file_ticket("labour") for _ in range(5)]
    hrss = login("hrss")
    first = [t["number"] for t in client.get("/api/department/tickets?limit=2", headers=hrss).json()]
    assert first == numbers[::-1][:2]
    second = client.get(f"/api/department/tickets?limit=2&before={first[-1]}", headers=hrss).json()
    assert [t["number"] for t in second] == numbers[::-1][2:4]
    assert [t["number"] for t in client.get("/api/department/tickets", headers=hrss).json()] == numbers[::-1]
    too_many = client.get("/api/department/tickets?limit=5000", headers=hrss)
    assert too_many.status_code == 422 and "limit" in too_many.text


def test_a_progress_note_is_audited_shown_and_told_to_the_citizen_without_changing_the_status(
    client, login, file_ticket, engine
):
    number = file_ticket("labour")
    hrss = login("hrss")
    client.post(f"/api/tickets/{number}/accept", headers=hrss).raise_for_status()
    r = client.post(f"/api/tickets/{number}/progress", headers=hrss, json={"note": "已到工地核实，约谈了包工头"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    t, events, pushes = ticket_row(engine, number)
    assert events[-1] == "progress" and t.status == "accepted"
    assert "有新的办理进展" in pushes[-1] and "约谈了包工头" in pushes[-1]
    assert client.post(f"/api/tickets/{number}/progress", headers=hrss, json={"note": " "}).status_code == 400
    other = client.post(f"/api/tickets/{number}/progress", headers=login("health"), json={"note": "看看"})
    assert other.status_code == 403
    client.post(f"/api/tickets/{number}/resolve", headers=hrss, json={"reply": "已支付"}).raise_for_status()
    late = client.post(f"/api/tickets/{number}/progress", headers=hrss, json={"note": "补充"})
    assert late.status_code in (400, 409) and "不能再添加办理进展" in late.json()["detail"]
