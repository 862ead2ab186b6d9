from fastapi.testclient import TestClient

from tests.bot.web.conftest import PASSWORD


def test_wrong_password_and_unknown_user_get_the_same_chinese_401(client, staff):
    wrong = client.post("/api/login", json={"username": "hrss", "password": "not-the-password"})
    nobody = client.post("/api/login", json={"username": "nobody", "password": PASSWORD})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json() == nobody.json() == {"detail": "用户名或密码错误"}


def test_malformed_login_body_is_a_chinese_422(client, staff):
    r = client.post("/api/login", json={"username": "hrss"})
    assert r.status_code == 422 and r.json()["detail"] == "请求格式不正确：缺少必填项 password"
    assert "Traceback" not in r.text


def test_bearer_token_works_until_logout(client, login):
    headers = login("hrss")
    me = client.get("/api/me", headers=headers).json()
    assert me["role"] == "department" and me["department_name"] == "新平县人力资源和社会保障局"
    client.post("/api/logout", headers=headers).raise_for_status()
    assert client.get("/api/me", headers=headers).status_code == 401


def test_login_form_sets_an_httponly_lax_cookie_and_opens_the_role_page(client, staff):
    r = client.post("/login", data={"username": "hrss", "password": PASSWORD, "next": ""}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/department"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    page = client.get("/department")
    assert page.status_code == 200 and "本部门工单" in page.text and "新平县人力资源和社会保障局" in page.text
    client.post("/logout", follow_redirects=False)
    assert client.get("/department", follow_redirects=False).status_code == 303


def test_failed_form_login_says_so_in_chinese(client, staff):
    r = client.post("/login", data={"username": "hrss", "password": "nope-nope"})
    assert r.status_code == 401 and "用户名或密码错误" in r.text


def test_pages_need_a_login_and_the_right_role(client, staff):
    r = client.get("/supervisor", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/supervisor"
    client.post("/login", data={"username": "op", "password": PASSWORD})
    assert client.get("/operator").status_code == 200
    denied = client.get("/supervisor")
    assert denied.status_code == 403 and "没有权限" in denied.text


def test_login_never_redirects_off_site(client, staff):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        r = client.post(
            "/login", data={"username": "sup", "password": PASSWORD, "next": target}, follow_redirects=False
        )
        assert r.headers["location"] == "/supervisor"
        client.post("/logout")


def test_a_page_on_another_origin_cannot_use_the_staff_cookie(client, staff, file_ticket):
    number = file_ticket("labour")
    client.post("/login", data={"username": "hrss", "password": PASSWORD})
    for origin in ("http://testserver:9999", "http://evil.example", "null"):
        r = client.post(f"/api/tickets/{number}/accept", headers={"origin": origin})
        assert r.status_code == 403 and "跨站请求被拒绝" in r.json()["detail"]
    no_origin = client.post(f"/api/tickets/{number}/accept", headers={"origin": ""})
    assert no_origin.status_code == 403
    assert client.post(f"/api/tickets/{number}/accept").status_code == 200  # from our own page


def test_a_bearer_token_needs_no_origin(client, staff, file_ticket):
    number = file_ticket("labour")
    token = client.post("/api/login", json={"username": "hrss", "password": PASSWORD}).json()["token"]
    bare = TestClient(client.app)  # no cookie, no Origin: a script with its token
    r = bare.post(f"/api/tickets/{number}/accept", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200


def test_wrong_passwords_in_a_row_lock_the_account_out_with_a_growing_wait(client, staff):
    for _ in range(5):
        assert client.post("/api/login", json={"username": "hrss", "password": "wrong-pw"}).status_code == 401
    locked = client.post("/api/login", json={"username": "hrss", "password": PASSWORD})
    assert locked.status_code == 429 and "登录失败次数过多" in locked.json()["detail"]  # even the right password
    form = client.post("/login", data={"username": "hrss", "password": PASSWORD})
    assert form.status_code == 429 and "秒后再试" in form.text


def test_the_throttle_doubles_its_lock_out_and_a_success_clears_it():
    from bot.auth import LoginThrottle

    t = LoginThrottle()
    keys = ["user:a", "addr:1.2.3.4"]
    for _ in range(5):
        t.failed(keys, now=0.0)
    assert t.wait_seconds(keys, now=0.0) == 30
    t.failed(keys, now=30.0)
    assert t.wait_seconds(keys, now=30.0) == 60
    assert t.wait_seconds(["user:b", "addr:1.2.3.4"], now=30.0) == 60  # the address is locked too
    t.succeeded(keys)
    assert t.wait_seconds(keys, now=30.0) == 0
