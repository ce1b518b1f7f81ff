# Two commands for a new user: `make serve` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: serve test validate bench clean

$(BIN)/course: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(BIN)/course

$(VENV)/.test-deps: $(BIN)/course
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## serve: install, validate the content, prepare the SQLite store and serve on :8866
serve: $(BIN)/course
	$(BIN)/course serve

## test: install what the tests need (a browser, PostgreSQL when possible) and run every test
test: $(VENV)/.test-deps
	bash tests/run.sh

validate: $(BIN)/course
	$(BIN)/course validate

## bench: every benchmark in bench/ (bench/all.py), then one summary table (~30 min on 2 cores);
## quicker: make bench BENCH_ARGS=--quick (~5 min), or BENCH_ARGS="--only store,export"
BENCH_ARGS ?=
bench: $(VENV)/.test-deps
	$(BIN)/python bench/all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var test-output
