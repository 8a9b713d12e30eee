# Every command anyone needs. `make run` and `make test` set everything up from nothing.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed-$(shell cat requirements/lock.txt requirements/*.in | cksum | cut -d' ' -f1)

.DEFAULT_GOAL := help
.PHONY: help install assets run migrate seed web worker beat test test-faults test-fast lint format typecheck check bench lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements/lock.txt requirements/base.in requirements/dev.in
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.in -c requirements/lock.txt
	@rm -f $(VENV)/.installed-* && touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

build/static/css/app.css: node_modules/.package-lock.json frontend/app.scss frontend/app.mjs frontend/build.mjs
	npm run --silent build

install: $(STAMP) ## Create the virtualenv and install the locked dependencies

assets: build/static/css/app.css ## Build the GOV.UK Frontend stylesheet and scripts

migrate: install
	$(MANAGE) migrate --noinput

seed: migrate ## Load the demo data (idempotent)
	$(MANAGE) seed_demo

run: install assets seed ## The app with demo data on http://127.0.0.1:8000, with a Celery worker and beat
	@echo ""
	@echo "Common Ground is starting on http://127.0.0.1:8000  (Ctrl-C stops the web app, worker and beat)"
	@echo ""
	@mkdir -p var/broker/queue var/broker/processed var/mail
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho -f Procfile.dev start

web: install assets ## Only the web app
	$(MANAGE) runserver 127.0.0.1:8000

worker: install ## Only a Celery worker
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: install ## Only Celery beat
	$(VENV)/bin/celery -A config beat --loglevel=INFO

test: install assets ## The whole test suite but the fault suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	$(VENV)/bin/pytest -m "not faults"

# Kills workers, stops its own redis-server, runs two beats, breaks SMTP; a few minutes. Needs PostgreSQL
# (DATABASE_URL) and redis-server installed.
test-faults: install ## The fault suite: killed workers, Redis down, two beats, SMTP failures
	$(VENV)/bin/pytest -m faults tests/faults

lint: install ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## Format the code
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: install ## mypy with django-stubs
	$(VENV)/bin/mypy

check: lint typecheck ## Lint, types and Django's system checks
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cg_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/12
bench: install assets ## Benchmarks at scale on PostgreSQL and Redis (docs/PERFORMANCE.md); BENCH_ARGS="--quick"
	@mkdir -p bench-results
	$(PY) -m tests.benchmarks --database-url $(BENCH_DATABASE_URL) --redis-url $(BENCH_REDIS_URL) \
		--markdown bench-results/latest.md $(BENCH_ARGS)

lock: ## Re-resolve and pin every dependency into requirements/lock.txt
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade -r requirements/dev.in
	$(PY) -m pip freeze --exclude-editable | grep -v '^pip==' > requirements/lock.txt

clean: ## Remove the virtualenv, node modules, built assets and local data
	rm -rf $(VENV) node_modules build var
