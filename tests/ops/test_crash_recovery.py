"""Crash recovery of the billing run: the server is SIGKILLed during a run, after some chunks
have committed; after the restart (InnoDB crash recovery) a re-run bills the rest, and every
account has exactly one bill for the period, the bill numbers run without a gap and the ledger
invariants hold. (Payments under SIGKILL: tests/db/test_payment_durability.py.)

A private server of this test's own, as in test_payment_durability.py (bin/dbserver with its own
directory and port), so the other tests' server is never killed."""
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from helpers.db import Db, DbError, apply_migrations
from helpers.factories import make_metered_account, make_tariff

from db.test_payment_durability import LOST, _dbserver, _free_port, _wait_gone

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = 300
CHUNK = 5
PERIOD = ("2026-10-01", "2026-10-31", "2026-11-01", 14)


def test_a_billing_run_killed_mid_way_is_finished_by_a_rerun():
    base = Path(tempfile.mkdtemp(prefix="billcrash-", dir="/tmp"))   # short: socket path limit
    env = {k: v for k, v in os.environ.items() if k != "BILLING_DATABASE_URL"}
    env.update(BILLING_DB_DIR=str(base), BILLING_DB_PORT=str(_free_port()),
               BILLING_DB_NAME="billing", BILLING_DB_BUFFER_POOL="64M")
    try:
        url = _dbserver(env, "start")
        apply_migrations(url)
        db = Db(url)
        tariff = make_tariff(db)
        accounts = []
        for i in range(ACCOUNTS):
            acc = make_metered_account(db, tariff_code=tariff, opened_on="2026-10-01",
                                       initial_read=100)
            db.call("record_reading", acc.serial, "2026-10-31", 150 + i % 50, "field", "t:crash")
            accounts.append(acc.account_id)

        outcome = {}

        def run():
            conn = Db(url)
            conn.execute("SET @billing_chunk_size = %s", CHUNK)
            try:
                outcome["result"] = conn.call("run_billing", *PERIOD, "batch:crash")
            except DbError as e:
                outcome["error"] = e

        worker = threading.Thread(target=run)
        worker.start()
        deadline = time.monotonic() + 60
        done = 0
        while done < 60 and worker.is_alive() and time.monotonic() < deadline:
            done = db.value("SELECT COALESCE(MAX(accounts_done), 0) FROM billing_run")
            time.sleep(0.005)
        pid = int((base / "mysqld.pid").read_text())
        _dbserver(env, "kill")                                   # some chunks committed
        worker.join(30)
        _wait_gone(pid)
        db.close()
        assert "result" not in outcome, "the run finished before the kill: make it longer"
        assert outcome["error"].errno in LOST

        url = _dbserver(env, "start")                            # crash recovery
        db = Db(url)
        billed = db.value("SELECT COUNT(*) FROM bill")
        assert 0 < billed < ACCOUNTS                             # whole chunks, no more
        assert billed % CHUNK == 0
        assert db.value("SELECT status FROM billing_run") == "running"    # cut off
        assert db.rows("SELECT * FROM v_ledger_integrity") == []

        r = db.call("run_billing", *PERIOD, "batch:crash")       # the re-run
        assert (r["accounts_considered"], r["bills_created"], r["accounts_skipped"]) == (
            ACCOUNTS - billed, ACCOUNTS - billed, 0)
        per_account = db.rows("SELECT account_id, COUNT(*) AS n FROM bill WHERE period_start = "
                              "'2026-10-01' AND period_end = '2026-10-31' GROUP BY account_id "
                              "ORDER BY account_id")
        assert [(p["account_id"], p["n"]) for p in per_account] == [(a, 1) for a in accounts]
        numbers = [r["bill_no"] for r in db.rows("SELECT bill_no FROM bill ORDER BY bill_no")]
        assert numbers == [f"2026-{i:06d}" for i in range(1, ACCOUNTS + 1)]
        assert db.value("SELECT COUNT(*) FROM ledger_entry WHERE entry_type = 'bill'") == ACCOUNTS
        assert db.rows("SELECT * FROM v_ledger_integrity") == []
        again = db.call("run_billing", *PERIOD, "batch:crash")   # and once more: nothing
        assert again["bills_created"] == 0
        print(f"\n{billed} of {ACCOUNTS} accounts billed before the crash; the re-run billed "
              f"the other {ACCOUNTS - billed}")
        db.close()
    finally:
        if (base / "mysqld.pid").exists():
            subprocess.run([str(ROOT / "bin" / "dbserver"), "stop"], env=env,
                           capture_output=True, timeout=120)
        shutil.rmtree(base, ignore_errors=True)
