# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install migrate bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run: install, migrate the database (SQLite by default), load seeds/ when empty, serve on :8000
run: $(STAMP)
	$(BIN)/stancemap migrate
	$(BIN)/stancemap ingest --if-empty seeds/
	$(BIN)/stancemap serve --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

## lint: ruff and mypy with the settings in pyproject.toml; fails on a finding (nothing is reformatted)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

## test: lint, then the whole suite on SQLite, and again on Postgres when TEST_DATABASE_URL is set
test: $(STAMP) lint
	env -u TEST_DATABASE_URL $(BIN)/pytest
	if [ -n "$$TEST_DATABASE_URL" ]; then $(BIN)/pytest; fi

migrate: $(STAMP)
	$(BIN)/stancemap migrate

bench: $(STAMP)
	$(BIN)/python bench/bench_ingest.py
	$(BIN)/python bench/bench_web.py

clean:
	rm -rf $(VENV) *.egg-info
