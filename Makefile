# Two entry points (see README.md): `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000
SOURCES ?= seeds

.PHONY: run test install browser reindex serve bench clean

$(STAMP): pyproject.toml setup.py search/analysis/_speedups.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

reindex: $(STAMP)
	$(BIN)/indexer reindex $(SOURCES)

serve: $(STAMP)
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

## Set up, index seeds/ into var/index and serve http://127.0.0.1:5000
run: reindex serve

## Headless Chromium for the browser tests (Debian's package; skipped with a message if impossible)
browser:
	@bash scripts/install-browser.sh

## Set up and run the whole test suite
test: $(STAMP) browser
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/bench_index_search.py

clean:
	rm -rf var $(VENV)
