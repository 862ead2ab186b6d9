"""Provinces, cities and counties of China named in a message, also by their everyday short names (昆明, 东莞, 浙江,
元江): the places a matter may belong to when it is not this county's. jionlp's division list gives the names.

    divisions_named(text) -> [(start, end, Division)]

A short name counts when it is a province or a city (prefecture level) and reads as a place: not followed by a
character that makes it another word (普洱茶, 大理石, 湖南人); a county's short name counts when followed by
县 / 区 / 市 or by 那边 / 一带 / 附近, when preceded by 在 / 到 / 去 / 赴 / 于, or when it opens a sentence followed by
的 (峨山的一个果园). A place named as where the citizen came back from (从广东回来) is
not where the matter is.
"""

from __future__ import annotations

import re
from functools import lru_cache

from classifier.extract.gazetteer import Division, china_divisions

_LEVEL_AFTER = re.compile(r"[省市县区州]")
_AREA_AFTER = re.compile(r"(?:那边|那里|那儿|那块|一带|附近)")
_SENTENCE_START = re.compile(r"(?:^|[，。,.；;！!？?：:\s])$")
_PLACE_BEFORE = re.compile(r"(?:在|到|去|赴|于|是|的)$")
# a short name followed by one of these is another word (普洱茶, 大理石, 吉林大学 stays a place, 黄山松)
_WORD_AFTER = re.compile(r"^(?:茶|石|松|鸡|人|话|口音|菜|火锅|小面|米线|时间|牌|籍|大学|路|街|站|机场|号)")
_CAME_BACK = re.compile(r"^(?:[^，。,.；;！!？?]{0,6})(?:回来|回到|回家|返乡|回乡)")


@lru_cache(maxsize=1)
def _names() -> tuple[re.Pattern, dict[str, tuple[Division, bool]]]:
    names: dict[str, tuple[Division, bool]] = {}
    for key, div in china_divisions().items():
        short = key.startswith("~")
        name = key[1:] if short else key
        if len(name) >= 2:
            names.setdefault(name, (div, short))
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    return pattern, names


def divisions_named(text: str) -> list[tuple[int, int, Division]]:
    pattern, names = _names()
    out = []
    for m in pattern.finditer(text or ""):
        div, short = names[m.group()]
        before, after = text[max(0, m.start() - 1) : m.start()], text[m.end() :]
        if short:
            level_follows = bool(_LEVEL_AFTER.match(after))
            placed = bool(_PLACE_BEFORE.search(before)) or bool(_AREA_AFTER.match(after))
            opens = bool(_SENTENCE_START.search(text[max(0, m.start() - 1) : m.start()])) and after.startswith("的")
            if div.level == "county" and not (level_follows or placed or opens):
                continue
            if div.level != "county" and _WORD_AFTER.match(after) and not level_follows:
                continue
        if text[max(0, m.start() - 1) : m.start()] == "从" and _CAME_BACK.match(after):
            continue  # 从广东回来: where the citizen came back from
        out.append((m.start(), m.end(), div))
    return out
