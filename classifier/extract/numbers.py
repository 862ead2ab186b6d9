"""Numerals inside spans that were already found: 三万二千 / 5.6万 / 2万5 / 两千多 / 十几 / 1,200.

cn2an does the arithmetic ("smart" mode also reads colloquial 一千五 = 1500 and mixed 2万5 = 25000); we only strip
the approximation markers (多 / 余 / 来 / 几, meaning "a lower bound"), thousands separators and the k / w
abbreviations first. Never call this on free text: cn2an reads 一共 as 1共.
"""

from __future__ import annotations

import re
from functools import lru_cache

import cn2an

CN_DIGITS = "零〇一二三四五六七八九两壹贰叁肆伍陆柒捌玖"
CN_UNITS = "十百千万亿拾佰仟"
# A numeral as written in a complaint: Arabic (with separators / decimals), Chinese, or mixed (5.6万, 2万5, 3千5).
# Atomic groups and the look-behind keep long digit runs (phone and ID numbers) from costing quadratic backtracking.
# A comma between digit groups is a thousands separator only before a currency or scale word (12,000元 / 1,200万):
# normalised Chinese text also has "150,200" for the list "150，200".
_GROUPS = r"(?:,\d{3}(?=(?:,\d{3})*(?:\.\d+)?\s?(?:元|块|圆|万|千|多|余|左右|RMB|rmb|CNY)))*"
NUMERAL = rf"(?:(?<![\d.])(?>\d+{_GROUPS}(?:\.\d+)?)(?>[{CN_UNITS}]*)(?:\d+)?|(?>[{CN_DIGITS}{CN_UNITS}]+))"
# 多 / 余 / 来 / 几 after the numeral mean "a bit more than": the value is the lower bound.
APPROX = "(?:多|余|来|几)"

_APPROX_INSIDE = re.compile(r"(?<=[十百千万])[几多余来]+")  # 十几 / 二十多 / 一百来 -> 十 / 二十 / 一百
# 七八 / 三四 / 一两 / 两三 before a unit or at the end: two neighbouring digits, a range
_NEIGHBOURS = re.compile(
    r"([一二两三四五六七八])(?=[二两三四五六七八九])(?:二|两|三|四|五|六|七|八|九)(?=[十百千万亿]|$)"
)
_SCALE = {"k": 1000, "K": 1000, "w": 10000, "W": 10000}


@lru_cache(maxsize=4096)
def parse_number(text: str) -> float | None:
    """Value of a numeral span, or None when it is not a number. 两千多 -> 2000, 十几 -> 10, 2.5w -> 25000."""
    if not text:
        return None
    s = text.strip().replace(",", "").replace("，", "")
    scale = 1
    if s and s[-1] in _SCALE:
        scale, s = _SCALE[s[-1]], s[:-1]
    s = _APPROX_INSIDE.sub("", s)
    s = _NEIGHBOURS.sub(lambda m: m.group(1), s)  # 七八万 / 四五千: the lower of two neighbours
    s = s.rstrip("多余来几")
    if not s or s in ("百", "千", "万", "亿", "拾", "佰", "仟"):
        return None
    if not re.fullmatch(rf"[\d.{CN_DIGITS}{CN_UNITS}]+", s) or s.count(".") > 1:
        return None
    try:
        value = cn2an.cn2an(s, "smart")
    except Exception:
        return None
    return float(value) * scale
