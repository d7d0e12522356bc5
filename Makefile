# Two commands on a fresh clone: `make demo` serves the demo Dash app through the local gateway,
# `make test` runs every check. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_STAMP := $(VENV)/.demo-stamp
# The runtime modules ship inside users' Lambda zips and are held to full branch coverage.
RUNTIME := src/lambdash/__init__.py,src/lambdash/exceptions.py,src/lambdash/snapstart.py,src/lambdash/_*.py,src/lambdash/_formats/*.py

.PHONY: demo test system-packages lint typecheck unit bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3

# The tests: the project with its pinned test dependencies.
$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The demo: lambdash serve and what the demo app itself requires, nothing of the tests'.
$(DEMO_STAMP): pyproject.toml examples/dash_app/requirements.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[cli]' $$(grep -v '^lambdash$$' examples/dash_app/requirements.txt)
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	cd examples/dash_app && ../../$(BIN)/lambdash serve $(DEMO_ARGS)

# Every test runs: the browser and strip tests fail instead of skipping when their tools are
# missing, and scripts/system-packages installs those tools first, or says what to install.
test: system-packages lint typecheck unit

system-packages:
	scripts/system-packages

lint: $(STAMP)
	$(BIN)/ruff format --check src tests examples benchmarks
	$(BIN)/ruff check src tests examples benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/coverage erase
	LAMBDASH_REQUIRE_BROWSER=1 LAMBDASH_REQUIRE_BINUTILS=1 $(BIN)/coverage run -m pytest
	$(BIN)/coverage combine --quiet
	$(BIN)/coverage report --include='$(RUNTIME)' --fail-under=100
	$(BIN)/coverage report --fail-under=95

# Performance against the peer adapters, measured in one run: a Markdown table on stdout.
# The peers go into a venv of their own: with aws-wsgi in .venv, the user story's handler imports.
BENCH_BIN := .venv-bench/bin
$(BENCH_BIN)/.installed-stamp: pyproject.toml benchmarks/requirements.txt
	$(PYTHON) -m venv .venv-bench
	$(BENCH_BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BENCH_BIN)/python -m pip install --quiet -e '.[test]' -r benchmarks/requirements.txt
	touch $@

bench: $(BENCH_BIN)/.installed-stamp
	$(BENCH_BIN)/python benchmarks/adapters.py $(BENCH_ARGS)
	$(BENCH_BIN)/python benchmarks/instructions.py
	$(BENCH_BIN)/python benchmarks/checks.py
	$(BENCH_BIN)/python benchmarks/imports.py
	$(BENCH_BIN)/python benchmarks/gateway.py
	$(BENCH_BIN)/python benchmarks/coldstart.py --sources-drop
	$(BENCH_BIN)/python benchmarks/coldstart.py --pandas --sources-drop

clean:
	rm -rf $(VENV) .venv-bench .coverage .coverage.* .mypy_cache .ruff_cache .pytest_cache .hypothesis
