"""Decides which department answers a ticket: category + the township (by code), with the escalation rules of the
jurisdiction file. Pure functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.jurisdiction import Jurisdiction, RouteRule
from bot.matters import Matter
from bot.vocabulary import Flag

# the 信访局's desk for matters of another place
TRANSFER_DESK = "county.petition_transfer"


@dataclass(frozen=True)
class Route:
    department_code: str
    department_name: str
    level: str
    escalated: bool = False
    legal_redirect: bool = False
    notify: tuple[str, ...] = ()  # departments told in addition (e.g. the 信访局 for urgent cases)
    reason: str = ""

    def as_dict(self) -> dict:
        return {"code": self.department_code, "name": self.department_name, "level": self.level}


def route(
    category: str,
    township: str | None,
    flags: Iterable[str],
    j: Jurisdiction,
    matter: Matter | None = None,
    out_of_area: dict | None = None,
) -> Route:
    """`township` is a township code (None: not known or outside the county). The matter of the catalogue, when
    known, names the competent township office and county department; else the category's line of the routing
    table does. A matter the township handles goes to its office; a flag whose escalation rule says `to_county`
    sends it to the county department; litigation is redirected to the legal channel; a matter of another place
    goes to the 信访局's transfer desk (信访工作条例 第二十二条)."""
    if out_of_area is not None:
        dept = j.departments[TRANSFER_DESK]
        where = "".join(
            v for v in (out_of_area.get("province"), out_of_area.get("city"), out_of_area.get("county")) if v
        )
        return Route(dept.code, dept.name, dept.level, reason=f"属地外事项（{where}），转送有权处理的机关")
    table = j.routing.get(category) or j.routing["other"]
    rule = RouteRule(matter.township, matter.county, table.legal_redirect) if matter else table
    town = j.townships.get(township or "")
    flags = set(flags)
    escalating = [f for f, r in j.escalation.items() if f in flags and r.to_county]
    notify = list(dict.fromkeys(r.notify for f, r in j.escalation.items() if f in flags and r.notify))
    reasons: list[str] = []
    if rule.township_kind and town and not escalating:
        code = town.offices[rule.township_kind]
        reasons.append("属地管理：由所在乡镇（街道）办理")
    else:
        code = rule.county
        if rule.township_kind and escalating:
            reasons.append("群体性或紧急事项，直接提级由县级部门办理")
        elif rule.township_kind:
            reasons.append("未能确定乡镇，由县级主管部门办理")
        else:
            reasons.append("由县级主管部门办理")
    if rule.legal_redirect:
        reasons.append("涉法涉诉事项，依法导入法律程序")
    dept = j.departments[code]
    return Route(
        dept.code, dept.name, dept.level, bool(escalating), rule.legal_redirect, tuple(notify), "；".join(reasons)
    )


def escalate_overdue(current_code: str, category: str, j: Jurisdiction) -> Route | None:
    """Where a ticket past its answer date goes: from a township to the county department of its category when the
    `overdue` rule says `to_county`; None when it stays (already at the county, or no such rule)."""
    rule = j.escalation.get(Flag.OVERDUE)
    current = j.departments.get(current_code)
    if rule is None or not rule.to_county or current is None or current.level == "county":
        return None
    category_rule = j.routing.get(category) or j.routing["other"]
    dept = j.departments[category_rule.county]
    notify = (rule.notify,) if rule.notify else ()
    return Route(
        dept.code, dept.name, dept.level, True, category_rule.legal_redirect, notify, "超期未办结，提级由县级部门督办"
    )
