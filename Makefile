# The first use creates .venv with the standard venv + pip and installs railguard[dev].
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck typecheck-extra typecheck-floor verifytypes typing typing-without-plugin pytest docs docs-check bench fuzz conformance clean redis-server load browser-check

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/railguard demo

# The typing cases (tests/typing/*.yml) run with returns' mypy plugin inside `pytest`,
# once more without it, and under pyright (tests/typing/test_pyright_cases.py);
# `typecheck` checks src and the API programs with mypy both ways and pyright strict;
# `verifytypes` scores the public API's type completeness on a regular install (>= 99.5%).
test: lint typecheck pytest typing-without-plugin verifytypes

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --config-file tests/typing/mypy-noplugin.ini
	$(BIN)/pyright -p tests/typing/pyrightconfig.json

# Opt-in: ty and pyrefly over the API programs (docs/typing.md records what remains).
TYPING_PROGRAMS := tests/typing/api.py tests/typing/service.py
typecheck-extra: $(STAMP)
	$(BIN)/python -m pip install --quiet ty pyrefly
	-$(BIN)/ty check --python $(VENV) --output-format concise $(TYPING_PROGRAMS)
	-$(BIN)/pyrefly check --preset strict --python-interpreter-path $(BIN)/python --summary=none $(TYPING_PROGRAMS)

# The oldest supported mypy (pyproject's floor) in a throwaway venv: both configs
# and every typing case. The cases' work dirs go outside the tree: with one inside it,
# mypy 2.2 leaves out a "defined in" note that one case expects.
MYPY_FLOOR := 2.2.0
FLOOR := .venv-mypy-floor
typecheck-floor:
	$(PYTHON) -m venv $(FLOOR)
	$(FLOOR)/bin/python -m pip install --quiet -e '.[dev]' 'mypy==$(MYPY_FLOOR)'
	$(FLOOR)/bin/mypy --cache-dir .mypy_cache/floor
	$(FLOOR)/bin/mypy --cache-dir .mypy_cache/floor-noplugin --config-file tests/typing/mypy-noplugin.ini
	$(FLOOR)/bin/pytest tests/typing -p no:cacheprovider --ignore=tests/typing/test_pyright_cases.py --mypy-testing-base "$$(mktemp -d)"
	$(FLOOR)/bin/pytest tests/typing -p no:cacheprovider --ignore=tests/typing/test_pyright_cases.py --typing-without-plugin --mypy-testing-base "$$(mktemp -d)"

# pyright's type completeness of the public API, on a regular (not editable) install
# with the extras its API shows (pyright finds the package through the `python` on PATH). Prints the
# score and fails below VERIFYTYPES_MIN percent.
VERIFYTYPES_MIN := 99.5
verifytypes: $(STAMP)
	rm -rf .venv-verify && $(PYTHON) -m venv .venv-verify
	.venv-verify/bin/python -m pip install --quiet '.[fastapi,httpx,websockets,retry,metrics,tracing]'
	mkdir -p .mypy_cache
	-cd .venv-verify && PATH="$(CURDIR)/.venv-verify/bin:$$PATH" \
		$(CURDIR)/$(BIN)/pyright --verifytypes railguard --ignoreexternal --outputjson \
		> $(CURDIR)/.mypy_cache/verifytypes.json
	$(BIN)/python -c "import json, sys; \
	r = json.load(open('.mypy_cache/verifytypes.json'))['typeCompleteness']; \
	n = r['exportedSymbolCounts']; score = 100 * r['completenessScore']; \
	print(f'type completeness {score:.1f}% ({n[\"withKnownType\"]} known, {n[\"withAmbiguousType\"]} ambiguous, {n[\"withUnknownType\"]} unknown)'); \
	sys.exit(score < $(VERIFYTYPES_MIN))"

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
	$(BIN)/pytest tests/typing --typing-without-plugin --ignore=tests/typing/test_pyright_cases.py

typing-without-plugin: $(STAMP)
	$(BIN)/pytest tests/typing --typing-without-plugin --ignore=tests/typing/test_pyright_cases.py

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
# The laws with 2,000 examples each, then the hostile-input fuzz for FUZZ_SECONDS
# (fresh seeds every round) and the hostile catalogue's figures per reader.
FUZZ_SECONDS ?= 120
fuzz: $(STAMP)
	RAILGUARD_HYPOTHESIS_PROFILE=deep $(BIN)/pytest tests/property
	RAILGUARD_FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/pytest tests/conformance/test_fuzz.py -s -q -p no:randomly
	$(BIN)/python -m tests.conformance.hostile

# Opt-in: the loopback load test (docs/performance.md, "Load"): a uvicorn subprocess
# under an HTTP flood (httpx) and a WebSocket flood (websockets); every answer checked,
# server memory watched. LOAD_SECONDS per flood (about a minute in all by default);
# LOAD_REQUESTS, LOAD_CONCURRENCY, LOAD_WS_CONNECTIONS, LOAD_WS_MESSAGES, LOAD_MAX_GROWTH_MIB.
load: $(STAMP)
	$(BIN)/python -m tests.load

# Opt-in: headless Chromium as the WebSocket client (tests/browser), installed (quietly)
# when missing, like redis-server; without it the test skips and says why.
browser-check: $(STAMP)
	@command -v $(CHROMIUM) >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
		echo "chromium is missing and could not be installed: the browser check will skip"
	CHROMIUM=$(CHROMIUM) $(BIN)/pytest tests/browser -rs

# Schemathesis over the conformance app, CONFORMANCE_EXAMPLES examples per operation and
# generation mode (the fast suite runs 6); prints operations, requests and failures per style.
CONFORMANCE_EXAMPLES ?= 100
conformance: $(STAMP)
	RAILGUARD_CONFORMANCE_EXAMPLES=$(CONFORMANCE_EXAMPLES) $(BIN)/pytest tests/conformance/test_schemathesis.py -s -q -p no:randomly

clean:
	rm -rf $(VENV) .venv-mypy-floor .venv-verify .mypy_cache .pytest_cache .ruff_cache .hypothesis site site-shots
