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

.PHONY: run test test-fast venv dev lock services lint check bench bench-data bench-web bench-web-serve bench-web-stop profile-page bench-payments bench-ledger search-eval bench-search

# `make run` is the development server: DEBUG is on there (the settings default to off).
# The demo's staff sign in without a second factor (STAFF_MFA_REQUIRED=0; `check --deploy` warns).
RUN_ENV := DEBUG=$${DEBUG:-1} STAFF_MFA_REQUIRED=$${STAFF_MFA_REQUIRED:-0}

# Installs come from the locks: every package, direct or not, pinned with its hashes, which
# pip checks (--require-hashes). requirements*.txt name the direct dependencies (README
# "Dependencies" says why each is there); `make lock` makes the locks from them.
$(VENV)/.runtime: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev: requirements-dev.lock $(VENV)/.runtime
	$(PIP) install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $@

# After changing requirements*.txt. The dev lock is held to the runtime lock's versions.
LOCK := $(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11
lock: dev
	$(LOCK) requirements.txt -o requirements.lock
	$(LOCK) requirements-dev.txt -c requirements.lock -o requirements-dev.lock

venv: $(VENV)/.runtime
dev: $(VENV)/.dev

run: venv
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo
	$(RUN_ENV) $(PY) manage.py search_reindex --if-empty
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:8000

services:
	bash scripts/ensure_test_services.sh

# Two workers (pytest-xdist), a whole file each at a time so module fixtures are built once, in
# the order tests/conftest.py gives the files (the long ones first);
# TEST_WORKERS=0 runs in one process (tests/support/parallel.py keeps the workers apart).
TEST_WORKERS ?= 2
test: lint services
	$(TEST_ENV) $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# The tests that need no database, search or payment server: seconds, for the edit-test loop.
test-fast: dev
	$(TEST_ENV) $(PY) -m pytest -m "not django_db and not browser" -p no:cacheprovider $(PYTEST_ARGS)

# Static checks, all run by `make test`: style, Django's checks, migrations in step with the
# models, the dependency direction (import-linter contracts in pyproject.toml), types of the
# bottom layer, of payments, and of the services and permission checks (mypy with django-stubs).
lint: dev
	$(VENV)/bin/ruff check .
	DEBUG=1 $(PY) manage.py check
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports
	DEBUG=1 $(VENV)/bin/mypy core payments search/services.py marketplace/*/permissions.py \
		marketplace/challenges/services marketplace/organisations/services marketplace/proposals/services \
		marketplace/review/services marketplace/awards/services marketplace/finance/services.py

check: test

# Payments end to end: Stripe emulator, real Celery workers, injected gateway faults; a dedicated
# PostgreSQL database (dropped and recreated) and Redis database (flushed). COUNT=1000 WORKERS=4,
# of which WEBHOOK_WORKERS=1 consume only the webhooks queue (0: every worker consumes every queue).
# Production settings, but plain HTTP on the loopback (no redirect to HTTPS).
bench-payments: dev services
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/marketplace_bench} \
	REDIS_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/13} \
	CELERY_BROKER_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/13} \
	DEBUG=0 SECRET_KEY=bench-only LOG_LEVEL=WARNING SECURE_SSL_REDIRECT=0 \
	$(PY) manage.py bench_payments --count $(or $(COUNT),1000) --workers $(or $(WORKERS),4) \
	  --webhook-workers $(or $(WEBHOOK_WORKERS),1)

# A benchmark's environment on its own database: $(call bench-env,DATABASE_NAME).
bench-env = DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(1) DEBUG=0 SECRET_KEY=bench-only

# Drops, recreates and migrates a dedicated database: $(call fresh-db,DATABASE_NAME,ENVIRONMENT).
define fresh-db
	dropdb --if-exists -h 127.0.0.1 -U postgres $(1)
	createdb -h 127.0.0.1 -U postgres $(1)
	$(2) $(PY) manage.py migrate --noinput -v0
endef

# The benchmark database at full size (10,000 challenges, 20,000 organisations, 100,000 proposals,
# 5,000 awards, 1,000,000 ledger entries), copied from the demo in SQL; reused when the sizes match.
BENCH_DATA_DB ?= marketplace_bench_data
bench-data: dev services
	createdb -h 127.0.0.1 -U postgres $(BENCH_DATA_DB) 2>/dev/null || true
	$(call bench-env,$(BENCH_DATA_DB)) STAFF_MFA_REQUIRED=0 $(PY) manage.py migrate --noinput -v0
	$(call bench-env,$(BENCH_DATA_DB)) STAFF_MFA_REQUIRED=0 $(PY) manage.py bench_data

# The public pages under wrk (Debian package) as production serves them (gunicorn, DEBUG=0) on
# bench-data's database, next to a bare Django view (127.0.0.1:8300 and :8301). bench-web-serve
# leaves both servers running for other tools; bench-web-stop stops them.
bench-web: bench-data
	@command -v wrk >/dev/null || apt-get install -y wrk
	$(call bench-env,$(BENCH_DATA_DB)) $(BENCH_WEB_ENV) $(PY) manage.py bench_web
bench-web-serve: bench-data
	$(call bench-env,$(BENCH_DATA_DB)) $(BENCH_WEB_ENV) $(PY) manage.py bench_web --serve
bench-web-stop:
	$(PY) manage.py bench_web --stop
# One page on bench_data's database: its queries, the plans of the three slowest, a pyinstrument
# profile. PAGE=/challenges/
profile-page: bench-data
	$(call bench-env,$(BENCH_DATA_DB)) $(BENCH_WEB_ENV) ALLOWED_HOSTS=testserver LOG_LEVEL=WARNING \
	$(PY) manage.py profile_page "$(or $(PAGE),/)" --explain 3 --profile
BENCH_WEB_ENV = REDIS_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/11} SECURE_SSL_REDIRECT=0 STAFF_MFA_REQUIRED=0

# Balance reads at a million ledger entries, in a dedicated database (dropped and refilled).
bench-ledger: dev services
	$(call fresh-db,marketplace_bench_ledger,$(call bench-env,marketplace_bench_ledger))
	$(call bench-env,marketplace_bench_ledger) \
	$(PY) manage.py bench_ledger --entries $(or $(ENTRIES),1000000) --funds $(or $(FUNDS),200)

# Search at scale: DOCS synthetic documents (default 100000) bulk-loaded into Elasticsearch (the
# test server, started by the command) and into the PostgreSQL fallback copy, in a dedicated
# database (dropped and recreated); prints index_rate and p50/p95 of a fixed faceted query mix.
bench-search: dev services
	$(call fresh-db,marketplace_bench_search,$(call bench-env,marketplace_bench_search))
	$(call bench-env,marketplace_bench_search) ELASTICSEARCH_URL= LOG_LEVEL=WARNING \
	$(PY) manage.py bench_search --docs $(or $(DOCS),100000) --engine both --start-elasticsearch

# Search quality (nDCG@10, MRR) for the database engine and for Elasticsearch (the test server,
# started here), on two sets: tuned-on (devtools/data/judgments.json over the demo data, which
# the synonyms and thresholds were tuned on) and held-out (devtools/data/judgments_heldout.json
# over the evaluation corpus, devtools/eval_corpus.py: the measurement). A dedicated database
# (dropped and reseeded: statuses are relative to the seeding day; SEARCH_EVAL_DB names another).
# VERBOSE=1 lists each query.
SEARCH_EVAL_DB ?= marketplace_search_eval
SEARCH_EVAL_ENV := DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(SEARCH_EVAL_DB) \
	DEBUG=0 SECRET_KEY=search-eval-only LOG_LEVEL=WARNING REDIS_URL= CELERY_BROKER_URL= \
	CELERY_TASK_ALWAYS_EAGER=1 ELASTICSEARCH_URL= SEARCH_INDEX_PREFIX=search-eval
search-eval: dev services
	$(call fresh-db,$(SEARCH_EVAL_DB),$(SEARCH_EVAL_ENV))
	$(SEARCH_EVAL_ENV) $(PY) manage.py seed_demo --force >/dev/null
	$(SEARCH_EVAL_ENV) $(PY) devtools/run_search_eval.py $(if $(VERBOSE),--verbose)

# Lighthouse (mobile) on home, the challenge list, a challenge, a project and /transparency/ of the
# demo site served by gunicorn with DEBUG=0 (devtools/lighthouse.py; a SQLite file of its own in
# .lighthouse/): prints each category's score per page, fails below LIGHTHOUSE_MIN (95). Needs
# Node 20 (Lighthouse 13 needs Node 22) and Debian's Chromium; not part of `make test`.
.PHONY: lighthouse
LIGHTHOUSE_VERSION := 12.2.3
.lighthouse/node_modules/lighthouse/package.json:
	mkdir -p .lighthouse
	test -f .lighthouse/package.json || echo '{"private": true}' > .lighthouse/package.json
	cd .lighthouse && npm i -E --no-audit --no-fund lighthouse@$(LIGHTHOUSE_VERSION)

lighthouse: dev .lighthouse/node_modules/lighthouse/package.json
	$(PY) devtools/lighthouse.py
