"""The one intake service: every complaint, from any channel, is analysed and filed here.

    analyse(text) -> Draft            classifier + fact extractor; the form fields the complaint already answers
    (the dialogue or the operator correct the Draft with dataclasses.replace)
    file_ticket(draft, ...) -> FiledTicket     routes the Draft as it stands (nothing is analysed again) and files it
    add_details(sender_id, number, draft)      what the citizen told after an early filing (urgent) goes onto it

The Rasa actions, the web-chat fallback when Rasa is down and the operator page all call these. A Draft's field
names are the Rasa slot names and the ticket columns (FORM_FIELDS); places are township / village codes of the
jurisdiction file, `address` is the place in the citizen's words.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot import dispatch, linking
from bot.clock import china_date, china_today, utcnow
from bot.db import session_scope
from bot.deadlines import due_dates
from bot.jurisdiction import Jurisdiction, load_jurisdiction
from bot.matters import Limits, load_catalogue
from bot.models import Attachment, Department, Message, Ticket
from bot.routing import TRANSFER_DESK, Route, route
from bot.settings import get_settings
from bot.tickets import (
    CITIZEN,
    SYSTEM,
    Actor,
    TicketError,
    can_request_review,
    get_ticket,
    queue_push,
    rate,
    record_event,
    request_review,
    review_body,
    review_window_ends,
    tickets_of_sender,
)
from bot.training import (
    GATE_MODEL,
    GATE_THRESHOLD,
    MATTER_MODEL,
    NOT_COMPLAINT,
    URGENT_MODEL,
    URGENT_THRESHOLD,
)
from bot.vocabulary import (
    ANSWERED_STATUSES,
    OPEN_STATUSES,
    STATUS_LABELS,
    EventAction,
    Flag,
    Rating,
    TicketStatus,
    channel_of,
    ticket_number,
)
from classifier.categories import category_name
from classifier.extract.contacts import find_phones
from classifier.facts import derive_flags, empty_facts, extract_facts
from classifier.model import MODEL_FILE_NAME, CategoryModel, load_model
from classifier.normalise import normalise

# The complaint's single facts: Draft fields = Rasa slots = Ticket columns (tests/test_consistency.py checks it).
FORM_FIELDS = ("category", "matter", "township", "village", "address", "incident_time", "phone", "citizen_name")
# Where each comes from in the extractor's facts (docs/FACTS_SPEC.md); the writer's name is never in `persons`.
FIELD_SOURCES = {
    "category": "the category model",
    "matter": "the matter model within the category (bot/dispatch.py)",
    "township": "places (the first place inside the county)",
    "village": "places",
    "address": "places (as written)",
    "incident_time": "times (the first one)",
    "phone": "phones: the one introduced as the writer's, else the first mobile not introduced as another's",
    "citizen_name": "a self-introduction (我叫…)",
}
REPEAT_WINDOW_DAYS = 180
SELF_INTRO = re.compile(
    r"(?:我叫|我的名字(?:是|叫)|本人(?:叫|名叫)?|姓名[:：])\s*(?![是在家今住于从])"
    r"([\u4e00-\u9fff]{2,4}?)(?=[，,。.！!；;、\s]|$|今年|家住|住在|是|在|电话)"
)


@dataclass(frozen=True)
class Draft:
    """A complaint on its way to a ticket: what the citizen said and what was understood or corrected."""

    text: str
    category: str = "other"
    matter: str | None = None  # matter code of the catalogue (bot/matters/)
    township: str | None = None  # township code
    village: str | None = None  # village code
    address: str | None = None  # the place in the citizen's words
    incident_time: str | None = None
    phone: str | None = None
    citizen_name: str | None = None
    facts: dict = field(default_factory=empty_facts)
    flags: tuple[str, ...] = ()
    confidence: float = 0.0
    top: tuple[tuple[str, float], ...] = ()
    needs_review: bool = False
    matter_top: tuple[tuple[str, float], ...] = ()  # the likeliest matters (code, p), whatever their category
    not_complaint: bool = False  # the gate model: a greeting, thanks, a message sent by mistake ...
    message_ids: tuple[int, ...] = ()

    @property
    def category_name(self) -> str:
        return category_name(self.category)

    @property
    def matter_confidence(self) -> float:
        return dict(self.matter_top).get(self.matter or "", 0.0)


@dataclass(frozen=True)
class FiledTicket:
    number: str
    department_code: str
    department_name: str
    answer_due: date
    legal_redirect: bool = False
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatusView:
    """What a citizen may see about their ticket: no phone, no ID number, no internal notes."""

    number: str
    status: str
    status_label: str
    category: str
    department_name: str
    answer_due: date
    last_reply: str | None


# ---------------------------------------------------------------- analysis (pure but for the cached model)


def category_model() -> CategoryModel:
    """The trained category model of the settings' model folder (cached per process by classifier.model)."""
    return load_model(get_settings().model_dir / MODEL_FILE_NAME)


