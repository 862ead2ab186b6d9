"""Reports of one event by different citizens, linked (矛盾纠纷预警), and the early warning they raise.

Two reports are the same event when they are about the same matter at the same place or organisation within 30
days, from different citizens. `same_event` decides that for a pair from what the intake already knows (matter and
category from the classifier, township and village codes, organisations named) and from how alike the texts are
(classifier.similarity); it is pure and measured on a labelled set of pairs (bench/linking.py). `link` files a new
ticket into the event of the report it matches best, and raises the early warning when the event grows past the
thresholds, or at once for a collective or urgent report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.clock import china_date, utcnow
from bot.jurisdiction import Jurisdiction, load_jurisdiction
from bot.models import Incident, Ticket
from bot.vocabulary import Flag
from classifier.similarity import cosine, kind_of, org_core, site_names, weights

WINDOW_DAYS = 30
# the early warning (issue: ≥ 5 households, or ≥ 3 tickets in 7 days, or any collective or urgent report)
WARN_HOUSEHOLDS = 5
WARN_TICKETS = 3
WARN_TICKETS_DAYS = 7
WARN_FLAGS = (Flag.COLLECTIVE, Flag.URGENT)
# how alike the texts must be, by how sure the place is: the same village or organisation (a strong anchor), the
# same township only (weak), no place on one side (none). Chosen on a tuning set written for it (see README).
SIMILAR_STRONG = 0.10
SIMILAR_WEAK = 0.25
SIMILAR_NONE = 0.40
CANDIDATES = 300  # the newest reports of the window a new one is compared with


@dataclass(frozen=True)
class Report:
    """What linking reads of a report."""

    text: str
    received: date  # Beijing date
    category: str
    matter: str | None = None
    township: str | None = None  # codes of bot/jurisdiction.yml
    village: str | None = None
    organizations: tuple[str, ...] = ()
    citizen: str | None = None  # sender or phone: the same citizen's reports are repeats, not an event


@dataclass(frozen=True)
class Decision:
    same: bool
    score: float  # text similarity, 0..1
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class _Read:
    """What linking reads of one text, once: a new report is compared with up to CANDIDATES earlier ones."""

    weights: dict[str, float]  # without the county's place names: the place is judged on its own, not by words
    villages: frozenset[str]  # the villages it names
    sites: frozenset[tuple[str, str | None]]  # sites named by a kind ending (翠湖苑工地 -> (翠湖苑, 工地))


@lru_cache(maxsize=4)
def _places(j: Jurisdiction) -> re.Pattern:
    return re.compile("|".join(map(re.escape, j.place_words_longest_first)))


@lru_cache(maxsize=4096)
def _read(text: str, j: Jurisdiction) -> _Read:
    places = _places(j)
    return _Read(weights(places.sub(" ", text)), frozenset(j.villages_named(text)), frozenset(site_names(text, places)))


def _sites(r: Report, j: Jurisdiction) -> set[tuple[str, str | None]]:
    orgs = {(core, kind_of(o)) for o in r.organizations if (core := org_core(o, _places(j)))}
    return orgs | _read(r.text, j).sites


def _org_match(a: Report, b: Report, j: Jurisdiction) -> bool | None:
    """True: one names an organisation or site the other mentions; False: both name one of the same kind (工地 and
    工地) and neither is in the other's text; None: not known."""
    sites_a, sites_b = _sites(a, j), _sites(b, j)
    if any(core in b.text for core, _ in sites_a) or any(core in a.text for core, _ in sites_b):
        return True
    kinds_a = {kind for _, kind in sites_a if kind}
    return False if kinds_a & {kind for _, kind in sites_b if kind} else None


def _names_village_of(text: str, village: str, j: Jurisdiction) -> bool:
    """The text names that village (南恩村, 南恩): a report from the next village about a plant in this one."""
    v = j.villages.get(village)
    return bool(v) and any(
        form in text for form in (v.name, v.name.removesuffix("村").removesuffix("社区")) if len(form) >= 2
    )


def same_event(a: Report, b: Report, j: Jurisdiction | None = None) -> Decision:
    j = j or load_jurisdiction()
    days = abs((b.received - a.received).days)
    if days > WINDOW_DAYS:
        return Decision(False, 0.0, (f"相隔{days}天",))
    if a.citizen and b.citizen and a.citizen == b.citizen:
        return Decision(False, 0.0, ("同一人反映（重复信访）",))
    # two villages are two places, unless one report names the other's village (the plant next door)
    neighbours = bool(a.village and b.village) and (
        _names_village_of(b.text, a.village, j) or _names_village_of(a.text, b.village, j)
    )
    if a.village and b.village and a.village != b.village and not neighbours:
        return Decision(False, 0.0, ("不同村",))
    named_a, named_b = _read(a.text, j).villages, _read(b.text, j).villages
    if named_a and named_b and not named_a & named_b:  # each names villages, none the same (the analysis may
        return Decision(False, 0.0, ("不同村",))  # have kept no village code: 平甸村 is also a township's name)
    if a.township and b.township and a.township != b.township and not neighbours:
        return Decision(False, 0.0, ("不同乡镇",))
    orgs = _org_match(a, b, j)
    if orgs is False:
        return Decision(False, 0.0, ("不同单位",))
    score = cosine(_read(a.text, j).weights, _read(b.text, j).weights)
    same_matter = bool(a.matter and a.matter == b.matter)
    # the same kind: one category, or matters of one family (urban.water_outage, urban.rural_drinking_water) where
    # the classifier's category for one of them slipped
    family = {m.split(".")[0] for m in (a.matter, b.matter) if m}
    same_kind = same_matter or a.category == b.category or (len(family) == 1 and bool(a.matter and b.matter))
    if orgs or (a.village and a.village == b.village):
        anchor = "同一单位" if orgs else "同一村"
        # the same matter at the same village or body within 30 days is the event, whatever the words
        need = 0.0 if same_matter else SIMILAR_STRONG
    elif a.township and a.township == b.township:
        anchor, need = "同一乡镇", SIMILAR_WEAK
    else:
        anchor, need = "地点不明", SIMILAR_NONE
    if not same_kind:
        need = max(need, SIMILAR_WEAK) * 1.5  # the classifier saw different matters: the words must agree more
    same = score >= need
    matter_word = "同一事项" if same_matter else ("同类事项" if same_kind else "事项不同")
    return Decision(same, round(score, 3), (anchor, matter_word, f"文本相似度{score:.2f}"))


