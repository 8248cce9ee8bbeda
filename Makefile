# The first use creates .venv with the standard venv + pip and installs railguard[dev].
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck typing typing-without-plugin pytest docs docs-check bench fuzz clean redis-server

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

# The site goes to site/; it works from disk too (open site/index.html; search included).
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# Opt-in: screenshots of the built site in headless Chromium (apt-get install chromium)
# at a laptop width (1280 px) and a phone width (390 px), into site-shots/ to look at.
CHROMIUM ?= chromium
SHOT_PAGES := index getting-started architecture core/failures boundaries/http reference/core
docs-check: docs
	mkdir -p site-shots
	for size in 1280,1800 390,1800; do \
	  for page in $(SHOT_PAGES); do \
	    $(CHROMIUM) --headless --no-sandbox --disable-gpu --hide-scrollbars \
	      --virtual-time-budget=5000 --window-size=$$size \
	      --screenshot=site-shots/$$(echo $$page | tr / -)-$${size%%,*}.png \
	      file://$(CURDIR)/site/$$page.html 2>/dev/null || exit 1; \
	  done; \
	done
	@echo "screenshots in site-shots/: look at them"

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Deeper property runs: hypothesis' "deep" profile (many more examples).
fuzz: $(STAMP)
	RAILGUARD_HYPOTHESIS_PROFILE=deep $(BIN)/pytest tests/property

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis site site-shots
