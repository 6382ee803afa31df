# Two commands on a fresh machine (Python 3.11, pip, make): `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
URL := http://$(HOST):$(PORT)

.PHONY: install run test lint migrate seed messages fuzz clean bench bench-cases bench-import bench-checkout loadtest

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
		|| { echo "Python 3.11 is needed; $(PYTHON) is $$($(PYTHON) -V 2>&1). Try: make PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) \
		|| { echo "Could not create $(VENV): install Python's venv module (Debian/Ubuntu: apt-get install python3.11-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The embedded SQLite database lives in var/ (unless DATABASE_URL says otherwise).
migrate: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput

# Seeds the demo store when the database is empty; otherwise prints the demo logins.
seed: migrate
	$(BIN)/python manage.py seed_store --if-empty

run: install messages seed
	@# po.co demo (docs/legacy-import.md): generates var/demo-bundle and imports it, once; prints legacy logins.
	$(BIN)/python manage.py import_legacy_demo
	@echo
	@echo "The store is at $(URL)/"
	@echo "  shoppers:  $(URL)/global/   $(URL)/uk/poco/   $(URL)/fr/   $(URL)/in/"
	@echo "  agents:    $(URL)/support/  (a support agent's login above)"
	@echo "  admins:    $(URL)/admin/    (the admin login above)"
	@echo "  API:       $(URL)/api/docs/"
	@echo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install messages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Each app keeps its French catalogue in <app>/locale; Babel compiles them (no gettext tools needed).
messages: install
	@for d in $$(find . -path ./.venv -prune -o -type d -name locale -print); do \
		$(BIN)/pybabel -q compile -d $$d -D django || exit 1; done

# Throughput of the POCO pages beside a trivial view, under gunicorn on 127.0.0.1 (docs/benchmarks.md).
bench: install
	$(BIN)/python benchmarks/pages.py $(BENCH_ARGS)

# The support queue (each filter), a case and the queue API at 2,000 and 200,000 generated cases, in-process.
bench-cases: install
	$(BIN)/python benchmarks/cases.py $(BENCH_CASES_ARGS)

# The legacy import on PostgreSQL against COPY of the same rows, re-run, memory at two sizes (docs/benchmarks.md).
BENCH_IMPORT_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/import_bench
# The --workers 2 imports run their chunks on a real Celery worker through this broker (the production setup);
# BENCH_IMPORT_ARGS="--customers 10000" without --broker runs them eagerly and judges the serial import.
# COPY and the --workers 2 import are run three times each and their median runs compared (about 30 min).
BENCH_IMPORT_ARGS ?= --broker redis://127.0.0.1:6379/15 --repeat 3
bench-import: install
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_IMPORT_DATABASE_URL)} $(BIN)/python benchmarks/legacy_import.py $(BENCH_IMPORT_ARGS)

# A bounded mix of pages, API calls and malformed requests under gunicorn; fails on any 5xx.
loadtest: install
	$(BIN)/python benchmarks/loadtest.py $(LOADTEST_ARGS)

# Checkouts per second on PostgreSQL under 1, 4 and 16 clients, refusal shares, invariants; then the points and
# coupons import throughput (docs/benchmarks.md, "Checkout"). The database's name must contain "bench".
CHECKOUT_BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/checkout_bench
bench-checkout: install
	DATABASE_URL=$${DATABASE_URL:-$(CHECKOUT_BENCH_DATABASE_URL)} $(BIN)/python benchmarks/checkout.py $(BENCH_CHECKOUT_ARGS)

# Schemathesis against our own OpenAPI schema, on a throwaway seeded store served on 127.0.0.1.
fuzz: install
	$(BIN)/python scripts/fuzz_api.py -- $(FUZZ_ARGS)

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var staticfiles
