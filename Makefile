# Two entry points (see README.md): `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000
SOURCES ?= seeds

.PHONY: run test install browser index reindex serve dev bench bench-load clean

$(STAMP): pyproject.toml setup.py search/analysis/_speedups.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Index SOURCES only if they (or the indexing code) changed since the live build
index: $(STAMP)
	$(BIN)/indexer reindex --if-changed $(SOURCES)

## Rebuild the index from SOURCES unconditionally
reindex: $(STAMP)
	$(BIN)/indexer reindex $(SOURCES)

## Serve the existing index with gunicorn (web/gunicorn_conf.py; workers, threads, timeouts from the environment)
serve: $(STAMP)
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn -c python:web.gunicorn_conf

## Flask's development server (reloads on code changes; not for production)
dev: $(STAMP)
	$(BIN)/flask --app app run --debug --host $(HOST) --port $(PORT)

## Set up, index seeds/ into var/index (reused when unchanged) and serve http://127.0.0.1:5000
run: index serve

## Headless Chromium for the browser tests (Debian's package; skipped with a message if impossible)
browser:
	@bash scripts/install-browser.sh

## Set up and run the whole test suite
test: $(STAMP) browser
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/bench_index_search.py

## Load benchmark: Flask's dev server vs gunicorn over SaudiNewsNet (bench/README.md)
bench-load: $(STAMP)
	$(BIN)/python bench/bench_load.py

clean:
	rm -rf var $(VENV)
