# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# pip on some machines warns about every unreachable extra index; keep real errors, drop that noise
QUIET_PIP := 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
VENV := .venv
STAMP := $(VENV)/.installed
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: demo test lint venv clean-demo

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade "pip>=24" $(QUIET_PIP)
	$(VENV)/bin/python -m pip install --quiet -c constraints.txt -e ".[dev]" $(QUIET_PIP)
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/ctcurate demo

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check curation flows tests benchmarks
	$(VENV)/bin/ruff format --check curation flows tests benchmarks

clean-demo:
	rm -rf warehouse/local
