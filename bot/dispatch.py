"""Dispatch (派单): category → matter → department, each with a confidence, and matters that belong to another place.

Pure functions on the models' probabilities, the catalogue and the jurisdiction:

    matter_distribution(category_probs, matter_probs, catalogue) -> {matter: p}
    department_alternatives(matters, category, township, flags, catalogue, j) -> [(department, p), ...]
    out_of_area(facts, j) -> {province, city, county, text} | None

The matter model is trained on examples per matter (nlu_data/matters) and the catalogue's keywords; the category
model, on many more complaints, sets how likely each category is. A matter's probability is its category's (the
geometric mean of both models' view of the category) times its share within the category by the matter model.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable

from bot.jurisdiction import Jurisdiction
from bot.matters import Catalogue
from bot.routing import route
from classifier.extract.elsewhere import divisions_named
from classifier.extract.gazetteer import division
from classifier.normalise import normalise

# weight of the category model against the matter model's own view of the category (geometric mix), and the rule
# that picks the department: the department whose matters are likeliest together. Chosen by 5-fold CV on the
# matter examples (the department of the held-out example's matter): weights 0 / 0.3 / 0.5 / 0.7 / 1 gave
# 0.783 / 0.807 / 0.784 / 0.753 / 0.694; the likeliest matter of the category model's category gave 0.679.
CATEGORY_WEIGHT = 0.3
NEGLIGIBLE = 1e-3  # a matter this unlikely cannot change the department (and routing it costs time)
TOP_MATTERS = 20  # kept with a draft, so a corrected category or place can still pick its best matter
# a department less likely than this is checked by an operator first (the ticket goes to the review queue)
REVIEW_BELOW = 0.5


def matter_distribution(
    category_probs: dict[str, float], matter_probs: dict[str, float], catalogue: Catalogue
) -> dict[str, float]:
    """P(matter) = P(category) · P(matter | category), normalised."""
    within: dict[str, float] = defaultdict(float)
    for code, p in matter_probs.items():
        within[catalogue.matters[code].category] += p
    category = {}
    for cat, p_matter_view in within.items():
        p_cat = max(category_probs.get(cat, 0.0), 1e-9)
        category[cat] = math.exp(CATEGORY_WEIGHT * math.log(p_cat) + (1 - CATEGORY_WEIGHT) * math.log(p_matter_view))
    total = sum(category.values()) or 1.0
    out = {}
    for code, p in matter_probs.items():
        cat = catalogue.matters[code].category
        out[code] = category[cat] / total * (p / within[cat] if within[cat] else 0.0)
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def matter_for_department(
    matters: Iterable[tuple[str, float]],
    department: str,
    township: str | None,
    flags: Iterable[str],
    catalogue: Catalogue,
    j: Jurisdiction,
) -> str | None:
    """The likeliest matter among `matters` ((code, p), best first) that this place and these flags send to
    `department`."""
    flags = list(flags)
    for code, _ in matters:
        m = catalogue.matters.get(code)
        if m is not None and route(m.category, township, flags, j, matter=m).department_code == department:
            return code
    return None


def best_matter(matters: Iterable[tuple[str, float]], category: str, catalogue: Catalogue) -> str | None:
    """The likeliest matter of `category` among `matters` ((code, p), best first); None when none is of it."""
    return next((code for code, _ in matters if code in catalogue.matters and code.startswith(category + ".")), None)


def department_alternatives(
    matters: Iterable[tuple[str, float]],
    category: str,
    township: str | None,
    flags: Iterable[str],
    catalogue: Catalogue,
    j: Jurisdiction,
    k: int = 3,
) -> list[tuple[str, float]]:
    """The `k` likeliest departments with their probabilities: each matter's department for this township and
    these flags (escalation included), summed. The chosen category's matters count in full, others as given."""
    flags = list(flags)
    votes: dict[str, float] = defaultdict(float)
    for code, p in matters:
        m = catalogue.matters.get(code)
        if m is None or p < NEGLIGIBLE:
            continue
        votes[route(m.category, township, flags, j, matter=m).department_code] += p
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    if not ranked:  # no matter known: the category table
        return [(route(category, township, flags, j).department_code, 1.0)]
    return [(code, round(p, 4)) for code, p in ranked[:k]]


