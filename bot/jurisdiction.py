"""Loads and checks bot/jurisdiction.yml: departments, townships with their offices and villages, the routing table
and the escalation rules.

The file is edited by a county clerk, so every mistake is reported in Chinese with where it is. Everything else in
the product refers to places and departments by their codes; names are looked up here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import yaml
from pypinyin import lazy_pinyin

from bot.settings import get_settings
from classifier.categories import category_codes
from classifier.normalise import normalise

LEVELS = ("county", "township", "village", "external")


class JurisdictionError(ValueError):
    pass


# how village and township names end (the longest first): 南恩村委会 -> 南恩; 戛洒镇 -> 戛洒
VILLAGE_SUFFIXES = ("村民委员会", "村委会", "居委会", "社区", "村")
TOWNSHIP_SUFFIXES = ("街道办事处", "街道", "镇", "乡")


def sound(text: str) -> str:
    """How a name sounds, as the citizens of a Southwestern-Mandarin county say it: toneless pinyin with zh/z, ch/c,
    sh/s, n/l and -ng/-n not told apart. Voice input and typing by ear give 男恩 for 南恩, 杨武 for 扬武, 平在 for
    平寨; they sound the same."""
    out = []
    for syllable in lazy_pinyin(text):
        syllable = re.sub(r"^([zcs])h", r"\1", syllable)
        syllable = re.sub(r"^l", "n", syllable)
        out.append(re.sub(r"ng$", "n", syllable))
    return "".join(out)


def _core(name: str, suffixes: tuple[str, ...]) -> str:
    return next((name[: -len(x)] for x in suffixes if name.endswith(x) and len(name) > len(x) + 1), name)


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    level: str
    township: str | None = None  # township code for township-level departments
    aliases: tuple[str, ...] = ()  # short names as citizens and other offices write them (人社局, 交警)


@dataclass(frozen=True)
class Village:
    code: str  # <township code>.<village code>: gasa.nanen
    name: str
    township: str


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    aliases: tuple[str, ...]
    offices: dict[str, str]  # kind (government / judicial ...) -> department code
    villages: tuple[Village, ...]


@dataclass(frozen=True)
class RouteRule:
    township_kind: str | None  # the township office that handles it, or None: always the county
    county: str
    legal_redirect: bool = False


@dataclass(frozen=True)
class EscalationRule:
    to_county: bool = False
    notify: str | None = None
    answer_within_days: int | None = None
    respond_within_hours: int | None = None  # a person contacts the citizen within this time (urgent)


@dataclass(frozen=True, eq=False)  # one loaded file is one jurisdiction: hashed by identity, so caches can key on it
class Jurisdiction:
    province: str
    city: str
    county: str
    county_aliases: tuple[str, ...]
    departments: dict[str, Department]
    townships: dict[str, Township]
    routing: dict[str, RouteRule]
    escalation: dict[str, EscalationRule] = field(default_factory=dict)
    place_nicknames: dict[str, str] = field(default_factory=dict)  # 春城 -> 昆明市: names no division list has
    # 复查/复核 bodies: the county departments' superior and that body's superior (the `review` section)
    review_county: str | None = None
    review_above_county: str | None = None

    def superior(self, department_code: str, category: str) -> str | None:
        """Who reviews an answer of `department_code` (信访工作条例 第三十五条: the superior body): a township office's
        is the county department of the category; a county department's (or a company's) the county's review body;
        that body's its own superior. None: nobody above in this file."""
        dept = self.departments.get(department_code)
        if dept is None:
            return None
        if department_code == self.review_county:
            return self.review_above_county
        if department_code == self.review_above_county:
            return None
        if dept.level == "township":
            rule = self.routing.get(category)
            if rule is not None and rule.county != department_code:
                return rule.county
        return self.review_county

    @cached_property
    def place_words_longest_first(self) -> tuple[str, ...]:
        """Every way the county, its townships and villages are written (of two characters or more), longest first:
        to take place names out of a text."""
        words = {self.county, *self.county_aliases, *self._township_forms, *self._village_forms}
        return tuple(sorted((w for w in words if len(w) >= 2 and not w.isascii()), key=len, reverse=True))

    @cached_property
    def _township_forms(self) -> dict[str, str]:
        forms: dict[str, str] = {}
        for t in self.townships.values():
            for form in (t.code, t.name, *t.aliases):
                forms.setdefault(form, t.code)
        return forms

    @cached_property
    def villages(self) -> dict[str, Village]:
        return {v.code: v for t in self.townships.values() for v in t.villages}

    @cached_property
    def _village_names(self) -> dict[str, Village]:
        return {v.name: v for v in self.villages.values()}

    @cached_property
    def _department_forms(self) -> list[tuple[str, str]]:
        forms = [(d.name, d.code) for d in self.departments.values()]
        forms += [(a, d.code) for d in self.departments.values() for a in d.aliases]
        return sorted(forms, key=lambda fc: -len(fc[0]))

    def department_named(self, name: str | None) -> str | None:
        """The code of the department a name refers to (新平县人社局, 市交通运输局, 交警大队): the longest department
        name or alias found in it, else None."""
        return next((code for form, code in self._department_forms if form in (name or "")), None)

    @cached_property
    def _township_sounds(self) -> dict[str, set[str]]:
        sounds: dict[str, set[str]] = {}
        for t in self.townships.values():
            for form in (t.name, *t.aliases):
                sounds.setdefault(sound(_core(form, TOWNSHIP_SUFFIXES)), set()).add(t.code)
        return sounds

    @cached_property
    def _village_sounds(self) -> dict[str, set[str]]:
        sounds: dict[str, set[str]] = {}
        for form, codes in self._village_forms.items():
            sounds.setdefault(sound(_core(form, VILLAGE_SUFFIXES)), set()).update(codes)
        return sounds

    def township_by_sound(self, words: str) -> str | None:
        """The township `words` sound like (杨武 -> yangwu), when exactly one does. For answers to "where", not for
        free text (新华 would sound like 新化)."""
        codes = self._township_sounds.get(sound(_core(words, TOWNSHIP_SUFFIXES)), set())
        return next(iter(codes)) if len(codes) == 1 else None

    def without_county(self, words: str) -> str:
        """`words` without our county's name in front (新平县水塘 / 新萍县水塘 -> 水塘), also when written by ear."""
        for name in sorted((self.county, *self.county_aliases), key=len, reverse=True):
            n = len(name)
            if words.startswith(name) or (len(words) > n and sound(words[:n]) == sound(name)):
                return words[n:]
        return words

    def village_forms_in(self, text: str) -> list[str]:
        """The ways of writing a village (of at least two characters) that occur in `text`, longest first, none
        inside a longer one found."""
        found: list[str] = []
        for form in sorted((f for f in self._village_forms if len(f) >= 2 and f in text), key=len, reverse=True):
            if not any(form in longer for longer in found):
                found.append(form)
        return found

    def village_codes_of(self, form: str) -> set[str]:
        """The codes of the villages written `form` (南恩 / 南恩村 / 南恩村委会)."""
        return set(self._village_forms.get(form, ()))

    def villages_named(self, text: str) -> set[str]:
        """The codes of the villages `text` names (a form shared by two villages names both). A form that is also a
        township's name (扬武 of 扬武社区) names the township, not the village."""
        text = normalise(text)
        forms = [f for f in self.village_forms_in(text) if self.township_code(f) is None]
        return {code for form in forms for code in self._village_forms[form]}

    def village_by_sound(self, words: str, township: str | None = None) -> Village | None:
        """The village `words` sound like (男恩村 -> gasa.nanen), in `township` if given, when exactly one does."""
        codes = self._village_sounds.get(sound(_core(words, VILLAGE_SUFFIXES)), set())
        codes = {c for c in codes if township is None or self.villages[c].township == township}
        return self.villages[codes.pop()] if len(codes) == 1 else None

    def township_code(self, value: str | None) -> str | None:
        """The code of a township given by its code, full name or alias (gasa / 戛洒镇 / 戛洒), else None."""
        return self._township_forms.get(value or "")

    @cached_property
    def _village_forms(self) -> dict[str, set[str]]:
        """Every way a village is written -> the codes of the villages written so: the name without or with another
        suffix (南恩 / 南恩村 / 南恩村委会; 古城村 for 古城社区), and with the township's other spellings from its
        aliases (嘎洒社区 for 戛洒社区)."""
        forms: dict[str, set[str]] = {}
        for t in self.townships.values():
            own = _core(t.name, TOWNSHIP_SUFFIXES)
            spellings = {_core(a, TOWNSHIP_SUFFIXES) for a in t.aliases} - {own}
            for v in t.villages:
                core = _core(v.name, VILLAGE_SUFFIXES)
                cores = {core} | {core.replace(own, other) for other in spellings if own in core}
                for c in cores:
                    for suffix in ("", *VILLAGE_SUFFIXES):
                        if len(c + suffix) >= 2:
                            forms.setdefault(c + suffix, set()).add(v.code)
        return forms

    def village(self, value: str | None, township: str | None = None) -> Village | None:
        """A village given by its code, name or another way of writing it (gasa.nanen / 南恩村 / 南恩 / 南恩村委会 /
        嘎洒社区); with `township`, only that township's. None when the words fit no village or several."""
        v = self.villages.get(value or "") or self._village_names.get(value or "")
        if v is not None and (township is None or v.township == township):
            return v
        forms = self._village_forms.get(value or "", set())
        codes = {c for c in forms if township is None or self.villages[c].township == township}
        return self.villages[codes.pop()] if len(codes) == 1 else None

    def township_name(self, code: str | None) -> str | None:
        t = self.townships.get(code or "")
        return t.name if t else None

    def village_name(self, code: str | None) -> str | None:
        v = self.villages.get(code or "")
        return v.name if v else None

    def place_name(self, township: str | None, village: str | None = None) -> str:
        """戛洒镇南恩村 for the codes gasa / gasa.nanen; empty when neither is known."""
        return (self.township_name(township) or "") + (self.village_name(village) or "")

    def gazetteer(self) -> list[dict[str, str | None]]:
        """Every known place as a flat record by name, for the fact extractor's entity ruler (built once: the
        extractor caches its pipeline by this list's identity)."""
        return self._gazetteer

    @cached_property
    def _gazetteer(self) -> list[dict[str, str | None]]:
        rows: list[dict[str, str | None]] = []
        base = {"province": self.province, "city": self.city, "county": self.county}
        for t in self.townships.values():
            rows.append({**base, "township": t.name, "village": None, "aliases": list(t.aliases)})
            for v in t.villages:
                rows.append({**base, "township": t.name, "village": v.name, "aliases": []})
        return rows


