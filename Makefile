# The two commands a newcomer types: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
# `make run` tries the bot on the demo campaign (its window is open) unless CAMPAIGN is set.
CAMPAIGN ?= campaigns/demo.toml

.PHONY: setup run test test-postgres lint format bench bench-load browser clean

$(BIN)/ortbot: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) is required (Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@

setup: $(BIN)/ortbot

run: setup
	CAMPAIGN=$(CAMPAIGN) $(BIN)/ortbot migrate
	CAMPAIGN=$(CAMPAIGN) $(BIN)/ortbot seed-demo
	CAMPAIGN=$(CAMPAIGN) $(BIN)/ortbot serve

# Browser tests use Debian's Chromium; install it when we may (root with apt-get).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "make: chromium not found; browser tests will be skipped (apt-get install chromium)"; fi; }

test: setup browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q

# The same suite on PostgreSQL + Redis (both must be running; see README).
test-postgres: setup browser
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/postgres} \
	TEST_REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/0} \
	$(BIN)/pytest -q

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python bench/export.py
	$(BIN)/python bench/photos.py

# 500 applicants through the Telegram webhook on PostgreSQL + Redis (both must be running).
bench-load: setup
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