def out_of_area(facts: dict, j: Jurisdiction, text: str = "", category: str | None = None) -> dict | None:
    """The place a matter belongs to when the complaint names a county, city or province other than ours and no
    place of ours ({province, city, county, text}, the missing levels filled in from the division list). The places
    come from the facts and from the division names in `text` (everyday short names too: 在昆明打工). None when any
    place is ours, or no place says where it is.

    Where the citizen comes from (我是新平人 / 我们都是新平扬武的 / 老家在新平) says nothing of where the matter is,
    except for matters the home county administers whoever asks (`HOME_BOUND`: 医保, 低保, 承包地): 我在浙江打工，老家在
    新平戛洒，医保能不能异地结算 is ours."""
    text = normalise(text)
    origin = [m.span() for m in _ORIGIN.finditer(text)]

    def in_origin(written: str | None) -> bool:
        return bool(written) and any(text.find(written, a) in range(a, b) for a, b in origin)

    places = facts.get("places") or []
    told = re.sub(_ORIGIN, lambda m: "＿" * len(m.group()), text)  # the text without where the citizen is from
    if any(_ours(p, j) and not in_origin(p.get("text")) for p in places):
        return None
    if any(name in told for name in (j.county, *j.county_aliases)) or _OUR_PLACE.search(told):
        return None  # 我们村 / 本县 / 在这里: written to this county's hotline, "here" is here
    ours_in_origin = told != text and (
        any(name in text for name in (j.county, *j.county_aliases)) or any(_ours(p, j) for p in places)
    )
    if ours_in_origin and (category in HOME_BOUND or _HOME_MATTER.search(text) or _HOME.search(told)):
        return None  # 我是戛洒的，家里的房子… / 户口在新平，补办身份证…: the matter is at home
    candidates = [
        (p.get("text"), division(p.get("county")) or division(p.get("city")) or division(p.get("province")), p)
        for p in places
        if not in_origin(p.get("text"))
    ]
    candidates += [(text[s:e], div, {}) for s, e, div in divisions_named(told)]
    candidates += [(nick, division(name), {}) for nick, name in j.place_nicknames.items() if nick in told]
    unnamed_ours = bool(_UNNAMED_OURS.search(told))  # 村里 / 县城 / 镇上, no name: ours, unless placed elsewhere
    for written, div, p in candidates:
        province = p.get("province") or (div.province if div else None)
        city = p.get("city") or (div.city if div else None)
        county = p.get("county") or (div.name if div and div.level == "county" else None)
        elsewhere = (
            (county and county != j.county) or (city and city != j.city) or (province and province != j.province)
        )
        # 我家屋头在峨山化念那点，村里修路…: that 村里 is there; 县城有家培训机构说是昆明的: ours
        placed = bool(written) and bool(_PLACED_AT.search(text[: max(0, text.find(written))]))
        if elsewhere and (not unnamed_ours or placed):
            return {"province": province, "city": city, "county": county, "text": written}
    somewhere = _SOMEWHERE_ELSE.search(told)  # 在外省被骗了: elsewhere, though not said where
    if somewhere and not _HOME.search(told) and not unnamed_ours:
        return {"province": None, "city": None, "county": None, "text": somewhere.group(1)}
    return None


_OUR_PLACE = re.compile(
    r"(?:我们|咱们|本)(?:村|寨|组|乡|镇|县|社区|这里|这边|这儿|当地)|(?:在|来|到)(?:这里|这边|这儿|本地)"
    r"|回来(?:报销|办理?|申请|补办|开证明|找|发现)"
)
# places of ours by kind, without a name: ours unless the text places the matter elsewhere with 在
_UNNAMED_OURS = re.compile(
    r"村里|村委会|村小组|村干部|村卫生室|乡里|乡上|镇上|乡卫生院"
    # 县城 / 县医院 / 县农业局 unnamed (元江县城 / 峨山县一中 are named, and not)
    r"|(?:^|[^\u4e00-\u9fff]|[在去到的了我们咱和跟从回进])"
    r"(?:县城|县里|县上|县医院|县人民医院|县一中|县二中|县[\u4e00-\u9fff]{1,5}?(?:局|委|办|院|所|中心))"
)
# the home or land placed elsewhere, right before the name: 我家屋头在峨山 / 地在 (在昆明读书 is not)
_PLACED_AT = re.compile(r"(?:家|屋头|屋里|老家|房子|地|田|寨子|村子)(?:就|是|都)?在(?:[\u4e00-\u9fff]{0,2})$")
# not said where: 在外省被骗了 is elsewhere; 在外地打工，家里的… is not
_SOMEWHERE_ELSE = re.compile(r"(?:在|去|到|跑)(外省|省外|外地)")
_HOME = re.compile(r"家里|我家|老家|家中|屋头|屋里")
# Matters the home county handles wherever the citizen lives: insurance, pensions, assistance, papers, their land.
HOME_BOUND = {"social_security", "land", "village_affairs"}
# (not 社保: an employer pays it where the work is)
_HOME_MATTER = re.compile(r"医保|养老|低保|户口|户籍|身份证|宅基地|承包地|优待金|补贴|补助|房子|老屋")
# who the citizen is and where from, not where the matter is
_ORIGIN = re.compile(
    r"(?:我|我们|本人|俺|我家|他|她|他们)(?:都|也|原来|本来)?(?:是|系)[^，。,；;！!？?]{1,14}?(?:人|的|村民|农民|居民|老乡)"
    r"|从[^，。,；;！!？?]{1,10}?(?:过去|出去|去的)|[^，。,；;！!？?\s]{2,8}?去的(?=人|有|老乡|几个|[一二三四五六七八九十两]+个)"
    r"|户口(?:在|是)[^，。,；;！!？?]{1,12}"
)


def _ours(place: dict, j: Jurisdiction) -> bool:
    return bool(
        j.township_code(place.get("township"))
        or j.village(place.get("village"))
        or place.get("county") in (j.county, *j.county_aliases)
    )
