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

bench: $(VENV)/.test-deps
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var test-output
