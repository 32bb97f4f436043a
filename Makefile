# One task runner. Every target creates the virtual environment it needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test build extract evaluate bench screenshots clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

run: $(VENV)/.installed
	$(PY) -m streamlit run dashboard.py

test: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m pytest -q

build: $(VENV)/.installed
	$(PY) -m etl build

evaluate: $(VENV)/.installed
	$(PY) -m etl evaluate

bench: $(VENV)/.installed
	$(PY) bench/run_all.py

screenshots: $(VENV)/.installed
	$(PY) docs/take_screenshots.py

clean:
	rm -rf $(VENV) data/warehouse.duckdb data/warehouse.duckdb.tmp
