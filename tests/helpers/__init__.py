"""The tests' helpers, one module for each kind of thing they hold. Import them by their full name
(`from helpers.factories import make_metered_account`): pytest.ini puts tests/ on sys.path
(`pythonpath = tests`), which is how every test, bench/cluster/run.py and tests/cluster find them.

- helpers.db: a connection to the test database (`Db`: call, rows, row, value, execute,
  snapshot), `DbError`, the session clock (`db.set_clock`, `db.at`), the URL helpers
  (`connect_kwargs`, `with_database`, from db/dburl.py), and the schema (`apply_migrations`,
  `new_database`, `billing_tables`, `truncate_all`); the fixtures built on them (`db`,
  `db_url`, `connect`, `demo`) are in tests/conftest.py.
- helpers.factories: master data made through the contract's procedures (`make_tariff`,
  `make_metered_account`, `make_customer`, `make_account`, `make_meter`, `make_discount`,
  `give_discount`, `blocks_json`, `ACTOR`).
- helpers.bills: bills made directly with SQL for the payment tests (`make_bill`) and the reads
  those tests share (`bill_state`, `allocations`, `balance`, `assert_integrity`).
- helpers.races: procedure calls made to race for one account lock (`race`,
  `wait_for_lock_waits`), and functions run at once in threads of their own (`run_together`).
- helpers.real_clock: today and the last full months on the real clock (`real.today`,
  `real.last`, `real.last_end`, `real.before`, `real.before_end`), read when a test runs, for
  the tests through the web app and the job commands.
- helpers.servers: a database server of a test's own, to kill or to start with other options
  (`private_server`, `LOST`).
- helpers.demo: the demo data of bin/demo-data (`run_demo`, `load_demo`).
- helpers.pages: the text of a page the web app returned, as a person reads it (`text`,
  `visible_text`, `UNFORMATTED`).
- helpers.billing_model: an independent reference model of billing-rules.md in exact fractions,
  for the differential (hypothesis) tests; it shares nothing with the SQL.
- helpers.portal_data: a portal customer with three billed periods relative to today
  (`make_portal_customer`), and an account billed month by month (`billed`, `MONTHS`), for
  tests/web and tests/e2e.
- helpers.review_data: accounts for the billing-run review pages on the real clock
  (`make_review_accounts`, `make_overdue_accounts`).

Helpers of one test folder stay in it: tests/e2e/conftest.py (the browser, `staff_login`,
`screenshots`),
tests/web/conftest.py (Django's test databases and users), tests/ops/jobhelp.py (manage.py as a
cron job runs it), tests/static/ (the source scanners), tests/cluster/workload.py.
"""
