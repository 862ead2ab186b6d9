"""Sums of money: 三万二千元 -> 32000, 5.6万 -> 56000, 一千五 -> 1500, 两千多块 -> 2000, 3k -> 3000.

jionlp's money extractor needs a currency word (it misses 5.6万, 两千多块, 一千五, 3k) and its parser reads
colloquial 一千五 as 1005 and 2万5 as 40010, so spans are found by our patterns and their numerals read by cn2an
(numbers.parse_number). The ways citizens write a sum, and what makes each one money:

    with a currency      800元 / 两万来块 / 三四千块钱 / 五百圆 / 人民币两万三千元 / ￥800 / RMB 5000 / 3000RMB /
                         万把块钱 / 1块2 / 一块五 (yuan and jiao)
    scaled, no currency  1万2 / 一万二 / 1.2w / 5K / 八千多 / 1千8 / 一千出头: money when the sentence speaks of money
                         (工资 / 赔 / 押金 / 费 / 钱 ...) and no counted thing follows (三千多人, 两千斤, 一千多米)
    bare                 3500 / 两百 / 三百五: money right after a money word in the same clause (工资3500, 欠我两百,
                         退休金每个月少发了四百多, 补助标准是每亩八百), at a rate (每人每天两百, 3500一个月) or before a
                         money noun (三千二的白条, 二十万赎金), never alone
Vague amounts (好几千, 上万元, 几百块) give no value and are not listed; ranges give the lower bound (三四千 -> 3000).
"""

from __future__ import annotations

import re

from classifier.extract.numbers import APPROX, CN_DIGITS, NUMERAL, parse_number