def matter_model() -> CategoryModel:
    return load_model(get_settings().model_dir / MATTER_MODEL)


def gate_model() -> CategoryModel:
    return load_model(get_settings().model_dir / GATE_MODEL)


def urgency_model() -> CategoryModel:
    return load_model(get_settings().model_dir / URGENT_MODEL)


def warm_up() -> float:
    """Loads every model and dictionary the analysis uses (seconds taken): done when a process starts, so the
    first citizen does not wait for it."""
    t0 = time.perf_counter()
    analyse("包工头欠我们三个月工资，在戛洒镇南恩村，电话13812345678")
    return time.perf_counter() - t0


def not_a_complaint(text: str, threshold: float = GATE_THRESHOLD) -> bool:
    """The gate model: 发错了 / 好的收到 / 你好 are not complaints."""
    _, probs = gate_model().predict_with_probabilities(text)
    return probs.get(NOT_COMPLAINT, 0.0) > threshold


def urgency(text: str) -> float:
    """The urgency model's probability that `text` tells of danger to life now."""
    _, probs = urgency_model().predict_with_probabilities(text)
    return probs.get("urgent", 0.0)


def is_urgent(text: str, threshold: float = URGENT_THRESHOLD) -> bool:
    """Danger to life now: the urgency model (bot/training.py says how its threshold was chosen for complaints;
    a short answer inside the form is judged with a higher one, see handlers/actions/form.py)."""
    return urgency(text) > threshold


def format_time(t: dict) -> str:
    """A time of facts["times"] as shown to the citizen and stored: 去年十月（2025-10-01至2025-10-31）."""
    if "days" in t:
        return f"已持续{t['text']}（约{t['days']}天）"
    if t.get("start") and t.get("start") == t.get("end"):
        return f"{t['text']}（{t['start']}）"
    if t.get("start"):
        return f"{t['text']}（{t['start']}至{t['end']}）"
    return str(t.get("text") or "")


# the writer's own number: 我的电话 / 联系电话 / 打我 … right before it; another's: a shop, a boss, 他 … right before
OWN_PHONE = re.compile(r"(?:我的?|本人|联系|回电|打给?我|找我)[^，。；;\d]{0,6}$")
OTHER_PHONE = re.compile(
    r"(?:店|公司|老板|商家|客服|他|她|对方|物业|包工头|中介|门面|厂|医院|学校|饭馆|超市)[^，。；;\d]{0,8}$"
)


def own_phone(text: str) -> str | None:
    """The citizen's own phone in a complaint: one introduced as theirs, else the first mobile that is not
    introduced as somebody else's. A landline without a word of its own is a shop's or an office's, not theirs."""
    clean = normalise(text or "")
    found = find_phones(clean)
    for start, _, number in found:
        if OWN_PHONE.search(clean[max(0, start - 12) : start]):
            return number
    for start, _, number in found:
        if not OTHER_PHONE.search(clean[max(0, start - 12) : start]) and not number.startswith("0"):
            return number
    return None


def self_introduction(text: str) -> str | None:
    """The writer's own name when the complaint gives it (我叫王小明，…)."""
    m = SELF_INTRO.search(unicodedata.normalize("NFKC", text or ""))
    return m.group(1) if m else None


def primary_place(facts: dict, j: Jurisdiction) -> dict | None:
    """The extractor's place the ticket is routed by: the first inside the county, else the first at all."""
    places = facts.get("places") or []
    for p in places:
        if j.township_code(p.get("township")) or j.village(p.get("village")):
            return p
    return places[0] if places else None


def place_fields(facts: dict, j: Jurisdiction) -> dict:
    """{"township", "village", "address"} of the complaint's main place: codes where the jurisdiction knows the
    place, and always the words it was given in; {} when the complaint names no place."""
    p = primary_place(facts, j)
    if p is None:
        return {}
    town = j.township_code(p.get("township"))
    village = j.village(p.get("village"), town) if p.get("village") else None
    address = p.get("text") or p.get("county") or p.get("city")
    return {
        "township": town or (village.township if village else None),
        "village": village and village.code,
        "address": address,
    }


