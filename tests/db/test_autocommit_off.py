"""A client without autocommit (a transaction left open by a read) can call the procedures that
commit chunk by chunk and set their chunks' isolation level: setting it inside an open
transaction is refused by the server (1568), so each ends the caller's transaction first, as a
START TRANSACTION would."""
from helpers.factories import blocks_json, make_metered_account, make_tariff

FLAT = dict(effective_from="2025-01-01", fixed_charge="0", tax_rate_pct="0", late_fee_pct="0",
            early_pay_pct="0", early_pay_days=0, blocks=[(None, "0.10")])
CLOCK = "2026-06-01 00:00:00"
PERIOD = ("2026-01-01", "2026-01-31", "2026-02-01", 14, "staff:test")


def _world(db):
    db.set_clock(CLOCK)
    make_tariff(db, code="FLAT", versions=[FLAT])
    acc = make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01", initial_read=1000)
    db.call("record_reading", acc.serial, "2026-01-31", 1250, "field", "staff:test")
    return acc


def _open_client(connect):
    c = connect()
    c.set_clock(CLOCK)
    c.conn.autocommit(False)
    c.value("SELECT COUNT(*) FROM bill")              # opens the client's transaction
    return c


def test_run_billing_without_autocommit(db, connect):
    _world(db)
    c = _open_client(connect)
    r = c.call("run_billing", *PERIOD)
    c.conn.autocommit(True)
    assert r["bills_created"] == 1


def test_preview_billing_without_autocommit(db, connect):
    _world(db)
    c = _open_client(connect)
    r = c.call("preview_billing", *PERIOD)
    c.conn.autocommit(True)
    assert r["bills"] == 1 and r["accounts_considered"] == 1


def test_the_other_chunked_procedures_without_autocommit(db, connect):
    _world(db)
    db.call("run_billing", *PERIOD)
    c = _open_client(connect)
    c.call_rows("preview_late_fees", "2026-05-01", "staff:test")       # no error
    c.value("SELECT 1")
    assert c.call("queue_reminders", "2026-05-01", "staff:test")["due_soon"] == 0
    c.value("SELECT 1")
    r = c.call("simulate_tariff", "FLAT", "0", "0", blocks_json([(None, "0.20")]), "2026-01-01",
               "2026-01-31", "staff:test")
    c.conn.autocommit(True)
    assert r["bills"] == 1


def test_a_replay_without_autocommit_commits_its_audit_row(db, connect):
    """A replay of post_payment writes its payment_replayed audit row after its answer is read;
    without autocommit that row stayed in the caller's open transaction, and was lost when the
    caller rolled back or closed (found by a race probe). The procedure commits it."""
    acc = _world(db)
    c = _open_client(connect)
    args = (acc.account_id, "5.00", "cash", None, "k-replay", "staff:test")
    first = c.call("post_payment", *args)
    assert c.call("post_payment", *args)["payment_id"] == first["payment_id"]   # the replay
    c.conn.rollback()
    assert db.value("SELECT COUNT(*) FROM audit_log WHERE action = 'payment_replayed' "
                    "AND table_name = 'payment' AND row_key = %s", str(first["payment_id"])) == 1
