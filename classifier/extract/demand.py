"""The demand clause: from the trigger (要求 / 希望 / 请 / 恳请 / 请求 / 盼) to the end of its sentence.

No library marks what a citizen asks for. Triggers are tried strongest first (terms/demand_triggers.txt); 请 inside
申请 / 请假 / 请问 and 要求 in 按要求 or said by the other side (他要求我们) do not count.
"""

from __future__ import annotations

import re
from functools import lru_cache

from classifier.extract.terms import terms

_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
_CLAUSE_START = re.compile(r"(?:^|[，。！？；,!?;：:\s])(?:我们|我|特此|现|故|所以|因此|为此|强烈|恳切|最后|只)?$")
_NOT_QING = re.compile(r"(?:申|邀|聘|宴|敬|回|提)$")
_NOT_QING_AFTER = re.compile(r"^(?:假|问|客|示|教|柬|帖|愿|来的|了(?!解))")
_NOT_YAOQIU_BEFORE = re.compile(
    r"(?:按|按照|照|符合|不符合|合|达到|达不到|有|的|他|她|他们|对方|老板|村里|镇里|领导|公司|厂里|单位)$"
)
_GROUPS = (("强烈要求", "恳请", "恳求", "请求", "要求"), ("希望", "盼望", "期盼", "盼", "望"), ("请",))
_MAX_LEN = 40
# 要求：一、退还…；二、赔偿…。 a listed demand runs to the full stop, across the semicolons
_LIST_START = re.compile(r"\s*[:：]")
_LIST_END = re.compile(r"[。！？!?\n]")


@lru_cache(maxsize=1)
def _trigger_re() -> re.Pattern:
    words = sorted(terms("demand_triggers"), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


def _ok(text: str, m: re.Match) -> bool:
    word, s, e = m.group(), m.start(), m.end()
    before = text[max(0, s - 4) : s]
    if word == "请":
        return not (_NOT_QING.search(before) or _NOT_QING_AFTER.match(text[e : e + 3]))
    if word == "要求":
        return not _NOT_YAOQIU_BEFORE.search(before)
    if word == "望":
        return bool(_CLAUSE_START.search(before))
    if word == "盼":
        return not re.match(r"^[头着]", text[e : e + 1])
    if word == "希望":
        return not re.search(r"(?:没有|没|失去|看不到)$", before)
    return True


# a comma-clause that goes on with the demand (恳请调查处理，还我们一个公道 / 要求退钱，并赔偿损失)
_CONTINUES = re.compile(
    r"^\s*(?:并|并且|同时|和|及|以及|还|再|给|让|对|依法|尽快|马上|立即|追究|退还|赔偿|恢复|严惩|查处|彻底|把|将|帮|"
    r"责令|督促|保障|保护|维护|解决|落实|兑现|补偿|返还|公开|取消|停止|制止|拆除|处理)"
)


def _first_clauses(text: str, start: int, end: int) -> int:
    """End of the demand: the sentence end, or an earlier comma after which the text no longer asks for anything
    (请派人来看看，河头村的桥被冲垮了 / 恳请领导帮忙解决，联系电话…)."""
    pos = start
    while True:
        comma = min((i for i in (text.find(c, pos, end) for c in "，,") if i >= 0), default=-1)
        if comma < 0:
            return end
        if not _CONTINUES.match(text, comma + 1):
            return comma
        pos = comma + 1


def find_demand(text: str) -> tuple[int, int, str] | None:
    """(start, end, clause) of the demand, or None when no trigger is found."""
    hits = [m for m in _trigger_re().finditer(text) if _ok(text, m)]
    for group in _GROUPS:
        chosen = next((m for m in hits if m.group() in group), None)
        if chosen is None:
            continue
        s = chosen.start()
        ends = _LIST_END if _LIST_START.match(text, chosen.end()) else _SENTENCE_END
        end_m = ends.search(text, chosen.end())
        e = end_m.start() if end_m else len(text)
        if e - s > _MAX_LEN and ends is _SENTENCE_END:  # a run-on sentence: stop at the last comma that keeps it short
            cut = max(text.rfind(c, s, s + _MAX_LEN) for c in "，,")
            e = cut if cut > s + len(chosen.group()) + 4 else s + _MAX_LEN
        if ends is _SENTENCE_END:
            e = _first_clauses(text, chosen.end(), e)
        elif e - s > 120:
            e = s + 120
        clause = text[s:e].rstrip(" ，,、。！？!?；;…~～")
        if len(clause) > len(chosen.group()):
            return s, s + len(clause), clause
    return None
