#!/usr/bin/env bash
# Trains the Rasa dialogue model into models/rasa/ when its inputs changed, and prints the model's path (last line
# of stdout; progress goes to stderr). The model file is named by a hash of everything it is trained from: the
# config, the domain, the dialogue data (nlu_data/dialogue) and the Rasa version (requirements-rasa.txt).
# One training at a time (a lock); older models are removed after a successful training. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
venv=$(bash scripts/rasa-venv.sh)
out=models/rasa
mkdir -p "$out"

inputs_hash() {
  { sha256sum config.yml domain.yml requirements-rasa.txt
    find nlu_data/dialogue -type f -name '*.yml' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
  } | sha256sum | cut -c1-16
}

exec 9> "$out/.train.lock"
if ! flock -n 9; then
  echo "Another Rasa training of this project is running; waiting for it..." >&2
  flock 9
fi

hash=$(inputs_hash)
name="dialogue-$hash"
model="$out/$name.tar.gz"
if [ -f "$model" ]; then
  echo "Rasa model up to date: $model" >&2
  echo "$model"
  exit 0
fi

echo "Training the Rasa model (config, domain or dialogue data changed) ..." >&2
start=$(date +%s)
log="$out/$name.log"
# rasa writes its progress bars to stderr; the full log is kept next to the model for when training fails
if ! nice -n 10 "$venv/bin/rasa" train --data nlu_data/dialogue --domain domain.yml --config config.yml \
      --out "$out" --fixed-model-name "$name" 2>&1 | tee "$log" >&2; then
  echo "Rasa training failed; the log is $log" >&2
  exit 1
fi
if [ ! -f "$model" ]; then
  echo "Rasa training finished without writing $model; the log is $log" >&2
  exit 1
fi
if [ "$(inputs_hash)" != "$hash" ]; then
  echo "Warning: the training data changed while training; run this script again." >&2
fi
find "$out" -maxdepth 1 -name 'dialogue-*' ! -name "$name.*" -delete
rm -f "$log"
echo "Rasa model trained in $(( $(date +%s) - start )) s: $model" >&2
echo "$model"
