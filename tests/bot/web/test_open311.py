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
