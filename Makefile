# Living Lab: run `make help` for the list of targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= reports
ARGS ?=

.DEFAULT_GOAL := help

help:  ## List every target with its description
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-11s\033[0m %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	@touch $@

venv: $(STAMP)  ## Create .venv from requirements.lock (only when the dependency files changed)

reports: $(STAMP)  ## Main job: region reports for the West Java cohort into reports/ (ARGS="--cohort all" for every region)
	$(BIN)/living-lab reports --out $(OUT) $(ARGS)

QUICK := not kernel and not browser and not server and not slow

test: $(STAMP)  ## Full test suite as CI runs it (lint, types, unit, notebooks, runner, browser, JupyterLab)
	$(BIN)/ruff check living_lab tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest $(ARGS)

typecheck: $(STAMP)  ## mypy over living_lab/ (configured in pyproject.toml; part of make test)
	$(BIN)/mypy

# The quick tier runs again and again: keep Python's bytecode (and pytest's rewritten test
# modules) between runs even where the environment turns writing it off (4 s of CPU a run).
# Its arrays are small, so one BLAS thread: a second costs more than it gives, and on a busy
# 2-core machine it spin-waits (test_trends + test_linkage: 49 -> 37 s, 16.3 -> 12.8 s of CPU).
test-quick: $(STAMP)  ## Kernel-free tier for between edits (no kernel/browser/server/slow; 20 examples per property)
	$(BIN)/ruff check living_lab tests benchmarks
	PYTHONDONTWRITEBYTECODE= OPENBLAS_NUM_THREADS=1 LIVING_LAB_EXAMPLES=20 \
	  $(BIN)/python -m pytest -q -m "$(QUICK)" $(ARGS)

lab: $(STAMP)  ## Open JupyterLab on notebooks/ with living_lab installed
	$(BIN)/jupyter lab --notebook-dir=notebooks

bench: $(STAMP)  ## Benchmarks: runner vs naive papermill, scoring and trend speed
	$(BIN)/python -m benchmarks $(ARGS)

data: $(STAMP)  ## Rebuild data/ from ../shared/data
	$(BIN)/living-lab data build

lock:  ## Re-resolve requirements.lock from pyproject.toml in a scratch venv
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install -q --upgrade pip
	.lock-venv/bin/python -m pip install -q -e '.[dev,lab,dask]'
	{ echo '# Pinned full dependency set (Python 3.11). Regenerate with `make lock` after changing pyproject.toml.'; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^living.lab'; } > requirements.lock
	rm -rf .lock-venv

clean:  ## Remove the venv, caches and generated reports
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache .hypothesis build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

.PHONY: help venv reports test test-quick typecheck lab bench data lock clean