_CURRENCY = r"(?:元人民币|元钱|元|块钱|块|圆|\s?(?:RMB|rmb|CNY)(?![A-Za-z]))"
_AFTER = r"(?:多|余|出头)?"  # 一千出头 / 两万多 after a scaled numeral: the lower bound
_DIGITS = r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"  # 12 / 1,200 / 5.6
# 十二万 / 5.6万 / 一万五 / 2万5 / 一万八千 / 八千多 / 1千8 / 三千二 / 3k / 2.5w
_SCALED = (
    rf"(?:{_DIGITS}|[{CN_DIGITS}十百千]+){APPROX}?[万亿](?:[{CN_DIGITS}十百千]+|\d+(?!\d*[.,]\d))?{APPROX}?"
    rf"|(?:{_DIGITS}|[{CN_DIGITS}十]+){APPROX}?千(?:[{CN_DIGITS}百]+|\d(?!\d|[.,]\d))?{APPROX}?"
    rf"|{_DIGITS}[kKwW](?![a-zA-Z])"
)
# 1) numeral + currency word (with optional 人民币 / RMB / ¥ before); 2) ¥ / RMB / 人民币 + numeral; 3) 万把块 / 千把块;
# 4) a scaled numeral (万 / 千 / k / w) without currency
_WITH_UNIT = re.compile(
    rf"(?:人民币|(?:RMB|rmb|CNY)\s?)?(?P<num>{NUMERAL}{APPROX}?(?:[万亿]{APPROX}?)?)(?:多|余)?"
    rf"(?:块(?P<jiao>[一二三四五六七八九1-9])(?:毛|角)?(?![\d十百千万元块分亩])|{_CURRENCY})(?:左右)?"
    rf"|(?:[¥￥]|(?:RMB|rmb|CNY)\s?|人民币)"
    rf"(?P<num2>(?:\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+)(?:\.\d+)?|[{CN_DIGITS}十百千万]+(?:多|余)?)"
    rf"|(?<![{CN_DIGITS}十百千\d])(?P<ba>[十百千万])把(?=块|元|圆)(?:块钱|块|元钱|元|圆)"
    rf"|(?P<num3>{_SCALED}){_AFTER}(?:左右)?"
)
# money nouns: their presence in a sentence makes 八千多 / 1.2w there a sum; before a bare number in the same clause
# (工资3500 / 退休金每个月少发了四百多 / 补助标准是每亩八百) they make it one
_MONEY_NOUN = (
    r"工资|工钱|薪水|薪资|月薪|年薪|日薪|底薪|提成|奖金|补偿款?|赔偿金?|赔偿款|赔付|补助金?|补贴|低保金?|养老金|退休金|抚恤金|"
    r"救济金|费用|(?<![免浪白])费|房租|租金|押金|定金|订金|彩礼|赎金|礼金|本金|利息|货款|工程款|欠款|借款|贷款|罚款|罚金|分红|"
    r"医药费|价值|价格|价钱|单价|总价|标价|首付|月供|房贷|车贷|欠条|借条|白条|损失|收入|积蓄|存款|资金|预付款|钱|款"
)
# money verbs: right before a number, with only small words between (赔了两百 / 欠我八千多 / 骗了我2.5W / 每月交三千)
_MONEY_VERB = (
    r"赔了?|欠了?|花了?|付了?|交了?|缴了?|给了?|只给了?|收了?|收取了?|罚了?|借了?|骗了?|扣了?|退还?了?|还了?|差|还差|"
    r"值|卖了?|买了?|要了?|报了?|报销了?|拿到了?|拿了|领了?|发了?|补了?|挣了?|赚了?|存了?|转了?|转账|贷了?|涨到|降到|涨了|"
    r"降了|少了|少发了?|多收了?|多扣了?|共计|合计|总共|一共|共|花费|付款|支付了?|收费"
)
_MONEY_BEFORE = re.compile(
    rf"(?:(?:{_MONEY_NOUN})[^\d，,。.！!？?；;：:\s、（）()一二三四五六七八九十两百千万]{{0,8}}"
    rf"|(?:{_MONEY_VERB})(?:了|我|我们|他|他们|她|你|人家|给我|给他|给了我|到手|回来|回|出|走|掉|上|下|"
    rf"每[亩户人月年天]|每个月|每个人|一个月|一年|是|为|有|约|大约|大概|共|一共|总共|只有|只|才|就|近|将近|足足|都|也|又|还)*)$"
)
# what makes a sentence about money (for 八千多 / 1.2w / 每人每天两百 there)
_MONEY_IN_SENTENCE = re.compile(
    rf"{_MONEY_NOUN}|元|块|赔|欠|骗|罚|借|贷|付|缴|交了|交钱|值(?!班|得)|卖|买|花(?![园生椒卉草坛圃朵样])|退|收了|给了|拿到|要了|"
    r"共计|合计|总共|一共|转账|充值|充了|报销"
)
# a rate before or after the number: 每人每天两百 / 3500一个月 / 200一天 / 150块一天
_RATE_BEFORE = re.compile(
    r"(?:每(?:个人|人|户|家|亩|个月|月|天|日|年|周|小时|次|平方米|平方|平米|方|吨|斤|公斤|车|趟|场))+"
    r"(?:是|为|有|约|大约|大概|只有|只|才|就|要|得|交|给|补|赔|收|发|拿)*$"
)
_RATE_AFTER = re.compile(r"(?:一个月|一月|每月|/月|一天|每天|/天|一年|每年|/年|一小时|/小时|一晚|一次)")
# a money noun right after the number: 三千二的白条 / 二十万赎金 / 5K的押金
_NOUN_AFTER = re.compile(rf"(?:的)?(?:{_MONEY_NOUN})")
_BARE = re.compile(rf"{NUMERAL}{APPROX}?(?:[万亿千]{APPROX}?)?(?:出头)?")
# what a number counts when it is not money: 三千多人 / 两千斤 / 一千多米 / 20%
_NOT_AFTER_BARE = re.compile(
    r"(?:多|余|来|几)?(?:个|名|位|户|家|口|人|亩|分(?!钱)|岁|年|月|天|日|号|次|斤|公斤|千克|克|吨|米|公里|里|平|方|立方|层|间|"
    r"套|辆|头|只|条|%|楼|组|点|小时|周|期|倍|字|棵|株|度|本|件|台|张|根|盒|箱|瓶|包|袋|桶|车|趟|场|份|页|篇|级|座|栋|幢|所|"
    r"处|颗|粒|匹|项|笔|批|届|部|把|双|公分|厘米|毫米|寸|尺|℃|°)"
)
_PIECE = re.compile(r"^[^元圆]*块$")
_IDIOM = re.compile(r"^(?:都|也|没|不)")  # 一分钱都没给 / 一分钱也不出: "nothing", not a sum
_CLAUSE_END = "，,。！!？?；;\n"
_SENTENCE_END = "。！!？?；;\n"


