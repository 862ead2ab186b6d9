from pathlib import Path

import pytest
import yaml

from bot.jurisdiction import JurisdictionError, parse_jurisdiction
from classifier.categories import category_codes

FILE = Path(__file__).resolve().parents[2] / "bot" / "jurisdiction.yml"


def data() -> dict:
    return yaml.safe_load(FILE.read_text(encoding="utf-8"))


def test_sample_county_has_its_twelve_townships(jurisdiction):
    names = {t.name for t in jurisdiction.townships.values()}
    assert {
        "桂山街道",
        "古城街道",
        "扬武镇",
        "漠沙镇",
        "戛洒镇",
        "水塘镇",
        "平甸乡",
        "新化乡",
        "建兴乡",
        "老厂乡",
        "者竜乡",
        "平掌乡",
    } == names


def test_each_township_gets_a_government_and_a_judicial_office(jurisdiction):
    assert jurisdiction.departments["guishan.government"].name == "桂山街道办事处"
    assert jurisdiction.departments["gasa.judicial"].name == "戛洒镇司法所"
    assert jurisdiction.departments["gasa.government"].level == "township"


def test_route_to_a_missing_department_is_reported_in_chinese():
    d = data()
    d["routing"]["land"]["county"] = "county.nowhere"
    with pytest.raises(JurisdictionError, match="不存在的部门 county.nowhere"):
        parse_jurisdiction(d, FILE, category_codes())


def test_a_category_without_route_is_reported():
    d = data()
    del d["routing"]["family"]
    with pytest.raises(JurisdictionError, match="family"):
        parse_jurisdiction(d, FILE, category_codes())


def test_same_village_in_two_townships_is_rejected():
    d = data()
    d["townships"][1]["villages"].append(d["townships"][0]["villages"][0])
    with pytest.raises(JurisdictionError, match="同时出现"):
        parse_jurisdiction(d, FILE, category_codes())


def test_gazetteer_lists_townships_and_villages(jurisdiction):
    rows = jurisdiction.gazetteer()
    assert {"township": "戛洒镇", "village": "南恩村"}.items() <= next(
        r for r in rows if r["village"] == "南恩村"
    ).items()
    assert any(r["township"] == "者竜乡" and "者龙" in r["aliases"] for r in rows)
