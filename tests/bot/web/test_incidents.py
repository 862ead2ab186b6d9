"""Events on the staff API: a department sees and answers its tickets of an event together; warnings."""

from bot.db import session_scope

TEXTS = [
    "鑫达建筑公司欠我们工人三个月工资不发",
    "我在鑫达建筑打工，三个月工资一分没拿到",
    "鑫达建筑拖欠农民工工资三个月",
]


def test_an_event_is_answered_together_and_warned_to_supervisors_and_the_petition_bureau(client, login, file_ticket):
    numbers = [
        file_ticket(sender=f"web:citizen0{i}", text=t, facts={"organizations": ["鑫达建筑公司"]} if i == 0 else None)
        for i, t in enumerate(TEXTS)
    ]
    hrss = login("hrss")
    first = client.get(f"/api/tickets/{numbers[0]}", headers=hrss).json()
    assert first["incident_tickets"] == 3 and first["incident_warning"] == ["7日内3件"]
    incident = first["incident_id"]
    seen = client.get(f"/api/incidents/{incident}", headers=hrss).json()
    assert sorted(t["number"] for t in seen["tickets"]) == sorted(numbers) and seen["others"] == 0
    assert client.get(f"/api/incidents/{incident}", headers=login("health")).status_code == 403

    r = client.post(f"/api/incidents/{incident}/resolve", json={"reply": "已责令鑫达建筑限期支付"}, headers=hrss)
    assert r.status_code == 200 and {t["status"] for t in r.json()["tickets"]} == {"resolved"}
    for i in range(3):  # every citizen gets the answer and the satisfaction question
        pushed = client.get("/api/chat/updates", params={"sender_id": f"web:citizen0{i}"}).json()["updates"]
        assert "限期支付" in pushed[-1]["text"] and pushed[-1]["buttons"]
    again = client.post(f"/api/incidents/{incident}/resolve", json={"reply": "x"}, headers=hrss)
    assert again.status_code == 409

    warnings = client.get("/api/supervisor/warnings", headers=login("sup")).json()
    assert [w["id"] for w in warnings] == [incident] and warnings[0]["ticket_count"] == 3
    stats = client.get("/api/supervisor/stats", headers=login("sup")).json()
    assert stats["warnings"][0]["warning_reasons"] == ["7日内3件"]
    assert client.get("/api/supervisor/warnings", headers=hrss).status_code == 403
    from bot import auth

    with session_scope() as s:
        auth.create_staff_user(s, "xfj", "secret-pw-1", "department", "county.petition")
    xfj = client.post("/api/login", json={"username": "xfj", "password": "secret-pw-1"}).json()["token"]
    assert client.get("/api/supervisor/warnings", headers={"Authorization": f"Bearer {xfj}"}).status_code == 200
