# The two commands: `make run` (set up everything and serve the app) and `make test`.
SHELL := /bin/bash
PY    := .venv/bin/python
# BILLING_DATABASE_URL points everything at a real server instead of the private one.
DBURL  = $${BILLING_DATABASE_URL:-$$(bin/dbserver url)}

.PHONY: run test deps db migrate accounts demo serve stop bench clean

deps:
	@bin/install-deps

db: deps
	@bin/dbserver start >/dev/null

migrate: db
	@.venv/bin/yoyo apply --batch --database "$(DBURL)" migrations/

accounts: migrate
	@$(PY) bin/db-accounts "$(DBURL)"

demo: accounts
	@$(PY) bin/demo-data "$(DBURL)"

run: demo
	@bin/webapp-setup
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop; bin/dbserver stop stops the database)"
	@cd webapp && ../$(PY) manage.py runserver 127.0.0.1:8000

test: deps
	@$(PY) -m pytest $(PYTEST_ARGS)

stop:
	@bin/dbserver stop

clean: stop
	rm -rf var
