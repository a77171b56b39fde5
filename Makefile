# Two commands: `make run` (embedded default) and `make test` (real services).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

# The test run talks to the real services on this machine's standard ports.
TEST_ENV := DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/marketplace} \
	REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/14} \
	CELERY_BROKER_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/14} \
	DEBUG=1 SECRET_KEY=test-only

.PHONY: run test venv dev services lint check bench bench-payments bench-ledger

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.runtime
dev: $(VENV)/.dev

run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

services:
	bash scripts/ensure_test_services.sh

test: dev services
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

lint: dev
	$(VENV)/bin/ruff check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

check: lint test

# Payments end to end: Stripe emulator, real Celery workers, injected gateway faults; a dedicated
# PostgreSQL database (dropped and recreated) and Redis database (flushed). COUNT=1000 WORKERS=4.
bench-payments: dev services
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/marketplace_bench} \
	REDIS_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/13} \
	CELERY_BROKER_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/13} \
	DEBUG=0 SECRET_KEY=bench-only LOG_LEVEL=WARNING \
	$(PY) manage.py bench_payments --count $(or $(COUNT),1000) --workers $(or $(WORKERS),4)

# Balance reads at a million ledger entries, in a dedicated database (dropped and refilled).
bench-ledger: dev services
	dropdb --if-exists -h 127.0.0.1 -U postgres marketplace_bench_ledger
	createdb -h 127.0.0.1 -U postgres marketplace_bench_ledger
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/marketplace_bench_ledger DEBUG=0 SECRET_KEY=bench-only \
	$(PY) manage.py migrate --noinput -v0
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/marketplace_bench_ledger DEBUG=0 SECRET_KEY=bench-only \
	$(PY) manage.py bench_ledger --entries $(or $(ENTRIES),1000000) --funds $(or $(FUNDS),200)

