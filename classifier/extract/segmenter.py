"""The word segmenter behind the facts pipeline's spaCy tokenizer: jieba's dictionary and algorithm, run by rjieba
(the Rust port of jieba, MIT) when it is installed and by the Python jieba otherwise.

The Python jieba costs about 8 µs a character (1.4 ms for a 170-character complaint), rjieba about 0.25 µs with the
same words out (it only keeps 0877-4567890 whole where jieba cuts it at the hyphen). Our words: the classifier's
user dictionary (classifier/data/userdict.txt) plus the gazetteer's place names, so they come out as single words
for the EntityRuler. jieba's global tokenizer is never touched.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

import jieba

from classifier.segment import new_tokenizer, read_userdict

log = logging.getLogger(__name__)
PLACE_FREQ = 100000


class WordSegmenter:
    """What spaCy's Chinese tokenizer calls: `cut(text, cut_all=False) -> list[str]`."""

    def __init__(self, extra_words: list[str], prefer_rust: bool = True):
        words = [(w, f, t) for w, f, t in read_userdict()] + [(w, PLACE_FREQ, "ns") for w in extra_words]
        self.backend = None
        if prefer_rust:
            try:
                import rjieba  # optional: the Python jieba below does the same, slower

                self.backend = rjieba.Jieba()
                for word, freq, tag in words:
                    self.backend.add_word(word, freq, tag)
                self._cut = self.backend.cut
                self.name = "rjieba"
            except ImportError:
                log.info("rjieba is not installed: segmenting with the Python jieba (slower)")
        if self.backend is None:
            self.backend = new_tokenizer(words)
            self._cut = lambda text: list(self.backend.cut(text))
            self.name = "jieba"

    def cut(self, text: str, cut_all: bool = False) -> list[str]:
        return self._cut(text)


def _dictionary_text() -> str:
    return (Path(jieba.__file__).parent / "dict.txt").read_text(encoding="utf-8")


@lru_cache(maxsize=8)
def _frequencies(first_chars: str) -> dict[str, int]:
    """jieba's dictionary frequency of every word of 2 to 4 characters starting with one of `first_chars`."""
    pattern = re.compile(rf"^([{re.escape(first_chars)}][^\s]{{1,3}}) (\d+)", re.M)
    return {m.group(1): int(m.group(2)) for m in pattern.finditer(_dictionary_text())}


def word_frequencies(first_chars: str) -> dict[str, int]:
    """How common jieba's dictionary says words starting with `first_chars` (surnames) are: names are rare
    (张建国 13) or absent, ordinary words are not (施工队 166)."""
    return _frequencies("".join(sorted(set(first_chars))))


def ordinary_words(words: list[str]) -> set[str]:
    """Those of `words` that jieba's own dictionary lists (水塘 pond, 古城 old town)."""
    wanted = {w for w in words if 1 < len(w) <= 4}
    if not wanted:
        return set()
    pattern = re.compile(r"^(" + "|".join(map(re.escape, sorted(wanted, key=len, reverse=True))) + r") (\d+)", re.M)
    return {m.group(1) for m in pattern.finditer(_dictionary_text()) if int(m.group(2)) > 0}
