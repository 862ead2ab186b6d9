"""jionlp, imported on first use: its import unpacks dictionaries on a first run and prints a banner on stdout, which
must not reach the JSON lines of `petition classify` (the CLI redirects stdout while a command runs)."""

from __future__ import annotations

from types import ModuleType


def jionlp() -> ModuleType:
    import jionlp as module  # lazy on purpose, see the module docstring

    return module
