"""How alike two complaints are in what they say, for linking reports of one event (bot/linking.py).

Words come from our jieba tokenizer (with the project's user dictionary), weighted by jieba's own IDF table (the one
jieba.analyse ships, built from a large general corpus): 砖厂 and 黑烟 weigh much more than 我们 or 问题, so two
differently worded reports of the same smoke share most of their weight, and two complaints that only share 反映 and
村里 share little. Place names are taken out by the caller: the place is judged on its own.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

from classifier.extract.terms import terms
from classifier.normalise import normalise
from classifier.segment import tokenize

_NOT_WORD = re.compile(r"^[\W\d_a-zA-Z]+$")
# words every complaint has: they say nothing about which event it is
_COMMON = frozenset(
    "我 我们 你们 他们 的 了 是 在 有 也 都 就 还 又 和 跟 与 及 这 那 这个 那个 一个 什么 哪样 咋个 怎么 怎么办 "
    "反映 投诉 举报 问题 情况 希望 要求 请求 请 帮 帮忙 解决 处理 政府 领导 有关 部门 相关 单位 现在 已经 一直 "
    "没有 莫得 不 没 没人 管 人管 咯 啊 呢 吧 吗 嘛 哦 呀 "
    "村里 村上 镇上 乡里 这里 那里 这边 那边 我家 屋头 家里".split()
)


@lru_cache(maxsize=1)
def _idf() -> tuple[dict[str, float], float]:
    import jieba.analyse  # the IDF table is loaded once, on first use

    table = jieba.analyse.default_tfidf
    return table.idf_freq, table.median_idf


# single characters too common to tell events apart
_COMMON_CHARS = frozenset("我们的了是在有也都就还又和跟与及这那个一不没人家里上下说要去来到得很天")
CHAR_WEIGHT = 0.5  # a word's characters count too, at half weight: 自来水 and 水 share 水, 工资 and 工钱 share 工


def weights(text: str) -> dict[str, float]:
    """TF-IDF weights of the text's words and, at half weight, of their characters (normalised: traditional
    characters, full-width forms). A paraphrase shares characters where it does not share words."""
    idf, median = _idf()
    words = [w for w in tokenize(normalise(text)) if w not in _COMMON and not _NOT_WORD.match(w)]
    out: Counter[str] = Counter()
    for w in words:
        out[w] += idf.get(w, median)
        if len(w) > 1:
            for ch in w:
                if ch not in _COMMON_CHARS:
                    out["#" + ch] += CHAR_WEIGHT * idf.get(ch, median)
        elif w not in _COMMON_CHARS:
            out["#" + w] += CHAR_WEIGHT * idf.get(w, median)
    return dict(out)


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(v * b[w] for w, v in a.items() if w in b)
    if not dot:
        return 0.0
    return dot / (math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values())))


def similarity(a: str, b: str) -> float:
    """0..1: how much of the two texts' weighted words they share."""
    return cosine(weights(a), weights(b))


# endings of the places citizens name as "which one" beside the organisation list's (酒吧 KTV 工地 ...)
_MORE_ENDINGS = "酒吧 KTV ktv 歌厅 网吧 茶室 餐馆 餐厅 烧烤店 工地 项目 水电站 电站 加油站 小区 楼盘 物业".split()


@lru_cache(maxsize=1)
def _org_endings() -> re.Pattern:
    words = set(terms("org_suffixes")) | set(terms("org_kind_words")) | set(_MORE_ENDINGS)
    words = sorted(words, key=len, reverse=True)
    return re.compile("(?:" + "|".join(map(re.escape, words)) + ")+$")


_DETERMINERS = re.compile(r"那个|这个|那家|这家|一家|一个|那座|那所|隔壁|旁边|附近|上面|下面|对面|新修的|在建的|的")
_PLACE_LEVEL = re.compile(r"^(?:新平县|新平|县|市|镇|乡|村|社区|街道)+")


def org_core(name: str, places: re.Pattern | None = None) -> str | None:
    """The part of an organisation's name that says which one it is: 鑫达建筑公司 -> 鑫达 (kind words go: citizens
    shorten 鑫达建筑公司 to 鑫达建筑), 曼蚌村红星小学 -> 红星 (with `places`, the county's place names go too).
    None when nothing but kind and place words is left."""
    core = _org_endings().sub("", normalise(name).strip())
    if places is not None:
        core = places.sub("", core)
    core = _PLACE_LEVEL.sub("", _DETERMINERS.sub("", core))
    return core if len(core) >= 2 else None


@lru_cache(maxsize=1)
def _endings() -> tuple[str, ...]:
    return tuple(sorted(set(terms("org_suffixes")) | set(_MORE_ENDINGS), key=len, reverse=True))


@lru_cache(maxsize=1)
def _site_pattern() -> re.Pattern:
    # a name: two to four characters right before a kind ending, starting where a name can start (the text's
    # start, a place name taken out, punctuation, 的, a determiner), so 医院新大楼工地 names no 新大楼
    start = r"(?:^|(?<=[|，。,.!?！？；;：:\s的在是到])|(?<=那个|这个|那家|这家|一家|一个|那座|那所|隔壁))"
    name = r"((?:(?!的|那个|这个|那家|这家|一家|一个)[\u4e00-\u9fff]){2,4}?)"
    return re.compile(start + name + "(" + "|".join(map(re.escape, _endings())) + ")")


def kind_of(name: str) -> str | None:
    """The kind ending of an organisation's name (…砖厂, …有限公司), None when it has none we know."""
    name = normalise(name)
    return next((e for e in _endings() if name.endswith(e)), None)


def site_names(text: str, places: re.Pattern | None = None) -> set[tuple[str, str]]:
    """(name, kind) of the sites and bodies a text names by a name and a kind ending (翠湖苑工地 -> (翠湖苑, 工地)),
    beside the organisations the fact extractor lists: two reports naming different sites of the same kind are
    about different places, however alike their words."""
    text = normalise(text)
    if places is not None:  # place names are places, not names: 南恩村砖厂 names no brickworks
        text = places.sub("|", text)
    out = set()
    for m in _site_pattern().finditer(text):
        core = org_core(m.group(1))
        if core:
            out.add((core, m.group(2)))
    return out
