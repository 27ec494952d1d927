# The verbs a developer uses. Every target installs what is missing first (fast when done).
SHELL := /bin/bash
PY := .venv/bin/python
export PYTHONPATH := $(CURDIR)

.PHONY: help install up down status run demo bench test test-unit lint format clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: ## Install Debian packages, the Python venv and Prism (skipped when done)
	@scripts/provision.sh

up: install ## Start the stack in the background and wait until every part answers (RABBIT_CLUSTER_SIZE=3: RabbitMQ as 3 nodes)
	@$(PY) -m devstack up

down: ## Stop everything `make up` started (by pid)
	@$(PY) -m devstack down

status: ## Show which parts of the stack are up
	@$(PY) -m devstack status

run: install ## Start the stack and the services in the foreground; Ctrl-C stops it
	@$(PY) -m devstack run

demo: install ## Drive orders through the running stack (make up or make run first)
	@$(PY) -m simulator $(DEMO_ARGS)

bench: install ## Benchmarks against the running stack (make up first), then the 10-min soak with faults
	@$(PY) -m bench $(BENCH_ARGS)
	@$(PY) -m bench soak $(SOAK_ARGS)

test: install ## Run the whole test suite (starts the servers it needs, stops them after)
	@$(PY) -m pytest -q $(PYTEST_ARGS)

test-unit: install ## Unit tests only (no servers)
	@$(PY) -m pytest -q tests/unit $(PYTEST_ARGS)

lint: install ## ruff check and format check
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .

format: install ## ruff fix and format
	@.venv/bin/ruff check --fix . && .venv/bin/ruff format .

clean: down ## Stop the stack and delete its state and logs
	@rm -rf .state
