"""The many ways citizens write organisations, sums of money, head counts and emergencies (docs/FACTS_SPEC.md)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.jurisdiction import load_jurisdiction
from classifier.extract.names import is_bare_kind
from classifier.facts import derive_flags, extract_facts

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def facts():
    gazetteer = load_jurisdiction(ROOT / "bot" / "jurisdiction.yml").gazetteer()
    return lambda text: extract_facts(text, TODAY, gazetteer)


# --- organisations: listed when the name says which body, not when it only says what kind of body

@pytest.mark.parametrize("name", [
    "派出所", "镇政府", "乡政府", "政府", "医院", "公司", "纪委", "卫健局", "村委会", "镇卫生院", "乡中心学校", "人民法院",
    "中级人民法院", "劳动监察大队", "建筑公司", "物业公司", "化工厂", "当地派出所", "我们村委会", "附近的化工厂", "自来水公司",
    "社区卫生服务中心", "镇纪委", "银行",
])
def test_a_bare_kind_word_names_no_body(name):
    assert is_bare_kind(name)


@pytest.mark.parametrize("name", [
    "宏达建筑公司", "县人民医院", "戛洒镇人民政府", "南恩村委会", "新平县人社局", "县纪委", "华宇超市", "新平一中",
    "玉溪市中级人民法院", "戛洒派出所", "工商银行", "建设银行", "县第一中学", "锦绣园物业公司",
])
def test_a_name_place_or_county_level_makes_a_named_body(name):
    assert not is_bare_kind(name)


@pytest.mark.parametrize("text, orgs", [
    ("镇政府强拆我家养殖场，派出所也不管，恳请纪委调查。", []),
    ("当地派出所不管，我们村委会也不管，镇上的卫生院更不管。", []),
    ("镇卫生院把我父亲的病耽误了，现在转到县人民医院抢救。", ["县人民医院"]),
    ("县公安局和派出所都推来推去。", ["县公安局"]),  # two bodies the tagger joined
    ("我向县信访局反映过，信访局转给了住建局。", ["县信访局"]),
    ("玉溪市中级人民法院判了对方赔我四万六。", ["玉溪市中级人民法院"]),
    ("工商银行新平支行扣了我两千元手续费。", ["工商银行新平支行"]),
    ("我们一行8人到新平县人社局反映欠薪问题。", ["新平县人社局"]),
    ("南恩村委会把低保名额给了村干部亲戚。", ["南恩村委会"]),
    ("在县城一家建筑公司打工，公司欠我两万多。", []),
    ("希望公交公司增加班次。", []),  # 希望 opens the demand; 公交公司 is a kind
    ("宏达自来水公司乱收费。", ["宏达自来水公司"]),
])
def test_organisations_as_the_spec_lists_them(facts, text, orgs):
    assert facts(text)["organizations"] == orgs
