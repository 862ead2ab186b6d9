"""The classifier's training files cover the taxonomy, and the held-out evaluation set stays out of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from classifier.categories import category_codes
from classifier.normalise import normalise
from classifier.train import read_examples

ROOT = Path(__file__).resolve().parents[2]
TRAIN_DIR = ROOT / "nlu_data" / "complaints"
HELDOUT_DIR = ROOT / "tests" / "data" / "complaints_heldout"
MIN_EXAMPLES = 120


def _key(text: str) -> str:
    """Comparison key: normalised, without punctuation and spaces."""
    return re.sub(r"[\W_]+", "", normalise(text))


@pytest.mark.parametrize("code", category_codes())
def test_every_category_has_a_training_file_with_enough_examples(code):
    path = TRAIN_DIR / f"{code}.yml"
    assert path.is_file(), f"no training file for category {code!r}: add {path.relative_to(ROOT)}"
    examples = read_examples(path)
    assert len(examples) >= MIN_EXAMPLES, f"{path.name}: {len(examples)} examples, need at least {MIN_EXAMPLES}"
    intents = {intent for _text, intent in examples}
    assert intents == {code}, f"{path.name} must hold intent {code!r} only, found {sorted(intents)}"


def test_training_files_are_categories_of_the_taxonomy():
    codes = set(category_codes())
    stray = [f.name for f in TRAIN_DIR.glob("*.yml") if f.stem not in codes]
    assert stray == []


def test_no_heldout_example_appears_in_the_training_data():
    if not HELDOUT_DIR.is_dir() or not any(HELDOUT_DIR.glob("*.yml")):
        pytest.skip("no held-out set yet")
    train = {_key(text): f.name for f in TRAIN_DIR.glob("*.yml") for text, _ in read_examples(f)}
    leaks = [
        (f.name, text, train[_key(text)])
        for f in sorted(HELDOUT_DIR.glob("*.yml"))
        for text, _ in read_examples(f)
        if _key(text) in train
    ]
    assert leaks == [], f"{len(leaks)} held-out examples are also training examples, e.g. {leaks[:5]}"


def test_heldout_files_use_taxonomy_codes():
    codes = set(category_codes())
    for f in HELDOUT_DIR.glob("*.yml"):
        intents = {intent for _text, intent in read_examples(f)}
        assert intents <= codes, f"{f.name}: unknown intents {sorted(intents - codes)}"
