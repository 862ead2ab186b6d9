from dataclasses import replace

from bot.jurisdiction import EscalationRule
from bot.routing import escalate_overdue, route
from classifier.categories import category_codes


def test_every_category_has_a_route(jurisdiction):
    for code in category_codes():
        r = route(code, None, [], jurisdiction)
        assert r.department_code in jurisdiction.departments


def test_land_in_a_known_township_goes_to_that_township_government(jurisdiction):
    r = route("land", "gasa", [], jurisdiction)
    assert (r.department_code, r.level) == ("gasa.government", "township")


def test_neighbour_disputes_go_to_the_townships_judicial_office(jurisdiction):
    assert route("neighbour", "mosha", [], jurisdiction).department_code == "mosha.judicial"


def test_no_township_falls_back_to_the_county_department(jurisdiction):
    r = route("land", None, [], jurisdiction)
    assert (r.department_code, r.level) == ("county.natural_resources", "county")
    assert route("land", "no-such-code", [], jurisdiction).level == "county"


def test_collective_case_is_escalated_to_county_and_petition_bureau_told(jurisdiction):
    r = route("land", "gasa", ["collective"], jurisdiction)
    assert r.department_code == "county.natural_resources"
    assert r.escalated and "county.petition" in r.notify


def test_urgent_case_is_escalated(jurisdiction):
    r = route("family", "mosha", ["urgent"], jurisdiction)
    assert r.level == "county" and r.escalated


def test_escalation_follows_the_rules_of_the_jurisdiction_file(jurisdiction):
    """`to_county: false` keeps a collective land case with the township; `notify` is still told."""
    j = replace(jurisdiction, escalation={"collective": EscalationRule(to_county=False, notify="county.petition")})
    r = route("land", "gasa", ["collective"], j)
    assert (r.department_code, r.escalated, r.notify) == ("gasa.government", False, ("county.petition",))
    assert route("land", "gasa", ["urgent"], j).department_code == "gasa.government"  # no rule for urgent


def test_litigation_is_redirected_to_legal_channels(jurisdiction):
    r = route("litigation", "gasa", [], jurisdiction)
    assert r.legal_redirect and r.department_code == "county.politics_law"


def test_labour_always_goes_to_the_county_labour_bureau(jurisdiction):
    assert route("labour", "gasa", [], jurisdiction).department_code == "county.hrss"


def test_unknown_category_goes_to_the_petition_bureau(jurisdiction):
    assert route("no_such", None, [], jurisdiction).department_code == "county.petition"


def test_overdue_township_ticket_moves_to_county(jurisdiction):
    r = escalate_overdue("gasa.government", "land", jurisdiction)
    assert r is not None and r.department_code == "county.natural_resources" and r.escalated


def test_overdue_county_ticket_has_nowhere_higher_to_go(jurisdiction):
    assert escalate_overdue("county.hrss", "labour", jurisdiction) is None
