"""Dates, periods and durations: 去年十月 -> 2025-10-01..2025-10-31, 上周 -> last ISO week, 三个月 -> 90 days.

We find the candidate spans with our own patterns (so clock times such as 晚上十点, 半夜, and 一分钱 never become
times) and let jionlp's `parse_time` resolve each span against `today`. Our post-rules: a date written without a
year is the most recent one not after today; 年底 / 年初 are December / January; durations become days with
month = 30, year = 365, half a year = 182, and 多 / 几 read as the lower bound.
"""

from __future__ import annotations

import calendar
import re
import time as _time
from datetime import date, timedelta
from functools import lru_cache

from classifier.extract import jio
from classifier.extract.numbers import parse_number

_CN = "零〇一二三四五六七八九"
_YEAR_ABS = rf"(?:\d{{4}}|[{_CN}]{{4}}|\d{{2}}(?=年\d{{1,2}}月|年[{_CN}十]{{1,2}}月))年"
_YEAR_REL = r"(?:大前年|前年|去年|今年|明年)"
_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]|正|腊)月份?"
_DAY = r"(?:3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])[日号]"
_REL_MONTH = r"(?:上上个?月|上个?月|这个?月|本月)"
_REL_DAY = r"(?:大前天|前天|昨天|今天|昨日|今日|当天)"
_WEEKDAY_CH = r"[一二三四五六日天1-7]"
_REL_WEEK = (
    rf"(?:上上(?:个)?(?:周|星期|礼拜)|上(?:个)?(?:周|星期|礼拜)|这(?:个)?(?:周|星期|礼拜)|本(?:周|星期))"
    rf"(?:{_WEEKDAY_CH}(?![天日]))?"
)
_WEEKDAY = rf"(?:周|星期|礼拜){_WEEKDAY_CH}"
_ISO = r"\d{4}[-./]\d{1,2}(?:[-./]\d{1,2})?(?![\d.])"
_YEAR_PART = r"(?:年?底|年?初|年?末|年中)"
_DATE = (
    rf"(?:{_ISO}"
    rf"|(?:{_YEAR_ABS}|{_YEAR_REL})(?:{_MONTH}(?:{_DAY})?(?:中旬|上旬|下旬|初|底)?|{_YEAR_PART})?"
    rf"|{_REL_MONTH}(?:{_DAY})?"
    rf"|(?<![\d个])(?:{_MONTH})(?:{_DAY})?(?:中旬|上旬|下旬|初|底)?"
    rf"|{_REL_WEEK}|{_WEEKDAY}|{_REL_DAY})"
)
_RANGE = rf"{_DATE}\s*(?:(?:到|至|—|－|~|～|-)\s*{_DATE}|至今|到现在|到今天)"
_DUR_NUM = r"(?:\d+(?:\.\d+)?|[零一二三四五六七八九十两百]+|半|大半)"
_DURATION = (
    rf"(?:{_DUR_NUM}[多余来几]?(?:个多|个)?(?:月|星期|礼拜)(?:多(?!少)|半)?(?!多少)"
    rf"|{_DUR_NUM}[多余来几]?(?:年|天|周)(?:多(?!少)|半)?(?!前|后|以前|以后|之前|之后|多少))"
)
# a day of the month alone counts only when what follows says it is a day (10号那天, 5号晚上), not 3号楼
_LONE_DAY = rf"(?<![\d月])(?:{_DAY})(?=那天|那日|当天|晚上|下午|上午|早上|中午|凌晨|傍晚|夜里)"
_CANDIDATE = re.compile(rf"(?P<range>{_RANGE})|(?P<date>{_DATE})|(?P<day>{_LONE_DAY})|(?P<dur>{_DURATION})")
# "有一天" (someday), "一年损失好几万" (a year's loss), "怀孕五个月": not durations of the matter
_SOFT_DURATION = re.compile(r"^(?:一天|一日|一年|一个月)$")
_SOFT_OK_BEFORE = re.compile(r"(?:了|已经|已|快|近|满|整整|达|足足|长达|停|拖|过去|将近|差不多|超过|干|住|等|关)$")
_SOFT_OK_AFTER = re.compile(r"^(?:了|多|半|以上|之久|时间)")
_BAD_DURATION_CONTEXT = re.compile(r"(?:每|那|哪|某|怀孕|孕|怀了|前|头)$")  # 前两天 = a few days ago
_AGE_AFTER = re.compile(r"^[\d一二三四五六七八九十]+多?岁")
_DATE_WITHOUT_YEAR = re.compile(r"^(?!.*(?:年|\d{4}[-./]|上|去|前|昨|今|本|这|当|大))")


