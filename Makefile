# Two commands on a fresh machine (Python 3.11, pip, make): `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint migrate messages fuzz clean bench loadtest

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(MAKE) --no-print-directory messages
	$(BIN)/python manage.py seed_store --if-empty
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(MAKE) --no-print-directory messages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Each app keeps its French catalogue in <app>/locale; Babel compiles them (no gettext tools needed).
messages: install
	@for d in $$(find . -path ./.venv -prune -o -type d -name locale -print); do \
		$(BIN)/pybabel -q compile -d $$d -D django || exit 1; done

# Throughput of the POCO pages beside a trivial view, under gunicorn on 127.0.0.1 (docs/benchmarks.md).
bench: install
	$(BIN)/python benchmarks/pages.py $(BENCH_ARGS)

# The support queue (each filter), a case and the queue API at 2,000 and 200,000 generated cases, in-process.
.PHONY: bench-cases
bench-cases: install
	$(BIN)/python benchmarks/cases.py $(BENCH_CASES_ARGS)

# A bounded mix of pages, API calls and malformed requests under gunicorn; fails on any 5xx.
loadtest: install
	$(BIN)/python benchmarks/loadtest.py $(LOADTEST_ARGS)

# Schemathesis against our own OpenAPI schema, on a throwaway seeded store served on 127.0.0.1.
fuzz: install
	$(BIN)/python scripts/fuzz_api.py -- $(FUZZ_ARGS)

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var staticfiles