def fields_from_facts(facts: dict, text: str, j: Jurisdiction) -> dict:
    """The form fields a complaint already answers."""
    fields = place_fields(facts, j)
    if facts.get("times"):
        fields["incident_time"] = format_time(facts["times"][0])
    phone = own_phone(text)
    if phone:
        fields["phone"] = phone
    name = self_introduction(text)
    if name:
        fields["citizen_name"] = name
    return fields


def analyse(
    text: str, today: date | None = None, j: Jurisdiction | None = None, matters_by: CategoryModel | None = None
) -> Draft:
    """Category, matter, facts, flags and the form fields of `text`. `matters_by`: another matter model than the
    one in use (`petition retrain` compares a candidate with it)."""
    j = j or load_jurisdiction()
    prediction, category_probs = category_model().predict_with_probabilities(text)
    facts = extract_facts(text, today or china_today(), j.gazetteer())
    flags = [f for f in derive_flags(text, facts) if f != Flag.URGENT] + ([Flag.URGENT] if is_urgent(text) else [])
    if dispatch.out_of_area(facts, j, text, prediction.category):
        flags.append(Flag.OUT_OF_AREA)
    _, matter_probs = (matters_by or matter_model()).predict_with_probabilities(text)
    catalogue = load_catalogue()
    matters = list(dispatch.matter_distribution(category_probs, matter_probs, catalogue).items())
    if Flag.OUT_OF_AREA not in flags:  # the transfer desk's matter (非本县事项) only for a place that is not ours
        matters = [(code, p) for code, p in matters if catalogue.matters[code].county != TRANSFER_DESK]
    fields = fields_from_facts(facts, text, j)
    # the department whose matters are likeliest together; the matter is the likeliest of those it handles
    department = dispatch.department_alternatives(
        matters, prediction.category, fields.get("township"), flags, catalogue, j, k=1
    )[0][0]
    matter = dispatch.matter_for_department(matters, department, fields.get("township"), flags, catalogue, j)
    gate = gate_model()
    _, gate_probs = gate.predict_with_probabilities(text)
    return Draft(
        text=text,
        category=prediction.category,
        matter=matter,
        confidence=prediction.confidence,
        top=tuple(prediction.top),
        needs_review=prediction.needs_review,
        facts=facts,
        flags=tuple(flags),
        matter_top=tuple((code, round(p, 4)) for code, p in matters[: dispatch.TOP_MATTERS]),
        not_complaint=gate_probs.get(NOT_COMPLAINT, 0.0) > GATE_THRESHOLD,
        **fields,
    )


# Where a second matter starts in one message: 还有一件事 / 另外 / 第二 / 顺便反映 / 二是.
SECOND_MATTER = re.compile(
    r"(?:^|[，。,.；;！!？?\s])(?=还有一件事|还有个事|还有一个事|还有件事|还有一个问题|还有个问题|另外还有|另外一件|另外一个|"
    r"另一件事|另一个问题|另外|第二件|第二个问题|第二[，,、：:]|再反映一|再反映个|顺便反映|顺便说一下|顺便问一下|还要反映|二是|"
    r"还有)"
)
MIN_PROBLEM_CHARS = 6


def second_problem(draft: Draft, j: Jurisdiction | None = None) -> Draft | None:
    """A second, separate matter in the same message (its own Draft of the words from where it starts), when the
    message says so in words and the part reads as a complaint that another department handles; else None. One
    message, one ticket is the rule; this only finds what the citizen may want as a second ticket."""
    j = j or load_jurisdiction()
    m = SECOND_MATTER.search(draft.text, 1)
    if not m:
        return None
    first, rest = draft.text[: m.start()].strip(), draft.text[m.start() :].strip("，。,.；;！!？? \n")
    if min(len(first), len(rest)) < MIN_PROBLEM_CHARS:
        return None
    first_draft, second = analyse(first, j=j), analyse(rest, j=j)
    if second.not_complaint or route_of(first_draft, j).department_code == route_of(second, j).department_code:
        return None
    return second


def with_category(draft: Draft, category: str) -> Draft:
    """The draft with the category the citizen or operator chose, and that category's likeliest matter."""
    matter = dispatch.best_matter(draft.matter_top, category, load_catalogue())
    return replace(draft, category=category, matter=matter, needs_review=False)


def out_of_area_of(draft: Draft, j: Jurisdiction | None = None) -> dict | None:
    return dispatch.out_of_area(draft.facts, j or load_jurisdiction(), draft.text, draft.category)


