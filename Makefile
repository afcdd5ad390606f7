# recsys-lab — two commands: `make lab` (set up + open JupyterLab) and `make test`.
# Both create/reuse .venv and are safe to run again.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# recmetrics 0.1.5 pins pandas<2, ipython<8, seaborn<0.12, plotly<5; its own code runs
# on the modern stack, so it goes in without its pins (what it imports is in [peers]).
RECMETRICS := recmetrics==0.1.5

.PHONY: setup lab test lint format notebooks clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
	  || { echo "recsys-lab needs Python 3.10 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps '$(RECMETRICS)'
	touch $(STAMP)

lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/pytest tests recsys_lab --doctest-modules
	$(BIN)/pytest --nbval-lax --nbval-current-env notebooks/

notebooks: setup
	$(BIN)/python tools/run_notebooks.py notebooks/*.ipynb

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache .hypothesis
