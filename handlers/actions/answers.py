"""Citizens' facts as slot values: from the complaint (its extracted facts) and from short answers during the form.

Pure functions on values: the caller extracts the facts (classifier.facts.extract_facts) and passes the jurisdiction.
Slot values are short Chinese strings, as they are shown back to the citizen and stored on the ticket.
"""

from __future__ import annotations

import re
import unicodedata

from bot.analysis import primary_place
from bot.jurisdiction import Jurisdiction

# Slots that hold facts of the complaint, with the fact they come from (docs/FACTS_SPEC.md). Every form slot is
# one of them (tests/test_consistency.py).
FACT_SLOTS = {
    "category": "classifier",
    "township": "places",
    "village": "places",
    "when": "times",
    "phone": "phones",
    "citizen_name": "self-introduction (我叫…); the writer is never in `persons`",
}

# Values a slot takes when the citizen cannot or will not say: the form does not ask again, the ticket gets None.
NOT_KNOWN = "不详"
ANONYMOUS = "匿名"
NO_PHONE = "未留"
SENTINELS = {NOT_KNOWN, ANONYMOUS, NO_PHONE}

TICKET_NUMBER = re.compile(r"XP\d{8}-\d{5}", re.IGNORECASE)
CORRECTION = re.compile(r"不是|不在|说错|写错|搞错|弄错|错了|改成|改为|更正|应该是")
DONT_KNOW = re.compile(r"不知道|不晓得|不清楚|记不清|记不得|不记得|忘了|忘记了|说不清|没注意|不确定|不好说|搞不清")
REFUSE = re.compile(r"不留|不想留|不方便|不给|不想给|不想说|不告诉|不愿意|保密|没有电话|没电话|没有手机|没手机|算了")
ANONYMOUS_WORDS = re.compile(r"匿名|不留|不想留|不方便|不用|不要|不想说|不说|不告诉|不愿意|保密|无名|没必要|算了")
TIME_WORDS = re.compile(
    r"年|月|日|号|周|星期|礼拜|天|前|后|以来|最近|近来|一直|刚才|刚刚|早上|上午|中午|下午|晚上|"
    r"半夜|凌晨|现在|今天|昨天|前天|去年|今年|春节|过年|国庆|端午|中秋|开始|时候|季度|春|夏|秋|冬"
)
PLACE_WORDS = re.compile(r"县城|城区|城里|街道|街上|镇|乡|村|社区|小区|组|寨|路|街|巷|屯|坝|箐|冲|山|河|县|市|省|区")
AT_TOWNSHIP_SEAT = re.compile(r"(?:镇|乡|街|集镇|街道|城)上|城里|县城|集镇|镇政府|乡政府|街道办")
VILLAGE_TEXT = re.compile(r"([\u4e00-\u9fff]{1,8}?)(村委会|村民委员会|居委会|村|社区|寨|小区)")
NAME_PREFIX = re.compile(
    r"^(?:我的?名字(?:是|叫)|我叫|我是|我姓|本人姓?名?(?:叫|是)?|叫我|名字(?:是|叫)?|姓名[:：]?|称呼我?)"
)
NAME_SUFFIX = re.compile(r"(?:就行了?|就可以了?|就好|吧|啊|呀|哈|嘛|呢)$")
NOT_NAME_WORDS = re.compile(
    r"嗯|好的|是的|对的|可以|谢谢|知道|什么|怎么|问题|投诉|工单|查询|电话|号码|政府|地方|机器|"
    r"[你我他她它吗呢吧啥谁么]"
)
# a name (王小明), a surname (王), or a form of address (老王, 王师傅, 张女士)
NAME = re.compile(
    r"[\u4e00-\u9fff·]{1,4}|[\u4e00-\u9fff]{1,3}(?:先生|女士|师傅|阿姨|大爷|大妈|大姐|大哥|老师|老板|嬢嬢)|"
    r"[A-Za-z][A-Za-z ]{0,19}"
)
NOT_A_NAME = {
    "是",
    "是的",
    "好",
    "好的",
    "嗯",
    "嗯嗯",
    "对",
    "对的",
    "不是",
    "不对",
    "谢谢",
    "你好",
    "您好",
    "没有",
    "可以",
    "行",
    "在吗",
    "喂",
    "哦",
    "知道了",
    "收到",
}
SELF_INTRO = re.compile(
    r"(?:我叫|我的名字(?:是|叫)|本人(?:叫|名叫)?|姓名[:：])\s*(?![是在家今住于从])"
    r"([\u4e00-\u9fff]{2,4}?)(?=[，,。.！!；;、\s]|$|今年|家住|住在|是|在|电话)"
)
PUNCT = re.compile(r"[\s,，.。!！?？;；:：、~～…\-—\"“”'‘’()（）]+")


def clean(text: str) -> str:
    return PUNCT.sub("", unicodedata.normalize("NFKC", text or "")).strip()


