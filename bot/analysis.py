"""One call that turns a complaint text into category, facts, flags and a route. Models are cached per process."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.jurisdiction import Jurisdiction, load_jurisdiction
from bot.routing import Route, route
from classifier.categories import category_name


@dataclass(frozen=True)
class Analysis:
    category: str
    confidence: float
    top: list[tuple[str, float]]
    needs_review: bool
    facts: dict
    flags: list[str]
    route: Route
    category_name: str = ""
    place: dict = field(default_factory=dict)  # the place used for routing: {township, village, group}

    def as_json(self) -> dict:
        return {
            "category": self.category,
            "confidence": round(self.confidence, 4),
            "top": [{"category": c, "p": round(p, 4)} for c, p in self.top],
            "needs_review": self.needs_review,
            "facts": self.facts,
            "department": self.route.as_dict(),
            "flags": self.flags,
        }


def primary_place(facts: dict, j: Jurisdiction) -> dict:
    """The first place inside the county (the one the ticket is routed by), else the first place at all."""
    places = facts.get("places") or []
    for p in places:
        if j.township_by_name(p.get("township")) or j.township_of_village(p.get("village")):
            town = j.township_by_name(p.get("township")) or j.township_of_village(p.get("village"))
            return {"township": town.name, "village": p.get("village"), "group": p.get("group")}
    if places:
        p = places[0]
        return {"township": p.get("township"), "village": p.get("village"), "group": p.get("group")}
    return {}


def analyse(
    text: str, today: date | None = None, j: Jurisdiction | None = None, category: str | None = None
) -> Analysis:
    """`category` overrides the classifier (the citizen or operator chose it); the suggestions are kept."""
    from classifier.facts import derive_flags, extract_facts
    from classifier.model import load_model

    j = j or load_jurisdiction()
    prediction = load_model().predict(text)
    facts = extract_facts(text, today, j.gazetteer())
    flags = derive_flags(text, facts)
    chosen = category or prediction.category
    place = primary_place(facts, j)
    r = route(chosen, place.get("township"), place.get("village"), flags, j)
    return Analysis(
        chosen,
        prediction.confidence,
        list(prediction.top),
        prediction.needs_review and category is None,
        facts,
        flags,
        r,
        category_name(chosen),
        place,
    )
