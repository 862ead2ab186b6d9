"""Place names the extractor knows: the county's own gazetteer (bot/jurisdiction.yml, passed in as flat rows) and
China's province / city / county names from jionlp's administrative-division dictionary (for places outside
the county: 河南省开封市通许县 -> 河南省 / 开封市 / 通许县, written levels only)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from classifier.extract import jio

VILLAGE_SUFFIXES = ("社区", "村")
TOWNSHIP_SUFFIXES = ("街道", "镇", "乡")


def village_stem(name: str) -> str:
    for suffix in VILLAGE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def county_aliases(county: str) -> list[str]:
    """新平彝族傣族自治县 -> [新平县, 新平]; 通许县 -> [通许]."""
    out = []
    m = re.fullmatch(r"(.{2,}?)(?:[\u4e00-\u9fff]{1,3}族)+自治县", county)
    if m:
        out += [m.group(1) + "县", m.group(1)]
    elif county.endswith(("县", "区", "市", "旗")) and len(county) > 2:
        out.append(county[:-1])
    return out


@dataclass
class Gazetteer:
    """Index over the jurisdiction's rows: {province, city, county, township, village, aliases}."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    county_names: tuple[str, ...] = ()
    townships: dict[str, str] = field(default_factory=dict)  # any written form -> official township name
    villages: dict[str, str] = field(default_factory=dict)  # village name -> its township
    village_stems: dict[str, str] = field(default_factory=dict)  # 南恩 -> 南恩村

    @classmethod
    def from_rows(cls, rows: list[dict] | None, normalise=lambda s: s) -> Gazetteer:
        g = cls()
        shared: set[str] = set()
        for row in rows or ():
            g.province = g.province or row.get("province")
            g.city = g.city or row.get("city")
            g.county = g.county or row.get("county")
            town = row.get("township")
            village = row.get("village")
            if town and not village:
                for form in [town, *(row.get("aliases") or ())]:
                    g.townships[normalise(form)] = town
            elif village:
                g.villages[normalise(village)] = town
                stem = village_stem(normalise(village))
                if stem != normalise(village):
                    if g.village_stems.get(stem, village) != village:
                        shared.add(stem)  # 新寨: 新寨社区 and 新寨村 both
                    g.village_stems.setdefault(stem, village)
        for form in [*g.townships, *shared]:  # 扬武 is the township 扬武镇, not the stem of 扬武社区
            g.village_stems.pop(form, None)
        if g.county:
            extra = []
            for row in rows or ():
                extra += list(row.get("county_aliases") or ())
            g.county_names = tuple(dict.fromkeys([g.county, *county_aliases(g.county), *extra]))
        return g


@dataclass(frozen=True)
class Division:
    level: str  # province / city / county
    name: str  # full name
    province: str
    city: str | None


@lru_cache(maxsize=1)
def china_divisions() -> dict[str, Division]:
    """Full and short names of every province, city and county in jionlp's dictionary -> Division.
    Short forms (河南, 开封) are keyed with a leading '~' so callers can require a following level."""
    jionlp = jio.jionlp()
    path = Path(jionlp.__file__).parent / "dictionary" / "china_location.txt"
    out: dict[str, Division] = {}
    province = city = None
    # lines are indented by level (0 province, 1 city, 2 county, 3 town, 4 village); only the first three are read
    for tabs, name, short in re.findall(
        r"^(\t{0,2})([^\t\n]+)(?:\t\d*(?:\t([^\t\n]*))?)?$", path.read_text(encoding="utf-8"), re.M
    ):
        depth = len(tabs)
        if depth == 0:
            province, city = name, None
            div = Division("province", name, name, None)
        elif depth == 1:
            city = name
            if name == province:  # 上海市 / 上海市: municipalities repeat the province as city
                continue
            div = Division("city", name, province, name)
        else:
            div = Division("county", name, province, city)
        out.setdefault(name, div)
        if short and short != name and len(short) >= 2:
            out.setdefault("~" + short, div)
            # autonomous counties and prefectures are written short + 县 / 州 (元江县, 红河州): full names too
            for long_suffix, suffix in (("自治县", "县"), ("自治州", "州")):
                if name.endswith(long_suffix) and depth > 0:
                    out.setdefault(short + suffix, div)
    return out


def division(name: str | None) -> Division | None:
    """A province, city or county of China by its full or everyday name (湖南省 / 娄底市 / 新化县 / 元江县)."""
    divs = china_divisions()
    return divs.get(name or "") or divs.get("~" + (name or ""))


@lru_cache(maxsize=1)
def _area_codes_by_city() -> dict[str, str]:
    path = Path(jio.jionlp().__file__).parent / "dictionary" / "landline_phone_area_code.txt"
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        code, _, where = line.partition(" ")
        city = where.partition("/")[2].strip()
        if code.startswith("0") and city:
            out.setdefault(city, code)
    return out


def area_code(city: str | None) -> str | None:
    """The landline area code of a city (娄底市 -> 0738), from jionlp's dictionary; None if unknown."""
    if not city:
        return None
    codes = _area_codes_by_city()
    return codes.get(city) or codes.get(re.sub(r"(市|地区|自治州|盟)$", "", city))
