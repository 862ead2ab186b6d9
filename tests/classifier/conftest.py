"""A tiny hand-written training set (not the project's training data) and a model trained on it once."""

from __future__ import annotations

import pytest

TINY = {
    "labour": [
        "包工头欠我们三个月工资不给",
        "老板拖欠农民工工资跑路了",
        "工地干了半年一分钱工钱没拿到",
        "公司不签劳动合同还克扣工资",
        "在厂里受了工伤老板不管",
        "讨薪几次都被推来推去",
        "欠薪两万多元请帮忙追讨",
        "辞退我不给经济补偿",
        "工头说工程款没结所以不发工资",
        "厂里拖欠加班费",
    ],
    "land": [
        "征地补偿款一直没有发到村民手里",
        "宅基地被邻村的人强占",
        "承包地被村里收回转租给老板",
        "征地款被克扣了一半",
        "林地山林权属有争议",
        "土地流转的钱几年没给",
        "有人在基本农田上盖房子",
        "修路占了我家的地没有补偿",
        "承包的土地被别人强行耕种",
        "宅基地审批一直办不下来",
    ],
    "environment": [
        "养猪场臭气熏天污水直排河里",
        "工厂半夜偷排废水",
        "化工厂烟囱冒黑烟",
        "工地晚上施工噪音太大睡不着",
        "垃圾填埋场渗滤液污染井水",
        "砂石厂粉尘满天飞",
        "河里的鱼被污染死光了",
        "搅拌站的灰落满屋顶",
        "采石场放炮灰尘太大",
        "屠宰场血水排进沟里",
    ],
    "property": [
        "物业费涨价业主不同意",
        "小区电梯坏了物业不修",
        "物业公司服务差还乱收费",
        "业委会选举不公开",
        "小区停车位被物业卖给外人",
        "物业不打扫卫生垃圾堆成山",
        "维修基金被物业挪用",
        "物业把小区绿地改成停车场",
        "物业断水断电逼业主交费",
        "小区门禁坏了半年物业不管",
    ],
}


def tiny_texts_labels() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for label, examples in TINY.items():
        texts += examples
        labels += [label] * len(examples)
    return texts, labels


@pytest.fixture(scope="session")
def tiny_data() -> tuple[list[str], list[str]]:
    return tiny_texts_labels()


@pytest.fixture(scope="session")
def tiny_model(tiny_data):
    from classifier.model import CategoryModel

    texts, labels = tiny_data
    return CategoryModel(cv=3, C=1.0).fit(texts, labels)
