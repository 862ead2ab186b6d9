"""Replies to the citizen: every text is a response of domain.yml, also the ones our code sends without Rasa (Rasa
is down, an empty message, a photo), so a county edits one file to change what the assistant says."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import yaml

from bot.settings import ROOT

DOMAIN_FILE = ROOT / "domain.yml"


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)


@cache
def _domain() -> dict:
    return yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))


def responses() -> dict[str, list[dict]]:
    return _domain()["responses"]


def intents() -> frozenset[str]:
    """The intents of domain.yml: the only "/name" a message may start with to reach Rasa as an intent."""
    return frozenset(_domain()["intents"])


def reply(name: str, **values: object) -> Reply:
    """The response `name` of domain.yml (its first variant) with its {placeholders} filled, as Rasa would."""
    variant = responses()[name][0]
    text = string.Formatter().vformat(variant.get("text", ""), (), {k: str(v) for k, v in values.items()})
    buttons = tuple(Button(str(b["title"]), str(b["payload"])) for b in variant.get("buttons") or ())
    return Reply(text, buttons)


def format_date(d: date) -> str:
    """2026年11月30日, as every reply writes a date."""
    return f"{d.year}年{d.month}月{d.day}日"
