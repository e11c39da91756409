# OpenConnector for AWS Lambda. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON312 := $(shell sh scripts/find-python.sh)
VENV := .venv
SAM_VENV := .venv-sam
PY := $(VENV)/bin/python
SAM := $(SAM_VENV)/bin/sam
export AWS_DEFAULT_REGION ?= eu-west-1
export SAM_CLI_TELEMETRY := 0

.PHONY: help install run test lint typecheck unit template-check build validate deploy bench clean browser lock

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(PY):
	@test -n "$(PYTHON312)" || { echo "Python 3.12 is required (python3.12 or pyenv's 3.12)"; exit 1; }
	$(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(SAM): ## The SAM CLI lives in its own virtualenv: it pins boto3, click and pydantic
	$(PYTHON312) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/pip install --quiet 'aws-sam-cli>=1.140'

install: $(VENV)/.installed ## Create the virtualenv and install the project with its dev tools

run: install ## Start the whole stack locally on http://127.0.0.1:3000 (OPENCONNECTOR_PORT), no Docker
	$(VENV)/bin/openconnector serve --exit-with-parent

lint: install ## ruff (lint and format check)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install ## mypy --strict (configured in pyproject.toml)
	$(VENV)/bin/mypy

validate: install $(SAM) ## cfn-lint and sam validate --lint on template.yaml
	$(VENV)/bin/cfn-lint template.yaml
	$(SAM) validate --lint --template template.yaml --region $(AWS_DEFAULT_REGION)

build: install $(SAM) ## sam build, then precompile bytecode into the build output
	PATH="$(abspath $(VENV))/bin:$$PATH" $(SAM) build --template template.yaml
	$(PY) -m compileall -q -j 0 .aws-sam/build

test: lint typecheck validate build browser ## Everything CI runs: lint, types, template checks, sam build, the full test suite
	$(VENV)/bin/pytest

browser: ## Install Chromium for the docs-page test where possible (root + apt); never fails the build
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Chromium for the docs-page browser test"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
			|| echo "Could not install Chromium: the browser test will be skipped"; \
	else echo "No Chromium (and not root with apt-get): the docs-page browser test will be skipped"; fi

lock: install ## Recompile the CoreLayer lock (layers/core/requirements.txt) from layers/core/requirements.in
	$(VENV)/bin/uv pip compile layers/core/requirements.in --output-file layers/core/requirements.txt \
		--python-version 3.12 --python-platform x86_64-manylinux_2_28 --generate-hashes --quiet \
		--no-emit-package boto3 --no-emit-package botocore --no-emit-package s3transfer \
		--no-emit-package jmespath --custom-compile-command "make lock"

unit: install ## The fast tests only (unit and conformance)
	$(VENV)/bin/pytest tests/unit tests/conformance

deploy: install ## sam deploy (CONFIG_ENV=dev|prod; set JwtIssuer/JwtAudience in samconfig.toml first)
	$(PY) scripts/check_deploy_config.py $${CONFIG_ENV:-dev}
	$(MAKE) build
	$(SAM) deploy --config-env $${CONFIG_ENV:-dev}

bench: build ## Run the benchmarks (they print ratios against a baseline; docs/benchmarks.md)
	$(PY) benchmarks/cold_start.py
	$(PY) benchmarks/mapping.py
	$(PY) benchmarks/templates.py
	$(PY) benchmarks/calls.py
	$(PY) benchmarks/gateway.py
	$(PY) benchmarks/objects.py
	$(PY) benchmarks/sync.py
	$(PY) benchmarks/jobs_events.py

clean: ## Remove virtualenvs, build output and local state
	rm -rf $(VENV) $(SAM_VENV) .venv-dlt .aws-sam .openconnector .mypy_cache .ruff_cache .pytest_cache
