"""SQLAlchemy 2 models: departments, tickets with their audit trail, messages, attachments, pushes, staff."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    cast,
    event,
    literal_column,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot import aggregates
from bot.clock import utcnow
from bot.vocabulary import OPEN_STATUSES, TicketStatus


class Base(DeclarativeBase):
    pass


class Department(Base):
    __tablename__ = "departments"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    township_code: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Message(Base):
    """Every incoming citizen message, stored before anything else happens to it."""

    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # bot.vocabulary.Channel
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # dialogue: answered by Rasa; filed_directly: Rasa was down and the text was filed without dialogue;
    # stored: kept but not acted on (greeting while Rasa was down, empty input, ...)
    handling: Mapped[str] = mapped_column(String(24), default="dialogue")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True)
    # exactly once: the channel's key for this message (Telegram update_id, the web chat's client id), unique per
    # sender, and the replies it got, given again when the same message arrives again (a retry, a redelivery)
    client_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    replies: Mapped[list | None] = mapped_column(JSON, nullable=True)

    __table_args__ = (Index("ix_messages_sender_key", "sender_id", "client_key", unique=True),)


# conditions shared by partial indexes and the queries that use them (a planner matches them by their text)
OPEN_SQL = "status IN (" + ", ".join(f"'{s.value}'" for s in OPEN_STATUSES) + ")"
REPEAT_SQL = "CAST(flags AS VARCHAR) LIKE '%\"repeat\"%'"
# the operator's queue (returned, or registered and marked for review) and urgent tickets nobody has accepted yet;
# written unqualified: the queries using them read `tickets` only
QUEUE_SQL = "(status = 'returned' OR (status = 'registered' AND needs_review))"
URGENT_WAITING_SQL = "(status = 'registered' AND respond_by IS NOT NULL)"
PARTIAL_INDEXES = {  # name: (column, condition); migration 0008 makes them on an existing database
    "ix_tickets_open_answer_by": ("answer_by", OPEN_SQL),
    "ix_tickets_flagged_repeat": ("id", REPEAT_SQL),
    "ix_tickets_operator_queue": ("id", QUEUE_SQL),
    "ix_tickets_urgent_waiting": ("respond_by", URGENT_WAITING_SQL),
}


class Ticket(Base):
    __tablename__ = "tickets"
    # the reads that grow with the number of tickets: a department's queue (newest first), the overdue scan, the
    # operator's review queue, weekly counts, repeats (bench/scale.py measures them)
    __table_args__ = (
        Index("ix_tickets_department_newest", "department_code", "id"),
        Index("ix_tickets_status_answer_by", "status", "answer_by"),
        Index("ix_tickets_review", "needs_review", "status"),
        Index("ix_tickets_received_at", "received_at"),
        Index("ix_tickets_repeat_of", "repeat_of_id"),
        # partial indexes (migration 0008): the queries spell their conditions the same way
        *(
            Index(name, column, postgresql_where=text(where), sqlite_where=text(where))
            for name, (column, where) in PARTIAL_INDEXES.items()
        ),
        # 挂牌督办 tickets for the supervisor's list (migration 0011)
        Index(
            "ix_tickets_supervised",
            "supervise_by",
            postgresql_where=text("supervise_by IS NOT NULL"),
            sqlite_where=text("supervise_by IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    channel: Mapped[str] = mapped_column(String(16))  # bot.vocabulary.Channel
    sender_id: Mapped[str | None] = mapped_column(String(128), index=True, nullable=True)
    citizen_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32), index=True)
    matter: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)  # code of bot/matters/
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    facts: Mapped[dict] = mapped_column(JSON, default=dict)
    flags: Mapped[list] = mapped_column(JSON, default=list)
    # the three likeliest departments at filing, [{code, confidence}], for the operator and the return dialog
    alternatives: Mapped[list] = mapped_column(JSON, default=list)
    out_of_area: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # {province, city, county, text}
    # the place by code (bot/jurisdiction.yml: gasa / gasa.nanen); `address` is the place in the citizen's words
    township: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    village: Mapped[str | None] = mapped_column(String(64), nullable=True)
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    incident_time: Mapped[str | None] = mapped_column(String(64), nullable=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    # no index of its own: (status, answer_by) serves a status alone, and the planner took a status index for the
    # overdue count and read 26,000 rows where the partial index reads 4,000 (migration 0008 drops it)
    status: Mapped[str] = mapped_column(String(16), default=TicketStatus.REGISTERED)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_redirect: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    accept_by: Mapped[date] = mapped_column(Date)
    respond_by: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # urgent: contact the citizen by
    supervise_by: Mapped[date | None] = mapped_column(Date, nullable=True)  # 挂牌督办: to be resolved by
    answer_by: Mapped[date] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    reply: Mapped[str | None] = mapped_column(Text, nullable=True)
    # the 办结报告 beside the reply: the measures taken (its files are attachments of kind `report`)
    measures: Mapped[str | None] = mapped_column(Text, nullable=True)
    decline_ground: Mapped[str | None] = mapped_column(String(32), nullable=True)  # code of bot/decline_grounds.yml
    # when the department accepted it and answered it (the KPIs read these, bot/kpi.py); migration 0012 fills them in
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # 回访: when the citizen was asked, the answer (bot.vocabulary.Rating), who took it (citizen / operator)
    rating_asked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    rating: Mapped[str | None] = mapped_column(String(24), nullable=True)
    rating_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    rated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    rated_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    review_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 1 复查, 2 复核 asked for
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True)
    # reports of one event by different citizens (bot/linking.py); migration 0013
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), nullable=True, index=True)

    department: Mapped[Department] = relationship()
    incident: Mapped[Incident | None] = relationship(back_populates="tickets")
    events: Mapped[list[TicketEvent]] = relationship(back_populates="ticket", order_by="TicketEvent.id")
    attachments: Mapped[list[Attachment]] = relationship(back_populates="ticket")
    reviews: Mapped[list[Review]] = relationship(back_populates="ticket", order_by="Review.level")

    @classmethod
    def flagged(cls, flag: str):
        """SQL: the ticket carries `flag` (the JSON list's text, alike in SQLite and PostgreSQL; callers check the
        loaded list where a false match would matter). The pattern is written into the statement, not bound, so
        that the planner can use a partial index made for it."""
        if not re.fullmatch(r"[a-z_]+", flag):
            raise ValueError(f"not a flag: {flag!r}")
        return cast(cls.flags, String).like(literal_column(f"'%\"{flag}\"%'"))

    @classmethod
    def is_open(cls):
        """SQL: registered or accepted (OPEN_STATUSES), written into the statement like the partial index's."""
        return cls.status.in_([literal_column(f"'{s.value}'") for s in OPEN_STATUSES])


