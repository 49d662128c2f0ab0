"""Durability: a payment whose call returned success survives a crash of the server, whole.

A private server of this test's own (bin/dbserver with its own directory and port) gets the
schema from the migrations, a few threads post payments, the server is SIGKILLed mid-load and
started again (InnoDB crash recovery). Every payment a client was told about is there with its
ledger credit and its allocations; calls cut off by the crash either left nothing or a whole
payment, and retrying them with the same idempotency key (the client's retry policy) gives one
payment per key. Then the money invariants hold.
"""
import threading
import time
from decimal import Decimal as D

from helpers.bills import make_bill
from helpers.db import Db, DbError, apply_migrations
from helpers.factories import ACTOR, make_metered_account, make_tariff
from helpers.servers import LOST, private_server

THREADS = 4


def test_successful_payments_survive_a_crash():
    with private_server("billdur-") as server:
        url = server.start()
        apply_migrations(url)
        db = Db(url)
        tariff = make_tariff(db)
        accounts = [make_metered_account(db, tariff_code=tariff).account_id for _ in range(6)]
        for a in accounts:
            for j in range(4):
                make_bill(db, a, "80.00", f"2026-0{2 + j}-15", issue_date=f"2026-0{2 + j}-01",
                          rebate_amount="2.00", rebate_date=f"2026-0{2 + j}-10")
        db.close()

        done, cut, errors = [], [], []
        lock = threading.Lock()

        def client(t):
            # posts until the server is gone: its last call is cut, mid-call or at the connect
            conn = Db(url)
            n = 0
            give_up = time.monotonic() + 60
            while time.monotonic() < give_up:
                n += 1
                key, account = f"dur-{t}-{n}", accounts[(t + n) % len(accounts)]
                amount = str(D(1000 + 37 * n % 9000) / 100)
                args = ("post_payment", account, amount, "card", f"2026-02-0{1 + n % 9} 10:00:00",
                        key, ACTOR)
                try:
                    r = conn.call(*args)
                except DbError as e:
                    with lock:
                        # the server went away mid-call (or before it): the outcome is unknown
                        (cut if e.errno in LOST else errors).append(args)
                    return
                with lock:
                    done.append((key, account, D(amount), r["payment_id"], r["allocated"]))

        threads = [threading.Thread(target=client, args=(t,)) for t in range(THREADS)]
        for th in threads:
            th.start()
        deadline = time.monotonic() + 20
        while len(done) < 150 and not errors and time.monotonic() < deadline:
            time.sleep(0.02)                                 # mid-load, whatever the speed
        assert len(done) >= 150 and not errors, errors
        server.kill()
        for th in threads:
            th.join(30)
        assert len(cut) == THREADS                           # every client ended on the crash

        url = server.start()                                 # crash recovery
        db = Db(url)
        for key, account, amount, pid_, allocated in done:
            p = db.row("SELECT payment_id, account_id, amount, amount_allocated, status "
                       "FROM payment WHERE idempotency_key = %s", key)
            assert p == {"payment_id": pid_, "account_id": account, "amount": amount,
                         "amount_allocated": allocated, "status": "posted"}, key
            assert db.value("SELECT SUM(amount) FROM ledger_entry WHERE payment_id = %s "
                            "AND entry_type = 'payment'", pid_) == -amount
            assert db.value("SELECT COALESCE(SUM(amount), 0) FROM payment_allocation "
                            "WHERE payment_id = %s", pid_) == allocated
        assert db.rows("SELECT * FROM v_ledger_integrity") == []

        # the client's retry policy: the cut calls again, with the same keys
        committed = 0
        for args in cut:
            r = db.call(*args)
            assert db.value("SELECT COUNT(*) FROM payment WHERE idempotency_key = %s",
                            args[5]) == 1
            committed += r["replayed"]             # 1: the cut call had committed after all
        assert db.value("SELECT COUNT(*) FROM payment") == len(done) + len(cut)
        assert db.rows("SELECT * FROM v_ledger_integrity") == []
        print(f"\n{len(done)} payments confirmed before the crash, all there after it; "
              f"{len(cut)} cut calls retried ({committed} had committed before the crash)")
        db.close()
