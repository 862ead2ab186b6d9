"""The product's one vocabulary: ticket statuses, roles, audit actions, channels and flags, with their Chinese labels,
and the ticket-number format.

Values are stored as plain strings (StrEnum members compare equal to them), so the database and the JSON API carry
the same words. The staff pages get the labels from `/static/vocabulary.js`, generated from this module.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from enum import StrEnum


class TicketStatus(StrEnum):
    REGISTERED = "registered"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    RESOLVED = "resolved"
    DECLINED = "declined"  # 不予受理, with its legal ground (bot/decline_grounds.yml)
    REVIEW = "review"  # 复查: the citizen did not accept the reply (信访工作条例 第三十五条)
    SECOND_REVIEW = "second_review"  # 复核: nor the review's decision (第三十六条)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


OPEN_STATUSES = (TicketStatus.REGISTERED, TicketStatus.ACCEPTED)
# answered: the department's part is done (a reply, or a decision not to accept); a review reopens it elsewhere
ANSWERED_STATUSES = (TicketStatus.RESOLVED, TicketStatus.DECLINED)
REVIEW_STATUSES = (TicketStatus.REVIEW, TicketStatus.SECOND_REVIEW)

STATUS_LABELS = {
    TicketStatus.REGISTERED: "已登记，待部门受理",
    TicketStatus.ACCEPTED: "已受理，正在办理",
    TicketStatus.RETURNED: "已退回，正在重新分派",
    TicketStatus.RESOLVED: "已办结",
    TicketStatus.DECLINED: "不予受理",
    TicketStatus.REVIEW: "已申请复查，正在复查",
    TicketStatus.SECOND_REVIEW: "已申请复核，正在复核",
}
STATUS_SHORT_LABELS = {
    TicketStatus.REGISTERED: "待受理",
    TicketStatus.ACCEPTED: "办理中",
    TicketStatus.RETURNED: "已退回",
    TicketStatus.RESOLVED: "已办结",
    TicketStatus.DECLINED: "不予受理",
    TicketStatus.REVIEW: "复查中",
    TicketStatus.SECOND_REVIEW: "复核中",
}


class Rating(StrEnum):
    """The citizen's satisfaction with a reply (回访), asked on the ticket's channel or by an operator's call."""

    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


RATING_LABELS = {
    Rating.SATISFIED: "满意",
    Rating.BASICALLY_SATISFIED: "基本满意",
    Rating.DISSATISFIED: "不满意",
}
# the order of the buttons and of the numbers a citizen may type (1 满意, 2 基本满意, 3 不满意)
RATINGS = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED)
REVIEW_LABELS = {1: "复查", 2: "复核"}


class Role(StrEnum):
    """Who acts on a ticket. Staff accounts have one of STAFF_ROLES."""

    CITIZEN = "citizen"
    SYSTEM = "system"
    OPERATOR = "operator"
    DEPARTMENT = "department"
    SUPERVISOR = "supervisor"


STAFF_ROLES = (Role.DEPARTMENT, Role.OPERATOR, Role.SUPERVISOR)
ROLE_LABELS = {
    Role.CITIZEN: "群众",
    Role.SYSTEM: "系统",
    Role.OPERATOR: "话务员",
    Role.DEPARTMENT: "承办部门",
    Role.SUPERVISOR: "督办人员",
}
# the page each staff role starts on
ROLE_HOME = {Role.DEPARTMENT: "/department", Role.OPERATOR: "/operator", Role.SUPERVISOR: "/supervisor"}


class EventAction(StrEnum):
    """What an audit row records."""

    FILED = "filed"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    REROUTED = "rerouted"
    EXTENDED = "extended"
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    ESCALATION_NOTICE = "escalation_notice"
    DETAILS_ADDED = "details_added"
    PROGRESS = "progress"  # a department's note on how the handling goes (办理过程); no status change
    SUPERVISED = "supervised"  # 挂牌督办 by a supervisor, with its own deadline
    DECLINED = "declined"  # 不予受理, with the legal ground
    REPORT_FILE = "report_file"  # a file of the 办结报告 (evidence of the measures taken)
    RATED = "rated"  # the citizen's satisfaction (回访), by chat or recorded by an operator
    REVIEW_REQUESTED = "review_requested"  # 复查 / 复核 asked for
    REVIEW_DECIDED = "review_decided"  # the reviewing body's decision
    LINKED = "linked"  # joined an event reported by other citizens too (bot/linking.py)
    WARNING = "warning"  # the event raised an early warning (矛盾纠纷预警), told to the 信访局
    PURGED = "purged"  # personal data removed after the retention period (bot/retention.py)


