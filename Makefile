# Two commands do all the set-up on a fresh Debian/Ubuntu machine:
#   make demo   — install, start a local Redis, import the demo challenges, serve web + worker
#   make test   — install what the tests need, start Redis, PostgreSQL and Docker, run every check
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PG_URL_FILE := var/pg-test-url

.PHONY: demo test venv system-demo system-test services lint typecheck unit postgres-tests sandbox-image clean

demo: system-demo venv
	$(BIN)/arena demo

test: system-test venv services lint typecheck unit postgres-tests

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml client/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q -e ./client
	touch $@

system-demo:
	sh scripts/install-system.sh demo

system-test:
	sh scripts/install-system.sh test

# PostgreSQL for the second database run, and a Docker engine (runc + gVisor) with the runner image.
services: venv
	mkdir -p var
	sh scripts/start-postgres.sh > $(PG_URL_FILE)
	sh sandbox/images/setup-docker-host.sh
	$(BIN)/arena sandbox build-image

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: venv
	$(BIN)/mypy

# The whole suite on SQLite (the tests start their own Redis server).
unit: venv
	ARENA_REQUIRE_DOCKER=$${ARENA_REQUIRE_DOCKER:-1} $(BIN)/pytest

# Every model, service, leaderboard and end-to-end test again on PostgreSQL.
postgres-tests: venv
	ARENA_TEST_DATABASE_URL=$$(cat $(PG_URL_FILE)) $(BIN)/pytest -m "not docker" tests/arena tests/integration

sandbox-image: venv
	$(BIN)/arena sandbox build-image

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
