"""Loads and checks bot/jurisdiction.yml: departments, townships with their villages, and the routing table.

The file is edited by a county clerk, so every mistake is reported in Chinese with where it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

LEVELS = ("county", "township", "village")
TOWNSHIP_KINDS = {"government": "人民政府", "judicial": "司法所"}


class JurisdictionError(ValueError):
    pass


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    level: str
    township: str | None = None  # township code for township-level departments


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    aliases: tuple[str, ...]
    villages: tuple[str, ...]


@dataclass(frozen=True)
class RouteRule:
    township_kind: str | None
    county: str
    legal_redirect: bool = False


@dataclass(frozen=True)
class Jurisdiction:
    province: str
    city: str
    county: str
    county_aliases: tuple[str, ...]
    departments: dict[str, Department]
    townships: dict[str, Township]
    routing: dict[str, RouteRule]
    escalation: dict[str, dict] = field(default_factory=dict)

    def township_by_name(self, name: str | None) -> Township | None:
        """Finds a township by its full name or any alias (桂山 / 桂山街道)."""
        if not name:
            return None
        for t in self.townships.values():
            if name == t.name or name in t.aliases:
                return t
        return None

    def township_of_village(self, village: str | None) -> Township | None:
        if not village:
            return None
        for t in self.townships.values():
            if village in t.villages:
                return t
        return None

    def gazetteer(self) -> list[dict[str, str | None]]:
        """Every known place as a flat record, for the fact extractor's entity ruler (built once: the
        extractor caches its pipeline by this list's identity)."""
        return self._gazetteer

    @cached_property
    def _gazetteer(self) -> list[dict[str, str | None]]:
        rows: list[dict[str, str | None]] = []
        for t in self.townships.values():
            base = {"province": self.province, "city": self.city, "county": self.county}
            rows.append({**base, "township": t.name, "village": None, "aliases": list(t.aliases)})
            for v in t.villages:
                rows.append({**base, "township": t.name, "village": v, "aliases": []})
        return rows


def _fail(path: Path, where: str, what: str) -> JurisdictionError:
    return JurisdictionError(f"{path.name}：{where} {what}")


def parse_jurisdiction(data: dict, path: Path, categories: list[str] | None = None) -> Jurisdiction:
    if not isinstance(data, dict):
        raise _fail(path, "文件", "不是一个 YAML 映射")
    for key in ("province", "city", "county", "departments", "townships", "routing"):
        if key not in data:
            raise _fail(path, "顶层", f"缺少“{key}”")
    departments: dict[str, Department] = {}
    for i, d in enumerate(data["departments"], 1):
        if not isinstance(d, dict) or not {"code", "name", "level"} <= d.keys():
            raise _fail(path, f"departments 第{i}项", "需要 code、name、level 三项")
        if d["level"] not in LEVELS:
            raise _fail(path, f"部门 {d['code']}", f"的 level 必须是 {'/'.join(LEVELS)}")
        if d["code"] in departments:
            raise _fail(path, f"部门 {d['code']}", "重复")
        departments[d["code"]] = Department(d["code"], str(d["name"]), d["level"])
    townships: dict[str, Township] = {}
    seen_villages: dict[str, str] = {}
    for i, t in enumerate(data["townships"], 1):
        if not isinstance(t, dict) or not {"code", "name"} <= t.keys():
            raise _fail(path, f"townships 第{i}项", "需要 code 和 name")
        villages = tuple(str(v) for v in t.get("villages") or ())
        for v in villages:
            if v in seen_villages:
                # the same village name in two townships would make routing ambiguous
                raise _fail(path, f"村（社区）{v}", f"同时出现在 {seen_villages[v]} 和 {t['name']}")
            seen_villages[v] = t["name"]
        town = Township(t["code"], t["name"], tuple(t.get("aliases") or ()), villages)
        townships[town.code] = town
        for kind, suffix in TOWNSHIP_KINDS.items():
            office = "办事处" if town.name.endswith("街道") and kind == "government" else suffix
            code = f"{town.code}.{kind}"
            departments[code] = Department(code, f"{town.name}{office}", "township", town.code)
    routing: dict[str, RouteRule] = {}
    for cat, rule in data["routing"].items():
        if not isinstance(rule, dict) or "county" not in rule:
            raise _fail(path, f"routing 的 {cat}", "需要 county 部门")
        if rule["county"] not in departments:
            raise _fail(path, f"routing 的 {cat}", f"指向不存在的部门 {rule['county']}")
        kind = rule.get("township")
        if kind is not None and kind not in TOWNSHIP_KINDS:
            raise _fail(path, f"routing 的 {cat}", f"township 只能是 {'/'.join(TOWNSHIP_KINDS)} 或 null")
        routing[cat] = RouteRule(kind, rule["county"], bool(rule.get("legal_redirect", False)))
    if categories is not None:
        missing = [c for c in categories if c not in routing]
        if missing:
            raise _fail(path, "routing", f"缺少这些类别的去向：{', '.join(missing)}")
    escalation = data.get("escalation") or {}
    for reason, rule in escalation.items():
        target = (rule or {}).get("notify")
        if target and target not in departments:
            raise _fail(path, f"escalation 的 {reason}", f"指向不存在的部门 {target}")
    return Jurisdiction(
        province=data["province"],
        city=data["city"],
        county=data["county"],
        county_aliases=tuple(data.get("county_aliases") or ()),
        departments=departments,
        townships=townships,
        routing=routing,
        escalation=escalation,
    )


@lru_cache(maxsize=4)
def load_jurisdiction(path: Path | None = None) -> Jurisdiction:
    from bot.settings import get_settings
    from classifier.categories import category_codes

    path = path or get_settings().jurisdiction_file
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise JurisdictionError(f"{path.name} 格式错误：{exc}") from exc
    return parse_jurisdiction(data, path, category_codes())