def route_of(draft: Draft, j: Jurisdiction | None = None) -> Route:
    j = j or load_jurisdiction()
    matter = load_catalogue().matters.get(draft.matter or "")
    return route(draft.category, draft.township, draft.flags, j, matter=matter, out_of_area=out_of_area_of(draft, j))


def alternatives_of(draft: Draft, j: Jurisdiction | None = None) -> list[tuple[str, float]]:
    """The three likeliest departments for the draft's place and flags, with their probabilities."""
    j = j or load_jurisdiction()
    if out_of_area_of(draft, j):
        return [(route_of(draft, j).department_code, 1.0)]
    return dispatch.department_alternatives(
        draft.matter_top, draft.category, draft.township, draft.flags, load_catalogue(), j
    )


def as_json(draft: Draft, r: Route) -> dict:
    """A classification as `petition classify` writes it (the public JSON-lines contract)."""
    j = load_jurisdiction()
    matter = load_catalogue().matters.get(draft.matter or "")
    return {
        "category": draft.category,
        "confidence": round(draft.confidence, 4),
        "top": [{"category": c, "p": round(p, 4)} for c, p in draft.top],
        "needs_review": draft.needs_review,
        "facts": draft.facts,
        "department": r.as_dict(),
        "flags": list(draft.flags),
        "matter": {"code": matter.code, "name": matter.name, "confidence": round(draft.matter_confidence, 4)}
        if matter
        else None,
        "alternatives": [{**_department_json(code, j), "confidence": p} for code, p in alternatives_of(draft, j)],
        "out_of_area": out_of_area_of(draft, j),
        "complaint": not draft.not_complaint,
    }


def _department_json(code: str, j: Jurisdiction) -> dict:
    d = j.departments[code]
    return {"code": d.code, "name": d.name, "level": d.level}


# ---------------------------------------------------------------- messages


@contextmanager
def _unit(session: Session | None) -> Iterator[Session]:
    """The caller's session (it commits), or a unit of work of our own."""
    if session is not None:
        yield session
    else:
        with session_scope() as s:
            yield s


def store_message(sender_id: str, text: str, handling: str = "dialogue", key: str | None = None) -> int:
    """Stores an incoming message before anything else happens to it; `key`: the channel's id for it (exactly
    once: see `seen_message`)."""
    with session_scope() as s:
        m = Message(sender_id=sender_id, channel=channel_of(sender_id), text=text, handling=handling, client_key=key)
        s.add(m)
        s.flush()
        return m.id


@dataclass(frozen=True)
class SeenMessage:
    id: int
    replies: list | None  # None: still being answered (or the answer was lost)
    ticket_number: str | None  # the ticket it is on, if any


def seen_message(sender_id: str, key: str) -> SeenMessage | None:
    """The message this sender already sent with this key (a retry, a redelivery), else None."""
    with session_scope() as s:
        m = s.scalar(select(Message).where(Message.sender_id == sender_id, Message.client_key == key))
        if m is None:
            return None
        number = s.scalar(select(Ticket.number).where(Ticket.id == m.ticket_id)) if m.ticket_id else None
        return SeenMessage(m.id, m.replies, number)


def keep_replies(message_id: int, replies: list[dict]) -> None:
    with session_scope() as s:
        m = s.get(Message, message_id)
        if m is not None:
            m.replies = replies


def mark_message(message_id: int, handling: str) -> None:
    with session_scope() as s:
        m = s.get(Message, message_id)
        if m is not None:
            m.handling = handling


# How far back a conversation in progress reaches (Rasa's session expires after 720 minutes: domain.yml).
CONVERSATION_HOURS = 12


def unfiled_conversation(sender_id: str, until_id: int, now: datetime | None = None) -> list[tuple[int, str]]:
    """(id, text) of the sender's messages of the conversation in progress, before `until_id`: said to the
    dialogue within CONVERSATION_HOURS, after their last ticket, and on no ticket yet. When the dialogue is lost
    (Rasa down mid-way), these are the complaint that the answers that follow belong to."""
    now = now or utcnow()
    with session_scope() as s:
        last_ticket = s.scalar(
            select(Ticket.received_at).where(Ticket.sender_id == sender_id).order_by(Ticket.id.desc())
        )
        since = max(now - timedelta(hours=CONVERSATION_HOURS), last_ticket or datetime.min)
        rows = s.execute(
            select(Message.id, Message.text)
            .where(
                Message.sender_id == sender_id,
                Message.id < until_id,
                Message.ticket_id.is_(None),
                Message.handling == "dialogue",
                Message.received_at > since,
            )
            .order_by(Message.id)
        )
        return [(i, t) for i, t in rows]


