"""Fact extraction on realistic complaints and short dialogue answers (docs/FACTS_SPEC.md is the contract)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import cn2an
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.jurisdiction import load_jurisdiction
from classifier.facts import FACT_KEYS, derive_flags, extract_corrected_place, extract_facts

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 23)  # a Monday


@pytest.fixture(scope="module")
def gazetteer() -> list[dict]:
    return load_jurisdiction(ROOT / "bot" / "jurisdiction.yml").gazetteer()


@pytest.fixture(scope="module")
def facts(gazetteer):
    return lambda text, today=TODAY: extract_facts(text, today, gazetteer)


def pairs(places: list[dict]) -> set[tuple]:
    return {(p["township"], p["village"], p["group"]) for p in places}


def test_land_complaint_gives_every_fact_with_its_span(facts):
    text = (
        "我是戛洒镇南恩村三组的村民，去年十月村委会把我家2.5亩承包地占了修路，一分钱补偿都没给，村支书李某说不服就去告。"
        "要求归还土地或者按标准补偿。电话13812345678。"
    )
    f = facts(text)
    assert set(f) == set(FACT_KEYS)
    (place,) = f["places"]
    assert place["text"] == "戛洒镇南恩村三组"
    assert (place["county"], place["township"], place["village"], place["group"]) == (
        "新平彝族傣族自治县",
        "戛洒镇",
        "南恩村",
        3,
    )
    assert f["times"] == [{"text": "去年十月", "start": "2025-10-01", "end": "2025-10-31"}]
    assert f["land_mu"] == 2.5
    assert f["phones"] == ["13812345678"]
    assert f["persons"] == ["李某"]  # 村支书李某 -> 李某
    assert f["demand"] == "要求归还土地或者按标准补偿"
    assert f["money"] == []  # 一分钱补偿都没给: nothing was paid, and 一分 is no time either
    assert all(t["text"] in text for t in f["times"])


def test_unpaid_wages_give_people_money_duration_employer_and_flags(facts):
    text = (
        "包工头王老板欠我们12个农民工三个月工资，共计三万二千元，宏达建筑公司一直推脱不管。"
        "我们多次找过劳动监察大队都没有结果，希望政府尽快帮我们讨回血汗钱！"
    )
    f = facts(text)
    assert f["people_count"] == 12
    assert f["money"] == [{"text": "三万二千元", "yuan": 32000}]
    assert f["times"] == [{"text": "三个月", "days": 90}]
    assert f["persons"] == ["王老板"]
    assert f["organizations"] == ["宏达建筑公司"]  # 劳动监察大队 alone names no particular body
    assert f["demand"] == "希望政府尽快帮我们讨回血汗钱"
    assert set(derive_flags(text, f)) == {"collective", "repeat"}


@pytest.mark.parametrize(
    "text, yuan",
    [
        ("共计三万二千元", 32000),
        ("前后花了5.6万", 56000),
        ("补偿标准每亩只有一千五", 1500),
        ("厂里只赔了两千多块", 2000),
        ("价值约3k", 3000),
        ("只肯赔一万五", 15000),
        ("人民币叁万元整", 30000),
        ("欠我工资4000块。", 4000),
    ],
)
def test_money_is_read_in_its_written_forms(facts, text, yuan):
    assert [m["yuan"] for m in facts(text)["money"]] == [yuan]


def test_counts_and_ages_are_not_money(facts):
    f = facts("我们村三万人，我今年82岁，发烧39度")
    assert f["money"] == [] and f["times"] == []


def test_one_fen_is_neither_a_time_nor_a_sum(facts):
    f = facts("村里只给了一分钱补偿都没有，他一分钱都不肯出")
    assert f["times"] == [] and f["money"] == []


def test_clock_times_and_midnight_are_not_times(facts):
    assert facts("邻居天天半夜装修，晚上十点以后还在打钻")["times"] == []


def test_county_hospital_is_an_organisation_not_a_place(facts):
    f = facts("我母亲在县人民医院做手术后感染，新平县人民医院也不管")
    assert f["places"] == []
    assert f["organizations"] == ["县人民医院", "新平县人民医院"]


def test_checksum_invalid_id_is_reported_separately_and_x_is_upper_cased(facts):
    f = facts("身份证410222196505121234，我爱人的是53042719881122123x，另一个530427196803150022")
    assert f["invalid_id_numbers"] == ["410222196505121234"]
    assert f["id_numbers"] == ["53042719881122123X", "530427196803150022"]
    assert f["phones"] == []  # digits inside an ID number are not a phone number


@pytest.mark.parametrize(
    "text, phones",
    [
        ("电话138 1234 5678", ["13812345678"]),
        ("手机：+86-13912345678", ["13912345678"]),
        ("座机08774567890", ["0877-4567890"]),
        ("电话：0877-6012345，联系人罗女士", ["0877-6012345"]),
        ("电话1381234567812", []),  # 13 digits: not a phone number
    ],
)
def test_phones_come_out_in_normal_form(facts, text, phones):
    assert facts(text)["phones"] == phones


@pytest.mark.parametrize(
    "answer, key, expected",
    [
        ("戛洒镇南恩村", "places", {("戛洒镇", "南恩村", None)}),
        ("峨德村", "places", {("漠沙镇", "峨德村", None)}),  # the township comes from the jurisdiction file
        ("嘎洒镇曼蚌村五组", "places", {("戛洒镇", "曼蚌村", 5)}),
        ("三组", "places", {(None, None, 3)}),
        ("第三村民小组", "places", {(None, None, 3)}),
        ("漠沙", "places", {("漠沙镇", None, None)}),
        ("13812345678", "phones", ["13812345678"]),
        ("去年十月", "times", [{"text": "去年十月", "start": "2025-10-01", "end": "2025-10-31"}]),
        ("三个月了", "times", [{"text": "三个月", "days": 90}]),
    ],
)
def test_short_dialogue_answers_are_understood(facts, answer, key, expected):
    got = facts(answer)[key]
    assert (pairs(got) if key == "places" else got) == expected


def test_a_common_word_that_is_also_a_township_alias_is_not_a_place(facts):
    assert facts("我在家门口的水塘边洗衣服，看到有人往水塘里倒农药瓶子")["places"] == []
    assert pairs(facts("水塘")["places"]) == {("水塘镇", None, None)}


def test_correction_gives_the_place_after_the_negated_one(gazetteer, facts):
    corrected = extract_corrected_place("不是戛洒镇，是漠沙镇", gazetteer)
    assert (corrected["township"], corrected["village"]) == ("漠沙镇", None)
    assert pairs(facts("不是戛洒镇，是漠沙镇")["places"]) == {("漠沙镇", None, None)}
    assert extract_corrected_place("是平甸乡，不是平掌乡", gazetteer)["township"] == "平甸乡"
    assert extract_corrected_place("不是南恩村，是曼蚌村", gazetteer)["village"] == "曼蚌村"
    assert extract_corrected_place("戛洒镇南恩村", gazetteer) is None  # nothing is corrected


def test_dates_are_resolved_against_today(facts):
    assert facts("上周")["times"] == [{"text": "上周", "start": "2026-11-16", "end": "2026-11-22"}]
    assert facts("今年")["times"] == [{"text": "今年", "start": "2026-01-01", "end": "2026-12-31"}]
    # no year written: the most recent such date not after today
    assert facts("三月十二号", date(2026, 2, 10))["times"][0]["start"] == "2025-03-12"
    assert facts("2月10号", date(2026, 2, 10))["times"][0]["start"] == "2026-02-10"
    span = facts("去年十月到今年一月")["times"]
    assert [(t["start"], t["end"]) for t in span] == [("2025-10-01", "2026-01-31")]


@pytest.mark.parametrize(
    "text, days",
    [
        ("三个月了", 90),
        ("拖了半年了", 182),
        ("已经两年多了", 730),
        ("一年半", 547),
        ("二十多天", 20),
        ("停水一个星期", 7),
    ],
)
def test_durations_become_days(facts, text, days):
    assert [t["days"] for t in facts(text)["times"]] == [days]


def test_ages_and_pregnancy_months_are_not_times(facts):
    assert facts("我今年82岁，怀孕五个月")["times"] == []


@pytest.mark.parametrize(
    "text, mu",
    [
        ("我家两亩半的橡胶地", 2.5),
        ("有3分地被邻居占去", 0.3),
        ("我家1.2公顷的林地", 18),
        ("占了我家大约30平方米的宅基地", 0.04),
        ("面积是8亩，实际测量只有5亩", 8),
        ("一亩三分地", 1.3),
        ("买了一套120平方米的房子", None),
    ],
)
def test_land_area_is_in_mu(facts, text, mu):
    assert facts(text)["land_mu"] == mu


@pytest.mark.parametrize(
    "text, count",
    [
        ("欠我们12个农民工的工资", 12),
        ("我们二十多户村民的饮用水", 20),
        ("全村一百多人", 100),
        ("一家五口人借住", 5),
        ("我和另外5个工友", 6),
        ("对方三个人把我打了", None),
        ("我一个人去的", None),
        ("七十多岁的老人", None),
    ],
)
def test_people_count_is_the_citizens_side(facts, text, count):
    assert facts(text)["people_count"] == count


def test_traditional_characters_are_converted_first(facts):
    f = facts("我們家住在漠沙鎮曼線村，已經兩年多了。請求鎮政府派人調查。")
    assert pairs(f["places"]) == {("漠沙镇", "曼线村", None)}
    assert f["times"] == [{"text": "两年多", "days": 730}]
    assert f["demand"] == "请求镇政府派人调查"


def test_places_outside_the_county_keep_the_written_levels(facts):
    (place,) = facts("河南省开封市通许县练城乡王庄村的张大军上周打人")["places"]
    assert (place["province"], place["city"], place["county"], place["township"], place["village"]) == (
        "河南省",
        "开封市",
        "通许县",
        "练城乡",
        "王庄村",
    )
    (place,) = facts("我在昆明呈贡区买的房子")["places"]
    assert (place["province"], place["city"], place["county"]) == (None, "昆明市", "呈贡区")


def test_the_writers_own_name_is_not_listed(facts):
    f = facts("我叫李明华，住在漠沙镇大沐浴村，邻居王某天天吵。本人张三")
    assert f["persons"] == ["王某"]


def test_generic_bodies_are_not_listed_but_named_ones_are(facts):
    assert facts("村委会把地收回了，医院也不管")["organizations"] == []
    assert facts("戛洒镇人民政府和县自然资源局都不管")["organizations"] == ["戛洒镇人民政府", "县自然资源局"]


@pytest.mark.parametrize(
    "text, flags",
    [
        ("我要跳楼了，老板欠钱不给", {"urgent"}),
        ("我们全村村民联名举报", {"collective"}),
        ("这是我第三次反映了", {"repeat"}),
        ("家里有七十多岁的老人和一个残疾的弟弟", {"elderly_or_vulnerable"}),
        ("也可以打我老伴的电话13988887777", set()),
        ("每周要透析三次", set()),
    ],
)
def test_flags(facts, text, flags):
    assert set(derive_flags(text, facts(text))) == flags


def test_empty_or_blank_text_gives_every_key_empty(facts):
    for text in ("", "   ", "。。。"):
        f = facts(text)
        assert set(f) == set(FACT_KEYS)
        assert not any(f[k] for k in FACT_KEYS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_extraction_never_raises_on_arbitrary_unicode(facts, text):
    f = facts(text)
    assert set(f) == set(FACT_KEYS)
    derive_flags(text, f)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=99_999_999))
def test_money_written_in_chinese_numerals_round_trips(facts, n):
    written = cn2an.an2cn(n) + "元"
    assert facts(written)["money"] == [{"text": written, "yuan": n}]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=99_999_999))
def test_land_in_chinese_numerals_round_trips(facts, n):
    assert facts(cn2an.an2cn(n) + "亩")["land_mu"] == n


def test_python_jieba_fallback_segments_like_rjieba():
    from classifier.extract.segmenter import WordSegmenter

    words = ["戛洒镇", "南恩村"]
    rust, python = WordSegmenter(words), WordSegmenter(words, prefer_rust=False)
    assert (rust.name, python.name) == ("rjieba", "jieba")
    for text in (
        "我是戛洒镇南恩村三组的村民，去年十月村委会把我家2.5亩承包地占了",
        "包工头王老板欠我们12个农民工三个月工资",
    ):
        assert rust.cut(text) == python.cut(text)


def test_a_county_elsewhere_sharing_characters_with_a_township_is_that_county(facts):
    """湖南省新化县 is a county of Hunan, never 新化乡 of this county; 新化乡龙树村 stays ours."""
    [hunan] = facts("湖南省新化县有个砖厂欠我工资")["places"]
    assert (hunan["province"], hunan["county"], hunan["township"]) == ("湖南省", "新化县", None)
    [ours] = facts("新化乡龙树村的路坏了")["places"]
    assert (ours["township"], ours["village"]) == ("新化乡", "龙树村")


def test_autonomous_counties_are_found_by_their_everyday_name(facts):
    [place] = facts("元江县的亲戚家房子漏水")["places"]
    assert place["county"] == "元江哈尼族彝族傣族自治县"
