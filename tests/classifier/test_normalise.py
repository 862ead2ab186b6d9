"""normalise(): traditional → simplified, full-width → half-width, noise stripped, numbers kept, never raises."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.normalise import is_blank_or_noise, normalise


def test_traditional_becomes_simplified():
    assert normalise("工廠晚上偷排廢水，我們村的河裡全是臭氣") == "工厂晚上偷排废水,我们村的河里全是臭气"


def test_full_width_letters_digits_and_punctuation_become_half_width():
    assert normalise("ＡＢＣ公司欠薪１２３４５元！") == "ABC公司欠薪12345元!"
    assert normalise("面积１２０㎡") == "面积120m2"


def test_numbers_phone_and_id_numbers_are_kept():
    text = "2023年3月欠我们3.5万元，电话13812345678，身份证53042719800101001X"
    assert normalise(text) == text.replace("，", ",")


def test_urls_emails_emoji_and_sticker_codes_are_removed():
    text = (
        "看这个😡😡 https://weibo.com/123?a=1&b=2 视频[捂脸]，或者 www.xinping.gov.cn/a.html 联系 ab.c@qq.com 👍🏻谢谢"
    )
    assert normalise(text) == "看这个 视频 ,或者 联系 谢谢"


def test_whitespace_is_collapsed_and_control_characters_dropped():
    assert normalise("  包工头\t\t跑了\n\n\u3000工资\x00没发  ") == "包工头 跑了 工资没发"


def test_zero_width_joiners_and_keycaps_do_not_split_words():
    assert normalise("1️⃣号楼 漏\u200b水") == "1号楼 漏水"


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_normalise_never_raises_and_returns_clean_text(text):
    out = normalise(text)
    assert isinstance(out, str)
    assert out == out.strip()
    assert "  " not in out
    assert not any(unicodedata.category(ch) in ("Cs", "Cc", "So") and ch != "°" for ch in out)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=50) | st.text(max_size=5))
def test_is_blank_or_noise_never_raises(text):
    assert is_blank_or_noise(text) in (True, False)


def test_surrogates_and_nul_are_dropped_not_fatal():
    assert normalise("欠\ud800薪\x00了") == "欠薪了"


def test_blank_and_noise_inputs_are_recognised():
    for text in ["", "   ", "\n\t", "😀😀😀", "！！？？。。", "👍🏻[捂脸]", "…", "https://example.com"]:
        assert is_blank_or_noise(text), text


def test_words_and_numbers_are_not_noise():
    for text in ["欠薪", "12345", "ok", "工資😡", "①"]:
        assert not is_blank_or_noise(text), text