def _fail(path: Path, where: str, what: str) -> JurisdictionError:
    return JurisdictionError(f"{path.name}：{where} {what}")


def _departments(data: dict, path: Path) -> dict[str, Department]:
    departments: dict[str, Department] = {}
    for i, d in enumerate(data["departments"], 1):
        if not isinstance(d, dict) or not {"code", "name", "level"} <= d.keys():
            raise _fail(path, f"departments 第{i}项", "需要 code、name、level 三项")
        if d["level"] not in LEVELS:
            raise _fail(path, f"部门 {d['code']}", f"的 level 必须是 {'/'.join(LEVELS)}")
        if d["code"] in departments:
            raise _fail(path, f"部门 {d['code']}", "重复")
        aliases = d.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise _fail(path, f"部门 {d['code']}", "的 aliases 必须是简称的列表，如 [人社局, 人社]")
        departments[d["code"]] = Department(d["code"], str(d["name"]), d["level"], aliases=tuple(aliases))
    return departments


def _townships(data: dict, path: Path, departments: dict[str, Department]) -> dict[str, Township]:
    townships: dict[str, Township] = {}
    seen_villages: dict[str, str] = {}
    for i, t in enumerate(data["townships"], 1):
        if not isinstance(t, dict) or not {"code", "name"} <= t.keys():
            raise _fail(path, f"townships 第{i}项", "需要 code 和 name")
        code, name = str(t["code"]), str(t["name"])
        if code in townships:
            raise _fail(path, f"乡镇（街道）{code}", "重复")
        offices_raw = t.get("offices") or {}
        if not isinstance(offices_raw, dict) or not offices_raw:
            raise _fail(path, f"乡镇（街道）{name}", "需要 offices（例如 government: 某某镇人民政府）")
        offices: dict[str, str] = {}
        for kind, office_name in offices_raw.items():
            dept = Department(f"{code}.{kind}", str(office_name), "township", code)
            if dept.code in departments:
                raise _fail(path, f"部门 {dept.code}", "重复")
            departments[dept.code] = dept
            offices[str(kind)] = dept.code
        villages_raw = t.get("villages") or {}
        if not isinstance(villages_raw, dict):
            raise _fail(path, f"乡镇（街道）{name} 的 villages", "应写成“代码: 名称”，例如 nanen: 南恩村")
        villages = []
        for v_code, v_name in villages_raw.items():
            v_name = str(v_name)
            if v_name in seen_villages:
                # the same village name in two townships would make a bare village name ambiguous
                raise _fail(path, f"村（社区）{v_name}", f"同时出现在 {seen_villages[v_name]} 和 {name}")
            seen_villages[v_name] = name
            villages.append(Village(f"{code}.{v_code}", v_name, code))
        townships[code] = Township(code, name, tuple(str(a) for a in t.get("aliases") or ()), offices, tuple(villages))
    return townships


