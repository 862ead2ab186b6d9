# Two commands on a fresh machine: `make run` and `make test`. Everything they need is installed from here.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
export RASA_TELEMETRY_ENABLED := false

.PHONY: run test unit e2e bench train rasa-venv rasa-model validate lint clean browser

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 needed, found %s" % sys.version'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -e .
	@# jionlp unpacks its dictionaries into site-packages on first import: do it now, not while serving.
	$(PY) -c 'import jionlp' > /dev/null
	touch $@

browser:
	@bash scripts/chromium.sh > /dev/null

rasa-venv:
	@bash scripts/rasa-venv.sh > /dev/null

train: $(VENV)/.installed
	$(VENV)/bin/petition train

rasa-model: $(VENV)/.installed rasa-venv
	@bash scripts/train-rasa.sh

run: $(VENV)/.installed rasa-venv
	$(PY) -m bot.launcher

tests/e2e/node_modules/.installed: tests/e2e/package.json tests/e2e/package-lock.json
	npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error
	touch $@

validate: rasa-venv
	@cd . && "$$(bash scripts/rasa-venv.sh)/bin/rasa" data validate --data nlu_data/dialogue --domain domain.yml \
		--config config.yml --fail-on-warnings > var-validate.log 2>&1 \
		|| { tail -40 var-validate.log; rm -f var-validate.log; exit 1; }
	@rm -f var-validate.log; echo "rasa data validate: ok"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

unit: $(VENV)/.installed
	$(PY) -m pytest -q tests --ignore=tests/e2e

e2e: $(VENV)/.installed rasa-venv tests/e2e/node_modules/.installed browser
	$(PY) -m pytest -q tests/e2e

test: $(VENV)/.installed rasa-venv tests/e2e/node_modules/.installed lint validate browser
	$(PY) -m pytest -q tests

bench: $(VENV)/.installed rasa-venv tests/e2e/node_modules/.installed
	$(PY) -m bench.classifier
	$(PY) -m bench.facts
	$(PY) -m bench.routing
	$(PY) -m bench.replies
	$(PY) -m bench.urgent
	$(PY) -m bench.linking
	$(PY) -m bench.dialogue
	$(PY) -m bench.scale
	$(PY) -m bench.kpi
	@# load: capacity (no pauses), 100 pausing citizens, Telegram; 1 vs 2 Rasa workers (the second needs redis-server)
	$(PY) -m bench.load --citizens 40 --seconds 40 --pause 0 --ramp 0 --workers 1,2
	$(PY) -m bench.load --citizens 100 --seconds 90 --pause 3-8 --ramp 30 --workers 1,2
	$(PY) -m bench.load --telegram --citizens 30 --seconds 60 --pause 3-8 --ramp 15 --workers 2

clean:
	rm -rf models var .pytest_cache
