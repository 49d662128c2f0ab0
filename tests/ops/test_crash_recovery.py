"""Crash recovery of the billing run: the server is SIGKILLed during a run, after some chunks
have committed; after the restart (InnoDB crash recovery) a re-run bills the rest, and every
account has exactly one bill for the period, the bill numbers run without a gap and the ledger
invariants hold. (Payments under SIGKILL: tests/db/test_payment_durability.py.)

A private server of this test's own, as in test_payment_durability.py (bin/dbserver with its own
directory and port), so the other tests' server is never killed."""
import threading
import time

from helpers.db import Db, DbError, apply_migrations
from helpers.factories import make_metered_account, make_tariff
from helpers.servers import LOST, private_server

ACCOUNTS = 300
CHUNK = 5
PERIOD = ("2026-10-01", "2026-10-31", "2026-11-01", 14)


def test_a_billing_run_killed_mid_way_is_finished_by_a_rerun():
    with private_server("billcrash-") as server:
        url = server.start()
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
            done = db.value("SELECT COALESCE(MAX(accounts_done), 0) FROM v_billing_run")
            time.sleep(0.005)
        server.kill()                                            # some chunks committed
        worker.join(30)
        db.close()
        assert "result" not in outcome, "the run finished before the kill: make it longer"
        assert outcome["error"].errno in LOST

        url = server.start()                                     # crash recovery
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