def _routing(data: dict, path: Path, departments: dict[str, Department], townships: dict[str, Township]):
    routing: dict[str, RouteRule] = {}
    for cat, rule in data["routing"].items():
        if not isinstance(rule, dict) or "county" not in rule:
            raise _fail(path, f"routing 的 {cat}", "需要 county 部门")
        if rule["county"] not in departments:
            raise _fail(path, f"routing 的 {cat}", f"指向不存在的部门 {rule['county']}")
        kind = rule.get("township")
        if kind is not None:
            missing = [t.name for t in townships.values() if kind not in t.offices]
            if missing:
                raise _fail(path, f"routing 的 {cat}", f"要求乡镇的“{kind}”，但这些乡镇没有列出：{'、'.join(missing)}")
        routing[cat] = RouteRule(kind, rule["county"], bool(rule.get("legal_redirect", False)))
    return routing


def _escalation(data: dict, path: Path, departments: dict[str, Department]) -> dict[str, EscalationRule]:
    rules: dict[str, EscalationRule] = {}
    for reason, rule in (data.get("escalation") or {}).items():
        rule = rule or {}
        unknown = set(rule) - {"to_county", "notify", "answer_within_days", "respond_within_hours"}
        if unknown:
            raise _fail(path, f"escalation 的 {reason}", f"有不认识的项：{', '.join(sorted(unknown))}")
        target = rule.get("notify")
        if target and target not in departments:
            raise _fail(path, f"escalation 的 {reason}", f"指向不存在的部门 {target}")
        for key in ("answer_within_days", "respond_within_hours"):
            value = rule.get(key)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise _fail(path, f"escalation 的 {reason}", f"{key} 必须是正整数")
        rules[str(reason)] = EscalationRule(
            bool(rule.get("to_county", False)), target, rule.get("answer_within_days"), rule.get("respond_within_hours")
        )
    return rules