def _base(today: date) -> float:
    return _time.mktime(today.timetuple())


@lru_cache(maxsize=4096)
def _jio_parse(text: str, today: date) -> dict | None:
    """jionlp.parse_time, or None when it cannot read the span."""
    jionlp = jio.jionlp()
    try:
        return jionlp.parse_time(text, time_base=_base(today))
    except Exception:
        return None


def _month_span(y: int, m: int) -> tuple[date, date]:
    return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])


def _shift_month(today: date, back: int) -> tuple[int, int]:
    n = today.year * 12 + today.month - 1 - back
    return n // 12, n % 12 + 1


def _relative_month(text: str, today: date) -> tuple[date, date] | None:
    """上个月 / 这个月 / 本月 [+ 15号]: jionlp rejects most of these, so they are resolved here."""
    m = re.match(r"(上上个?月|上个?月|这个?月|本月)(.*)", text)
    if not m:
        return None
    back = 2 if m.group(1).startswith("上上") else 1 if m.group(1).startswith("上") else 0
    y, mo = _shift_month(today, back)
    if not m.group(2):
        return _month_span(y, mo)
    day = parse_number(m.group(2).rstrip("日号"))
    if day is None or not 1 <= day <= calendar.monthrange(y, mo)[1]:
        return None
    d = date(y, mo, int(day))
    return d, d


def _dates(parsed: dict) -> tuple[date, date] | None:
    span = parsed.get("time")
    if not isinstance(span, list) or len(span) != 2:
        return None
    try:
        start = date.fromisoformat(str(span[0])[:10])
        end = date.fromisoformat(str(span[1])[:10])
    except ValueError:  # '-inf' / 'inf' for open periods (春节前)
        return None
    return start, end


def parse_date(text: str, today: date) -> tuple[date, date] | None:
    """(start, end) of a date or period span written in `text`, relative to `today`."""
    rel = _relative_month(text, today)
    if rel:
        return rel
    query = text
    if re.fullmatch(rf"{_MONTH}(?:{_DAY})?(?:中旬|上旬|下旬|初|底)?", text):
        query = "今年" + text.replace("月份", "月")  # jionlp rejects a bare month (9月, 三月份)
    query = re.sub(r"(?<=月)份", "", query)
    parsed = _jio_parse(query, today)
    if not parsed or parsed.get("type") not in ("time_point", "time_span"):
        return None
    got = _dates(parsed)
    if not got:
        return None
    start, end = got
    year_part = re.search(r"年?(底|末|初)$", text)
    if year_part and "月" not in text:  # 去年底 -> December, 今年初 -> January (jionlp: two months)
        y = start.year
        start, end = _month_span(y, 12 if year_part.group(1) in "底末" else 1)
    elif year_part:  # 五月初 / 10月底: the month (jionlp: five days)
        start, end = _month_span(start.year, start.month)
    if start > today and _DATE_WITHOUT_YEAR.match(text):
        # 3月5号 written in February: the most recent such date, last year; 周三 on a Monday: last week's
        if re.search(r"(周|星期|礼拜)", text):
            start, end = start - timedelta(days=7), end - timedelta(days=7)
        else:
            start, end = _minus_year(start), _minus_year(end)
    return start, end