def find_money(text: str, taken=()) -> list[tuple[int, int, dict]]:
    """(start, end, {"text", "yuan"}) for each sum of money; spans overlapping `taken` are skipped."""
    out: list[tuple[int, int, dict]] = []

    def add(s: int, e: int, num: str, value: float | None = None) -> None:
        if any(s < te and ts < e for ts, te in list(taken) + [(a, b) for a, b, _ in out]):
            return
        value = parse_number(num) if value is None else value
        if value is None:
            return
        yuan = int(value) if float(value).is_integer() else round(value, 2)
        out.append((s, e, {"text": text[s:e].strip(), "yuan": yuan}))

    for m in _WITH_UNIT.finditer(text):
        if m.group("ba"):  # 万把块钱: about ten thousand
            add(m.start(), m.end(), "", {"十": 10, "百": 100, "千": 1000, "万": 10000}[m.group("ba")])
            continue
        num = m.group("num") or m.group("num2") or m.group("num3")
        if m.group("num3"):
            # 三万 alone is money only in a sentence about money (三万人 / 3w字 / 两千斤 are not)
            if _NOT_AFTER_BARE.match(text, m.end()) or not _money_sentence(text, m.start(), m.end()):
                continue
        elif re.fullmatch(r"[一1]分钱?|[一1]毛钱?", num) or (num in ("一", "1") and _IDIOM.match(text[m.end() :])):
            continue
        if _IDIOM.match(text[m.end() :]) and parse_number(num) in (0.0, 1.0, 0.01):
            continue  # 一分钱都没给 / 一块钱也没有
        if (
            _PIECE.match(m.group())
            and re.match(r"[\u4e00-\u9fff]", text[m.end() : m.end() + 1])
            and (text[m.end()] not in "钱多左")
            and (parse_number(num) or 0) < 10
        ):
            continue  # 一块宅基地 / 两块石头: 块 counts pieces
        if m.group("jiao"):  # 1块2 / 一块五: yuan and jiao
            base = parse_number(num)
            if base is not None:
                add(m.start(), m.end(), num, base + (parse_number(m.group("jiao")) or 0) / 10)
            continue
        add(m.start(), m.end(), num)
    for m in _BARE.finditer(text):
        s, e = m.span()
        if _NOT_AFTER_BARE.match(text, e) or re.match(r"[\d.A-Za-z]", text[e : e + 1] or " "):
            continue
        if re.match(r"[A-Za-z\d.]", text[s - 1 : s] or " ") or re.fullmatch(r"0\d*|\d{9,}", m.group()):
            continue  # account / card numbers are not sums
        if text.endswith(("百分之", "千分之", "号", "第", "尾号", "编号"), 0, s):
            continue  # 百分之三十的赔偿 / 罚款单号12345: a share or a number, not a sum
        value = parse_number(m.group())
        if value is None or value < 10:
            continue  # 赔了5 / 给了一: no one writes a sum that small without 元 / 块
        if not (_near_money(text, s) or _rate(text, s, e) or _NOUN_AFTER.match(text, e)):
            continue
        add(s, e, m.group(), value)
    return sorted(out, key=lambda t: t[0])


def _clause_start(text: str, pos: int) -> int:
    return max(text.rfind(p, 0, pos) for p in _CLAUSE_END) + 1


def _near_money(text: str, start: int) -> bool:
    """A money word before `start` in the same clause, with no other number between (工资3500 / 欠我两百 /
    退休金每个月少发了四百多 / 补助标准是每亩八百)."""
    left = max(_clause_start(text, start), start - 12)
    return bool(_MONEY_BEFORE.search(text, left, start))


def _rate(text: str, start: int, end: int) -> bool:
    """每人每天两百 / 3500一个月 in a sentence about money."""
    left = max(_clause_start(text, start), start - 12)
    rate = _RATE_BEFORE.search(text, left, start) or _RATE_AFTER.match(text, end)
    return bool(rate) and _money_sentence(text, start, end)


def _money_sentence(text: str, start: int, end: int) -> bool:
    """A money word anywhere in the sentence around text[start:end] (都是二十万 after 补偿款只有十二万)."""
    left = max(text.rfind(p, 0, start) for p in _SENTENCE_END) + 1
    rights = [i for i in (text.find(p, end) for p in _SENTENCE_END) if i >= 0]
    sentence = text[left:start] + " " + text[end : min(rights) if rights else len(text)]
    return bool(_MONEY_IN_SENTENCE.search(sentence))