ACTION_LABELS = {
    EventAction.FILED: "登记",
    EventAction.ACCEPTED: "受理",
    EventAction.RETURNED: "退回",
    EventAction.REROUTED: "重新分派",
    EventAction.EXTENDED: "延期",
    EventAction.RESOLVED: "办结",
    EventAction.ESCALATED: "超期提级",
    EventAction.ESCALATION_NOTICE: "抄送",
    EventAction.DETAILS_ADDED: "群众补充",
    EventAction.PROGRESS: "办理进展",
    EventAction.SUPERVISED: "挂牌督办",
    EventAction.DECLINED: "不予受理",
    EventAction.REPORT_FILE: "办结材料",
    EventAction.RATED: "满意度回访",
    EventAction.REVIEW_REQUESTED: "申请复查（核）",
    EventAction.REVIEW_DECIDED: "复查（核）意见",
    EventAction.LINKED: "并案",
    EventAction.WARNING: "矛盾纠纷预警",
    EventAction.PURGED: "个人信息已删除",
}


class Channel(StrEnum):
    """Where a ticket came from; chat senders are `<channel>:<address>` (tg:123, web:abc)."""

    TELEGRAM = "tg"
    WEB = "web"
    PHONE = "phone"
    OPEN311 = "open311"  # another system through Open311 GeoReport v2 (sender open311:<key name>-<request>)


CHANNEL_LABELS = {
    Channel.TELEGRAM: "Telegram",
    Channel.WEB: "网页留言",
    Channel.PHONE: "电话",
    Channel.OPEN311: "Open311 接口",
}


def channel_of(sender_id: str | None) -> Channel:
    """The channel of a chat sender; a ticket without one came by phone (an operator filed it)."""
    if sender_id and ":" in sender_id:
        return Channel(sender_id.split(":", 1)[0])
    return Channel.PHONE


class Flag(StrEnum):
    """Flags of a ticket: the first four come from the text (classifier.facts.FLAGS), overdue from its dates."""

    COLLECTIVE = "collective"
    URGENT = "urgent"
    REPEAT = "repeat"
    ELDERLY_OR_VULNERABLE = "elderly_or_vulnerable"
    OVERDUE = "overdue"
    OUT_OF_AREA = "out_of_area"  # the matter belongs to another place: transferred (转送)
    SUPERVISED = "supervised"  # 挂牌督办: a supervisor set its own deadline (Ticket.supervise_by)


FLAG_LABELS = {
    Flag.COLLECTIVE: "集体",
    Flag.URGENT: "紧急",
    Flag.REPEAT: "重复",
    Flag.ELDERLY_OR_VULNERABLE: "老弱病残",
    Flag.OVERDUE: "超期",
    Flag.OUT_OF_AREA: "属地外",
    Flag.SUPERVISED: "挂牌督办",
}

# XP + Beijing date of filing + the row id, at least five digits: XP20261123-00001, XP20261123-123456
TICKET_NUMBER = re.compile(r"XP\d{8}-\d{5,}", re.IGNORECASE)


def ticket_number(filed_on: date, ticket_id: int) -> str:
    return f"XP{filed_on:%Y%m%d}-{ticket_id:05d}"


def find_ticket_number(text: str) -> str | None:
    """The first ticket number in a message, upper-cased (citizens type xp2026…)."""
    m = TICKET_NUMBER.search(unicodedata.normalize("NFKC", text or ""))  # full-width ＸＰ２０２６…
    return m.group(0).upper() if m else None


def as_javascript() -> str:
    """The labels for the staff pages' scripts (served as /static/vocabulary.js)."""
    data = {
        "status": {s.value: STATUS_LABELS[s] for s in TicketStatus},
        "statusShort": {s.value: STATUS_SHORT_LABELS[s] for s in TicketStatus},
        "openStatuses": [s.value for s in OPEN_STATUSES],
        "role": {r.value: ROLE_LABELS[r] for r in Role},
        "action": {a.value: ACTION_LABELS[a] for a in EventAction},
        "channel": {c.value: CHANNEL_LABELS[c] for c in Channel},
        "flag": {f.value: FLAG_LABELS[f] for f in Flag},
        "rating": {r.value: RATING_LABELS[r] for r in Rating},
    }
    body = json.dumps(data, ensure_ascii=False, indent=1)
    return f'"use strict";\n// Generated from bot/vocabulary.py: do not edit.\nconst VOCAB = Object.freeze({body});\n'
