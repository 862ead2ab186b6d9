"""Land area in 亩 and the number of people on the citizen's side: no library does either.

Land: 2.5亩 / 两亩半 -> 2.5, 一亩三分 -> 1.3, 3分地 -> 0.3, 1公顷 -> 15, 平方米 / 666.67 (only for land, not a flat).
People: 我们12个农民工 -> 12, 二十多户村民 -> 20, 全村一百多人 -> 100, 一百来号人 -> 100, 工人有三十多名 -> 30,
一家五口(人) -> 5 (the family is the affected side), 两口子 -> 2; respondents (对方三个人) and a lone citizen (一个人)
are not counted. Both keep the largest value written.
"""

from __future__ import annotations

import re

from classifier.extract.numbers import APPROX, NUMERAL, parse_number
from classifier.extract.terms import alternation, terms

_MU = re.compile(
    rf"(?P<mu>{NUMERAL}){APPROX}?亩(?P<half>半)?(?:(?P<fen>[一二三四五六七八九\d])分(?:地)?)?"
    rf"|(?P<half_mu>半)亩"
    rf"|(?P<fen_only>{NUMERAL})分(?:多)?(?:地|田|耕地|宅基地|自留地)"
    rf"|(?P<ha>{NUMERAL}){APPROX}?公顷"
    rf"|(?P<sqm>{NUMERAL}){APPROX}?(?:平方米|平方|平米|㎡|m2|m²)"
)
_PER_MU = re.compile(r"(?:元|圆|块|钱|万|千|百|/|\d)$")
_LAND_CONTEXT = re.compile(r"地|田|土|林|山|坡|园|塘|场坝|院坝")
_FLAT_CONTEXT = re.compile(r"房|楼|套|商铺|门面|户型|住宅|公寓|小区|装修|车库|车位")


def find_land(text: str, taken=()) -> list[tuple[int, int, float]]:
    """(start, end, 亩) for every land area in `text`."""
    out = []
    for m in _MU.finditer(text):
        if any(m.start() < te and ts < m.end() for ts, te in taken):
            continue
        if (
            m.group("mu") in ("一", "1")
            and not m.group("half")
            and not m.group("fen")
            and _PER_MU.search(text, max(0, m.start() - 3), m.start())
            or any(te == m.start() for _, te in taken)
        ):
            continue  # 五百圆一亩 / 3万一亩: a price per mu, not an area
        if m.group("mu") is not None:
            value = parse_number(m.group("mu"))
            if value is None:
                continue
            if m.group("half"):
                value += 0.5
            if m.group("fen"):
                value += (parse_number(m.group("fen")) or 0) / 10
        elif m.group("half_mu"):
            value = 0.5
        elif m.group("fen_only") is not None:
            value = parse_number(m.group("fen_only"))
            value = None if value is None or value >= 10 else value / 10
        elif m.group("ha") is not None:
            value = parse_number(m.group("ha"))
            value = None if value is None else value * 15
        else:
            window = text[max(0, m.start() - 12) : m.end() + 6]
            value = parse_number(m.group("sqm"))
            near_land = _LAND_CONTEXT.search(text[max(0, m.start() - 6) : m.start()] + text[m.end() : m.end() + 3])
            if value is None or not (near_land or (_LAND_CONTEXT.search(window) and not _FLAT_CONTEXT.search(window))):
                continue
            value = round(value / 666.67, 2)
        if value is not None:
            out.append((m.start(), m.end(), round(value, 2)))
    return out


_people_re = None


def _people_pattern() -> re.Pattern:
    global _people_re
    if _people_re is None:
        nouns = alternation(terms("people_nouns"))
        _people_re = re.compile(
            # 12个农民工 / 二十多户村民 / 一百来号人 / 两百多号工人
            rf"(?P<num>{NUMERAL})(?P<approx>{APPROX})?(?P<measure>个|名|位|户|家|口|号)?(?:{APPROX})?(?P<noun>{nouns})"
            # 三十几户 / 120户
            rf"|(?P<num2>{NUMERAL}){APPROX}?户(?!口)"
            # 工人有三十多名， / 涉及农民工共计17名。: 名 / 位 count people even when the noun came before
            rf"|(?P<num3>{NUMERAL}){APPROX}?[名位]{APPROX}?(?=[，,。.！!？?；;、\s)）]|$|都|均|全|左右|以上|一起)"
            # 一家五口 / 全家六口 / 一家老小七口
            rf"|(?:一家|全家|家里|家中|我家)(?:人|老小|大小)?(?:共|一共|总共|有|是)?(?P<num4>{NUMERAL})口(?!子|井|塘|锅|棺)"
            # 两口子 / 老两口 / 夫妻俩: two
            rf"|(?P<couple>两口子|老两口|夫妻俩|夫妻二人|夫妻两人)"
        )
    return _people_re


# the counted people are the other side: 对方三个人 / 被五个人打 / 来了十几个人
_RESPONDENT_BEFORE = re.compile(
    r"(?:对方|他们|他们家|被|来了|一伙|一帮|叫了|带了|带着|雇了|找了|那边)[^，。！？]{0,3}$"
)
_WITH_ME = re.compile(r"(?:我和|我跟|我与|连我|加上我|包括我)(?:另外|其他|其余)的?$")
_NOT_PEOPLE_AFTER = re.compile(r"^(?:次|岁|年|月|天|元|块|万|亩|分|小时|口|民币)")
_NOT_PEOPLE_BEFORE = re.compile(r"(?:第|每|前|后|这|那)$")


def find_people_count(text: str, taken=()) -> int | None:
    """Largest number of affected people written in `text`, or None (a lone citizen is None, not 1)."""
    best = None
    for m in _people_pattern().finditer(text):
        s, e = m.span()
        if any(s < te and ts < e for ts, te in taken):
            continue
        if m.group("couple"):
            best = max(best or 0, 2)
            continue
        num = m.group("num") or m.group("num2") or m.group("num3") or m.group("num4")
        if m.group("measure") == "号" and not m.group("approx") and re.fullmatch(r"\d+", num):
            continue  # 3号人: a date or a number plate, not a head count
        before = text[max(0, s - 8) : s]
        if _RESPONDENT_BEFORE.search(before) or _NOT_PEOPLE_BEFORE.search(before[-1:] if before else ""):
            continue
        if before[-1:] in ("几", "好", "数"):  # 几十户 / 好几百人: no number to report
            continue
        if m.group("noun") == "人" and _NOT_PEOPLE_AFTER.match(text[e : e + 2]):
            continue
        if re.match(r"[\d.]", text[e - 1 : e]) and not m.group("noun"):
            continue
        if re.fullmatch(r"0\d*|\d{5,}", num):
            continue  # a phone / ID fragment, not a head count
        value = parse_number(num)
        if value is None or value < 2 or not float(value).is_integer():
            continue
        if _WITH_ME.search(before):  # 我和另外5个工友 -> 6
            value += 1
        best = max(best or 0, int(value))
    return best
