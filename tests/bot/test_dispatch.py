"""Dispatch by matter: probabilities combined, departments by level and escalation, matters of another place, and
the catalogue checked for the county clerk."""

from pathlib import Path

import pytest
import yaml

from bot import dispatch
from bot.matters import CATALOGUE_DIR, CatalogueError, load_catalogue, parse_catalogue
from bot.routing import TRANSFER_DESK, route
from classifier.categories import category_codes


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_the_catalogue_has_enough_matters_for_every_category(catalogue):
    assert len(catalogue.matters) >= 150
    assert set(catalogue.by_category) == set(category_codes())
    for m in catalogue.matters.values():
        assert m.keywords and m.code.startswith(m.category + ".")


def test_every_matter_has_training_examples(catalogue):
    from bot.training import matter_examples

    _, labels = matter_examples(catalogue)
    counts = {code: labels.count(code) for code in catalogue.matters}
    assert min(counts.values()) >= 10, min(counts, key=counts.get)


def test_a_matter_names_its_department_by_level(catalogue, jurisdiction):
    land = next(m for m in catalogue.matters.values() if m.township == "government")
    assert catalogue.department(land.code, "gasa", jurisdiction) == "gasa.government"
    assert catalogue.department(land.code, None, jurisdiction) == land.county
    county_only = next(m for m in catalogue.matters.values() if m.township is None)
    assert catalogue.department(county_only.code, "gasa", jurisdiction) == county_only.county


def test_matters_are_routed_by_the_catalogue_and_escalated_by_the_rules(catalogue, jurisdiction):
    land = next(m for m in catalogue.matters.values() if m.category == "land" and m.township == "government")
    assert route("land", "mosha", [], jurisdiction, matter=land).department_code == "mosha.government"
    r = route("land", "mosha", ["collective"], jurisdiction, matter=land)
    assert (r.department_code, r.escalated) == (land.county, True)
    insurance = catalogue.matters.get("social_security.medical_reimbursement") or next(
        m for m in catalogue.matters.values() if m.county == "county.medical_insurance"
    )
    assert route(insurance.category, "gasa", [], jurisdiction, matter=insurance).department_code == (
        "county.medical_insurance"
    )


def test_a_matter_of_another_place_goes_to_the_transfer_desk(jurisdiction):
    where = {"province": "湖南省", "city": "娄底市", "county": "新化县", "text": "湖南省新化县"}
    r = route("labour", None, [], jurisdiction, out_of_area=where)
    assert r.department_code == TRANSFER_DESK and "湖南省娄底市新化县" in r.reason


def test_matter_probabilities_combine_both_models(catalogue):
    labour = [m.code for m in catalogue.by_category["labour"]][:2]
    land = [m.code for m in catalogue.by_category["land"]][:1]
    # the matter model is unsure between labour and land; the category model is sure it is labour
    matter_probs = {labour[0]: 0.3, labour[1]: 0.1, land[0]: 0.6}
    dist = dispatch.matter_distribution({"labour": 0.95, "land": 0.05}, matter_probs, catalogue)
    assert abs(sum(dist.values()) - 1) < 1e-9
    assert next(iter(dist)) == labour[0]  # the category model tips it
    assert dist[labour[0]] / dist[labour[1]] == pytest.approx(3.0)  # within a category: the matter model's ratio
    assert dispatch.best_matter(dist.items(), "land", catalogue) == land[0]
    assert dispatch.best_matter(dist.items(), "traffic", catalogue) is None


def test_department_alternatives_sum_the_matters_of_each_department(catalogue, jurisdiction):
    county = [m for m in catalogue.matters.values() if m.county == "county.hrss"][:2]
    other = next(m for m in catalogue.matters.values() if m.county == "county.medical_insurance")
    alts = dispatch.department_alternatives(
        [(county[0].code, 0.4), (county[1].code, 0.3), (other.code, 0.3)], "labour", None, [], catalogue, jurisdiction
    )
    assert alts[0] == ("county.hrss", pytest.approx(0.7)) and alts[1][0] == "county.medical_insurance"
    assert dispatch.department_alternatives([], "labour", None, [], catalogue, jurisdiction) == [("county.hrss", 1.0)]


@pytest.mark.parametrize(
    "places, expected",
    [
        ([{"text": "湖南省新化县", "province": "湖南省", "county": "新化县"}], ("湖南省", "娄底市", "新化县")),
        ([{"text": "昆明市五华区", "city": "昆明市", "county": "五华区"}], ("云南省", "昆明市", "五华区")),
        ([{"text": "元江县", "county": "元江哈尼族彝族傣族自治县"}], ("云南省", "玉溪市", "元江哈尼族彝族傣族自治县")),
        (
            [{"text": "广东东莞长安镇", "province": "广东省", "city": "东莞市", "township": "长安镇"}],
            ("广东省", "东莞市", None),
        ),
    ],
)
def test_places_elsewhere_make_the_matter_out_of_area(places, expected, jurisdiction):
    got = dispatch.out_of_area({"places": places}, jurisdiction)
    assert (got["province"], got["city"], got["county"]) == expected


