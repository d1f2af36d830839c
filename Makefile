# Lifelong: `make demo` runs the product, `make test` runs every test. Only Python 3.11+ needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: demo test install install-test lint typecheck test-sqlite test-postgres bench bench-quick clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/lifelong demo --host $(HOST) --port $(PORT)

lint: install-test
	$(BIN)/ruff check lifelong tests benchmarks
	$(BIN)/ruff format --check lifelong tests benchmarks
	$(BIN)/mypy

test-sqlite: install-test
	$(BIN)/pytest -n 2 --dist loadfile

# Runs the suite again on PostgreSQL when LIFELONG_TEST_POSTGRES_URL is set and reachable.
test-postgres: install-test
	@if [ -z "$$LIFELONG_TEST_POSTGRES_URL" ]; then \
	  echo "SKIPPED: PostgreSQL run (LIFELONG_TEST_POSTGRES_URL is not set)"; \
	elif ! $(BIN)/python -c "import os,psycopg; psycopg.connect(os.environ['LIFELONG_TEST_POSTGRES_URL'], connect_timeout=3).close()" 2>/dev/null; then \
	  echo "SKIPPED: PostgreSQL run ($$LIFELONG_TEST_POSTGRES_URL is not reachable)"; \
	else \
	  LIFELONG_TEST_BACKEND=postgres $(BIN)/pytest -n 2 --dist loadfile -m "not browser and not slow"; \
	fi

test: lint test-sqlite test-postgres

bench: install-test
	$(BIN)/python -m benchmarks

bench-quick: install-test
	$(BIN)/python -m benchmarks --quick

messages: install-test
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o lifelong/web/translations/messages.pot .
	$(BIN)/pybabel update -i lifelong/web/translations/messages.pot -d lifelong/web/translations -N

clean:
	rm -rf $(VENV) lifelong-data .pytest_cache .mypy_cache .ruff_cache
