"""回访 in the chat: the citizen's answer to a resolved ticket's satisfaction question, and a 复查/复核 request.

These answer a push (bot.tickets asks 满意吗 when a ticket is resolved), not a question of the dialogue: Rasa never
saw the question, so it cannot read "3" or "不满意" as its answer. Code reads them before Rasa, like a status query,
and only then: a rating only while the sender has a ticket whose question is open, a review request only while one
may be asked. Everything else goes to Rasa unchanged. The price, accepted: while a question is open, a bare 1 / 2 / 3
given as the answer to another question (how many people?) is read as the rating.
"""

from __future__ import annotations

import json
import re

from bot import intake
from bot.tickets import TicketError, review_payload
from bot.vocabulary import RATING_LABELS, RATINGS, REVIEW_LABELS, Rating, find_ticket_number
from handlers.responses import Button, Reply, format_date, reply

# button payloads (bot.tickets.rating_payload / review_payload), and the "not now" button of the review offer
PAYLOAD = re.compile(r"^/(rate|review|review_no)(\{.*\})$")
# typed answers to 满意吗: 1/2/3 or the words, then an optional comment ("不满意，路灯还是不亮")
RATING_WORDS = {
    "非常满意": Rating.SATISFIED,
    "很满意": Rating.SATISFIED,
    "满意": Rating.SATISFIED,
    "基本满意": Rating.BASICALLY_SATISFIED,
    "还算满意": Rating.BASICALLY_SATISFIED,
    "比较满意": Rating.BASICALLY_SATISFIED,
    "一般": Rating.BASICALLY_SATISFIED,
    "不满意": Rating.DISSATISFIED,
    "不太满意": Rating.DISSATISFIED,
    "很不满意": Rating.DISSATISFIED,
    "非常不满意": Rating.DISSATISFIED,
    "1": Rating.SATISFIED,
    "2": Rating.BASICALLY_SATISFIED,
    "3": Rating.DISSATISFIED,
}
_WORDS = "|".join(sorted((re.escape(w) for w in RATING_WORDS if not w.isdigit()), key=len, reverse=True))
# a word may run into its comment (不满意路灯还是不亮); a digit must stand alone or before a separator (not 3个人)
TYPED_RATING = re.compile(
    rf"^(?:我|本人)?(?:觉得|感觉|表示|评价)?\s*(?:({_WORDS})[。.!！]*[，,；;：:\s]*(.*)|([123])分?[。.!！]*(?:[，,；;：:\s]+(.*))?)$",
    re.S,
)
TYPED_REVIEW = re.compile(r"^(?:我)?(?:要|想|需要)?(?:申请|要求)?(复查|复核)")


def _json(raw: str) -> dict:
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _rating_of(value: object) -> Rating | None:
    if isinstance(value, int) and 1 <= value <= len(RATINGS):
        return RATINGS[value - 1]
    try:
        return Rating(str(value))
    except ValueError:
        return None


def answer(sender_id: str, text: str) -> list[Reply] | None:
    """Replies when `text` is a follow-up answer of this sender; None when it is not (Rasa answers it)."""
    text = (text or "").strip()
    m = PAYLOAD.match(text)
    if m:
        kind, data = m.group(1), _json(m.group(2))
        number = str(data.get("ticket") or "")
        if kind == "rate":
            rating = _rating_of(data.get("rating"))
            return _rate(sender_id, number, rating, None) if rating else None
        if kind == "review":
            return _review(sender_id, number)
        return _not_now(sender_id, number)
    typed = TYPED_RATING.match(_half_width(text))
    if typed:
        number = find_ticket_number(text) or intake.awaiting_rating(sender_id)
        if number:
            word, comment = (typed.group(1), typed.group(2)) if typed.group(1) else (typed.group(3), typed.group(4))
            return _rate(sender_id, number, RATING_WORDS[word], (comment or "").strip() or None)
        return None
    if TYPED_REVIEW.match(text):
        number = find_ticket_number(text) or intake.reviewable(sender_id)
        if number:
            return _review(sender_id, number, reason=text)
    return None


def _half_width(text: str) -> str:
    return text.translate(str.maketrans("１２３", "123"))


def _refused(exc: TicketError) -> list[Reply]:
    return [reply("utter_followup_refused", reason=str(exc))]


def _rate(sender_id: str, number: str, rating: Rating, comment: str | None) -> list[Reply]:
    try:
        done = intake.rate_from_chat(sender_id, number, rating, comment)
    except TicketError as exc:
        return _refused(exc)
    if rating != Rating.DISSATISFIED:
        return [reply("utter_rating_thanks", rating=RATING_LABELS[rating], number=done.number)]
    said = f"：{done.comment}" if done.comment else ""
    if not done.review_level:
        return [reply("utter_rating_dissatisfied_final", comment=said)]
    word = REVIEW_LABELS[done.review_level]
    offer = reply(
        "utter_rating_dissatisfied",
        comment=said,
        until=format_date(done.until),
        review=word,
        body=done.review_body,
    )
    not_now = f'/review_no{{"ticket":"{done.number}"}}'
    buttons = (Button(f"申请{word}", review_payload(done.number)), Button("不用了", not_now))
    return [Reply(offer.text, buttons)]


def _review(sender_id: str, number: str, reason: str | None = None) -> list[Reply]:
    try:
        done = intake.review_from_chat(sender_id, number, reason)
    except TicketError as exc:
        return _refused(exc)
    return [
        reply(
            "utter_review_requested",
            review=REVIEW_LABELS[done.review_level],
            number=done.number,
            body=done.review_body,
            due=format_date(done.due),
        )
    ]


def _not_now(sender_id: str, number: str) -> list[Reply]:
    try:
        nxt = intake.next_review_of(sender_id, number)
    except TicketError as exc:
        return _refused(exc)
    if not nxt.review_level:
        return [reply("utter_rating_thanks", rating=RATING_LABELS.get(nxt.rating, "已记录"), number=nxt.number)]
    return [reply("utter_review_not_now", until=format_date(nxt.until), review=REVIEW_LABELS[nxt.review_level])]
