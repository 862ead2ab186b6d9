"""Logging set-up shared by every process: phone and ID numbers are masked in every line."""

from __future__ import annotations

import logging
import os

from classifier.pii import PiiMaskingFilter  # no masking, no logging: an import error stops the process


def setup_logging(level: str | None = None) -> None:
    logging.basicConfig(
        level=level or os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, PiiMaskingFilter) for f in handler.filters):
            handler.addFilter(PiiMaskingFilter())
    # httpx logs every request URL, which carries the bot token: keep it quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)
