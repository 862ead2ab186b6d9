"""Sums of money: 三万二千元 -> 32000, 5.6万 -> 56000, 一千五 -> 1500, 两千多块 -> 2000, 3k -> 3000.

jionlp's money extractor needs a currency word (it misses 5.6万, 两千多块, 一千五, 3k) and its parser reads
colloquial 一千五 as 1005 and 2万5 as 40010, so spans are found by our patterns and their numerals read by cn2an
(numbers.parse_number). A bare number counts only next to a money word (工资, 补偿, 欠, 花了...), never alone.
"""
from __future__ import annotations

import re

from classifier.extract.numbers import APPROX, CN_DIGITS, NUMERAL, parse_number

_CURRENCY = r"(?:元钱|元|块钱|块|圆)"
# 十二万 / 5.6万 / 一万五 / 2万5 / 一万八千 / 3k / 2.5w
_SCALED = (
    rf"(?:\d+(?:\.\d+)?|[{CN_DIGITS}十百千]+){APPROX}?[万亿](?:[{CN_DIGITS}十百千]+|\d+(?!\d*[.,]))?{APPROX}?"
    rf"|\d+(?:\.\d+)?[kKwW](?![a-zA-Z])"
)
# 1) numeral + currency word (with optional 人民币 / ¥ before); 2) ¥ + numeral; 3) numeral with 万 or k / w
_WITH_UNIT = re.compile(
    rf"(?:人民币)?(?P<num>{NUMERAL}{APPROX}?(?:[万亿]{APPROX}?)?)(?:多|余)?{_CURRENCY}(?:左右)?"
    rf"|[¥￥](?P<num2>\d+(?:,\d{{3}})*(?:\.\d+)?)"
    rf"|(?P<num3>{_SCALED})"
)
# money words that make a following bare number a sum (补偿标准每亩只有一千五 / 欠了800)
_MONEY_WORD = (
    r"(?:工资|工钱|薪水|补偿款?|赔偿金?|赔了?|赔付|欠了?|欠款|花了|花费|付了|给了|只给了?|罚款?|罚了|收了|收取了?|交了|退还?|损失|"
    r"价值|费用|医药费|房租|租金|押金|借了?|货款|报销了?|养老金|低保金?|补贴|补助|共计|合计|总共|一共|卖了?|拿到了?|要了|钱|款)"
)
_MONEY_BEFORE = re.compile(
    _MONEY_WORD + r"(?:了|我|我们|他|他们|标准|费)?(?:每[亩户人月年天]|每个月|一个月|一年)?"
    r"(?:是|为|有|了|约|大约|大概|共|一共|总共|只有|只|才|就|近|将近|足足)*$"
)
_MONEY_IN_SENTENCE = re.compile(_MONEY_WORD + r"|元|块")
_BARE = re.compile(rf"{NUMERAL}{APPROX}?")
_NOT_AFTER_BARE = re.compile(r"^(?:个|名|位|户|家|口|人|亩|分|岁|年|月|天|日|号|次|斤|公斤|吨|米|平|层|间|套|辆|头|只|条|%|楼|组|点|小时|周|期|倍)")
_PIECE = re.compile(r"^[^元圆]*块$")
_IDIOM = re.compile(r"^(?:都|也|没|不)")  # 一分钱都没给 / 一分钱也不出: "nothing", not a sum


def find_money(text: str, taken=()) -> list[tuple[int, int, dict]]:
    """(start, end, {"text", "yuan"}) for each sum of money; spans overlapping `taken` are skipped."""
    out: list[tuple[int, int, dict]] = []

    def add(s: int, e: int, num: str) -> None:
        if any(s < te and ts < e for ts, te in list(taken) + [(a, b) for a, b, _ in out]):
            return
        value = parse_number(num)
        if value is None:
            return
        yuan = int(value) if float(value).is_integer() else round(value, 2)
        out.append((s, e, {"text": text[s:e], "yuan": yuan}))

    for m in _WITH_UNIT.finditer(text):
        num = m.group("num") or m.group("num2") or m.group("num3")
        if m.group("num3"):
            # 三万 alone is money only next to a money word (三万人 / 3w字 are not)
            after = text[m.end():m.end() + 2]
            if _NOT_AFTER_BARE.match(after) or not _money_sentence(text, m.start(), m.end()):
                continue
        elif re.fullmatch(r"[一1]分钱?|[一1]毛钱?", num) or (num in ("一", "1") and _IDIOM.match(text[m.end():])):
            continue
        if _IDIOM.match(text[m.end():]) and parse_number(num) in (0.0, 1.0, 0.01):
            continue  # 一分钱都没给 / 一块钱也没有
        if _PIECE.match(m.group()) and re.match(r"[\u4e00-\u9fff]", text[m.end():m.end() + 1]) and (
                text[m.end()] not in "钱多左") and (parse_number(num) or 0) < 10:
            continue  # 一块宅基地 / 两块石头: 块 counts pieces
        add(m.start(), m.end(), num)
    for m in _BARE.finditer(text):
        if not _near_money(text, m.start()) or _NOT_AFTER_BARE.match(text[m.end():m.end() + 2]):
            continue
        if re.match(r"[\d.]", text[m.end():m.end() + 1] or " "):
            continue
        if len(m.group()) == 1 and m.group() in "一两":
            continue
        add(m.start(), m.end(), m.group())
    return sorted(out, key=lambda t: t[0])


def _near_money(text: str, start: int) -> bool:
    return bool(_MONEY_BEFORE.search(text[max(0, start - 10):start]))


def _money_sentence(text: str, start: int, end: int) -> bool:
    """A money word anywhere in the sentence around text[start:end] (都是二十万 after 补偿款只有十二万)."""
    left = max(text.rfind(p, 0, start) for p in "。！？；\n") + 1
    rights = [i for i in (text.find(p, end) for p in "。！？；\n") if i >= 0]
    sentence = text[left:start] + " " + text[end:min(rights) if rights else len(text)]
    return bool(_MONEY_IN_SENTENCE.search(sentence))
