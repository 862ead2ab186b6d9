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


def test_department_short_names_must_be_a_list_of_names():
    d = data()
    d["departments"][1]["aliases"] = "人社局"
    with pytest.raises(JurisdictionError, match="aliases 必须是简称的列表"):
        parse_jurisdiction(d, FILE, category_codes())


def test_a_category_without_route_is_reported():
    d = data()
    del d["routing"]["family"]
    with pytest.raises(JurisdictionError, match="family"):
        parse_jurisdiction(d, FILE, category_codes())


def test_same_village_in_two_townships_is_rejected():
    d = data()
    d["townships"][1]["villages"]["copy"] = next(iter(d["townships"][0]["villages"].values()))
    with pytest.raises(JurisdictionError, match="同时出现"):
        parse_jurisdiction(d, FILE, category_codes())


def test_a_township_without_an_office_the_routing_needs_is_reported():
    d = data()
    del d["townships"][4]["offices"]["judicial"]
    with pytest.raises(JurisdictionError, match="judicial.*戛洒镇"):
        parse_jurisdiction(d, FILE, category_codes())


def test_every_township_lists_the_offices_the_routing_table_uses(jurisdiction):
    kinds = {r.township_kind for r in jurisdiction.routing.values() if r.township_kind}
    for t in jurisdiction.townships.values():
        assert kinds <= set(t.offices), t.name
        for code in t.offices.values():
            assert jurisdiction.departments[code].township == t.code


def test_offices_are_named_in_the_file_and_can_be_renamed_there():
    d = data()
    d["townships"][0]["offices"]["government"] = "桂山街道党工委办公室"
    j = parse_jurisdiction(d, FILE, category_codes())
    assert j.departments["guishan.government"].name == "桂山街道党工委办公室"


def test_an_unknown_escalation_setting_is_reported():
    d = data()
    d["escalation"]["urgent"]["to_cuonty"] = True
    with pytest.raises(JurisdictionError, match="to_cuonty"):
        parse_jurisdiction(d, FILE, category_codes())


def test_places_are_found_by_code_name_or_alias(jurisdiction):
    assert jurisdiction.township_code("gasa") == jurisdiction.township_code("戛洒镇") == "gasa"
    assert jurisdiction.township_code("嘎洒") == "gasa" and jurisdiction.township_code("新化县") is None
    assert jurisdiction.village("南恩村").code == "gasa.nanen"
    assert jurisdiction.village("南恩村", "mosha") is None
    assert jurisdiction.place_name("gasa", "gasa.nanen") == "戛洒镇南恩村"


def test_gazetteer_lists_townships_and_villages(jurisdiction):
    rows = jurisdiction.gazetteer()
    assert {"township": "戛洒镇", "village": "南恩村"}.items() <= next(
        r for r in rows if r["village"] == "南恩村"
    ).items()
    assert any(r["township"] == "者竜乡" and "者龙" in r["aliases"] for r in rows)


def test_a_village_is_found_in_other_forms_and_an_ambiguous_one_is_not_guessed(jurisdiction):
    j = jurisdiction
    assert j.village("南恩").code == j.village("南恩村委会").code == "gasa.nanen"
    assert j.village("嘎洒社区", "gasa").code == "gasa.gasa"  # the township's other spelling (its aliases)
    assert j.village("新寨") is None  # 新寨社区 (桂山) and 新寨村 (戛洒): which one, the words do not say
    assert j.village("新寨", "guishan").code == "guishan.xinzhai"
    assert j.village("新寨村", "guishan").code == "guishan.xinzhai"  # 村 for a 社区, in the township asked about