def parse_jurisdiction(data: dict, path: Path, categories: list[str] | None = None) -> Jurisdiction:
    if not isinstance(data, dict):
        raise _fail(path, "文件", "不是一个 YAML 映射")
    for key in ("province", "city", "county", "departments", "townships", "routing"):
        if key not in data:
            raise _fail(path, "顶层", f"缺少“{key}”")
    departments = _departments(data, path)
    townships = _townships(data, path, departments)
    routing = _routing(data, path, departments, townships)
    if categories is not None:
        missing = [c for c in categories if c not in routing]
        if missing:
            raise _fail(path, "routing", f"缺少这些类别的去向：{', '.join(missing)}")
    return Jurisdiction(
        province=data["province"],
        city=data["city"],
        county=data["county"],
        county_aliases=tuple(data.get("county_aliases") or ()),
        departments=departments,
        townships=townships,
        routing=routing,
        escalation=_escalation(data, path, departments),
        place_nicknames=_nicknames(data, path),
        **_review(data, path, departments),
    )


def _review(data: dict, path: Path, departments: dict[str, Department]) -> dict[str, str | None]:
    rule = data.get("review") or {}
    if not isinstance(rule, dict) or set(rule) - {"county", "above_county"}:
        raise _fail(path, "review", "只能有 county 和 above_county 两项（部门代码）")
    for key, code in rule.items():
        if code not in departments:
            raise _fail(path, f"review 的 {key}", f"指向不存在的部门 {code}")
    return {"review_county": rule.get("county"), "review_above_county": rule.get("above_county")}


def _nicknames(data: dict, path: Path) -> dict[str, str]:
    names = data.get("place_nicknames") or {}
    if not isinstance(names, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in names.items()):
        raise _fail(path, "place_nicknames", "必须是“俗称: 正式名称”的对照，如 春城: 昆明市")
    return dict(names)


def load_jurisdiction(path: Path | None = None) -> Jurisdiction:
    """The jurisdiction file at `path` (default: settings.jurisdiction_file), checked against the taxonomy; parsed
    once per process and file."""
    return _load(path or get_settings().jurisdiction_file)


@lru_cache(maxsize=4)
def _load(path: Path) -> Jurisdiction:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise JurisdictionError(f"{path.name} 格式错误：{exc}") from exc
    return parse_jurisdiction(data, path, category_codes())
