# Two commands for a new user: `make serve` and `make test`. Everything else is set up by them.
# What each one does to the machine is written in the README ("What the two commands do").
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# pip's own progress bar for each download; "Collecting ..." lines show where it is
PIP    := $(BIN)/python -m pip install --progress-bar on --disable-pip-version-check

.PHONY: serve test validate bench clean

$(BIN)/course: pyproject.toml
	@echo "==> [1/2] Creating the virtual environment $(VENV)/ (a few seconds)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> [2/2] Installing the course and what it needs into $(VENV)/ (~100 packages,"
	@echo "    ~650 MB; about a minute from pip's cache, a few minutes from the network)"
	$(PIP) -e .
	@echo "==> Installed into $(VENV)/ ($$(du -sh $(VENV) | cut -f1))"
	touch $(BIN)/course

$(VENV)/.test-deps: $(BIN)/course
	@echo "==> Installing the test tools into $(VENV)/ (pytest, Playwright, JupyterHub, ruff ...)"
	$(PIP) --quiet -e '.[test]'
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
