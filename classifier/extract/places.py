"""Places: township / village / group resolved against the county gazetteer, and places outside the county with
the levels that are written.

Input mentions come from the spaCy EntityRuler built from the gazetteer (labels TOWNSHIP, VILLAGE, VILLAGE_STEM,
COUNTY), from jionlp's division dictionary (province / city / county names anywhere in China), from suffix rules
for a town or village that no list knows but that follows a known level (通许县练城乡王庄村), and from 三组 /
第三村民小组. Adjacent mentions are chained into one place; negated ones (不是戛洒镇) are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from classifier.extract.gazetteer import Gazetteer, china_divisions
from classifier.extract.numbers import parse_number
from classifier.extract.terms import alternation, term_set, terms

LEVELS = {"province": 0, "city": 1, "county": 2, "township": 3, "village": 4, "group": 5}


@dataclass
class Mention:
    start: int
    end: int
    level: str
    value: str | int
    inside: bool = True  # inside the jurisdiction
    ambiguous: bool = False  # a common word too (水塘, 古城): needs context
    division: object = None  # gazetteer.Division for places outside the county


@dataclass
class Chain:
    mentions: list[Mention] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.mentions[0].start

    @property
    def end(self) -> int:
        return self.mentions[-1].end

    def level(self, name: str) -> Mention | None:
        return next((m for m in self.mentions if m.level == name), None)


_CJK_NAME = r"[\u4e00-\u9fff]"
_STOP_CHARS = set("的了在是我你他她它们这那和与及把被给到从对向说要就都也还又很里上下中个")
_GROUP = re.compile(r"(?:第)?(?P<n>[一二三四五六七八九十两\d]{1,3})(?:村民小组|小组|组|社)(?![织长成合建员别件队])")
_NEGATED_BEFORE = re.compile(r"(?:不是|不在|并非|不属于|不归|而非)(?:在|住在|住)?$")
_NEGATED_AFTER = re.compile(r"^(?:说错了|写错了|搞错了|弄错了|错了|不对)")
_CONTEXT_AFTER = re.compile(r"^(?:街上|街子|这边|那边|片区|坝区|镇上|乡上|集镇|镇|乡|街道|村委会|村民委员会)")
_VILLAGE_BODY = re.compile(r"^(?:村委会|村民委员会|村委|村)")


def _unknown_level(text: str, pos: int, after_level: int) -> tuple[int, str, str] | None:
    """A town (…镇/乡/街道) or village (…村/社区) name no list knows, right at text[pos:] after a known level."""
    m = re.match(rf"({_CJK_NAME}{{1,6}}?)(街道|镇|乡|社区|村)(?!委|民委|长|里|子|民|庄)", text[pos:])
    if not m or any(c in _STOP_CHARS for c in m.group(1)):
        return None
    level = "township" if m.group(2) in ("街道", "镇", "乡") else "village"
    if LEVELS[level] <= after_level:
        return None
    name = m.group(0)
    if name in term_set("not_place_villages"):
        return None
    return pos + len(name), level, name


def _divisions(text: str, tokens: list[tuple[int, int]], county: str | None) -> list[Mention]:
    """Province / city / county names (full, or short when another level follows) among the jieba tokens."""
    divs = china_divisions()
    found: list[Mention] = []
    for i, (s, _) in enumerate(tokens):
        for j in (i + 2, i + 1):  # a name may be cut in two tokens (呈贡 + 区); the longer wins
            if j > len(tokens):
                continue
            end = tokens[j - 1][1]
            word = text[s:end]
            div = divs.get(word) if len(word) >= 3 else None
            short = divs.get("~" + word)
            if div or short:
                found.append(
                    Mention(
                        s,
                        end,
                        (div or short).level,
                        (div or short).name,
                        inside=False,
                        ambiguous=div is None,
                        division=div or short,
                    )
                )
                break
    # short forms (河南, 东莞) and 2-character names count only when another level follows at once
    kept = []
    for k, m in enumerate(found):
        nxt = found[k + 1] if k + 1 < len(found) else None
        followed = nxt and nxt.start == m.end and LEVELS[nxt.level] > LEVELS[m.level]
        if m.ambiguous and not followed and not _unknown_level(text, m.end, LEVELS[m.level]):
            continue
        if county and m.value == county:
            m.inside = True
        kept.append(m)
    return kept


def find_places(
    text: str,
    ents: list[tuple[int, int, str, str]],
    tokens: list[tuple[int, int]],
    gaz: Gazetteer,
    ambiguous: frozenset[str] = frozenset(),
) -> tuple[list[dict], list[tuple[int, int]]]:
    """(places, spans of every place mention) in `text`. `ents`: (start, end, label, official name) from the
    gazetteer EntityRuler; `tokens`: (start, end) of the words; `ambiguous`: written forms that are also common
    words. The spans include names kept out of `places` (新平县 in 新平县人民医院), so that organisations can
    use them."""
    mentions: list[Mention] = []
    for s, e, label, value in ents:
        written = text[s:e]
        if label == "TOWNSHIP":
            mentions.append(Mention(s, e, "township", value, ambiguous=written in ambiguous))
        elif label == "VILLAGE":
            mentions.append(Mention(s, e, "village", value))
        elif label == "VILLAGE_STEM":
            body = _VILLAGE_BODY.match(text[e:])
            if body:  # 南恩 + 村委会 -> 南恩村
                mentions.append(Mention(s, e + (1 if body.group().startswith("村") else 0), "village", value))
            else:
                mentions.append(Mention(s, e, "village", value, ambiguous=True))
        elif label == "COUNTY":
            mentions.append(Mention(s, e, "county", gaz.county))
    if _may_have_division(text):
        for m in _divisions(text, tokens, gaz.county):
            overlapping = [o for o in mentions if m.start < o.end and o.start < m.end]
            # a full division name that covers a shorter county name (湖南省新化县 over the alias 新化 of 新化乡)
            # is that division; otherwise the county's own gazetteer wins
            wins = (
                not m.ambiguous
                and not m.inside
                and all(
                    o.start >= m.start and o.end <= m.end and o.end - o.start < m.end - m.start for o in overlapping
                )
            )
            if not overlapping or wins:
                mentions = [o for o in mentions if o not in overlapping] + [m]
    mentions.sort(key=lambda m: m.start)
    chains = _chains(text, mentions)
    chains += _lone_unknowns(text, tokens, chains)
    chains += _lone_groups(text, chains)
    chains.sort(key=lambda c: c.start)
    places = []
    spans = [(c.start, c.end) for c in chains]
    for chain in chains:
        if _negated(text, chain):
            continue
        if len(chain.mentions) == 1 and chain.mentions[0].ambiguous and not _has_context(text, chain):
            continue
        if _institution(text, chain):
            continue
        places.append(_resolve(text, chain, gaz))
    return _merge(places), spans


def _may_have_division(text: str) -> bool:
    return bool(
        re.search(
            r"[省市县区州盟旗]|广东|广西|四川|贵州|湖南|湖北|河南|河北|山东|山西|江苏|浙江|福建|江西|安徽|陕西|甘肃|"
            r"云南|海南|辽宁|吉林|黑龙江|内蒙古|新疆|西藏|宁夏|青海|北京|上海|天津|重庆|昆明|深圳|东莞",
            text,
        )
    )


def _chains(text: str, mentions: list[Mention]) -> list[Chain]:
    chains: list[Chain] = []
    for m in mentions:
        last = chains[-1] if chains else None
        if last and _joins(text, last, m):
            last.mentions.append(m)
        elif not last or m.start >= last.end:
            chains.append(Chain([m]))
    for chain in chains:  # extend each chain with unknown lower levels and a group number
        while True:
            got = _unknown_level(text, chain.end, LEVELS[chain.mentions[-1].level])
            if not got or chain.mentions[-1].level == "group":
                break
            end, level, name = got
            chain.mentions.append(Mention(chain.end, end, level, name, inside=chain.mentions[-1].inside))
        body = _VILLAGE_BODY.match(text[chain.end :]) if chain.mentions[-1].level == "village" else None
        pos = chain.end + (len(body.group()) if body and body.group() != "村" else 0)
        g = _GROUP.match(text, pos)
        if g and chain.mentions[-1].level in ("village", "township"):
            n = parse_number(g.group("n"))
            if n and 0 < n <= 40:
                chain.mentions.append(Mention(g.start(), g.end(), "group", int(n), inside=chain.mentions[-1].inside))
    return chains


def _joins(text: str, chain: Chain, m: Mention) -> bool:
    last = chain.mentions[-1]
    return m.start == last.end and LEVELS[m.level] > LEVELS[last.level]


def _lone_unknowns(text: str, tokens: list[tuple[int, int]], chains: list[Chain]) -> list[Chain]:
    """A word such as 王庄村 or 长安镇 that no list knows, standing alone."""
    out = []
    stop = term_set("not_place_villages")
    for s, e in tokens:
        word = text[s:e]
        if len(word) < 3 or not word.endswith(("村", "镇", "乡", "社区", "街道")) or word in stop:
            continue
        if any(c in _STOP_CHARS for c in word[:-1]) or any(s < c.end and c.start < e for c in chains + out):
            continue
        if word.endswith(("村委", "乡村", "农村")):
            continue
        level = "village" if word.endswith(("村", "社区")) else "township"
        out.append(Chain([Mention(s, e, level, word, inside=False)]))
    return out


def _lone_groups(text: str, chains: list[Chain]) -> list[Chain]:
    out = []
    for g in _GROUP.finditer(text):
        if any(g.start() < c.end and c.start < g.end() for c in chains):
            continue
        before = text[max(0, g.start() - 1) : g.start()]
        if before and re.match(r"[\u4e00-\u9fff]", before) and before not in "是在住我们的，、":
            continue
        n = parse_number(g.group("n"))
        if n and 0 < n <= 40:
            out.append(Chain([Mention(g.start(), g.end(), "group", int(n), inside=False)]))
    return out


def _negated(text: str, chain: Chain) -> bool:
    return bool(
        _NEGATED_BEFORE.search(text[max(0, chain.start - 5) : chain.start])
        or _NEGATED_AFTER.match(text[chain.end : chain.end + 4].lstrip("，, "))
    )


def _has_context(text: str, chain: Chain) -> bool:
    """An ambiguous name (水塘 / 老厂 / 南恩) is a place when it is the whole answer or followed by 街上 / 这边."""
    rest = re.sub(r"[\s，。,.!！?？、是在住我家们的啊呀吧]", "", text[: chain.start] + text[chain.end :])
    return not rest or bool(_CONTEXT_AFTER.match(text[chain.end :]))


_institution_re = None


def _institution(text: str, chain: Chain) -> bool:
    """新平县人民医院 / 县自然资源局: a county or city named only as part of an institution is not a place."""
    global _institution_re
    if _institution_re is None:
        _institution_re = re.compile(
            alternation(
                list(terms("org_bodies"))
                + list(terms("org_suffixes"))
                + ["人民", "第一", "第二", "中", "小学", "委", "公安", "国土", "卫生"]
            )
        )
    if LEVELS[chain.mentions[-1].level] > LEVELS["county"]:
        return False
    return bool(_institution_re.match(text, chain.end))


def _resolve(text: str, chain: Chain, gaz: Gazetteer) -> dict:
    written = text[chain.start : chain.end]
    town = chain.level("township")
    village = chain.level("village")
    group = chain.level("group")
    inside = all(m.inside for m in chain.mentions if m.level in ("province", "city", "county", "township")) and (
        any(m.inside for m in chain.mentions if m.level != "group")
    )
    place = {
        "text": written,
        "province": None,
        "city": None,
        "county": None,
        "township": None,
        "village": None,
        "group": group.value if group else None,
    }
    if inside:
        township = town.value if town else (gaz.villages.get(village.value) if village else None)
        known = bool(township) or (village is not None and village.value in gaz.villages) or chain.level("county")
        if known:
            place.update(province=gaz.province, city=gaz.city, county=gaz.county)
        place.update(township=township, village=village.value if village else None)
        return place
    for m in chain.mentions:
        if m.level in ("province", "city", "county"):
            place[m.level] = m.value
        elif m.level == "township":
            place["township"] = m.value
        elif m.level == "village":
            place["village"] = m.value
    return place


def _merge(places: list[dict]) -> list[dict]:
    """One entry per distinct place: a township-only or county-only mention is dropped when a fuller place in the
    same township / county exists; a lone group number joins the one village that has none."""
    villages = [p for p in places if p["village"]]
    out: list[dict] = []
    for p in places:
        if p["group"] and not (p["village"] or p["township"] or p["county"]):
            targets = [v for v in villages if v["group"] is None]
            if len(targets) == 1:
                targets[0]["group"] = p["group"]
                continue
        out.append(p)
    merged: list[dict] = []
    for p in out:
        if (
            not p["village"]
            and p["township"]
            and any(q is not p and q["township"] == p["township"] and q["village"] for q in out)
        ):
            continue
        if (
            not p["township"]
            and not p["village"]
            and p["county"]
            and any(q is not p and q["county"] == p["county"] and (q["township"] or q["village"]) for q in out)
        ):
            continue
        key = (p["province"], p["city"], p["county"], p["township"], p["village"], p["group"])
        if any((q["province"], q["city"], q["county"], q["township"], q["village"], q["group"]) == key for q in merged):
            continue
        merged.append(p)
    return merged
