"""The schema works in a database created with the server's defaults, whatever they are.

A DBA may run `CREATE DATABASE billing` with any default character set and collation, then
`yoyo apply` as the README says. Routine parameters and locals take the database's default
collation when the routine is created, so the schema must pin it (migration 0030) or every
comparison with a utf8mb4_unicode_ci column fails with 1267 "Illegal mix of collations".
For each default: a new database, plain yoyo apply, then one call of every procedure of the
contract that exists, in the order a utility lives through them.
"""
import os

import MySQLdb
import pytest

from helpers.db import Db, DbError, apply_migrations, connect_kwargs, with_database

ACTOR = "staff:defaults"
DEFAULTS = {
    "latin1": "CHARACTER SET latin1",
    "utf8mb4": "CHARACTER SET utf8mb4",                       # the server's default collation
    "utf8mb4_general_ci": "CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci",
}


@pytest.fixture(params=sorted(DEFAULTS))
def defaults_db(request, server_url):
    base = MySQLdb.connect(**connect_kwargs(server_url, database=""))
    cur = base.cursor()
    name = f"billing_d{os.getpid()}_{request.param}"
    cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    cur.execute(f"CREATE DATABASE `{name}` {DEFAULTS[request.param]}")
    url = with_database(server_url, name)
    try:
        apply_migrations(url)
        d = Db(url)
        yield d
        d.close()
    finally:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        base.close()