def complaint_text(message_ids: list[int] | tuple[int, ...], fallback: str = "", sender_id: str | None = None) -> str:
    """The full stored text of a complaint (Rasa sees only the start of a very long message): one stored message
    is read back whole; a complaint written in pieces is the dialogue's joined text. With `sender_id`, a stored
    message of another sender is never read (a forged message id gets the dialogue's own text)."""
    if len(message_ids) != 1:
        return fallback
    with session_scope() as s:
        m = s.get(Message, int(message_ids[0]))
        if m is None or (sender_id is not None and m.sender_id != sender_id):
            return fallback
        return m.text


def analyse_message(
    message_ids: list[int] | tuple[int, ...], text: str, today: date | None = None, sender_id: str | None = None
) -> Draft:
    """`analyse` of the complaint's stored text (only `sender_id`'s own messages are read)."""
    return replace(analyse(complaint_text(message_ids, text, sender_id), today), message_ids=tuple(message_ids))


# ---------------------------------------------------------------- filing


def find_repeat(s: Session, sender_id: str | None, phone: str | None, category: str, now: datetime) -> Ticket | None:
    """An earlier ticket of the same citizen (same chat or same phone) in the same category."""
    who = []
    if sender_id:
        who.append(Ticket.sender_id == sender_id)
    if phone:
        who.append(Ticket.phone == phone)
    if not who:
        return None
    since = now - timedelta(days=REPEAT_WINDOW_DAYS)
    return s.scalars(
        select(Ticket)
        .where(or_(*who), Ticket.category == category, Ticket.received_at >= since)
        .order_by(Ticket.id.desc())
        .limit(1)
    ).first()


def _respond_by(flags: list[str], now: datetime, j: Jurisdiction) -> datetime | None:
    """How soon a person must contact the citizen: the soonest `respond_within_hours` of the ticket's flags."""
    hours = [r.respond_within_hours for f, r in j.escalation.items() if f in flags and r.respond_within_hours]
    return now + timedelta(hours=min(hours)) if hours else None


def _limits(draft: Draft) -> Limits:
    matter = load_catalogue().matters.get(draft.matter or "")
    return matter.limits if matter else Limits()


def _chosen_department(r: Route, code: str | None, j: Jurisdiction) -> Route:
    """The route, or the department an operator chose instead."""
    if not code or code == r.department_code:
        return r
    dept = j.departments.get(code)
    if dept is None:
        raise TicketError(f"没有编码为 {code} 的部门")
    return replace(
        r, department_code=dept.code, department_name=dept.name, level=dept.level, reason="话务员指定承办部门"
    )


# The same text from the same sender within this many minutes is the same complaint sent again, not a new one.
DUPLICATE_MINUTES = 10


def _same_text_just_filed(s: Session, sender_id: str | None, text: str, now: datetime) -> Ticket | None:
    if not sender_id or not text.strip():
        return None
    return s.scalar(
        select(Ticket)
        .where(
            Ticket.sender_id == sender_id,
            Ticket.text == text,
            Ticket.received_at >= now - timedelta(minutes=DUPLICATE_MINUTES),
        )
        .order_by(Ticket.id)
        .limit(1)
    )


def _department_name(s: Session, code: str) -> str:
    row = s.get(Department, code)
    return row.name if row is not None else code


