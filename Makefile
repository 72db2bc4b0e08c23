# Two commands do everything from a fresh clone:
#   make run   — create .venv, install the pinned requirements, start the app
#   make test  — the same plus test tools and Chromium, then the whole suite
#   make run-class — one app process per core behind nginx, for a whole class
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
PYTEST_ARGS ?=

.PHONY: run run-class test lint bench bench-load bench-report chromium nginx clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(VENV)/bin/streamlit run app.py --server.port $(PORT)

run-class: $(VENV)/.runtime
	$(PY) deploy/classroom.py

chromium:
	@bash scripts/ensure_chromium.sh

nginx:
	@bash scripts/ensure_nginx.sh

test: $(VENV)/.dev chromium nginx
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.dev chromium
	$(PY) bench/startup.py
	$(PY) bench/convolution.py
	$(PY) bench/architecture.py
	$(PY) bench/training.py
	$(PY) bench/denoising.py
	$(PY) bench/classify.py
	$(PY) bench/playground.py
	$(PY) bench/optimizers.py
	$(PY) bench/overfitting.py
	$(PY) bench/recurrent.py

bench-load: $(VENV)/.dev
	$(PY) bench/load.py --classes 2

bench-report: $(VENV)/.dev chromium
	$(PY) bench/report.py

clean:
	rm -rf $(VENV) artifacts .pytest_cache .hypothesis .ruff_cache
