# The first use creates .venv with the standard venv + pip and installs railguard[dev].
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck typecheck-extra typecheck-floor verifytypes typing typing-without-plugin pytest docs bench fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/railguard demo

# The typing cases (tests/typing/*.yml) run with returns' mypy plugin inside `pytest`,
# once more without it, and under pyright (tests/typing/test_pyright_cases.py);
# `typecheck` checks src and the API programs with mypy both ways and pyright strict.
test: lint typecheck pytest typing-without-plugin

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
# with every extra (pyright finds the package through the `python` on PATH). Prints the
# score and fails below VERIFYTYPES_MIN percent.
VERIFYTYPES_MIN := 98
verifytypes: $(STAMP)
	rm -rf .venv-verify && $(PYTHON) -m venv .venv-verify
	.venv-verify/bin/python -m pip install --quiet '.[fastapi,httpx,websockets,retry]'
	mkdir -p .mypy_cache
	-cd .venv-verify && PATH="$(CURDIR)/.venv-verify/bin:$$PATH" \
		$(CURDIR)/$(BIN)/pyright --verifytypes railguard --ignoreexternal --outputjson \
		> $(CURDIR)/.mypy_cache/verifytypes.json
	$(BIN)/python -c "import json, sys; \
	r = json.load(open('.mypy_cache/verifytypes.json'))['typeCompleteness']; \
	n = r['exportedSymbolCounts']; score = 100 * r['completenessScore']; \
	print(f'type completeness {score:.1f}% ({n[\"withKnownType\"]} known, {n[\"withAmbiguousType\"]} ambiguous, {n[\"withUnknownType\"]} unknown)'); \
	sys.exit(score < $(VERIFYTYPES_MIN))"

pytest: $(STAMP)
	$(BIN)/pytest

# Only the typing cases, both ways.
typing: $(STAMP)
	$(BIN)/pytest tests/typing
	$(BIN)/pytest tests/typing --typing-without-plugin --ignore=tests/typing/test_pyright_cases.py

typing-without-plugin: $(STAMP)
	$(BIN)/pytest tests/typing --typing-without-plugin --ignore=tests/typing/test_pyright_cases.py

docs: $(STAMP)
	$(BIN)/mkdocs build --strict

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Deeper property runs: hypothesis' "deep" profile (many more examples).
fuzz: $(STAMP)
	RAILGUARD_HYPOTHESIS_PROFILE=deep $(BIN)/pytest tests/property

clean:
	rm -rf $(VENV) .venv-mypy-floor .venv-verify .mypy_cache .pytest_cache .ruff_cache .hypothesis site
