"""Citizens' facts as slot values: the Draft of bot.intake as slots and back, and short answers during the form.

Pure functions on values: the caller extracts the facts (classifier.facts.extract_facts) and passes the jurisdiction.
The slots are named as the Draft's fields (bot.intake.FORM_FIELDS); places are codes, `address` the words. A slot
holds a sentinel (不详 / 匿名 / 未留) when the citizen cannot or will not say, so the form does not ask again; the
Draft and the ticket get None for it.
"""

from __future__ import annotations

import re
import unicodedata

from bot.intake import FORM_FIELDS, Draft, format_time, place_fields, primary_place
from bot.jurisdiction import Jurisdiction, Village
from classifier.extract.contacts import find_phones
from classifier.normalise import normalise

# Values a slot takes when the citizen cannot or will not say: the form does not ask again, the ticket gets None.
NOT_KNOWN = "不详"
ANONYMOUS = "匿名"
NO_PHONE = "未留"
SENTINELS = {NOT_KNOWN, ANONYMOUS, NO_PHONE}

CORRECTION = re.compile(
    r"不是|不在|不对|说错|写错|搞错|弄错|错了|改成|改为|更正|应该是|打反|打错|输错|记错|搞反|弄反|反了"
)
DONT_KNOW = re.compile(
    r"不知道|不晓得|不清楚|记不清|记不得|不记得|忘了|忘记了|说不清|没注意|不确定|不好说|搞不清|说不准|拿不准|晓不得|莫得印象"
)
REFUSE = re.compile(
    r"不留|不想留|不方便|不给|不想给|不想说|不告诉|不愿意|保密|没有电话|没电话|没有手机|没手机|算了|就不说了?|不说了|不讲了?"
)
ANONYMOUS_WORDS = re.compile(r"匿名|不留|不想留|不方便|不用|不要|不想说|不说|不告诉|不愿意|保密|无名|没必要|算了")
TIME_WORDS = re.compile(
    r"年|月|日|号|周|星期|礼拜|天|前|后|以来|最近|近来|一直|刚才|刚刚|早上|上午|中午|下午|晚上|"
    r"半夜|凌晨|现在|今天|昨天|前天|去年|今年|春节|过年|国庆|端午|中秋|开始|时候|季度|春|夏|秋|冬|"
    r"昨|今|晚|早|夜|刚|学期|开学|放假|暑假|寒假|秋收|春耕|农忙|插秧|收谷子|赶集|街天|月初|月底|月中|上旬|中旬|下旬|"
    r"那会|那阵|那时|以前|之前|以后|之后|左右|多久|好久|很久|几天|几个月|几年|小时|钟头|分钟|至今|到现在|还在|"
    r"经常|老是|总是|天天|每天|每次|每年|每月|一年|两年|三年|半年|头年|前年|上回|上次|那天|当天|当时"
)
# "I told you already": the answer is in what was said before (the complaint, an earlier answer)
# requests that leave the form whatever else the message holds (handlers/actions/form.py) or come with a complaint
ASK_HUMAN = re.compile(r"转人工|人工服务|人工客服|真人|话务员|接线员|找个人|找人工")
# (a bare 不说了 is not here: at the name or phone question it means "I won't say", and is read as that answer)
STOP = re.compile(r"不登记了|不用登记|先不登记|不反映了|不投诉了|算了不说了|不弄了|先不弄|不想弄了|不办了|撤销")
# a sentence asking for a person, with what goes with it (这个是真人回还是机器回？/ 打12345一直占线)
_PERSON_SENTENCE = re.compile(
    r"[^，。！？,.!?；;]*(?:转人工|人工客服|人工服务|找真人|真人|人工|话务员|工作人员|机器人?|自动回复|占线)"
    r"[^，。！？,.!?；;]*[，。！？,.!?；;]*"
)


# a complaint told with a request for a person is filed when at least this much of it is left (还是没人打电话给我，
# 转人工 is a follow-up on a status query, not a complaint: 9 characters)
COMPLAINT_WITH_REQUEST_CHARS = 12