def format_time(t: dict) -> str:
    """A time of facts["times"] as shown to the citizen and stored: 去年十月（2025-10-01至2025-10-31）."""
    if "days" in t:
        return f"已持续{t['text']}（约{t['days']}天）"
    if t.get("start") and t.get("start") == t.get("end"):
        return f"{t['text']}（{t['start']}）"
    if t.get("start"):
        return f"{t['text']}（{t['start']}至{t['end']}）"
    return str(t.get("text") or "")


def place_of(facts: dict, j: Jurisdiction) -> dict | None:
    """{"township", "village"} of the complaint's main place (the one routing uses), or None.
    A place the jurisdiction does not know is kept as written, so it is not asked again."""
    places = facts.get("places") or []
    if not places:
        return None
    p = primary_place(facts, j)
    if p.get("township"):
        return {"township": p["township"], "village": p.get("village")}
    first = places[0]
    return {"township": first.get("text") or first.get("county") or first.get("city"), "village": NOT_KNOWN}


def self_introduction(text: str) -> str | None:
    """The writer's own name when the complaint gives it (我叫王小明，…)."""
    m = SELF_INTRO.search(unicodedata.normalize("NFKC", text or ""))
    return m.group(1) if m else None


def slots_from_facts(facts: dict, text: str, j: Jurisdiction) -> dict:
    """Form slots already answered by the complaint itself."""
    slots: dict = {}
    place = place_of(facts, j)
    if place:
        slots["township"] = place["township"]
        slots["village"] = place["village"]
    if facts.get("times"):
        slots["when"] = format_time(facts["times"][0])
    if facts.get("phones"):
        slots["phone"] = facts["phones"][0]
    name = self_introduction(text)
    if name:
        slots["citizen_name"] = name
    return slots


def parse_place(text: str, facts: dict, j: Jurisdiction) -> dict | None:
    """Answer to "where": {"township", "village"}; village None when the citizen named only the township. A village
    the jurisdiction does not list, without its township, fills only the village (the township is asked again)."""
    place = place_of(facts, j)
    if place:
        return place
    c = clean(text)
    if not 2 <= len(c) <= 40 or DONT_KNOW.search(c):
        return None
    village = VILLAGE_TEXT.fullmatch(c)
    if village:
        return {"village": village_name(village)}
    if PLACE_WORDS.search(c):
        return {"township": c, "village": NOT_KNOWN}
    return None


def village_name(m: re.Match) -> str:
    return m.group(1) + {"村委会": "村", "村民委员会": "村", "居委会": "社区"}.get(m.group(2), m.group(2))


def parse_village(text: str, facts: dict, j: Jurisdiction) -> dict | None:
    """Answer to "which village": {"village"} (+ "township" when the village says which township it is in)."""
    c = clean(text)
    if DONT_KNOW.search(c) or c in {"没有", "无", "没有村"}:
        return {"village": NOT_KNOWN}
    place = place_of(facts, j)
    if place and place.get("village") and place["village"] != NOT_KNOWN:
        return {"township": place["township"], "village": place["village"]}
    if AT_TOWNSHIP_SEAT.search(c):
        return {"village": NOT_KNOWN}
    m = VILLAGE_TEXT.search(c)
    return {"village": village_name(m)} if m else None


def parse_when(text: str, facts: dict) -> str | None:
    if facts.get("times"):
        return format_time(facts["times"][0])
    c = clean(text)
    if DONT_KNOW.search(c):
        return NOT_KNOWN
    if 1 <= len(c) <= 30 and TIME_WORDS.search(c):
        return c
    return None


def parse_phone(text: str, facts: dict) -> tuple[str, str | None]:
    """("ok", number) / ("refused", None) / ("invalid", None) / ("none", None)."""
    if facts.get("phones"):
        return "ok", facts["phones"][0]
    c = clean(text)
    if REFUSE.search(c):
        return "refused", None
    if re.search(r"\d{5,}", c):
        return "invalid", None
    return "none", None


def parse_name(text: str, facts: dict) -> str | None:
    c = clean(text)
    if ANONYMOUS_WORDS.search(c) and len(c) <= 12:
        return ANONYMOUS
    name = NAME_SUFFIX.sub("", NAME_PREFIX.sub("", c))
    if NAME.fullmatch(name) and name not in NOT_A_NAME and not NOT_NAME_WORDS.search(name):
        return name
    persons = facts.get("persons") or []
    return persons[0] if persons else None


def noted_summary(slots: dict) -> str:
    """What the complaint already told us, to show the citizen before the remaining questions."""
    parts = []
    township, village = slots.get("township"), slots.get("village")
    if township:
        parts.append("地点 " + township + (village if village and village not in SENTINELS else ""))
    if slots.get("when") and slots["when"] != NOT_KNOWN:
        parts.append("时间 " + slots["when"])
    if slots.get("phone") and slots["phone"] != NO_PHONE:
        parts.append("电话 " + slots["phone"])
    if slots.get("citizen_name") and slots["citizen_name"] != ANONYMOUS:
        parts.append("称呼 " + slots["citizen_name"])
    return "；".join(parts)


def or_none(value: str | None) -> str | None:
    """A slot value for the ticket: the sentinels (不详 / 匿名 / 未留) become None."""
    return None if value in SENTINELS else value
