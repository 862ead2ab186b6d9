#!/usr/bin/env bash
# Makes Debian's Chromium (for the browser test, tests/e2e/test_browser.py) and a Chinese font (without one the
# pages render as boxes in the screenshots) available, installing the packages if missing. Prints the browser's
# path. Playwright's own browser download does not work offline; its Python package drives this one.
set -euo pipefail
need=()
command -v chromium > /dev/null || need+=(chromium)
fc-list :lang=zh 2> /dev/null | grep -q . || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq > /dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" > /dev/null
fi
command -v chromium