def test_the_contract_works_in_a_database_made_with_other_defaults(defaults_db):
    db = defaults_db
    assert db.value("SELECT @@collation_database") == "utf8mb4_unicode_ci"
    db.execute("SET timestamp = UNIX_TIMESTAMP('2026-03-01 10:00:00')")

    cust = db.call("create_customer", "Zoë Ångström", "zoe@example.com", "+1 555 0100",
                   "1 Main St", ACTOR)
    db.call("update_customer", cust["customer_id"], "Zoë Ångström-Berg", "zoe@example.com",
            "+1 555 0101", "2 Main St", ACTOR)
    db.call("create_tariff", "RES", "Résidentiel", ACTOR)
    db.call("add_tariff_version", "RES", "2026-01-01", "5.00", "10", "1.5", "2", 10,
            '[{"up_to_kwh": 100, "rate": 0.12}, {"up_to_kwh": null, "rate": 0.18}]', ACTOR)
    db.call("create_discount", "SENIOR", "Senior", "10", ACTOR)
    acc = db.call("open_account", cust["customer_id"], "RES", "1 Main St", "2026-01-01", ACTOR)
    aid = acc["account_id"]
    db.call("assign_discount", aid, "SENIOR", "2026-01-01", None, ACTOR)
    db.call("install_meter", aid, "MÉTER-1", 6, 1, "2026-01-01", 100, ACTOR)
    r = db.call("record_reading", "MÉTER-1", "2026-01-31", 350, "field", ACTOR)
    assert r["status"] == "accepted"
    spike = db.call("record_reading", "MÉTER-1", "2026-02-10", 90000, "customer", ACTOR)
    assert spike["status"] == "review"
    assert db.call("reject_reading", spike["reading_id"], "typo", ACTOR)["status"] == "rejected"
    again = db.call("record_reading", "MÉTER-1", "2026-02-10", 90000, "customer", ACTOR)
    assert db.call("approve_reading", again["reading_id"], ACTOR)["status"] == "accepted"

    checked = db.call_rows("preview_readings", '[{"serial_no": "MÉTER-1", "read_on": "2026-02-20",'
                           ' "value": "90100", "source": "field"}]', ACTOR)
    assert [r["outcome"] for r in checked] == ["accepted"]
    preview = db.call("preview_billing", "2026-01-01", "2026-01-31", "2026-03-01", 14, ACTOR)
    assert preview["bills"] == 1
    one = db.call("preview_bill_account", aid, "2026-01-01", "2026-01-31", "2026-03-01", 14, ACTOR)
    assert one["bills"] == 1
    db.call("discard_preview", preview["preview_id"], ACTOR)
    run = db.call("run_billing", "2026-01-01", "2026-01-31", "2026-03-01", 14, "batch:billing")
    assert run["bills_created"] == 1
    billed = db.call("bill_account", aid, "2026-02-01", "2026-02-28", "2026-03-01", 14, ACTOR)
    assert billed["bill_id"] is not None

    pay = db.call("post_payment", aid, "10.00", "cash", None, "key-ü-1", ACTOR)
    assert pay["receipt_no"]
    assert db.call("post_payment", aid, "10.00", "cash", None, "key-ü-1", ACTOR)["replayed"] == 1
    db.call("reverse_payment", pay["payment_id"], "bounced", ACTOR)

    db.execute("SET timestamp = UNIX_TIMESTAMP('2026-04-20 10:00:00')")
    would = db.call_rows("preview_late_fees", "2026-04-20", "batch:late_fees")
    fees = db.call("apply_late_fees", "2026-04-20", "batch:late_fees")
    assert len(would) == fees["bills_charged"]
    assert fees["bills_charged"] >= 1
    db.call("post_payment", aid, "5000.00", "card", None, "key-ü-2", ACTOR)
    # corrections, refunds, a meter exchange, notices and a bank file, all with non-ASCII text
    cancelled = db.call("cancel_bill", billed["bill_id"], "relevé erroné", ACTOR)
    assert cancelled["credit_note_no"].startswith("CN-2026-")
    rebilled = db.call("bill_account", aid, "2026-02-01", "2026-02-28", "2026-04-20", 14, ACTOR)
    assert rebilled["bill_id"] is not None
    db.call("post_payment", aid, "20000.00", "card", None, "key-ü-4", ACTOR)   # in credit
    refund = db.call("refund_credit", aid, "100.00", "bank_transfer", "réf-ü-1", ACTOR)
    assert db.call("refund_credit", aid, "100.00", "bank_transfer", "réf-ü-1",
                   ACTOR)["replayed"] == 1 and refund["refund_id"]
    db.call("exchange_meter", aid, "2026-04-20", 96000, "MÉTER-2", 6, 1, 0, ACTOR)
    db.call("set_contact_preferences", cust["customer_id"], 1, 1, 0, ACTOR)
    db.call("queue_reminders", "2026-04-20", "batch:reminders")
    claimed = db.call_rows("claim_notices", "sender-ü", 50)
    assert claimed
    assert db.call("mark_notice", claimed[0]["notice_id"], "sender-ü", "sent", "<m-ü@x>",
                   None)["status"] == "sent"
    account_no = db.value("SELECT account_no FROM v_account_balance WHERE account_id = %s", aid)
    batch = db.call("stage_payment_batch", "BANQUE-ü-1",
                    f'[{{"account_no": "{account_no}", "amount": "1.00", "method": '
                    f'"bank_transfer", "paid_at": null, "key": "bq-ü-1"}}]', ACTOR)
    posted = db.call("post_payment_batch", batch["batch_id"], ACTOR)
    assert (posted["posted"], posted["refused"]) == (1, 0)
    db.call("close_account", aid, "2026-04-20", ACTOR)

    # the contract's errors come through with their numbers, not 1267
    with pytest.raises(DbError) as e:
        db.call("open_account", cust["customer_id"], "NØPE", "x", "2026-01-01", ACTOR)
    assert e.value.errno == 45001
    with pytest.raises(DbError) as e:
        db.call("post_payment", aid, "1.00", "bitcoin", None, "key-ü-3", ACTOR)
    assert e.value.errno == 45002
    assert db.rows("SELECT * FROM v_ledger_integrity") == []
    assert db.value("SELECT COUNT(*) FROM v_account_balance WHERE customer_name LIKE 'Zoë%'") == 1
