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
