# The two commands: `make run` (set up everything and serve the app) and `make test`.
# `make run`: the migrations, the accounts, the demo data and Django's tables as the schema owner;
# the web app itself as billing_app (bin/webapp-serve; docs/operations.md).
SHELL := /bin/bash
PY    := .venv/bin/python
# BILLING_DATABASE_URL points everything at a real server instead of the private one.
DBURL  = $${BILLING_DATABASE_URL:-$$(bin/dbserver url)}

.PHONY: run test deps db migrate accounts demo serve stop bench clean test-cluster bench-cluster

deps:
	@bin/install-deps

db: deps
	@bin/dbserver start >/dev/null

migrate: db
	@.venv/bin/yoyo apply --batch --database "$(DBURL)" migrations/

accounts: migrate
	@$(PY) bin/db-accounts "$(DBURL)"

# On a real server (BILLING_DATABASE_URL set) no demo data and no demo logins, whose password is
# published, unless DEMO=1 asks for them.
demo: accounts
	@if [ -n "$${BILLING_DATABASE_URL:-}" ] && [ "$${DEMO:-}" != 1 ]; then \
	  echo "make: BILLING_DATABASE_URL is set: no demo data (DEMO=1 loads it)"; \
	else $(PY) bin/demo-data "$(DBURL)"; fi

# SERVE=HOST:PORT serves elsewhere (default 127.0.0.1:8000)
SERVE ?= 127.0.0.1:8000
run: demo
	@bin/webapp-setup
	@echo "Serving on http://$(SERVE) (Ctrl-C to stop; bin/dbserver stop stops the database)"
	@bin/webapp-serve runserver $(SERVE)

# the suite but the cluster's, in two halves side by side (bin/test-all); with PYTEST_ARGS, one
# pytest process with them
test: deps
	@bin/install-deps --browser
	@$(PY) bin/test-all $(PYTEST_ARGS)

# The 3-node Galera cluster behind HAProxy (bin/dbcluster, docs/cluster.md): its own tests, on a
# cluster of their own under var/cluster-test, and its measurements (figures: docs/cluster.md).
test-cluster: deps
	@bin/install-deps --cluster
	@$(PY) -m pytest tests/cluster $(PYTEST_ARGS)

bench-cluster: deps
	@bin/install-deps --cluster
	@$(PY) bench/cluster/run.py

# Benchmarks on their own private server under var/bench-db (BENCH_SCALE accounts, default
# 100000; see bench/run.py and docs/benchmarks.md). Figures: bench/results/, bench/RESULTS.md.
bench: deps
	@command -v wrk >/dev/null || bin/install-deps wrk
	@BENCH_SCALE=$${BENCH_SCALE:-100000} $(PY) bench/run.py

stop:
	@bin/dbserver stop

clean: stop
	rm -rf var
