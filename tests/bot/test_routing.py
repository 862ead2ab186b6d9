from bot.routing import escalate_overdue, route
from classifier.categories import category_codes


def test_every_category_has_a_route(jurisdiction):
    for code in category_codes():
        r = route(code, None, None, [], jurisdiction)
        assert r.department_code in jurisdiction.departments


def test_land_in_a_known_township_goes_to_that_township_government(jurisdiction):
    r = route("land", "戛洒镇", "南恩村", [], jurisdiction)
    assert (r.department_code, r.level) == ("gasa.government", "township")


def test_village_alone_is_enough_to_find_the_township(jurisdiction):
    r = route("neighbour", None, "大沐浴村", [], jurisdiction)
    assert r.department_code == "mosha.judicial"


def test_township_alias_is_recognised(jurisdiction):
    assert route("land", "嘎洒", None, [], jurisdiction).department_code == "gasa.government"


def test_unknown_place_falls_back_to_the_county_department(jurisdiction):
    r = route("land", "通许县练城乡", None, [], jurisdiction)
    assert (r.department_code, r.level) == ("county.natural_resources", "county")


def test_collective_case_is_escalated_to_county_and_petition_bureau_told(jurisdiction):
    r = route("land", "戛洒镇", "南恩村", ["collective"], jurisdiction)
    assert r.department_code == "county.natural_resources"
    assert r.escalated and "county.petition" in r.notify


def test_urgent_case_is_escalated(jurisdiction):
    r = route("family", "漠沙镇", None, ["urgent"], jurisdiction)
    assert r.level == "county" and r.escalated


def test_litigation_is_redirected_to_legal_channels(jurisdiction):
    r = route("litigation", "戛洒镇", None, [], jurisdiction)
    assert r.legal_redirect and r.department_code == "county.politics_law"


def test_labour_always_goes_to_the_county_labour_bureau(jurisdiction):
    assert route("labour", "戛洒镇", "南恩村", [], jurisdiction).department_code == "county.hrss"


def test_unknown_category_goes_to_the_petition_bureau(jurisdiction):
    assert route("no_such", None, None, [], jurisdiction).department_code == "county.petition"


def test_overdue_township_ticket_moves_to_county(jurisdiction):
    r = escalate_overdue("gasa.government", "land", jurisdiction)
    assert r is not None and r.department_code == "county.natural_resources" and r.escalated


def test_overdue_county_ticket_has_nowhere_higher_to_go(jurisdiction):
    assert escalate_overdue("county.hrss", "labour", jurisdiction) is None
