"""The matter catalogue (派单目录): bot/matters/<category>.yml, one file per complaint category, edited by the county
clerk. Each matter (事项) names the competent body at each level; routing sends a ticket to the matter's township
office when the township is known, else to its county department. Checked at start; every mistake is reported in
Chinese with the file and the matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

from bot.jurisdiction import Jurisdiction, load_jurisdiction
from bot.settings import ROOT
from classifier.categories import category_codes

CATALOGUE_DIR = ROOT / "bot" / "matters"
CODE = re.compile(r"^[a-z_]+\.[a-z0-9_]+$")


class CatalogueError(ValueError):
    pass


@dataclass(frozen=True)
class Limits:
    accept_days: int | None = None
    answer_days: int | None = None


@dataclass(frozen=True)
class Matter:
    code: str
    name: str
    category: str
    covers: str
    keywords: tuple[str, ...]
    examples: tuple[str, ...]
    village: str | None  # the first-line body in words (村（社区）人民调解委员会), if any
    township: str | None  # office kind of the township (government / judicial), None: county only
    county: str  # county department code
    limits: Limits = Limits()


@dataclass(frozen=True)
class Catalogue:
    matters: dict[str, Matter]

    @cached_property
    def by_category(self) -> dict[str, list[Matter]]:
        out: dict[str, list[Matter]] = {}
        for m in self.matters.values():
            out.setdefault(m.category, []).append(m)
        return out

    def department(self, matter: str, township: str | None, j: Jurisdiction) -> str:
        """The department code that handles `matter` for a place in `township` (a code, or None)."""
        m = self.matters[matter]
        town = j.townships.get(township or "")
        if m.township and town is not None:
            return town.offices[m.township]
        return m.county

    def keywords(self) -> dict[str, tuple[str, ...]]:
        return {code: m.keywords for code, m in self.matters.items()}


def _fail(path: Path, where: str, what: str) -> CatalogueError:
    return CatalogueError(f"{path.name}：{where} {what}")


def _matter(raw: object, i: int, path: Path, category: str, j: Jurisdiction) -> Matter:
    if not isinstance(raw, dict) or not {"code", "name", "departments"} <= raw.keys():
        raise _fail(path, f"第{i}个事项", "需要 code、name、departments 三项")
    code = str(raw["code"])
    if not CODE.match(code) or not code.startswith(category + "."):
        raise _fail(path, f"事项 {code}", f"的代码应写成 {category}.英文小写加下划线，例如 {category}.wage_arrears")
    deps = raw["departments"] or {}
    county = deps.get("county")
    if county not in j.departments:
        raise _fail(path, f"事项 {code}", f"的 county 部门 {county} 不在 jurisdiction.yml 里")
    township = deps.get("township")
    if township is not None:
        missing = [t.name for t in j.townships.values() if township not in t.offices]
        if missing:
            raise _fail(path, f"事项 {code}", f"要求乡镇的“{township}”，但这些乡镇没有：{'、'.join(missing)}")
    limits = raw.get("limits") or {}
    for key in ("accept_days", "answer_days"):
        value = limits.get(key)
        if value is not None and (not isinstance(value, int) or value < 1):
            raise _fail(path, f"事项 {code}", f"的 limits.{key} 必须是正整数")
    keywords = tuple(str(k) for k in raw.get("keywords") or ())
    if not keywords:
        raise _fail(path, f"事项 {code}", "需要 keywords（群众常用的说法）")
    return Matter(
        code=code,
        name=str(raw["name"]),
        category=category,
        covers=str(raw.get("covers") or ""),
        keywords=keywords,
        examples=tuple(str(e) for e in raw.get("examples") or ()),
        village=deps.get("village") or None,
        township=township,
        county=county,
        limits=Limits(limits.get("accept_days"), limits.get("answer_days")),
    )


def parse_catalogue(files: list[Path], j: Jurisdiction, categories: list[str]) -> Catalogue:
    matters: dict[str, Matter] = {}
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise CatalogueError(f"{path.name} 格式错误：{exc}") from exc
        category = data.get("category")
        if category not in categories:
            raise _fail(path, "category", f"“{category}”不是 classifier/categories.yml 里的类别")
        for i, raw in enumerate(data.get("matters") or [], 1):
            m = _matter(raw, i, path, category, j)
            if m.code in matters:
                raise _fail(path, f"事项 {m.code}", "重复")
            matters[m.code] = m
    missing = [c for c in categories if not any(m.category == c for m in matters.values())]
    if missing:
        raise CatalogueError(f"这些类别还没有任何事项：{', '.join(missing)}")
    return Catalogue(matters)


def load_catalogue(directory: Path | None = None) -> Catalogue:
    """The catalogue of `directory` (default bot/matters/), checked against the jurisdiction and the taxonomy;
    parsed once per process."""
    return _load(directory or CATALOGUE_DIR)


@lru_cache(maxsize=4)
def _load(directory: Path) -> Catalogue:
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise CatalogueError(f"{directory} 里没有事项目录文件（*.yml）")
    return parse_catalogue(files, load_jurisdiction(), category_codes())
