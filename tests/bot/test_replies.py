"""The body that handled a complaint, read from an official reply (bot.replies). The replies here are written for
the test, in the style of a city's message board."""

import pytest

from bot.replies import TOWNSHIP_GOVERNMENT, TOWNSHIP_JUDICIAL, handling_body


@pytest.mark.parametrize(
    "reply, body, label",
    [
        ("网友您好！您反映的问题已转交县人社局核实、办复。2020年3月1日", "县人社局", "county.hrss"),
        ("您好！经B市交警支队调查，该路段已增设限速标志。", "B市交警支队", "county.public_security"),
        ("您好，我们已转交市教育局。2019年10月13日", "市教育局", "county.education"),
        ("收到留言后，我镇高度重视，立即安排人员到现场查看。", "我镇", TOWNSHIP_GOVERNMENT),
        ("您反映的问题已转河东乡人民政府调查核实。", "河东乡人民政府", TOWNSHIP_GOVERNMENT),
        ("感谢您对教育工作的关心！ C市教育局 2014年4月29日", "C市教育局", "county.education"),
        ("已交由城西街道司法所组织双方调解。", "城西街道司法所", TOWNSHIP_JUDICIAL),
        ("您好！您反映的停电问题已转县供电公司处理。", "县供电公司", "external.power"),
    ],
)
def test_the_body_named_as_handling_it_is_read_and_mapped_onto_our_departments(reply, body, label, jurisdiction):
    found = handling_body(reply, jurisdiction)
    assert found is not None and (found.body, found.label) == (body, label)


@pytest.mark.parametrize(
    "reply",
    [
        "您好！您反映的问题已转相关部门调查处理。",  # no body named
        "我局高度重视，立即组织执法人员到现场调查。",  # which 局, the reply does not say
        "您好，经物业公司核实，电梯已修好。",  # a company, not a public body
        "根据省公安厅交警总队2017年5月31日的发文，外地人员可以报考。",  # cited, not handling
        "已转区人民政府研究。",  # a district's government as a whole: no department (and not 民政)
    ],
)
def test_no_label_is_better_than_a_guessed_one(reply, jurisdiction):
    assert handling_body(reply, jurisdiction) is None


def test_the_longest_alias_decides_and_departments_are_named_by_short_names(jurisdiction):
    assert jurisdiction.department_named("A市交通运输局") == "county.transport"
    assert jurisdiction.department_named("县交警大队") == "county.public_security"
    assert jurisdiction.department_named("新平县医保局") == "county.medical_insurance"
    assert jurisdiction.department_named("开发区管委会") is None