def without_request_for_person(text: str) -> str:
    """The message without its sentences asking for a person: "找真人。我要投诉…" -> "我要投诉…"."""
    return _PERSON_SENTENCE.sub("", text or "").strip()


SAID_BEFORE = re.compile(r"前面说了|刚才说了|说过了|已经说了|讲过了|上面说了|前面有|刚才讲了|都说了")
PLACE_WORDS = re.compile(r"县城|城区|城里|街道|街上|镇|乡|村|社区|小区|组|寨|路|街|巷|屯|坝|箐|冲|山|河|县|市|省|区")
AT_TOWNSHIP_SEAT = re.compile(r"(?:镇|乡|街|集镇|街道|城|街子)上|城里|县城|集镇|镇政府|乡政府|街道办|街子")
# words around a village's name in an answer: 南恩那边 / 南恩三组 / 在南恩 / 南恩的
AROUND = re.compile(r"^(?:在|是|就在)|(?:那边|那里|那点|那块|那儿|这边|附近|一带|[一二三四五六七八九十\d]+组|的)+$")
VILLAGE_TEXT = re.compile(r"([\u4e00-\u9fff]{1,8}?)(村委会|村民委员会|居委会|村|社区|寨|小区)")
NAME_PREFIX = re.compile(
    r"^(?:我的?名字(?:是|叫)|我叫|我是|我姓|姓|本人姓?名?(?:叫|是)?|叫我|名字(?:是|叫)?|姓名[:：]?|称呼我?)"
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
# 我不识字，姓起: a surname said alone inside a longer answer (any character: 起, 刀, 岩 are surnames here)
SURNAME_SAID = re.compile(r"(?:^|[，,。.！!、\s])(?:我)?姓([\u4e00-\u9fff])(?=[，,。.！!、\s]|的|$)")
SELF_INTRO_SHORT = re.compile(r"(?:我叫|我姓|我是|名字叫|叫我)([\u4e00-\u9fff]{1,3}?)(?:[，,。.！!、\s]|就行|吧|$)")
PUNCT = re.compile(r"[\s,，.。!！?？;；:：、~～…\-—\"“”'‘’()（）]+")


def clean(text: str) -> str:
    return PUNCT.sub("", unicodedata.normalize("NFKC", text or "")).strip()


def place_slots(facts: dict, j: Jurisdiction) -> dict | None:
    """Slot values of the main place in `facts`: codes where the jurisdiction knows it, a sentinel where it does not
    (a place outside our list is not asked again, its words are in `address`); None when there is no place."""
    place = place_fields(facts, j)
    if not place:
        return None
    if not place["township"] and not place["village"] and is_our_county(place.get("address"), j):
        return None  # 新平县 alone says nothing of where in the county: the township is still asked
    village_named = bool((primary_place(facts, j) or {}).get("village"))
    return {
        "township": place["township"] or NOT_KNOWN,
        "village": place["village"] or (NOT_KNOWN if village_named or not place["township"] else None),
        "address": place["address"],
    }


def is_our_county(words: str | None, j: Jurisdiction) -> bool:
    """The words name just this county (新平县, 新平彝族傣族自治县), perhaps with its city or province."""
    rest = re.sub(r"^(?:云南省|云南|玉溪市|玉溪)+", "", clean(words or ""))
    return bool(rest) and rest in {j.county, *j.county_aliases}


def parse_place(text: str, facts: dict, j: Jurisdiction) -> dict | None:
    """Answer to "where": {"township", "village", "address"}; village None when the citizen named only the township.
    A village alone fills the village (and its township when the jurisdiction lists it)."""
    place = place_slots(facts, j)
    if place and place["township"] != NOT_KNOWN:
        return place
    c = clean(text)
    if DONT_KNOW.search(c) or REFUSE.search(c):  # not known or not said: not asked again, the ticket goes without
        return {"township": NOT_KNOWN, "village": NOT_KNOWN}
    if place:  # a place the list does not have by that name: perhaps one of ours written by ear (男恩村)
        return place_by_sound(text, j) or place
    if not 2 <= len(c) <= 40:
        return None
    heard = place_by_sound(text, j)
    if heard:
        return heard
    village = VILLAGE_TEXT.fullmatch(c)
    if village:
        listed = j.village(village_name(village))
        if listed:
            return {"township": listed.township, "village": listed.code, "address": c}
        # a village not on our list: kept in the citizen's words; the township is not asked again either (an answer
        # must always fill the question it answers, or the form asks it forever)
        return {"township": NOT_KNOWN, "village": NOT_KNOWN, "address": c}
    if PLACE_WORDS.search(c):
        return {"township": NOT_KNOWN, "village": NOT_KNOWN, "address": c}
    return None


def place_by_sound(text: str, j: Jurisdiction) -> dict | None:
    """A township and village written by ear or by voice input (杨武 青龙 / 桂山 他啦村 / 莫沙曼线 / 男恩村): the
    jurisdiction's names that sound the same. {"township", "village", "address"}, or None."""
    words = [w for w in re.split(r"[\s，,。.、；;]+", unicodedata.normalize("NFKC", text or "")) if w]
    if words:  # 新萍县水塘: our county's name first, written by ear too
        words[0] = j.without_county(words[0])
        words = [w for w in words if w]
    if len(words) == 1:  # 莫沙曼线: the township may be the first two to four characters
        w = words[0]
        split = next((i for i in (4, 3, 2) if len(w) > i and j.township_by_sound(w[:i])), None)
        words = [w[:split], w[split:]] if split else words
    if not words or len(words) > 3:
        return None
    town = j.township_code(words[0]) or j.township_by_sound(words[0])
    rest = "".join(words[1:] if town else words)
    rest = "" if rest in ("镇", "乡", "街道", "街道办") else rest  # 水糖镇: the township's own suffix
    village = None
    if rest:
        core = AROUND.sub("", rest)
        village = j.village(core, town) or j.village_by_sound(core, town)
    if not town and village is None:
        return None
    return {
        "township": town or village.township,
        "village": village.code if village else (NOT_KNOWN if rest else None),
        "address": j.place_name(town or village.township, village.code if village else None) or clean(text),
    }


def village_name(m: re.Match) -> str:
    return m.group(1) + {"村委会": "村", "村民委员会": "村", "居委会": "社区"}.get(m.group(2), m.group(2))


def parse_village(text: str, facts: dict, j: Jurisdiction, township: str | None) -> dict | None:
    """Answer to "which village" in `township`: {"village"} (+ "township" and "address" when the answer names the
    township too, or a village of another one)."""
    c = clean(text)
    if DONT_KNOW.search(c) or c in {"没有", "无", "没有村"}:
        return {"village": NOT_KNOWN}
    place = place_slots(facts, j)
    if place and place["village"] not in (None, NOT_KNOWN):
        return place
    if AT_TOWNSHIP_SEAT.search(c):  # 就在镇上 / 街子上: the township seat's community, when the list has one
        seat = j.villages.get(f"{township}.{township}") if township else None
        return {"village": seat.code, "address": j.place_name(township, seat.code)} if seat else {"village": NOT_KNOWN}
    m = VILLAGE_TEXT.search(c)
    if not m:
        # a bare name (南恩 / 南恩那边 / 南恩三组 / 嘎洒那点): the village whose name it is, if exactly one
        bare = j.village(AROUND.sub("", c), township) or j.village_by_sound(AROUND.sub("", c), township)
        return {"village": bare.code, "address": j.place_name(township, bare.code)} if bare else None
    listed = j.village(village_name(m), township) or j.village_by_sound(village_name(m), township)
    if listed:
        return {"village": listed.code, "address": j.place_name(township, listed.code)}
    return {"village": NOT_KNOWN, "address": (j.township_name(township) or "") + village_name(m)}


# a policy question has no time: 没有发生什么，就是想问一下
NOTHING_HAPPENED = re.compile(
    r"没(?:有)?发生|不是发生|没出什么事|就是(?:想)?问|只是(?:想)?问|只是咨询|就是咨询|问问而已|没有时间"
)
# a message that only asks (请问… / 想咨询… / …怎么办理): a policy question, where "when" means nothing
CONSULTATION = re.compile(
    r"^(?:您好|你好|领导好)?[，,！!\s]*(?:请问|咨询|想咨询|我想咨询|问一下|问下|想问|我想问|打听一下|想了解|我想了解)"
)


def is_consultation(text: str, matter_name: str | None = None) -> bool:
    """A policy question (咨询), by its opening words or its matter (…政策咨询)."""
    return bool(CONSULTATION.search(clean(text))) or "咨询" in (matter_name or "")


def parse_when(text: str, facts: dict) -> str | None:
    told = affirmed(facts.get("times") or [], text)
    if told:
        return format_time(told)
    c = clean(text)
    if DONT_KNOW.search(c) or REFUSE.search(c) or NOTHING_HAPPENED.search(c):
        return NOT_KNOWN
    if 1 <= len(c) <= 30 and TIME_WORDS.search(c):
        return c
    return None


CN_DIGITS = str.maketrans(
    "幺一二三四五六七八九〇零洞两壹贰叁肆伍陆柒捌玖", "1" + "123456789" + "000" + "2" + "123456789"
)


def said_before(text: str, slots: dict, field: str) -> str | None:
    """前面说了的: the value given before, or, when the citizen says so but no value was kept, their words."""
    if not SAID_BEFORE.search(text):
        return None
    return slots.get(field) or "（见诉求内容）"


def phone_in(text: str) -> str | None:
    """A phone written with spaces, dashes or Chinese numerals (幺三八 一二三四 五六七八, 0877-7654321)."""
    digits = re.sub(r"[\s\-—－_.,，、()（）]", "", unicodedata.normalize("NFKC", text or "").translate(CN_DIGITS))
    found = find_phones(digits)  # the extractor's reading: mobiles and landlines with their area code
    return found[0][2] if found else None


def parse_phone(text: str, facts: dict) -> tuple[str, str | None]:
    """("ok", number) / ("refused", None) / ("invalid", None) / ("none", None). A number is taken before a
    refusal: 匿名，我的电话是159… gives the number."""
    if facts.get("phones"):
        # 158…10，哦不对，是158…70: the number after the correction
        return "ok", facts["phones"][-1 if CORRECTION.search(text) else 0]
    number = phone_in(text)
    if number:
        return "ok", number
    c = clean(text)
    if REFUSE.search(c):
        return "refused", None
    if re.search(r"\d{5,}", c):
        return "invalid", None
    return "none", None


def parse_name(text: str, facts: dict) -> str | None:
    """A name, a surname or a form of address; 匿名 for a refusal. In a longer answer (我叫李四，前面说了的) the
    self-introduction counts."""
    intro = SELF_INTRO_SHORT.search(unicodedata.normalize("NFKC", text or ""))
    if intro and intro.group(1) not in NOT_A_NAME:
        return intro.group(1)
    said = SURNAME_SAID.search(unicodedata.normalize("NFKC", text or ""))
    if said:
        return said.group(1)
    c = clean(text)
    if ANONYMOUS_WORDS.search(c) and len(c) <= 12:
        return ANONYMOUS
    name = NAME_SUFFIX.sub("", NAME_PREFIX.sub("", c))
    if NAME.fullmatch(name) and name not in NOT_A_NAME and not NOT_NAME_WORDS.search(name):
        return name
    persons = facts.get("persons") or []
    return persons[0] if persons else None


NEGATED_BEFORE = re.compile(r"不是\s*$")


def affirmed(values: list[dict], text: str) -> dict | None:
    """Of the facts found in a correction (不是上礼拜，是上个月初), the first one not said after 不是."""
    for v in values:
        at = text.find(v.get("text") or "\0")
        if at < 0 or not NEGATED_BEFORE.search(text[max(0, at - 4) : at]):
            return v
    return None


def corrected_place(text: str, j: Jurisdiction) -> dict | None:
    """The village a correction names as the right one (我说的是曼线村，不是龙河村 -> 曼线村), as slot values; None
    when it names none, or only after 不是."""
    forms = [f for f in j.village_forms_in(normalise(text)) if j.township_code(f) is None]
    said = affirmed([{"text": f} for f in forms], text)
    if said is None:
        return None
    codes = j.village_codes_of(said["text"])
    if len(codes) != 1:
        return None
    v = j.villages[next(iter(codes))]
    return {"township": v.township, "village": v.code, "address": j.place_name(v.township, v.code)}


def place_shown(slots: dict, j: Jurisdiction) -> str:
    """The place as the citizen reads it back: the jurisdiction's names when the codes say it all, else their own
    words (a village not on our list, a place outside the county)."""
    town, village = (None if v in SENTINELS else v for v in (slots.get("township"), slots.get("village")))
    names = j.place_name(town, village)
    if town and (village or slots.get("village") is None):
        return names
    return slots.get("address") or names


def noted_summary(slots: dict, j: Jurisdiction) -> str:
    """What the complaint already told us, to show the citizen before the remaining questions."""
    parts = []
    place = place_shown(slots, j)
    if place:
        parts.append("地点 " + place)
    if slots.get("incident_time") and slots["incident_time"] != NOT_KNOWN:
        parts.append("时间 " + slots["incident_time"])
    if slots.get("phone") and slots["phone"] != NO_PHONE:
        parts.append("电话 " + slots["phone"])
    if slots.get("citizen_name") and slots["citizen_name"] != ANONYMOUS:
        parts.append("称呼 " + slots["citizen_name"])
    return "；".join(parts)


def or_none(value: str | None) -> str | None:
    """A slot value for the ticket: the sentinels (不详 / 匿名 / 未留) become None."""
    return None if value in SENTINELS else value


def slots_from_draft(draft: Draft, j: Jurisdiction) -> dict:
    """The form slots a draft already answers (None: still to ask)."""
    return {f: getattr(draft, f) for f in FORM_FIELDS} | (place_slots(draft.facts, j) or {})


def draft_from_slots(slots: dict, text: str, message_ids: list[int] | tuple[int, ...] = ()) -> Draft:
    """The Draft the dialogue holds: slot values by name, sentinels as None, nothing analysed again."""
    top = tuple((str(c), float(p)) for c, p in slots.get("category_top") or [])
    return Draft(
        text=text,
        **{f: or_none(slots.get(f)) for f in FORM_FIELDS},
        facts=slots.get("facts") or {},
        flags=tuple(slots.get("flags") or ()),
        confidence=top[0][1] if top else 0.0,
        top=top,
        matter_top=tuple((str(c), float(p)) for c, p in slots.get("matter_top") or []),
        message_ids=tuple(message_ids),
    )


# a place said as wrong: 不是平田 / 不在龙河 (the village after these words is the one being corrected away)
NEGATED = re.compile(r"(?:不是|不在|不属于)$")


def village_in_correction(text: str, j: Jurisdiction, township: str | None) -> Village | None:
    """The village a correction names (不是平田，…都在马鹿寨 / 不是龙河，是曼线): a village of `township` written in
    the text, not the one said to be wrong; the last one if several."""
    found: list[tuple[int, Village]] = []
    for form in j.village_forms_in(text):
        start = text.find(form)
        village = j.village(form, township)
        if village is not None and not NEGATED.search(text[max(0, start - 3) : start]):
            found.append((start, village))
    return max(found, key=lambda sv: sv[0])[1] if found else None
