# The few commands a newcomer needs. `make run` and `make test` set everything up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
SAM_VENV := .venv-sam
PY := $(VENV)/bin/python
SAM := $(SAM_VENV)/bin/sam
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0

.PHONY: setup test test-domain test-fast lint typecheck openapi openapi-check validate build run bench clean

$(VENV)/.installed: requirements/dev.txt layers/hoa_billing/requirements.txt layers/stripe_sdk/requirements.txt \
		layers/letters_sdk/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.8
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements/dev.txt
	touch $@

$(SAM_VENV)/.installed: requirements/sam.txt
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.8
	$(SAM_VENV)/bin/uv pip install --quiet --python $(SAM_VENV)/bin/python -r requirements/sam.txt
	touch $@

setup: $(VENV)/.installed  ## create the virtual environment and install pinned dependencies

test: test-domain  ## the whole test suite: the domain suite first, then unit, integration against moto, end to end
	$(PY) -m pytest -n 2 --dist loadfile --ignore=tests/domain

test-domain: setup  ## the help article and invariants against in-memory fakes, with moto and boto3 unimportable
	HOA_DOMAIN_ONLY=1 $(PY) -m pytest tests/domain -q -p no:cacheprovider

test-fast: setup  ## stop at the first failure, no parallelism
	$(PY) -m pytest -x -q

lint: setup  ## ruff and the template linter
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/cfn-lint template.yaml

run: setup  ## the whole system on this machine: embedded AWS, HTTP API, consumers, demo data
	PYTHONPATH=local $(PY) -m hoa_local run $(RUN_ARGS)

openapi: setup  ## regenerate docs/openapi.json from the handlers
	PYTHONPATH=layers/hoa_billing:functions:local $(PY) scripts/openapi.py

openapi-check: setup  ## fail if docs/openapi.json is stale or routes differ from template.yaml
	PYTHONPATH=layers/hoa_billing:functions:local $(PY) scripts/openapi.py --check

typecheck: setup
	$(VENV)/bin/mypy layers/hoa_billing/hoa_billing local/hoa_local scripts/openapi.py scripts/openapi_contract.py

validate: $(SAM_VENV)/.installed  ## sam validate --lint
	$(SAM) validate --lint

build: $(SAM_VENV)/.installed  ## sam build, no Docker needed (makefile builds, arm64 wheels)
	$(SAM) build

bench: setup  ## Publish All as AWS would charge it, and the model of AWS (make bench N=2000 BENCH_ARGS="--ses-rate 14")
	$(PY) bench/bulk_publish.py --drafts $(or $(N),10000) $(BENCH_ARGS)

clean:
	rm -rf .aws-sam .pytest_cache .ruff_cache .mypy_cache .local
