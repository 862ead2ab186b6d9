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


def out_of_area(facts: dict, j: Jurisdiction, text: str = "") -> dict | None:
    """The place a matter belongs to when the complaint names a county, city or province other than ours and no
    place of ours ({province, city, county, text}, the missing levels filled in from the division list). The places
    come from the facts and from the division names in `text` (everyday short names too: 在昆明打工). None when any
    place is ours, or no place says where it is."""
    places = facts.get("places") or []
    if any(_ours(p, j) for p in places) or any(name in text for name in (j.county, *j.county_aliases)):
        return None
    if _OUR_PLACE.search(text):  # 我们村 / 本县 / 在这里: written to this county's hotline, "here" is here
        return None
    candidates = [
        (p.get("text"), division(p.get("county")) or division(p.get("city")) or division(p.get("province")), p)
        for p in places
    ]
    candidates += [(text[s:e], div, {}) for s, e, div in divisions_named(text)]
    for written, div, p in candidates:
        province = p.get("province") or (div.province if div else None)
        city = p.get("city") or (div.city if div else None)
        county = p.get("county") or (div.name if div and div.level == "county" else None)
        elsewhere = (
            (county and county != j.county) or (city and city != j.city) or (province and province != j.province)
        )
        if elsewhere:
            return {"province": province, "city": city, "county": county, "text": written}
    return None


_OUR_PLACE = re.compile(
    r"(?:我们|咱们|本)(?:村|寨|组|乡|镇|县|社区|这里|这边|这儿|当地)|(?:在|来|到)(?:这里|这边|这儿|本地)"
)


def _ours(place: dict, j: Jurisdiction) -> bool:
    return bool(
        j.township_code(place.get("township"))
        or j.village(place.get("village"))
        or place.get("county") in (j.county, *j.county_aliases)
    )
