"""tokenize(): jieba with the governance / place-name user dictionary, on a private tokenizer."""

from __future__ import annotations

import pytest

from classifier.segment import get_tokenizer, read_userdict, tokenize

USER_TERMS = [word for word, _freq, _tag in read_userdict()]


def test_user_dictionary_has_the_governance_terms_and_townships():
    for term in [
        "欠薪",
        "宅基地",
        "低保",
        "棚改",
        "业委会",
        "承包地",
        "包工头",
        "村支书",
        "征地款",
        "物业费",
        "医保",
        "养老金",
        "戛洒镇",
        "者竜乡",
        "新平县",
    ]:
        assert term in USER_TERMS


@pytest.mark.parametrize("template", ["关于{}的问题", "我们{}的事没人管", "{}", "反映{}问题,请尽快处理"])
def test_every_user_dictionary_term_stays_whole(template):
    split = [t for t in USER_TERMS if t not in tokenize(template.format(t))]
    assert split == []


def test_sentences_keep_terms_whole():
    tokens = tokenize("包工头欠薪三个月,村支书说承包地的征地款还没发到戛洒镇南恩村")
    for term in ["包工头", "欠薪", "村支书", "承包地", "征地款", "戛洒镇", "南恩村"]:
        assert term in tokens


def test_whitespace_is_not_a_token_and_empty_text_gives_nothing():
    assert tokenize("物业费  太贵") == ["物业费", "太贵"]
    assert tokenize("") == []


def test_private_tokenizer_leaves_jiebas_global_dictionary_alone():
    import jieba

    tk = get_tokenizer()
    assert tk is not jieba.dt
    assert "征地款" in tk.FREQ
    if jieba.dt.initialized:  # other code may use the global tokenizer; ours must not have added to it
        assert jieba.dt.FREQ.get("征地款", 0) != tk.FREQ["征地款"]
