"""Places of China named by their everyday short names, as citizens write them."""

import pytest

from classifier.extract.elsewhere import divisions_named


def names(text: str) -> list[str]:
    return [div.name for _, _, div in divisions_named(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我在昆明打工，老板欠薪", ["昆明市"]),
        ("浙江宁波那边的工地", ["浙江省", "宁波市"]),
        ("峨山县的砂石厂", ["峨山彝族自治县"]),
        ("我家在元江，路坏了", ["元江哈尼族彝族傣族自治县"]),
        ("湖南省新化县", ["湖南省", "新化县"]),
    ],
)
def test_short_and_full_names_are_found(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    ["小卖部的普洱茶是假的", "说四川话的人骗老人", "湖南人开的饭馆", "北京时间十点", "我从广东回来以后村里不给分地"],
)
def test_words_that_only_contain_a_place_name_are_not_places(text):
    assert names(text) == []
