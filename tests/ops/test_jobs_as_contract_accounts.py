"""The batch jobs under the contract's accounts (sql-api.md, "Database accounts"): billing_batch
may only EXECUTE procedures, so the jobs call them as billing_batch (BILLING_DATABASE_URL) and
read views as billing_report (BILLING_READ_DATABASE_URL): run_billing's progress and exceptions,
check_integrity, the mails send_notices renders. Without the read URL a job that reads is
refused by the server (SELECT denied), which shows the batch account has no SELECT.

Account names are global to the server: bin/db-accounts runs with a prefix of this process's,
and the accounts are dropped at the end."""
import os
import subprocess
import sys
from datetime import timedelta
from urllib.parse import quote, urlparse

import pytest

from helpers.db import connect_kwargs, with_database
from helpers.factories import make_customer, make_metered_account, make_tariff
from helpers.real_clock import real
from ops.jobhelp import ROOT, job_env, manage

PREFIX = f"j{os.getpid()}_"
PASSWORDS = {"BILLING_APP_PASSWORD": "app-Jobs-1", "BILLING_REPORT_PASSWORD": "rep-Jobs-2",
             "BILLING_BATCH_PASSWORD": "bat-Jobs-3", "BILLING_WEB_PASSWORD": "web-Jobs-4"}


def as_account(url, role, password):
    """`url` (the owner's) with the account's user and password."""
    u = urlparse(url)
    host = u.hostname + (f":{u.port}" if u.port else "")
    return u._replace(netloc=f"{quote(PREFIX + role)}:{quote(password)}@{host}").geturl()


@pytest.fixture
def contract_accounts(db, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in PASSWORDS}
    env.update(PASSWORDS)
    web = connect_kwargs(db.url)["db"] + "_web"
    out = subprocess.run([sys.executable, str(ROOT / "bin" / "db-accounts"), "--prefix", PREFIX,
                          "--env-file", str(tmp_path / "accounts.env"), "--web-schema", web,
                          db.url], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"{PREFIX}billing_batch: EXECUTE on " in out.stdout
    assert f"{PREFIX}billing_batch: EXECUTE on 0 " not in out.stdout
    assert " SELECT on 0 views" in out.stdout.split(f"{PREFIX}billing_batch:")[1].splitlines()[0]
    try:
        yield {"batch": as_account(db.url, "billing_batch", PASSWORDS["BILLING_BATCH_PASSWORD"]),
               "report": as_account(db.url, "billing_report", PASSWORDS["BILLING_REPORT_PASSWORD"]),
               "web": as_account(with_database(db.url, web), "billing_web",
                                 PASSWORDS["BILLING_WEB_PASSWORD"])}
    finally:
        for role in ("billing_app", "billing_report", "billing_batch", "billing_web"):
            for host in ("%", "localhost"):
                db.execute(f"DROP USER IF EXISTS '{PREFIX}{role}'@'{host}'")


def test_the_jobs_call_as_billing_batch_and_read_as_billing_report(db, contract_accounts):
    urls = contract_accounts
    # three accounts billed for the last full month, one skipped: its tariff starts later
    tariff = make_tariff(db)
    late = make_tariff(db, versions=[dict(effective_from=str(real.last + timedelta(days=5)))])
    for i, code in enumerate((tariff, tariff, tariff, late)):
        cid = make_customer(db, name=f"Job Customer {i}", email=f"job{i}@example.org")
        acc = make_metered_account(db, tariff_code=code, customer_id=cid, opened_on=real.last,
                                   initial_read=100)
        db.call("record_reading", acc.serial, real.last_end, 200 + i, "field", "staff:test")
    env = job_env(urls["batch"], BILLING_READ_DATABASE_URL=urls["report"],
                  BILLING_WEB_DATABASE_URL=urls["web"],
                  DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")

    out = manage(db.url, "run_billing", "--period-start", str(real.last), "--period-end",
                 str(real.last_end), "--issue-date", str(real.today), "--workers", "2", env=env)
    assert out.returncode == 1, out.stdout + out.stderr          # done, one exception
    assert "4 accounts considered, 3 bills created, 1 skipped" in out.stdout
    assert "1 accounts skipped with an exception" in out.stdout and "NO_TARIFF" in out.stdout

    out = manage(db.url, "check_integrity", env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "ledger integrity: ok" in out.stdout

    out = manage(db.url, "send_notices", env=env, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert db.value("SELECT COUNT(*) FROM notice WHERE kind = 'bill_issued' AND status = 'sent'") == 3

    for job in ("apply_late_fees", "queue_reminders", "fold_report_deltas"):
        out = manage(db.url, job, env=env)
        assert out.returncode == 0, (job, out.stdout + out.stderr)

    # without the read URL, a job that reads views is refused: billing_batch has no SELECT
    out = manage(db.url, "check_integrity",
                 env=job_env(urls["batch"], BILLING_WEB_DATABASE_URL=urls["web"]))
    assert out.returncode == 2
    assert "1142" in out.stdout + out.stderr or "denied" in (out.stdout + out.stderr).lower()
