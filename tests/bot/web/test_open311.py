"""Open311 GeoReport v2 (read side): every field the specification lists, in JSON and XML, and no personal data."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

REQUEST_FIELDS = {
    "service_request_id": str,
    "status": str,
    "status_notes": str,
    "service_name": str,
    "service_code": str,
    "description": str,
    "agency_responsible": str,
    "service_notice": str,
    "requested_datetime": str,
    "updated_datetime": str,
    "expected_datetime": (str, type(None)),
    "address": str,
    "address_id": str,
    "zipcode": str,
    "lat": str,
    "long": str,
    "media_url": str,
}
SERVICE_FIELDS = ("service_code", "service_name", "description", "metadata", "type", "keywords", "group")
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
SECRET_TEXT = "包工头张大军欠我们三个月工资，我电话13912345678，身份证530427198001011234"


def test_discovery_and_services_in_both_formats(client):
    d = client.get("/open311/v2/discovery.json").json()
    assert d["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert d["endpoints"][0]["url"].endswith("/open311/v2/")
    assert ET.fromstring(client.get("/open311/v2/discovery.xml").content).find("endpoints/endpoint/url") is not None
    services = client.get("/open311/v2/services.json").json()
    assert services and all(set(SERVICE_FIELDS) <= set(s) for s in services)
    assert all(s["metadata"] == "false" and s["type"] == "realtime" for s in services)
    codes = {s["service_code"] for s in services}
    assert any(c.startswith("labour.") for c in codes)
    assert not any(c.startswith(("family.", "public_security.")) for c in codes)  # not published
    xml = ET.fromstring(client.get("/open311/v2/services.xml").content)
    assert xml.tag == "services" and len(xml.findall("service")) == len(services)
    assert {e.tag for e in xml.find("service")} >= set(SERVICE_FIELDS)
    code = sorted(codes)[0]
    assert client.get(f"/open311/v2/services/{code}.json").json() == {"service_code": code, "attributes": []}
    assert client.get("/open311/v2/services/family.divorce.json").status_code == 404
    assert client.get("/open311/v2/services.csv").status_code == 404


def test_requests_carry_every_field_and_no_personal_data(client, login, file_ticket):
    number = file_ticket("labour", township="gasa", village="gasa.nanen", phone="13912345678", text=SECRET_TEXT)
    rows = client.get("/open311/v2/requests.json").json()
    (row,) = [r for r in rows if r["service_request_id"] == number]
    assert set(row) == set(REQUEST_FIELDS)
    for key, kind in REQUEST_FIELDS.items():
        assert isinstance(row[key], kind), key
    assert row["status"] == "open" and row["address"] == "戛洒镇南恩村" and row["address_id"] == "gasa.nanen"
    assert W3C.match(row["requested_datetime"]) and W3C.match(row["updated_datetime"])
    assert W3C.match(row["expected_datetime"])
    raw = client.get("/open311/v2/requests.json").text + client.get("/open311/v2/requests.xml").text
    for secret in ("张大军", "13912345678", "530427", "citizen01", "包工头"):
        assert secret not in raw
    # closed once the department resolves it, in both formats
    hrss = login("hrss")
    client.post(f"/api/tickets/{number}/accept", headers=hrss).raise_for_status()
    client.post(f"/api/tickets/{number}/resolve", headers=hrss, json={"reply": "已责令支付"}).raise_for_status()
    one = client.get(f"/open311/v2/requests/{number}.json").json()[0]
    assert one["status"] == "closed" and one["expected_datetime"] is None
    assert one["updated_datetime"] >= one["requested_datetime"]
    el = ET.fromstring(client.get(f"/open311/v2/requests/{number}.xml").content).find("request")
    assert el.findtext("service_request_id") == number and el.findtext("status") == "closed"
    assert {e.tag for e in el} == set(REQUEST_FIELDS)


def test_private_and_urgent_matters_are_not_published_and_filters_work(client, file_ticket):
    family = file_ticket("family", text="我老公天天打我")
    urgent = file_ticket("labour", flags=["urgent"], text="工地塌了有人被埋")
    plain = file_ticket("labour")
    listed = {r["service_request_id"] for r in client.get("/open311/v2/requests.json").json()}
    assert plain in listed and family not in listed and urgent not in listed
    assert client.get(f"/open311/v2/requests/{family}.json").status_code == 404
    assert client.get("/open311/v2/requests.json?status=closed").json() == []
    only = client.get(f"/open311/v2/requests.json?service_request_id={plain.lower()}").json()
    assert [r["service_request_id"] for r in only] == [plain]
    assert client.get("/open311/v2/requests.json?start_date=2000-01-01T00:00:00Z&end_date=2000-01-02").json() == []
    bad = client.get("/open311/v2/requests.json?start_date=yesterday")
    assert bad.status_code == 400 and "start_date" in bad.json()["detail"]


def _key(engine, name: str = "city-12345") -> str:
    from bot import auth
    from bot.db import session_scope

    with session_scope(engine) as s:
        return auth.create_open311_key(s, name)


def test_a_system_with_a_key_files_a_request_through_the_one_intake_path(client, engine):
    key = _key(engine)
    form = {
        "api_key": key,
        "service_code": "labour.wage_arrears_migrant",
        "description": "工地包工头拖欠我们十几个人三个月工资，一共六万多元",
        "address_string": "戛洒镇南恩村",
        "last_name": "李",
        "phone": "13912345678",
    }
    r = client.post("/open311/v2/requests.json", data=form)
    assert r.status_code == 200, r.text
    (row,) = r.json()
    assert set(row) == {"service_request_id", "service_notice", "account_id"}
    number = row["service_request_id"]
    listed = client.get(f"/open311/v2/requests/{number}.json").json()[0]
    assert listed["service_code"] == "labour.wage_arrears_migrant" and listed["address"] == "戛洒镇南恩村"
    assert listed["agency_responsible"] and "13912345678" not in str(listed)
    from sqlalchemy import select

    from bot.db import session_scope
    from bot.models import Message, Ticket

    with session_scope(engine) as s:
        t = s.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert (t.channel, t.phone, t.citizen_name, t.township) == ("open311", "13912345678", "李", "gasa")
        assert t.sender_id.startswith("open311:city-12345-")
        assert s.scalars(select(Message).where(Message.sender_id == t.sender_id)).one().text.startswith("工地包工头")
    xml = client.post("/open311/v2/requests.xml", data={**form, "description": "又一个工地拖欠工资两个月了"})
    assert xml.status_code == 200 and ET.fromstring(xml.content).findtext("request/service_request_id")


def test_open311_filing_refuses_a_bad_key_service_or_description_in_its_error_format(client, engine):
    from bot import auth
    from bot.db import session_scope

    key = _key(engine, "county-app")
    base = {"api_key": key, "service_code": "labour.wage_arrears_migrant", "description": "包工头拖欠工资三个月"}
    bad_key = client.post("/open311/v2/requests.json", data={**base, "api_key": "guessed"})
    assert bad_key.status_code == 403 and bad_key.json()[0]["code"] == 403
    private = client.post("/open311/v2/requests.json", data={**base, "service_code": "family.domestic_violence"})
    assert private.status_code == 400 and "service_code" in private.json()[0]["description"]
    empty = client.post("/open311/v2/requests.xml", data={**base, "description": " "})
    assert empty.status_code == 400 and ET.fromstring(empty.content).findtext("error/code") == "400"
    assert client.post("/open311/v2/requests.json", data={**base, "phone": "call me"}).status_code == 400
    with session_scope(engine) as s:
        auth.revoke_open311_key(s, "county-app")
    assert client.post("/open311/v2/requests.json", data=base).status_code == 403


def test_the_administrator_issues_lists_and_revokes_keys_from_the_cli(client, engine):
    import io

    from bot import cli

    def petition(*args: str) -> tuple[int, str]:
        out = io.StringIO()
        return cli.main(["open311-key", *args], stdin=io.BytesIO(b""), stdout=out), out.getvalue()

    code, out = petition("create", "city-hub")
    assert code == 0
    key = re.search(r"api_key：(\S+?)（", out).group(1)
    form = {"api_key": key, "service_code": "labour.wage_arrears_migrant", "description": "包工头拖欠工资三个月"}
    assert client.post("/open311/v2/requests.json", data=form).status_code == 200
    assert petition("create", "city-hub")[0] == 2  # the name is taken
    assert petition("revoke", "city-hub")[0] == 0
    assert "city-hub\t已吊销" in petition("list")[1]
    assert client.post("/open311/v2/requests.json", data=form).status_code == 403


def test_the_json_api_is_documented_by_an_openapi_page_that_works_offline(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and "/api/docs/assets/swagger-ui-bundle.js" in page.text
    assert "https://" not in page.text  # nothing from a CDN
    bundle = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "SwaggerUIBundle" in bundle.text
    assert "SwaggerUIBundle" in client.get("/static/api-docs.js").text
    schema = client.get("/api/openapi.json").json()
    params = {p["name"] for p in schema["paths"]["/api/department/tickets"]["get"]["parameters"]}
    assert {"status", "limit", "before"} <= params
    assert "/open311/v2/requests.{fmt}" in schema["paths"] and "/api/password" in schema["paths"]
