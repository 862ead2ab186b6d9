"""The complaint taxonomy, read from classifier/categories.yml (a deployment may add or rename categories)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

TAXONOMY_FILE = Path(__file__).with_name("categories.yml")


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    covers: str


@lru_cache(maxsize=4)
def load_taxonomy(path: Path = TAXONOMY_FILE) -> tuple[Category, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cats = tuple(Category(c["code"], c["name"], c.get("covers", "")) for c in data["categories"])
    codes = [c.code for c in cats]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{path.name}: duplicate category codes")
    return cats


def category_codes(path: Path = TAXONOMY_FILE) -> list[str]:
    return [c.code for c in load_taxonomy(path)]


def category_name(code: str, path: Path = TAXONOMY_FILE) -> str:
    for c in load_taxonomy(path):
        if c.code == code:
            return c.name
    return code
