from pathlib import Path

from bot.db import session_scope
from bot.models import Notification


def test_chat_page_is_served_with_local_assets_only(client):
    r = client.get("/")
    assert r.status_code == 200 and "在线留言" in r.text
    assert "http://" not in r.text and "https://" not in r.text and "//cdn" not in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert client.get("/static/chat.js").status_code == 200


def test_chat_goes_through_converse_and_returns_replies_with_buttons(client, fake_converse):
    r = client.post("/api/chat", json={"sender_id": "web:abcdef123456", "text": "包工头欠我们工资"})
    assert r.status_code == 200
    assert fake_converse == [("web:abcdef123456", "包工头欠我们工资", [])]
    assert r.json() == {
        "replies": [
            {
                "text": "您反映的是劳动工资问题，对吗？",
                "buttons": [{"title": "是", "payload": "/affirm"}, {"title": "不是", "payload": "/deny"}],
            }
        ]
    }


def test_empty_text_is_passed_on_for_the_conversation_layer_to_answer(client, fake_converse):
    assert client.post("/api/chat", json={"sender_id": "web:abcdef123456", "text": ""}).status_code == 200
    assert fake_converse[0][1] == ""


def test_malformed_chat_requests_get_a_chinese_422_and_never_reach_converse(client, fake_converse):
    cases = [
        ({"text": "你好"}, "缺少必填项 sender_id"),
        ({"sender_id": "tg:12345678", "text": "你好"}, "sender_id 格式不正确"),  # a browser cannot be a Telegram chat
        ({"sender_id": "web:abcdef123456", "text": ["x"]}, "text 应为文字"),
        ({"sender_id": "web:abcdef123456", "text": "长" * 50_001}, "text 过长"),
    ]
    for body, message in cases:
        r = client.post("/api/chat", json=body)
        assert r.status_code == 422 and message in r.json()["detail"], body
        assert "长长长" not in r.text  # the input is not echoed back
    bad_json = client.post("/api/chat", content=b"{not json", headers={"content-type": "application/json"})
    assert bad_json.status_code == 422 and "JSON" in bad_json.json()["detail"]
    assert fake_converse == []


def test_upload_is_stored_under_the_upload_dir_and_passed_on_as_an_attachment(client, fake_converse, settings_env):
    r = client.post(
        "/api/chat/upload",
        data={"sender_id": "web:abcdef123456"},
        files={"file": ("../../etc/passwd.jpg", b"\xff\xd8\xff\xe0jpeg", "image/jpeg")},
    )
    assert r.status_code == 200 and r.json()["replies"]
    [(sender, text, [attachment])] = fake_converse
    assert sender == "web:abcdef123456" and text == ""
    assert (attachment.kind, attachment.mime) == ("photo", "image/jpeg")
    path = Path(attachment.ref)
    assert path.resolve().is_relative_to(settings_env.upload_dir.resolve()) and "passwd" not in path.name
    assert path.read_bytes() == b"\xff\xd8\xff\xe0jpeg"


def test_upload_refuses_html_and_foreign_senders(client, fake_converse, settings_env):
    html = client.post(
        "/api/chat/upload",
        data={"sender_id": "web:abcdef123456"},
        files={"file": ("x.html", b"<script>alert(1)</script>", "text/html")},
    )
    assert html.status_code == 415 and "不支持" in html.json()["detail"]
    tg = client.post("/api/chat/upload", data={"sender_id": "tg:1"}, files={"file": ("a.png", b"x", "image/png")})
    assert tg.status_code == 422
    assert fake_converse == []
    stored = settings_env.upload_dir.rglob("*") if settings_env.upload_dir.exists() else []
    assert [p for p in stored if p.is_file()] == []  # nothing refused is kept


def test_updates_hand_out_each_push_once_and_only_to_its_own_browser(client, engine):
    with session_scope(engine) as s:
        s.add_all(
            [
                Notification(sender_id="web:abcdef123456", text="您的工单已受理"),
                Notification(sender_id="web:someoneelse1", text="别人的通知"),
                Notification(sender_id="tg:42", text="电报通知"),
            ]
        )
    first = client.get("/api/chat/updates", params={"sender_id": "web:abcdef123456"}).json()["updates"]
    assert [u["text"] for u in first] == ["您的工单已受理"] and first[0]["at"].endswith("+08:00")
    assert client.get("/api/chat/updates", params={"sender_id": "web:abcdef123456"}).json() == {"updates": []}
    assert client.get("/api/chat/updates", params={"sender_id": "tg:42"}).status_code == 422
    later = client.get("/api/chat/updates", params={"sender_id": "web:someoneelse1", "after": 99}).json()
    assert later == {"updates": []}


def test_health_check_reports_the_database(client):
    assert client.get("/healthz").json() == {"ok": True, "database": client.app.state.engine.dialect.name}


def test_a_browser_sees_its_own_tickets_without_contact_data(client, file_ticket):
    mine = file_ticket("labour", sender="web:abcdef123456", phone="13812345678")
    file_ticket("labour", sender="web:someoneelse1")
    r = client.get("/api/chat/tickets", params={"sender_id": "web:abcdef123456"})
    assert [t["number"] for t in r.json()] == [mine]
    assert r.json()[0]["status_label"] == "已登记，待部门受理" and "13812345678" not in r.text
    assert client.get("/api/chat/tickets", params={"sender_id": "tg:42"}).status_code == 422


def test_a_client_message_id_is_the_messages_key_and_a_malformed_one_is_refused(client, fake_converse):
    body = {"sender_id": "web:abcdef123456", "text": "包工头欠我们工资", "client_id": "m1a2b3"}
    assert client.post("/api/chat", json=body).status_code == 200
    assert fake_converse[-1] == ("web:abcdef123456", "包工头欠我们工资", [], "web:m1a2b3")
    assert client.post("/api/chat", json={**body, "client_id": "<script>"}).status_code == 422