def file_ticket(
    draft: Draft,
    *,
    sender_id: str | None = None,
    actor: Actor = CITIZEN,
    department_code: str | None = None,
    handling: str | None = None,
    session: Session | None = None,
    now: datetime | None = None,
    once: bool = False,
) -> FiledTicket:
    """Files `draft` as it stands: routed by its category, township and flags (or to `department_code`, an
    operator's choice), linked to its stored messages (their `handling` set when given) and to evidence the sender
    sent before. `session`: the caller's transaction (it commits); else one of our own. `once`: the same text
    from the same sender filed within DUPLICATE_MINUTES is that ticket, not a new one (filing without the
    dialogue, where nothing else sees a message sent twice)."""
    j = load_jurisdiction()
    elsewhere = out_of_area_of(draft, j)
    flags = [f for f in draft.flags if f != Flag.OUT_OF_AREA] + ([Flag.OUT_OF_AREA] if elsewhere else [])
    draft = replace(draft, flags=tuple(flags))
    r = _chosen_department(route_of(draft, j), department_code, j)
    alternatives = alternatives_of(draft, j)
    # an uncertain department goes to the operator's queue with the alternatives (unless an operator chose it)
    unsure = not department_code and not elsewhere and alternatives[0][1] < dispatch.REVIEW_BELOW
    now = now or utcnow()
    with _unit(session) as s:
        twin = _same_text_just_filed(s, sender_id, draft.text, now) if once else None
        if twin is not None:  # the same message filed twice (a redelivery, a retry): the first ticket answers
            return FiledTicket(
                twin.number, twin.department_code, _department_name(s, twin.department_code), twin.answer_by,
                twin.legal_redirect, tuple(twin.flags or ()),
            )  # fmt: skip
        earlier = find_repeat(s, sender_id, draft.phone, draft.category, now)
        if earlier is not None and Flag.REPEAT not in flags:
            flags.append(Flag.REPEAT)
        limits = _limits(draft)
        deadlines = due_dates(china_date(now), limits.accept_days, limits.answer_days)
        t = Ticket(
            number="pending",
            channel=channel_of(sender_id),
            sender_id=sender_id,
            **{f: getattr(draft, f) for f in FORM_FIELDS},
            id_number=next(iter(draft.facts.get("id_numbers") or []), None),
            text=draft.text,
            confidence=draft.confidence,
            needs_review=draft.needs_review or unsure,
            facts=draft.facts,
            flags=flags,
            alternatives=[{"code": code, "confidence": p} for code, p in alternatives],
            out_of_area=elsewhere,
            department_code=r.department_code,
            status=TicketStatus.REGISTERED,
            escalated=r.escalated,
            legal_redirect=r.legal_redirect,
            received_at=now,
            accept_by=deadlines.accept_by,
            answer_by=deadlines.answer_by,
            respond_by=_respond_by(flags, now, j),
            repeat_of_id=earlier.id if earlier else None,
        )
        s.add(t)
        s.flush()
        t.number = ticket_number(china_date(now), t.id)
        record_event(s, t, actor, EventAction.FILED, None, r.reason, at=now)
        for code in r.notify:
            record_event(s, t, SYSTEM, EventAction.ESCALATION_NOTICE, t.status, f"已抄送 {code}：{'、'.join(flags)}")
        _link(s, t, now, j)
        for message_id in draft.message_ids:
            m = s.get(Message, message_id)
            if m is not None and (not sender_id or m.sender_id == sender_id):  # only the sender's own messages
                m.ticket_id = t.id
                m.handling = handling or m.handling
        if sender_id:  # evidence the citizen sent before the ticket existed belongs to it
            for a in s.scalars(
                select(Attachment).where(Attachment.sender_id == sender_id, Attachment.ticket_id.is_(None))
            ):
                a.ticket_id = t.id
        return FiledTicket(t.number, r.department_code, r.department_name, t.answer_by, r.legal_redirect, tuple(flags))


def _link(s: Session, t: Ticket, now: datetime, j: Jurisdiction) -> None:
    """Reports of one event by different citizens are linked (bot/linking.py): each citizen is told, and an early
    warning goes to the 信访局 (an audit row on the ticket that raised it; the supervisor page lists the events)."""
    linked = linking.link(s, t, now, j)
    if linked is None:
        return
    n = linked.incident.ticket_count
    for joined in linked.joined:
        if n > 1:
            record_event(
                s, joined, SYSTEM, EventAction.LINKED, joined.status, f"并入事件 #{linked.incident.id}（共{n}件）"
            )
            queue_push(
                s,
                joined,
                f"您反映的问题已有其他群众反映，工单 {joined.number} 已并入同一事件（共{n}件），由承办部门统一办理。",
            )
    if linked.warned_now:
        petition = j.escalation.get(Flag.COLLECTIVE)
        office = petition.notify if petition and petition.notify else "county.petition"
        reasons = "；".join(linked.incident.warning_reasons)
        record_event(s, t, SYSTEM, EventAction.WARNING, t.status, f"矛盾纠纷预警，已报 {office}：{reasons}")


DETAIL_LABELS = {
    "text": "诉求内容",
    "category": "类别",
    "citizen_name": "姓名",
    "phone": "联系电话",
    "township": "乡镇（街道）",
    "village": "村（社区）",
    "address": "地点",
    "incident_time": "发生时间",
}


