# Two commands: `make serve` (install, migrate, demo key, serve on SQLite) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: install serve test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py ensure_demo_key --port $(PORT)
	$(BIN)/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT)

# In parallel, one worker per core (addopts in pyproject.toml); `make test ARGS="-n 0"` for one process.
test: install
	$(BIN)/pytest $(ARGS)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

# Load test (wrk, 16 connections) of gunicorn as production runs it; see bench/load.py.
bench: install
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) staticfiles .ruff_cache
