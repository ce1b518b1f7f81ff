# Two commands for a new user: `make serve` and `make test`. Everything else is set up by them.
# What each one does to the machine is written in the README ("What the two commands do").
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# pip's own output shows where it is ("Collecting ...", a bar per download). --no-compile:
# byte-compiling every installed file took ~40% of the install (measured); Python compiles
# what the course really imports the first time it imports it instead.
PIP    := $(BIN)/python -m pip install --progress-bar on --disable-pip-version-check --no-compile

.PHONY: serve test lab validate bench clean

$(BIN)/course: pyproject.toml
	@echo "==> [1/2] Creating the virtual environment $(VENV)/ (a few seconds)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> [2/2] Installing the course and what it needs into $(VENV)/ (about 110 packages,"
	@echo "    540 MB: a minute or more from pip's cache, several from the network)"
	$(PIP) -e .
	@echo "==> Installed. Starting the course (it checks the content and the database first)."
	touch $(BIN)/course

$(VENV)/.test-deps: $(BIN)/course
	@echo "==> Installing the test tools into $(VENV)/ (pytest, Playwright, JupyterHub, ruff ...)"
	$(PIP) -e '.[test]'
	touch $@

## serve: install, validate the content, prepare the SQLite store and serve on :8866
serve: $(BIN)/course
	$(BIN)/course serve

## test: install what the tests need (a browser, PostgreSQL when possible) and run every test
test: $(VENV)/.test-deps
	bash tests/run.sh

## lab: JupyterLab in the same .venv (the `lab` extra), for authors and the research notebook
lab: $(BIN)/course
	@echo "==> Installing JupyterLab into $(VENV)/ (the lab extra)"
	$(PIP) --quiet -e '.[lab]'
	$(BIN)/jupyter lab

validate: $(BIN)/course
	$(BIN)/course validate

## bench: every benchmark in bench/ (bench/all.py), then one summary table (~30 min on 2 cores);
## quicker: make bench BENCH_ARGS=--quick (~5 min), or BENCH_ARGS="--only store,export"
BENCH_ARGS ?=
bench: $(VENV)/.test-deps
	$(BIN)/python bench/all.py $(BENCH_ARGS)

clean:
	bash tests/stop-postgres.sh
	rm -rf $(VENV) var test-output