def add_details(
    sender_id: str, number: str, draft: Draft, *, only: tuple[str, ...] | None = None, session: Session | None = None
) -> FiledTicket:
    """The citizen completes a ticket filed before the dialogue ended (an urgent one is filed at once). The
    draft's given values replace the ticket's; a new category or place re-routes it while no department has
    accepted it. `only` limits it to some fields. Audited with the labels of what changed, not the values (they may
    be personal data)."""
    j = load_jurisdiction()
    with _unit(session) as s:
        t = get_ticket(s, number)
        if not sender_id or sender_id != t.sender_id:
            raise TicketError("只能补充自己的工单")
        if t.status not in (*OPEN_STATUSES, TicketStatus.RETURNED):
            raise TicketError(f"工单当前状态为“{STATUS_LABELS[TicketStatus(t.status)]}”，不能再补充，请重新反映")
        given = {"text": draft.text, **{f: getattr(draft, f) for f in FORM_FIELDS}}
        if only is not None:  # just these fields (the rest of the draft is not the citizen's word)
            given = {k: v for k, v in given.items() if k in only}
        changed = [k for k, v in given.items() if v and v != getattr(t, k)]
        for k in changed:
            setattr(t, k, given[k])
        if changed and t.status == TicketStatus.REGISTERED and {"category", "matter", "township"} & set(changed):
            # by the ticket's matter, as at filing (the category table alone sent a fire filed with 消防 to 司法局)
            r = route(t.category, t.township, t.flags or [], j, matter=load_catalogue().matters.get(t.matter or ""))
            if r.department_code != t.department_code:
                t.department_code, t.department = r.department_code, s.get(Department, r.department_code)
                t.escalated, t.legal_redirect = r.escalated, r.legal_redirect
        if changed:
            labels = "、".join(DETAIL_LABELS[k] for k in changed)
            record_event(s, t, CITIZEN, EventAction.DETAILS_ADDED, t.status, f"群众补充：{labels}")
        return _filed(t)


def _filed(t: Ticket) -> FiledTicket:
    return FiledTicket(t.number, t.department_code, t.department.name, t.answer_by, t.legal_redirect, tuple(t.flags))


SAME_MATTER_DAYS = 30
NEW_MATTER = re.compile(r"新的问题|另一件事|另外一件|另外一个|另一个问题|又一个问题|不是同一|别的事")


def open_ticket_on_same_matter(sender_id: str | None, draft: Draft) -> str | None:
    """The number of the sender's open ticket about the same matter (same category when no matter is known) from
    the last 30 days, unless the citizen says this is a new matter; None otherwise."""
    if not sender_id or NEW_MATTER.search(draft.text):
        return None
    since = utcnow() - timedelta(days=SAME_MATTER_DAYS)
    same = Ticket.matter == draft.matter if draft.matter else Ticket.category == draft.category
    with session_scope() as s:
        mine = select(Ticket).where(
            Ticket.sender_id == sender_id, Ticket.status.in_(OPEN_STATUSES), Ticket.received_at >= since
        )
        t = s.scalars(mine.where(same).order_by(Ticket.id.desc())).first()
        if t is None and Flag.REPEAT in draft.flags:
            # "还是楼下那个KTV…我之前反映过了": the classifier may put it under another matter; the citizen's own
            # word that it was reported before joins it to an open ticket of the same category, or of the same event
            # as the linker judges it
            told = replace(linking.report_of(draft, china_today()), citizen=None)
            t = next(
                (o for o in s.scalars(mine.order_by(Ticket.id.desc()).limit(5))
                 if o.category == draft.category or linking.same_event(linking.report_of(o), told).same),
                None,
            )  # fmt: skip
        return t.number if t else None


def add_repeat(sender_id: str, number: str, draft: Draft) -> FiledTicket:
    """The same matter told again: its text joins the open ticket (the department reads both), audited."""
    with session_scope() as s:
        t = get_ticket(s, number)
        if t.sender_id != sender_id:
            raise TicketError("只能补充自己的工单")
        if draft.text and draft.text not in t.text:
            t.text = f"{t.text}\n\n【群众再次反映】{draft.text}"
        t.flags = [*t.flags, Flag.REPEAT] if Flag.REPEAT not in t.flags else t.flags
        record_event(s, t, CITIZEN, EventAction.DETAILS_ADDED, t.status, "群众再次反映同一事项")
        queue_push(s, t, f"您再次反映的情况已补充到工单 {t.number}，承办部门会一并办理。")
        return _filed(t)


# ---------------------------------------------------------------- the citizen's view


def status_for(sender_id: str, number: str | None = None) -> list[StatusView]:
    """A citizen sees their own tickets; a number of somebody else's ticket reveals nothing."""
    with session_scope() as s:
        if number:
            try:
                t = get_ticket(s, number)
            except TicketError:
                return []
            tickets = [t] if t.sender_id == sender_id else []
        else:
            tickets = tickets_of_sender(s, sender_id)
        return [
            StatusView(
                t.number,
                t.status,
                STATUS_LABELS[TicketStatus(t.status)],
                t.category,
                t.department.name,
                t.answer_by,
                t.reply,
            )
            for t in tickets
        ]