class TicketEvent(Base):
    """The audit trail: one row for every status change, re-route or reply, with who did it."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # who did it (bot.vocabulary.Role; a staff member's user name and department)
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_name: Mapped[str] = mapped_column(String(64))
    actor_department: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16))
    department_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    ticket: Mapped[Ticket] = relationship(back_populates="events")


class Incident(Base):
    """One event reported by several citizens (the same matter at the same place or organisation within 30 days),
    or a single collective or urgent report: what the early warning (矛盾纠纷预警) watches. bot/linking.py."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(32))
    matter: Mapped[str | None] = mapped_column(String(64), nullable=True)
    township: Mapped[str | None] = mapped_column(String(64), nullable=True)
    village: Mapped[str | None] = mapped_column(String(64), nullable=True)
    organization: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ticket_count: Mapped[int] = mapped_column(Integer, default=0)
    households: Mapped[int] = mapped_column(Integer, default=0)
    # the early warning: when it was raised, and why (["同一事件已有5户反映", "7日内3件", ...])
    warned_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)
    warning_reasons: Mapped[list] = mapped_column(JSON, default=list)
    tickets: Mapped[list[Ticket]] = relationship(back_populates="incident", order_by="Ticket.id")


class Review(Base):
    """复查 (level 1) or 复核 (level 2) of a reply the citizen did not accept: asked within 30 days of the answer,
    decided within 30 days by the superior of the body that answered (信访工作条例 第三十五、三十六条)."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    body_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)  # who reviews
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # the citizen's words
    decide_by: Mapped[date] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    upheld: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # the reply stands, or was changed
    decision: Mapped[str | None] = mapped_column(Text, nullable=True)
    ticket: Mapped[Ticket] = relationship(back_populates="reviews")
    body: Mapped[Department] = relationship()


class DispatchExample(Base):
    """A dispatch the product learns from: a department returned a ticket (wrong department, and the one it
    suggests if any) or an operator re-routed it (the right department, confirmed)."""

    __tablename__ = "dispatch_examples"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(16))  # bot.vocabulary.EventAction: returned / rerouted
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    matter: Mapped[str | None] = mapped_column(String(64), nullable=True)
    township: Mapped[str | None] = mapped_column(String(64), nullable=True)
    wrong_department: Mapped[str] = mapped_column(String(64))
    right_department: Mapped[str | None] = mapped_column(String(64), nullable=True)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)  # an operator's re-route, not a suggestion


class Attachment(Base):
    """A photo, voice message or file sent by the citizen, kept as evidence."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))  # photo / voice / document; report: a department's 办结报告 file
    ref: Mapped[str] = mapped_column(Text)  # Telegram file_id or stored path
    mime: Mapped[str | None] = mapped_column(String(64), nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ticket: Mapped[Ticket | None] = relationship(back_populates="attachments")


class Notification(Base):
    """Every message pushed to a citizen; web chat reads its undelivered ones from here."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list | None] = mapped_column(JSON, nullable=True)  # [[title, payload]]: the rating question
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class TicketCount(Base):
    """Tickets per category, department, status and township ('' for none): kept by triggers (bot/aggregates.py)."""

    __tablename__ = "ticket_counts"
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    department_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    township: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class TicketDay(Base):
    """Tickets per Beijing day of arrival: kept by triggers (bot/aggregates.py)."""

    __tablename__ = "ticket_days"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class StaffUser(Base):
    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))  # bot.vocabulary.STAFF_ROLES
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # `petition staff disable`


class Open311Key(Base):
    """A system that may file requests through Open311 (`petition open311-key create NAME`); the key kept hashed."""

    __tablename__ = "open311_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class StaffSession(Base):
    __tablename__ = "staff_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[StaffUser] = relationship()


# the counts' triggers come with the tables (an empty database gets its schema from create_all, not the migrations)
event.listen(Base.metadata, "after_create", lambda _target, connection, **_kw: aggregates.install(connection))
