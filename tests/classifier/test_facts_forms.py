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


@pytest.mark.parametrize(
    "name",
    [
        "派出所",
        "镇政府",
        "乡政府",
        "政府",
        "医院",
        "公司",
        "纪委",
        "卫健局",
        "村委会",
        "镇卫生院",
        "乡中心学校",
        "人民法院",
        "中级人民法院",
        "劳动监察大队",
        "建筑公司",
        "物业公司",
        "化工厂",
        "当地派出所",
        "我们村委会",
        "附近的化工厂",
        "自来水公司",
        "社区卫生服务中心",
        "镇纪委",
        "银行",
    ],
)
def test_a_bare_kind_word_names_no_body(name):
    assert is_bare_kind(name)


@pytest.mark.parametrize(
    "name",
    [
        "宏达建筑公司",
        "县人民医院",
        "戛洒镇人民政府",
        "南恩村委会",
        "新平县人社局",
        "县纪委",
        "华宇超市",
        "新平一中",
        "玉溪市中级人民法院",
        "戛洒派出所",
        "工商银行",
        "建设银行",
        "县第一中学",
        "锦绣园物业公司",
    ],
)
def test_a_name_place_or_county_level_makes_a_named_body(name):
    assert not is_bare_kind(name)


@pytest.mark.parametrize(
    "text, orgs",
    [
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
    ],
)
def test_organisations_as_the_spec_lists_them(facts, text, orgs):
    assert facts(text)["organizations"] == orgs


# --- money: the ways citizens write a sum


@pytest.mark.parametrize(
    "text, yuan",
    [
        ("老板还欠我万把块钱工资没给", [10000]),
        ("结果半年只发了1万2", [12000]),
        ("借给同村的王某一万二", [12000]),
        ("工程款12,000元拖了一年多", [12000]),
        ("收了我1.2w", [12000]),
        ("他骗了我2.5W", [25000]),
        ("5K的押金不退", [5000]),
        ("只补了两万来块", [20000]),
        ("三四千块的年货全扔了", [3000]),
        ("一两千块钱", [1000]),
        ("医药费一共花了二三十万", [200000]),
        ("物业费1800元", [1800]),
        ("五百圆一亩的租金", [500]),
        ("欠薪人民币两万三千元", [23000]),
        ("付款￥800", [800]),
        ("答应赔RMB 5000", [5000]),
        ("RMB3000的工资", [3000]),
        ("3000RMB的工资", [3000]),
        ("被骗走5000元人民币", [5000]),
        ("每年分红只有3千元", [3000]),
        ("交了2万元押金", [20000]),
        ("我爸在养老院每月交三千", [3000]),
        ("每人每天两百，一分钱没拿到", [200]),
        ("老板说好工资3500一个月", [3500]),
        ("日工资200，应得9000元", [200, 9000]),
        ("月薪6000，试用期三个月", [6000]),
        ("看病花了五千多元，新农合只报了一千出头", [5000, 1000]),
        ("还差八千多工资", [8000]),
        ("拿到手只有1千8，扣了住宿费", [1800]),
        ("这个月工资少了三百五", [350]),
        ("收购商给了我一张三千二的白条", [3200]),
        ("对方要二十万赎金", [200000]),
        ("一头牛值一万五左右", [15000]),
        ("补助标准是每亩八百，只拿到了一千六", [800, 1600]),
        ("退休金每个月少发了四百多", [400]),
        ("车位要另外花十几万买", [100000]),
        ("另外1,200万的项目款", [12000000]),
        ("收购价才1块2一斤", [1.2]),
        ("比隔壁村贵了一块五", [1.5]),
        ("每天挣个百把块", [100]),
    ],
)
def test_money_in_colloquial_forms(facts, text, yuan):
    assert [m["yuan"] for m in facts(text)["money"]] == yuan


@pytest.mark.parametrize(
    "text",
    [
        "装修队收了好几千的定金",
        "损失上万元",
        "租金才几百块",
        "我们村三千多人，种了两千多棵树，修了一千多米的路",
        "我是一名退伍军人",
        "小区一共有六部电梯",
        "多收了一百多度电",
        "工资卡号6217001234567890",
        "按责任承担百分之三十的赔偿",
        "他今年三十出头",
        "层高比合同上少了十公分",
        "赔了5",
    ],
)
def test_vague_amounts_counts_and_numbers_that_are_not_sums(facts, text):
    assert facts(text)["money"] == []


