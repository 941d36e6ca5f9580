# Two commands on a fresh machine: `make run` (the product) and `make test` (every test).
SHELL := /bin/bash
# The distribution's CPython when it is 3.11+: Debian's is statically linked and built with
# PGO/LTO, and runs the services (and the bench's client) on less CPU than a default
# pyenv build of the same version. Any 3.11+ python3 on PATH otherwise; PYTHON=... overrides.
ifndef PYTHON
PYTHON := $(shell for p in /usr/bin/python3 python3; do \
	$$p -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; \
	done)
endif
VENV ?= .venv
PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.installed
NPM_STAMP := frontend/node_modules/.installed
EDITOR := frontend/dist/index.html
EDITOR_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/public -type f 2>/dev/null)
API_DIR := frontend/src/api
API_TYPES := $(API_DIR)/schema.d.ts
GATEWAY_SOURCES := $(shell find services/gateway/psynapse_gateway services/common/psynapse_common -name '*.py' 2>/dev/null)

.PHONY: run test lint install editor api-types chromium bench bench-scale soak test-python test-frontend clean

run: install editor
	$(VENV)/bin/psynapse up

test: lint install editor chromium test-frontend test-python

# Style, types and the layers' contract, and the editor's typescript-eslint: a finding fails `make test` too.
lint: install $(NPM_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	cd frontend && npm run lint
	$(PY) -m pytest -q -W ignore::DeprecationWarning tests/unit/test_api_types.py

test-frontend: $(NPM_STAMP)
	cd frontend && npm test

test-python: install
	$(PY) -m pytest

bench: install
	$(PY) bench/run_bench.py
	$(PY) bench/scale_bench.py

# Ten minutes of mixed load while runners, the orchestrator, the gateway and nats-server
# are killed at random; prints the ledger and fails on any lost, doubled or wrong run.
# (make test runs a one-minute version.)
soak: install
	$(PY) -m tests.support.soak --minutes 10

# Runner scale-out (1, 2, 4 runner processes on a 64-wide graph) and a gpu pool node; ~1 min.
bench-scale: install
	$(PY) bench/scale_bench.py

install: $(PIP_STAMP)

$(PIP_STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11+ (with venv/ensurepip) is needed: set PYTHON=..."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

$(NPM_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

editor: $(EDITOR)

$(EDITOR): $(NPM_STAMP) $(EDITOR_SOURCES) $(API_TYPES)
	cd frontend && npm run build

# The editor's API types, generated from the gateway's OpenAPI document: the document
# (from create_app, no stack running) to $(API_DIR)/openapi.json, openapi-typescript's
# types of it to $(API_TYPES); both committed. `make editor` regenerates them when the
# gateway's code changes; tests/unit/test_api_types.py (in make lint) fails when they drift.
api-types: install $(NPM_STAMP)
	$(PY) -W ignore::DeprecationWarning -m psynapse_gateway.openapi_doc $(API_DIR)/openapi.json
	cd frontend && npm run --silent api-types

$(API_TYPES): $(GATEWAY_SOURCES) | $(PIP_STAMP) $(NPM_STAMP)
	$(MAKE) --no-print-directory api-types

# Browser tests drive Debian's chromium (a test tool's own browser download fails here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist .psynapse