def place_missing(sender_id: str, number: str) -> bool:
    """The sender's own ticket has no township yet (a handed-off complaint filed before the place was asked)."""
    with session_scope() as s:
        t = s.scalars(select(Ticket).where(Ticket.number == number, Ticket.sender_id == sender_id)).first()
        return t is not None and t.status in OPEN_STATUSES and not t.township and not t.address


def add_attachment(sender_id: str, kind: str, ref: str, mime: str | None = None) -> int:
    """Evidence goes on the sender's newest open ticket, or waits for the ticket being filed."""
    with session_scope() as s:
        open_ticket = next((t for t in tickets_of_sender(s, sender_id) if t.status not in ANSWERED_STATUSES), None)
        a = Attachment(
            sender_id=sender_id, kind=kind, ref=ref, mime=mime, ticket_id=open_ticket.id if open_ticket else None
        )
        s.add(a)
        s.flush()
        return a.id


# ---------------------------------------------------------------- 回访 in the chat


@dataclass(frozen=True)
class FollowUp:
    """What a citizen's follow-up did: the ticket, its rating, and the review that may (or did) follow."""

    number: str
    rating: str | None
    comment: str | None
    review_level: int  # the review asked for (or, for `next_review`, the one that may be asked)
    review_body: str | None  # its body's name
    until: date | None  # the last day to ask for it
    due: date | None = None  # a review asked for: decided by


def awaiting_rating(sender_id: str) -> str | None:
    """The number of the sender's newest answered ticket whose satisfaction question is still open."""
    with session_scope() as s:
        return s.scalar(
            select(Ticket.number)
            .where(
                Ticket.sender_id == sender_id,
                Ticket.status == TicketStatus.RESOLVED,
                Ticket.rating.is_(None),
                Ticket.rating_asked_at.is_not(None),
            )
            .order_by(Ticket.rating_asked_at.desc())
        )


def reviewable(sender_id: str) -> str | None:
    """The number of the sender's newest ticket on which a 复查/复核 may be asked now (rated 不满意 or not rated)."""
    with session_scope() as s:
        rows = s.scalars(
            select(Ticket)
            .where(Ticket.sender_id == sender_id, Ticket.status == TicketStatus.RESOLVED)
            .where(or_(Ticket.rating.is_(None), Ticket.rating == Rating.DISSATISFIED))
            .order_by(Ticket.answered_at.desc())
            .limit(5)
        )
        return next((t.number for t in rows if can_request_review(t)), None)


def _own(s: Session, sender_id: str, number: str) -> Ticket:
    t = get_ticket(s, number)
    if t.sender_id != sender_id:
        raise TicketError(f"没有查到工单 {number}。只能评价您自己提交的工单。")
    return t


def _next_review(t: Ticket, j: Jurisdiction) -> tuple[int, str | None, date | None]:
    if not can_request_review(t):
        return 0, None, None
    body = j.departments.get(review_body(t, j) or "")
    return t.review_level + 1, body.name if body else None, review_window_ends(t)


def rate_from_chat(sender_id: str, number: str, rating: str, comment: str | None = None) -> FollowUp:
    """The citizen's answer to the satisfaction question, on their own ticket; what review may follow."""
    j = load_jurisdiction()
    with session_scope() as s:
        t = _own(s, sender_id, number)
        rate(s, t, CITIZEN, rating, comment)
        level, body, until = _next_review(t, j) if t.rating == Rating.DISSATISFIED else (0, None, None)
        return FollowUp(t.number, t.rating, t.rating_comment, level, body, until)


def review_from_chat(sender_id: str, number: str, reason: str | None = None) -> FollowUp:
    """The citizen asks for 复查 (or 复核) of their own ticket."""
    with session_scope() as s:
        t = _own(s, sender_id, number)
        review = request_review(s, t, CITIZEN, reason)
        s.flush()
        return FollowUp(
            t.number, t.rating, t.rating_comment, review.level, review.body.name, None, due=review.decide_by
        )


def next_review_of(sender_id: str, number: str) -> FollowUp:
    """The review the citizen could still ask for on their own ticket (level 0: none)."""
    j = load_jurisdiction()
    with session_scope() as s:
        t = _own(s, sender_id, number)
        level, body, until = _next_review(t, j)
        return FollowUp(t.number, t.rating, t.rating_comment, level, body, until)
