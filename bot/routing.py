"""Decides which department answers a ticket: category + jurisdiction, with escalation. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass

from bot.jurisdiction import Jurisdiction

ESCALATING_FLAGS = ("urgent", "collective")


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


def resolve_township(j: Jurisdiction, township: str | None, village: str | None) -> str | None:
    """Township code for a place inside the county: by township name/alias, else by the village."""
    t = j.township_by_name(township) or j.township_of_village(village)
    return t.code if t else None


def route(
    category: str, township: str | None, village: str | None, flags: list[str] | tuple[str, ...], j: Jurisdiction
) -> Route:
    """Village matters go to the township; collective/urgent ones to the county; litigation to legal channels."""
    rule = j.routing.get(category) or j.routing["other"]
    town = resolve_township(j, township, village)
    reasons: list[str] = []
    escalate = [f for f in ESCALATING_FLAGS if f in flags]
    notify: list[str] = []
    for f in escalate:
        target = (j.escalation.get(f) or {}).get("notify")
        if target and target not in notify:
            notify.append(target)
    if rule.township_kind and town and not escalate:
        code = f"{town}.{rule.township_kind}"
        reasons.append("属地管理：由所在乡镇（街道）办理")
    else:
        code = rule.county
        if rule.township_kind and escalate:
            reasons.append("群体性或紧急事项，直接提级由县级部门办理")
        elif rule.township_kind:
            reasons.append("未能确定乡镇，由县级主管部门办理")
        else:
            reasons.append("由县级主管部门办理")
    if rule.legal_redirect:
        reasons.append("涉法涉诉事项，依法导入法律程序")
    dept = j.departments[code]
    return Route(
        dept.code, dept.name, dept.level, bool(escalate), rule.legal_redirect, tuple(notify), "；".join(reasons)
    )


def escalate_overdue(current_code: str, category: str, j: Jurisdiction) -> Route | None:
    """A ticket past its answer date moves from a township to the county department of its category."""
    rule = j.routing.get(category) or j.routing["other"]
    current = j.departments.get(current_code)
    target = (j.escalation.get("overdue") or {}).get("notify")
    if current is None or current.level == "county":
        return None
    dept = j.departments[rule.county]
    return Route(
        dept.code,
        dept.name,
        dept.level,
        True,
        rule.legal_redirect,
        (target,) if target else (),
        "超期未办结，提级由县级部门督办",
    )
