# recsys-lab — two commands: `make lab` (set up + open JupyterLab) and `make test`.
# Both create/reuse .venv and are safe to run again.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# recmetrics 0.1.5 pins pandas<2, ipython<8, seaborn<0.12, plotly<5; its own code runs
# on the modern stack, so it goes in without its pins (what it imports is in [peers]).
# RecBole 1.2.1 carries MovieLens-100k; only its data files are read (never its code,
# which needs torch), so it too goes in without its dependencies.
NO_DEPS := recmetrics==0.1.5 recbole==1.2.1
# Tested versions of everything: installs never pick up a release made this morning.
# Refresh with `make lock` (then run `make test` and commit constraints.txt).
LOCK := constraints.txt

.PHONY: setup lab test lint format notebooks site wheelhouse test-browser test-offline lock clean benchmarks

setup: $(STAMP)

# OFFLINE=1 installs from wheelhouse/ (made by `make wheelhouse`) with the index disabled.
PIP_SOURCE := $(if $(OFFLINE),--no-index --find-links wheelhouse,)

$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
	  || { echo "recsys-lab needs Python 3.10 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	@if [ -n "$(OFFLINE)" ] && [ ! -d wheelhouse ]; then \
	  echo "OFFLINE=1 needs wheelhouse/: run 'make wheelhouse' on a machine with network."; exit 1; fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(if $(OFFLINE),,$(BIN)/python -m pip install --quiet --upgrade pip)
	$(BIN)/python -m pip install --quiet $(PIP_SOURCE) -c $(LOCK) -e '.[dev]'
	$(BIN)/python -m pip install --quiet $(PIP_SOURCE) -c $(LOCK) --no-deps $(NO_DEPS_HERE)
	touch $(STAMP)

lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/pytest
	$(BIN)/pytest --nbval-lax --nbval-current-env notebooks/
	@if [ -x /usr/bin/chromium ]; then $(MAKE) --no-print-directory test-browser; \
	  else echo "Skipping the browser test: no /usr/bin/chromium (apt-get install chromium)."; fi

notebooks: setup
	$(BIN)/python tools/run_notebooks.py notebooks/*.ipynb

# Speed against the peers, offline (never in CI): every script in benchmarks/ writes its CSV
# to benchmarks/results/, then the README's tables are rebuilt from those CSVs.
benchmarks: setup
	@for script in benchmarks/*.py; do \
	  [ "$$script" = benchmarks/harness.py ] && continue; \
	  echo "== $$script"; PYTHONPATH=. $(BIN)/python $$script || exit 1; done
	$(BIN)/python tools/benchmark_tables.py

# A static HTML site of the executed notebooks, readable without a kernel.
site: setup
	$(BIN)/python tools/make_site.py notebooks build/site

# Every wheel the project needs, for rooms without network: then `make lab OFFLINE=1`.
# NO_MOVIELENS=1 leaves out the RecBole wheel, i.e. the MovieLens copy (see data/README.md:
# handing MovieLens to others needs GroupLens's permission).
NO_DEPS_HERE = $(if $(NO_MOVIELENS),$(filter-out recbole%,$(NO_DEPS)),$(NO_DEPS))
wheelhouse: setup
	$(BIN)/python -m pip download --quiet -c $(LOCK) -d wheelhouse '.[dev,browser]' pip 'setuptools>=77' wheel
	$(BIN)/python -m pip download --quiet -c $(LOCK) -d wheelhouse --no-deps $(NO_DEPS_HERE)

# Install from the wheelhouse into a scratch venv with the package index disabled.
test-offline: wheelhouse
	rm -rf build/offline-venv && $(PYTHON) -m venv build/offline-venv
	build/offline-venv/bin/python -m pip install --quiet --no-index --find-links wheelhouse -c $(LOCK) -e '.[dev]'
	build/offline-venv/bin/python -m pip install --quiet --no-index --find-links wheelhouse -c $(LOCK) --no-deps $(NO_DEPS)
	build/offline-venv/bin/python -c "import recsys_lab, recmetrics, surprise, jupyterlab; print('offline install OK')"

# Run notebooks 01 and 03 in a real JupyterLab in headless Chromium (needs /usr/bin/chromium).
test-browser: setup
	$(BIN)/python -m pip install --quiet $(PIP_SOURCE) -c $(LOCK) -e '.[browser]'
	$(BIN)/python tools/browser_check.py

# Re-resolve every dependency to its newest release, in a scratch venv, into constraints.txt.
lock:
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install --quiet --upgrade pip
	build/lock-venv/bin/python -m pip install --quiet -e '.[dev,browser]'
	build/lock-venv/bin/python -m pip install --quiet --no-deps $(NO_DEPS)
	{ echo "# Tested versions; made by 'make lock' on $$(date -u +%F) with $$($(PYTHON) --version)."; \
	  build/lock-venv/bin/python -m pip freeze --exclude-editable | grep -iv '^recsys-lab'; } > $(LOCK)

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache .hypothesis