def report_of(t, received: date | None = None, citizen: str | None = None) -> Report:
    """What linking reads of a filed ticket, or of a draft not filed yet (bot.intake.Draft has the same field
    names), received on `received` from `citizen`."""
    stored = getattr(t, "received_at", None)
    return Report(
        text=t.text,
        received=received or china_date(stored or utcnow()),
        category=t.category,
        matter=t.matter,
        township=t.township,
        village=t.village,
        organizations=tuple((t.facts or {}).get("organizations") or ()),
        citizen=citizen or getattr(t, "sender_id", None) or t.phone,
    )


def _households(tickets: list[Ticket]) -> int:
    """Distinct citizens, and the people a collective report speaks for (十几户 counts as its people count)."""
    citizens = {t.sender_id or t.phone or f"#{t.id}" for t in tickets}
    largest = max((int((t.facts or {}).get("people_count") or 0) for t in tickets), default=0)
    return max(len(citizens), largest)


def warning_reasons(incident: Incident, tickets: list[Ticket], now: datetime) -> list[str]:
    reasons = []
    if incident.households >= WARN_HOUSEHOLDS:
        reasons.append(f"同一事件已有{incident.households}户（人）反映")
    recent = [t for t in tickets if t.received_at >= now - timedelta(days=WARN_TICKETS_DAYS)]
    if len(recent) >= WARN_TICKETS:
        reasons.append(f"{WARN_TICKETS_DAYS}日内{len(recent)}件")
    for flag in WARN_FLAGS:
        marked = [t for t in tickets if flag in (t.flags or [])]
        if marked:
            word = "集体访" if flag == Flag.COLLECTIVE else "紧急情况"
            reasons.append(f"含{word}（{marked[0].number}）")
    return reasons


@dataclass(frozen=True)
class Linked:
    incident: Incident
    joined: list[Ticket]  # tickets that joined the event now (the new one, and its match when the event is new)
    warned_now: bool


def link(s: Session, t: Ticket, now: datetime | None = None, j: Jurisdiction | None = None) -> Linked | None:
    """Puts the new ticket `t` into the event of the earlier report it matches best (a new event when that report
    had none), or into an event of its own when it alone is collective or urgent; updates the event's counts and
    raises its warning once the thresholds are crossed. None: no event."""
    now = now or t.received_at or utcnow()
    j = j or load_jurisdiction()
    new = report_of(t)
    near = [Ticket.category == t.category]
    if t.matter:
        near.append(Ticket.matter == t.matter)
    if t.township:
        near.append(Ticket.township == t.township)
    rows = s.scalars(
        select(Ticket)
        .where(Ticket.id != t.id, Ticket.received_at >= now - timedelta(days=WINDOW_DAYS), or_(*near))
        .order_by(Ticket.id.desc())
        .limit(CANDIDATES)
    ).all()
    best: tuple[float, Ticket] | None = None
    for other in rows:
        d = same_event(report_of(other), new, j)
        if d.same and (best is None or d.score > best[0]):
            best = (d.score, other)
    joined: list[Ticket] = []
    if best is not None:
        match = best[1]
        incident = match.incident
        if incident is None:
            incident = _new_incident(s, match, now)
            joined.append(match)
        t.incident = incident
        joined.append(t)
    elif any(f in (t.flags or []) for f in WARN_FLAGS):
        incident = _new_incident(s, t, now)
        t.incident = incident
    else:
        return None
    s.flush()
    tickets = list(s.scalars(select(Ticket).where(Ticket.incident_id == incident.id)))
    incident.ticket_count, incident.households, incident.last_at = len(tickets), _households(tickets), now
    reasons = warning_reasons(incident, tickets, now)
    warned_now = bool(reasons) and incident.warned_at is None
    if reasons:
        incident.warning_reasons = reasons
        incident.warned_at = incident.warned_at or now
    return Linked(incident, joined, warned_now)


def _new_incident(s: Session, first: Ticket, now: datetime) -> Incident:
    orgs = (first.facts or {}).get("organizations") or []
    incident = Incident(
        category=first.category,
        matter=first.matter,
        township=first.township,
        village=first.village,
        organization=orgs[0] if orgs else None,
        created_at=now,
        last_at=now,
        ticket_count=1,
        households=1,
        warning_reasons=[],
    )
    s.add(incident)
    first.incident = incident
    return incident
