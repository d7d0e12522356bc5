# Two commands on a fresh clone: `make demo` serves the demo Dash app through the local gateway,
# `make test` runs every check. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The runtime modules ship inside users' Lambda zips and are held to full branch coverage.
RUNTIME := src/lambdash/__init__.py,src/lambdash/exceptions.py,src/lambdash/snapstart.py,src/lambdash/_*.py,src/lambdash/_formats/*.py

.PHONY: demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	cd examples/dash_app && ../../$(BIN)/lambdash serve $(DEMO_ARGS)

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff format --check src tests examples benchmarks
	$(BIN)/ruff check src tests examples benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest
	$(BIN)/coverage combine --quiet
	$(BIN)/coverage report --include='$(RUNTIME)' --fail-under=100
	$(BIN)/coverage report --fail-under=95

# Performance against the peer adapters, measured in one run: a Markdown table on stdout.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/adapters.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/instructions.py
	$(BIN)/python benchmarks/checks.py
	$(BIN)/python benchmarks/imports.py
	$(BIN)/python benchmarks/gateway.py
	$(BIN)/python benchmarks/coldstart.py --sources-drop
	$(BIN)/python benchmarks/coldstart.py --pandas --sources-drop

clean:
	rm -rf $(VENV) .coverage .coverage.* .mypy_cache .ruff_cache .pytest_cache .hypothesis