def _minus_year(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


_UNIT_DAYS = {"year": 365, "month": 30, "day": 1}


def _days(delta: dict) -> int | None:
    total = 0.0
    for unit, value in delta.items():
        if unit == "year" and value == 0.5:
            total += 182
        elif unit in _UNIT_DAYS:
            total += float(value) * _UNIT_DAYS[unit]
    return int(total) if total > 0 else None


def parse_duration(text: str, today: date) -> int | None:
    """Days in a duration span: 三个月 -> 90, 两年多 -> 730, 半年 -> 182, 十几天 -> 10, 一年半 -> 547."""
    core = re.sub(r"[多余来](?=个|年|月|天|周|星期|礼拜|$)", "", text)
    core = re.sub(r"(?<=[年月天周期拜])多$", "", core)
    parsed = _jio_parse(core, today) if "几" not in core else None
    if parsed and parsed.get("type") == "time_delta":
        delta = parsed["time"]
        if isinstance(delta, list):  # blurred (大半年 -> [0.5, 0.9] year): the lower bound
            delta = delta[0]
        days = _days(delta)
        if days:
            return days
    m = re.fullmatch(rf"({_DUR_NUM})[几]?个?(年|月|星期|礼拜|周|天)(半)?", core)
    if not m:
        return None
    num = m.group(1)
    value = 0.5 if num in ("半", "大半") else parse_number(num)
    if value is None:
        return None
    unit = {"年": 365, "月": 30, "星期": 7, "礼拜": 7, "周": 7, "天": 1}[m.group(2)]
    half = {"年": 182, "月": 15, "星期": 3, "礼拜": 3, "周": 3, "天": 0}[m.group(2)] if m.group(3) else 0
    days = 182 if (value == 0.5 and unit == 365) else value * unit
    return int(days + half) or None


def find_times(text: str, today: date, taken=()) -> list[tuple[int, int, dict]]:
    """(start, end, item) for every date, period and duration in `text`; spans overlapping `taken` are skipped."""
    out: list[tuple[int, int, dict]] = []
    seen: set = set()
    for m in _CANDIDATE.finditer(text):
        s, e = m.span()
        span = m.group()
        if any(s < te and ts < e for ts, te in taken):
            continue
        if m.group("dur"):
            before = text[max(0, s - 3) : s]
            if _BAD_DURATION_CONTEXT.search(before):
                continue
            if _SOFT_DURATION.match(span) and not (_SOFT_OK_BEFORE.search(before) or _SOFT_OK_AFTER.match(text[e:])):
                continue
            if text[e : e + 2] in ("到晚", "一夜", "两头") or text[e : e + 1] in ("天", "年"):
                continue
            if _short_year(span, text[max(0, s - 2) : s], today):  # 19年 = 2019, but 干了10年 = ten years
                got = (date(2000 + int(span[:2]), 1, 1), date(2000 + int(span[:2]), 12, 31))
                key = (got[0], got[1])
                item = {"text": span, "start": got[0].isoformat(), "end": got[1].isoformat()}
            else:
                days = parse_duration(span, today)
                if days is None:
                    continue
                key = ("days", days)
                item = {"text": span, "days": days}
        else:
            if span in ("今年", "去年", "前年") and _AGE_AFTER.match(text[e:]):
                continue  # 我今年82岁: an age, not a period
            if m.group("day"):
                got = _lone_day(span, today)
            else:
                got = _parse_range(span, today) if m.group("range") else parse_date(span, today)
            if not got:
                continue
            key = (got[0], got[1])
            item = {"text": span, "start": got[0].isoformat(), "end": got[1].isoformat()}
        if key in seen:
            continue
        seen.add(key)
        out.append((s, e, item))
    return out


def _lone_day(text: str, today: date) -> tuple[date, date] | None:
    """10号 -> the 10th of this month, or of last month when that is still to come."""
    n = parse_number(text.rstrip("日号"))
    if n is None or not 1 <= n <= 31:
        return None
    y, m = today.year, today.month
    if n > today.day:
        y, m = _shift_month(today, 1)
    if n > calendar.monthrange(y, m)[1]:
        return None
    d = date(y, m, int(n))
    return d, d


def _short_year(span: str, before: str, today: date) -> bool:
    if not re.fullmatch(r"\d{2}年", span):
        return False
    n = int(span[:2])
    return 13 <= n <= today.year % 100 and not re.search(r"(?:了|干|住|近|快|整|已经|有|满|达|过)$", before)


def _parse_range(text: str, today: date) -> tuple[date, date] | None:
    parsed = _jio_parse(text, today)
    got = _dates(parsed) if parsed and parsed.get("type") in ("time_span", "time_point") else None
    if got and got[0] <= got[1]:
        return got
    left, right = re.split(r"\s*(?:到|至|—|－|~|～|-)\s*", text, maxsplit=1)
    a = parse_date(left, today)
    b = (today, today) if right in ("今", "现在", "今天") else parse_date(right, today)
    if a and b and a[0] <= b[1]:
        return a[0], b[1]
    return None