def test_a_comma_list_of_amounts_is_not_one_thousands_grouped_number(facts):
    assert [m["yuan"] for m in facts("每天150，200一天也行，总共12,000元")["money"]] == [150, 200, 12000]


# --- head counts on the citizen's side


@pytest.mark.parametrize(
    "text, count",
    [
        ("我们村30多户的饮用水被污染了", 30),
        ("我们七八个工人在工地干活", 7),
        ("厂里拖欠我们十几个人的工资", 10),
        ("一百来号人在工地上干了半年", 100),
        ("两百多号工人围在项目部门口讨薪", 200),
        ("全组村民四十余人都有意见", 40),
        ("涉及农民工共计17名，被拖欠工资", 17),
        ("工人有三十多名，都是附近村子的", 30),
        ("我们小区200多名业主", 200),
        ("我家一家五口挤在一间危房里", 5),
        ("一家老小六口", 6),
        ("我们两口子都没有工作", 2),
        ("工地上一共有十二三个人", 12),
        ("三名干部来调查", None),
        ("对方来了五六个人把门砸了", None),
        ("被三名保安打了", None),
        ("他考了第三名", None),
        ("3号人民广场", None),
    ],
)
def test_head_counts_in_colloquial_forms(facts, text, count):
    assert facts(text)["people_count"] == count


def test_a_price_per_mu_is_not_an_area(facts):
    assert facts("一年的土地租金才五百圆一亩")["land_mu"] is None
    assert facts("我家有一亩地被占了")["land_mu"] == 1


# --- flags


@pytest.mark.parametrize(
    "text",
    [
        "我弟弟今天站在楼顶上说要跳楼",
        "我妈在家哭着说不活了，要喝药",
        "隔壁男人拿刀追着他老婆砍，现在正在打",
        "楼下饭店煤气泄漏",
        "我家一家五口住的房子要塌了",
        "孩子在学校被几个同学打得住院",
        "我们三个人去讨薪被保安打了",
        "邻居扬言要弄死我全家",
        "开发商雇人把我丈夫打得头破血流",
        "我被他掐着脖子差点死了",
        "我儿子被人绑走了",
        "八十岁的婆婆被关在柴房里不给饭吃",
        "工地的塔吊歪了，随时会砸下来",
        "我被逼得走投无路了，只能一死了之",
        "再不解决就去县政府门口自焚",
        "邻居烧秸秆把我家的柴房点着了",
        "路边的电线断了垂在地上",
    ],
)
def test_urgent_phrasing(facts, text):
    assert "urgent" in derive_flags(text, facts(text))


@pytest.mark.parametrize(
    "text",
    [
        "我们去打工，打电话给老板，准备打官司，打了借条",
        "楼顶漏水好几年了",
        "他把钱打了过去",
        "小区绿化带被物业砍了",
        "邻居天天拿棍子敲天花板",
        "去年8月公路被山体滑坡冲断，到现在都没修",
        "请政府救救我们",
        "在砖厂干活被砖垛砸伤了脚",
        "一块五分地",
    ],
)
def test_not_urgent(facts, text):
    assert "urgent" not in derive_flags(text, facts(text))


def test_sums_are_not_many_people_and_searching_is_not_complaining(facts):
    for text in ("租金才几百块", "补偿款数十万元", "上百元的东西", "打针花了好几百，他家还不认账", "看病用了几百"):
        assert "collective" not in derive_flags(text, facts(text))
    assert "collective" in derive_flags("村里好几百人都没水吃了", facts("村里好几百人都没水吃了"))
    assert "repeat" in derive_flags("找了镇政府和环保局都没人管", facts("找了镇政府和环保局都没人管"))
    assert "repeat" not in derive_flags("孩子发烧，找了一圈都没开门", facts("孩子发烧，找了一圈都没开门"))


def test_pieces_and_land_are_not_yuan_and_jiao(facts):
    assert facts("一块五分地，一块宅基地")["money"] == []
