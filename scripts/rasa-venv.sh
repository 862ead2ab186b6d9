#!/usr/bin/env bash
# Creates (once) the Python 3.10 venv that runs Rasa Open Source 3.6 and prints its path.
# Cached outside the clone, keyed by the hash of requirements-rasa.txt, so a new clone reuses it.
# A venv is not relocatable, so it is built in its final place; `.complete` marks a finished install.
set -euo pipefail
cd "$(dirname "$0")/.."
hash=$(sha256sum requirements-rasa.txt | cut -c1-16)
cache=${PETITION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/petition}
venv="$cache/rasa-venv-$hash"
if [ ! -f "$venv/.complete" ]; then
  py310="${RASA_PYTHON:-$(pyenv root 2>/dev/null)/versions/3.10.13/bin/python}"
  [ -x "$py310" ] || { echo "Python 3.10 not found at $py310 (set RASA_PYTHON)" >&2; exit 1; }
  echo "Installing the Rasa venv into $venv (first run only, a few minutes)..." >&2
  start=$(date +%s)
  rm -rf "$venv"
  mkdir -p "$cache"
  "$py310" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip >&2
  "$venv/bin/pip" install -q -r requirements-rasa.txt >&2
  touch "$venv/.complete"
  echo "Rasa venv ready in $(( $(date +%s) - start )) s" >&2
fi
echo "$venv"
