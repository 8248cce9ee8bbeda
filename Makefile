# The first use creates .venv with the standard venv + pip and installs railguard[dev].
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck typing typing-without-plugin pytest docs bench fuzz clean redis-server

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/railguard demo

# The typing cases (tests/typing/*.yml) run with returns' mypy plugin inside `pytest`
# and once more without it; `typecheck` checks src and tests/typing/api.py both ways.
test: lint typecheck pytest typing-without-plugin

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --config-file tests/typing/mypy-noplugin.ini

pytest: $(STAMP) redis-server
	$(BIN)/pytest

# The Celery tests start the distribution's redis-server: installed (quietly) when missing.
# Without root or apt-get it stays missing and those tests skip (in CI they fail instead).
redis-server:
	@command -v redis-server >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) || \
		echo "redis-server is missing and could not be installed: the Celery tests will skip"

# Only the typing cases, both ways.
typing: $(STAMP)
	$(BIN)/pytest tests/typing
	$(BIN)/pytest tests/typing --typing-without-plugin

typing-without-plugin: $(STAMP)
	$(BIN)/pytest tests/typing --typing-without-plugin

docs: $(STAMP)
	$(BIN)/mkdocs build --strict

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Deeper property runs: hypothesis' "deep" profile (many more examples).
fuzz: $(STAMP)
	RAILGUARD_HYPOTHESIS_PROFILE=deep $(BIN)/pytest tests/property

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis site
