# Lead Lens: one-command set-up, run and test. Everything installs from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= .data/sandbox.sqlite
PORT ?= 8501
# pytest-xdist workers for `make test` and `make test-fast` (a number, or auto: one per core).
WORKERS ?= auto
PYTEST_PARALLEL := -n $(WORKERS) --dist loadgroup

.PHONY: setup setup-dev compile run test test-fast lint types pytest pytest-fast sandbox reset-sandbox bench bench-lead bench-first-render bench-dossier bench-search bench-audit screenshots clean postgres

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# constraints.txt pins every transitive dependency too (pip freeze of a working venv).
$(VENV)/.runtime-installed: requirements.txt constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements.txt constraints.txt | $(VENV)/.runtime-installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

$(DB): | $(VENV)/.runtime-installed
	$(BIN)/python -m lib.sandbox seed --db $(DB)

## setup: create .venv, install the pinned runtime requirements, seed the sandbox, compile the
## app's modules (idempotent)
setup: $(VENV)/.runtime-installed $(DB) compile

## compile: the app's own bytecode, as pip writes an installed package's. Where Python writes
## none (PYTHONDONTWRITEBYTECODE, set on this project's machines and in many containers),
## every server start compiled lib/ anew: about 0.3 s of CPU that the warm-up and the first
## visitor shared (issue 18's cold start). Only files changed since are compiled again.
compile: | $(VENV)/.runtime-installed
	$(BIN)/python -m compileall -q -j 0 app.py pages lib benchmarks

setup-dev: setup $(VENV)/.dev-installed

## run: start the dashboard on http://localhost:8501 against the embedded sandbox
run: setup
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true

## test: lint, types and every test, on parallel workers (WORKERS=1 for one process); mypy
## (single-threaded, 33 s of CPU cold, as in a fresh clone) runs beside pytest instead of
## before it
test: setup-dev lint
	@$(MAKE) --no-print-directory -j2 types pytest

## test-fast: every test but the browser ones, on parallel workers (the inner loop)
test-fast: setup-dev pytest-fast

lint:
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

types:
	$(BIN)/mypy

pytest:
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)

pytest-fast:
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not browser"

## postgres: start a local PostgreSQL (Debian's package, cluster `leadlens` on 127.0.0.1:54329)
## for the store tests and a replica set-up; its URL goes to .data/postgres.url (idempotent)
postgres:
	.ci/postgres

## sandbox: serve the sandbox API over HTTP on 127.0.0.1:8765
sandbox: setup
	$(BIN)/python -m lib.sandbox serve --host 127.0.0.1 --port 8765 --db $(DB)

## reset-sandbox: recreate the demo database
reset-sandbox: | $(VENV)/.runtime-installed
	$(BIN)/python -m lib.sandbox seed --db $(DB)

## bench: every figure of issue 14 with its goal and PASS/FAIL (dossier at 100 ms latency,
## first render in Chromium); the 1M-lead rows with BENCH_ARGS="--million PATH"
bench: setup-dev
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

## bench-lead, bench-first-render, bench-dossier: one section of `make bench` alone (issue 18's
## Lead page in Chromium, cold start and first deep link, dossier), each within two minutes on
## a quiet machine; BENCH_ROUNDS browser rounds (median; bench-lead took 143 s for 2 at load 14)
BENCH_ROUNDS ?= 2
bench-lead: setup-dev
	$(BIN)/python -m benchmarks --only lead --rounds $(BENCH_ROUNDS)

bench-first-render: setup-dev
	$(BIN)/python -m benchmarks --only browser --rounds $(BENCH_ROUNDS)

bench-dossier: setup-dev
	$(BIN)/python -m benchmarks --only dossier

## bench-search: issue 18's Leads search rows alone (200k-lead vs demo sandbox, by CPU time);
## seeds .data/sandbox-200k.sqlite first if it is missing (once, minutes)
SEARCH_DB ?= .data/sandbox-200k.sqlite
$(SEARCH_DB): | $(VENV)/.runtime-installed
	$(BIN)/python -m lib.sandbox seed --db $(SEARCH_DB) --leads 200000

bench-search: setup-dev $(SEARCH_DB)
	$(BIN)/python -m benchmarks --only search --search-db $(SEARCH_DB)

## bench-audit: issue 19's rows alone (analysis of 200k synthetic leads, the fetch from the
## largest campaign of the 200k-lead sandbox, the Audit page's first render)
bench-audit: setup-dev $(SEARCH_DB)
	$(BIN)/python -m benchmarks --only audit-analysis --only audit-fetch --only audit-page \
		--search-db $(SEARCH_DB)

## screenshots: refresh docs/screenshots/*.png in headless Chromium, every view at 1440 and 1024 px
## and the Audit page's
screenshots: setup-dev
	$(BIN)/python -m benchmarks.screenshots
	$(BIN)/python -m benchmarks.audit_screenshots

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
