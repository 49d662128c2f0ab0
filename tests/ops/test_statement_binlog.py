"""A server that writes a statement-based binary log (`--log-bin --binlog-format=STATEMENT`):
the schema installs, a billing run and a payment work. Such a server refuses InnoDB writes under
READ COMMITTED (error 1665), which run_billing uses elsewhere for its lock-free candidate read
(db/procedures/run_billing.sql); here it falls back to REPEATABLE READ. A private server of
this test's own (bin/dbserver with its own directory and port)."""
from decimal import Decimal

from helpers.db import Db, apply_migrations
from helpers.factories import make_metered_account, make_tariff
from helpers.servers import private_server


def test_billing_and_payments_on_a_server_with_a_statement_based_binlog():
    with private_server("billsbl-", extra_args="--log-bin={dir}/binlog --server-id=1 "
                                              "--binlog-format=STATEMENT") as server:
        url = server.start()
        db = Db(url)
        assert db.value("SELECT @@GLOBAL.log_bin") == 1
        assert db.value("SELECT @@SESSION.binlog_format") == "STATEMENT"
        apply_migrations(url)
        db.set_clock("2027-01-01 00:00:00")
        tariff = make_tariff(db)
        accs = [make_metered_account(db, tariff_code=tariff, opened_on="2026-01-01")
                for _ in range(3)]
        for i, a in enumerate(accs):
            db.call("record_reading", a.serial, "2026-01-31", 100 + i, "field", "t:binlog")
        db.execute("SET @billing_chunk_size = 2")
        run = db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, "t:binlog")
        assert (run["accounts_considered"], run["bills_created"]) == (3, 3)
        paid = db.call("post_payment", accs[0].account_id, "5.00", "cash", None, "k-binlog",
                       "t:binlog")
        assert paid["allocated"] == Decimal("5.00") and paid["replayed"] == 0
        assert db.rows("SELECT * FROM v_ledger_integrity") == []
        # the binary log holds the run's statements
        logs = db.rows("SHOW BINARY LOGS")
        assert logs and sum(int(r["File_size"]) for r in logs) > 10_000
        db.close()