@pytest.mark.parametrize(
    "places",
    [
        [],  # no place: ours by default
        [
            {"text": "新平戛洒", "county": "新平彝族傣族自治县", "township": "戛洒镇"},
            {"text": "浙江宁波", "city": "宁波市"},
        ],
        [{"text": "云南", "province": "云南省"}],  # our own province says nothing
        [{"text": "长安镇", "township": "长安镇"}],  # a town of unknown county: cannot tell
    ],
)
def test_a_place_of_ours_or_an_unknown_one_keeps_the_matter_local(places, jurisdiction):
    assert dispatch.out_of_area({"places": places}, jurisdiction) is None


def _one_file(tmp_path: Path, category: str, matters: list[dict]) -> list[Path]:
    path = tmp_path / f"{category}.yml"
    path.write_text(yaml.safe_dump({"category": category, "matters": matters}, allow_unicode=True), encoding="utf-8")
    return [path]


def test_catalogue_mistakes_are_reported_in_chinese(tmp_path, jurisdiction):
    good = {"code": "labour.x", "name": "x", "keywords": ["欠薪"], "departments": {"county": "county.hrss"}}
    cases = [
        ({**good, "departments": {"county": "county.nowhere"}}, "不在 jurisdiction.yml 里"),
        ({**good, "code": "land.x"}, "代码应写成 labour"),
        ({**good, "departments": {"county": "county.hrss", "township": "police"}}, "要求乡镇的“police”"),
        ({**good, "keywords": []}, "需要 keywords"),
        ({**good, "limits": {"accept_days": 0}}, "正整数"),
    ]
    for matter, message in cases:
        with pytest.raises(CatalogueError, match=message):
            parse_catalogue(_one_file(tmp_path, "labour", [matter]), jurisdiction, ["labour"])
    with pytest.raises(CatalogueError, match="还没有任何事项：land"):
        parse_catalogue(_one_file(tmp_path, "labour", [good]), jurisdiction, ["labour", "land"])
    assert CATALOGUE_DIR.name == "matters"


@pytest.mark.parametrize(
    "text, elsewhere",
    [
        ("我在昆明打工，老板拖欠了我三个月工资", True),
        ("到贵州遵义的工地干活，老板不给钱", True),
        ("我在浙江打工，老家在新平戛洒，医保能不能异地结算", False),
        ("在昆明住院花了三万，新平医保只报了一点", False),
        ("我们村有人在广东做传销，还拉我们亲戚去", False),
        ("隔壁双柏县的人来我们这里偷砍树", False),
        ("户口在贵州，在这边打工，孩子上学报不了名", False),
        ("在楚雄州双柏县的一个工地上班，欠薪三个月", True),
    ],
)
def test_places_named_in_the_text_decide_too_and_a_place_of_ours_keeps_it_local(text, elsewhere, jurisdiction):
    places = [{"text": "新平戛洒", "county": "新平彝族傣族自治县", "township": "戛洒镇"}] if "戛洒" in text else []
    category = "social_security" if "医保" in text else "labour"
    assert (dispatch.out_of_area({"places": places}, jurisdiction, text, category) is not None) == elsewhere


@pytest.mark.parametrize(
    "text, category, elsewhere",
    [
        ("我是新平人，在广州白云区的工地干活，包工头欠了两个月工资", "labour", True),
        ("我们都是新平漠沙的，在贵州毕节的煤矿干活，老板跑了", "labour", True),
        ("从新平过去的五个人在元江县的果园摘果子，工钱没给", "labour", True),
        ("我是新平人，在广州打工，新农合在老家交的，在外面看病怎么报销", "social_security", False),
        ("县城有家培训机构说是昆明总部的，收了钱就关门", "education", False),
        ("在昆明住院花了两万，回来报销说材料不全", "social_security", False),
    ],
)
def test_where_the_citizen_is_from_is_not_where_the_matter_is(text, category, elsewhere, jurisdiction):
    assert (dispatch.out_of_area({"places": []}, jurisdiction, text, category) is not None) == elsewhere


@pytest.mark.parametrize(
    "text, elsewhere",
    [
        ("我家屋头在峨山化念那点，村里修路占了我家地不赔钱", True),  # that 村里 is there
        ("县城有一家培训机构，说是昆明的连锁店，收了钱不上课", False),  # an unnamed 县城 is ours
        ("娃娃在昆明读大学，要回来开家庭困难证明，村委会不给开", False),  # studying there; the 村委会 is ours
    ],
)
def test_unnamed_places_of_ours_give_way_only_to_a_home_placed_elsewhere(text, elsewhere, jurisdiction):
    assert (dispatch.out_of_area({"places": []}, jurisdiction, text, "land") is not None) == elsewhere
