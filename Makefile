# Entry points; the logic lives in scripts/. See scripts/test.sh for details.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Extra pytest arguments, e.g. make test PYTEST_ARGS="-k holiday -x"
PYTEST_ARGS ?=
export PYTEST_ARGS

.PHONY: help demo worker test test-sqlite test-pg deps migrations-check lint bench

help:
	@echo "make demo              set up .venv + var/ SQLite DB with demo data, run the worker and serve on http://127.0.0.1:8000"
	@echo "make worker            run the background worker alone (manage.py run_huey: SMS delivery, periodic scans)"
	@echo "make test              migrations check + full pytest suite on SQLite, then on a throwaway PostgreSQL"
	@echo "make test-sqlite       ... SQLite only"
	@echo "make test-pg           ... PostgreSQL only"
	@echo "                       (all test targets accept PYTEST_ARGS=\"-k foo\")"
	@echo "make migrations-check  fail if models have changes without migrations"
	@echo "make lint              ruff check + ruff format --check"
	@echo "make bench             benchmark on SQLite + PostgreSQL, 1M cases (make bench N=100000 for a quick run)"
	@echo "make deps              install system packages (apt, as root) and the dev venv only"

demo:
	@bash scripts/demo.sh

worker:
	@bash scripts/test.sh venv && .venv/bin/python manage.py run_huey

test:
	@bash scripts/test.sh all

test-sqlite:
	@bash scripts/test.sh sqlite

test-pg:
	@bash scripts/test.sh pg

deps:
	@bash scripts/test.sh deps

migrations-check:
	@bash scripts/test.sh migrations-check

lint:
	@bash scripts/test.sh venv
	@rc=0; \
	.venv/bin/ruff check . || rc=1; \
	.venv/bin/ruff format --check . || rc=1; \
	exit $$rc

# make bench N=100000 for a quick run; BENCH_ARGS="--db sqlite --import-rows 20000" etc. (see bench/run.py --help)
N ?= 1000000
BENCH_ARGS ?=
bench:
	@bash scripts/test.sh venv && .venv/bin/pip install -q -r requirements-bench.txt && \
		.venv/bin/python bench/run.py --n $(N) $(BENCH_ARGS)
