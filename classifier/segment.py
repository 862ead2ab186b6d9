"""Word segmentation with jieba plus the governance / place-name user dictionary in classifier/data/userdict.txt.

A private `jieba.Tokenizer` is used (jieba's global tokenizer is left untouched, so other code loading its own
dictionaries cannot change our segmentation). It is built on first use, thread-safely; its prefix-dictionary cache
lives in a writable temporary directory (`$PETITION_JIEBA_CACHE_DIR`, default `<tmp>/petition-jieba`).
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path

import jieba

USERDICT_FILE = Path(__file__).with_name("data") / "userdict.txt"

_lock = threading.Lock()
_tokenizer = None


def read_userdict(path: Path = USERDICT_FILE) -> list[tuple[str, int | None, str | None]]:
    """(term, frequency or None, tag or None) for each non-comment line of the user dictionary."""
    entries = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        word, freq, tag = parts[0], None, None
        for extra in parts[1:]:
            if extra.isdigit():
                freq = int(extra)
            else:
                tag = extra
        entries.append((word, freq, tag))
    return entries


def _cache_dir() -> str:
    wanted = os.environ.get("PETITION_JIEBA_CACHE_DIR") or os.path.join(tempfile.gettempdir(), "petition-jieba")
    try:
        os.makedirs(wanted, exist_ok=True)
        if os.access(wanted, os.W_OK):
            return wanted
    except OSError:
        pass
    return tempfile.mkdtemp(prefix="petition-jieba-")


def new_tokenizer(words: list[tuple[str, int | None, str | None]]):
    """A private jieba tokenizer (jieba's global one is never touched) with `words` added; its prefix-dictionary
    cache goes to a writable temporary directory."""
    logging.getLogger("jieba").setLevel(logging.WARNING)  # no "Building prefix dict" chatter
    tk = jieba.Tokenizer()
    tk.tmp_dir = _cache_dir()
    tk.cache_file = "jieba.default.cache"
    tk.initialize()
    for word, freq, tag in words:
        tk.add_word(word, freq, tag)
    return tk


def get_tokenizer():
    """The process-wide private jieba tokenizer with the user dictionary loaded (built on first call)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = new_tokenizer(read_userdict())
    return _tokenizer


def tokenize(text: str, hmm: bool = True) -> list[str]:
    """jieba words of `text` (precise mode), without whitespace tokens. Normalise the text first.
    `hmm=False` skips jieba's HMM guessing of out-of-dictionary words (about a third faster)."""
    if not text:
        return []
    return [w for w in get_tokenizer().lcut(text, HMM=hmm) if not w.isspace()]
