"""The audit triggers: every insert, update and delete of master data writes one audit_log row.

Rows are arranged and changed with direct SQL (as the schema owner), the way a DBA would; the
procedures set @billing_actor the same way before they change anything.
"""
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import MySQLdb
import pytest

from helpers.bills import make_bill
from helpers.db import Db, DbError, connect_kwargs
from helpers.factories import make_account, make_customer, make_metered_account, make_tariff

AUDITED = ["customer", "account", "account_discount", "meter", "meter_installation",
           "tariff", "tariff_version", "tariff_block", "discount"]


def arrange_base(db):
    """One row in every master table, the parents the cases below need (ids 1)."""
    db.execute("SET @billing_actor = 'staff:setup'")
    db.execute("INSERT INTO customer (customer_id, customer_no, full_name) VALUES (1, 'C0000001', 'Base')")
    db.execute("INSERT INTO tariff (tariff_id, code, name) VALUES (1, 'BASE', 'Base tariff')")
    db.execute("INSERT INTO tariff_version (tariff_version_id, tariff_id, effective_from, fixed_charge,"
               " tax_rate_pct, late_fee_pct, early_pay_pct, early_pay_days)"
               " VALUES (1, 1, '2026-01-01', 5, 10, 2, 1, 10)")
    db.execute("INSERT INTO discount (discount_id, code, name, pct) VALUES (1, 'BASE', 'Base', 5)")
    db.execute("INSERT INTO account (account_id, account_no, customer_id, tariff_id, service_address,"
               " opened_on) VALUES (1, 'A0000001', 1, 1, '1 Main St', '2026-01-01')")
    db.execute("INSERT INTO meter (meter_id, serial_no, dial_digits) VALUES (1, 'BASE-1', 5)")
    db.execute("DELETE FROM audit_log")


# table -> (insert, key, update, (column, old JSON value, new JSON value), delete)
CASES = {
    "customer": (
        "INSERT INTO customer (customer_id, customer_no, full_name, email)"
        " VALUES (7, 'C0000007', 'Ann Lee', 'ann@example.org')",
        "7", "UPDATE customer SET full_name = 'Ann Smith' WHERE customer_id = 7",
        ("full_name", "Ann Lee", "Ann Smith"), "DELETE FROM customer WHERE customer_id = 7"),
    "account": (
        "INSERT INTO account (account_id, account_no, customer_id, tariff_id, service_address, opened_on)"
        " VALUES (7, 'A0000007', 1, 1, '2 High St', '2026-02-01')",
        "7", "UPDATE account SET closed_on = '2026-03-31' WHERE account_id = 7",
        ("closed_on", None, "2026-03-31"), "DELETE FROM account WHERE account_id = 7"),
    "account_discount": (
        "INSERT INTO account_discount (account_discount_id, account_id, discount_id, valid_from)"
        " VALUES (7, 1, 1, '2026-01-01')",
        "7", "UPDATE account_discount SET valid_to = '2026-06-30' WHERE account_discount_id = 7",
        ("valid_to", None, "2026-06-30"), "DELETE FROM account_discount WHERE account_discount_id = 7"),
    "meter": (
        "INSERT INTO meter (meter_id, serial_no, dial_digits, multiplier) VALUES (7, 'M-7', 5, 1)",
        "7", "UPDATE meter SET multiplier = 40 WHERE meter_id = 7",
        ("multiplier", Decimal("1"), Decimal("40")), "DELETE FROM meter WHERE meter_id = 7"),
    "meter_installation": (
        "INSERT INTO meter_installation (meter_installation_id, meter_id, account_id, installed_on,"
        " initial_read) VALUES (7, 1, 1, '2026-01-01', 123.45)",
        "7", "UPDATE meter_installation SET removed_on = '2026-05-01' WHERE meter_installation_id = 7",
        ("removed_on", None, "2026-05-01"),
        "DELETE FROM meter_installation WHERE meter_installation_id = 7"),
    "tariff": (
        "INSERT INTO tariff (tariff_id, code, name) VALUES (7, 'RES', 'Residential')",
        "7", "UPDATE tariff SET name = 'Homes' WHERE tariff_id = 7",
        ("name", "Residential", "Homes"), "DELETE FROM tariff WHERE tariff_id = 7"),
    "tariff_version": (
        "INSERT INTO tariff_version (tariff_version_id, tariff_id, effective_from, fixed_charge,"
        " tax_rate_pct, late_fee_pct, early_pay_pct, early_pay_days)"
        " VALUES (7, 1, '2026-07-01', 8.50, 10, 2, 0, 0)",
        "7", "UPDATE tariff_version SET fixed_charge = 9.25 WHERE tariff_version_id = 7",
        ("fixed_charge", Decimal("8.50"), Decimal("9.25")),
        "DELETE FROM tariff_version WHERE tariff_version_id = 7"),
    "tariff_block": (
        "INSERT INTO tariff_block (tariff_version_id, block_no, up_to_kwh, rate) VALUES (1, 2, 100, 0.12)",
        "1:2", "UPDATE tariff_block SET rate = 0.15 WHERE tariff_version_id = 1 AND block_no = 2",
        ("rate", Decimal("0.120000"), Decimal("0.150000")),
        "DELETE FROM tariff_block WHERE tariff_version_id = 1 AND block_no = 2"),
    "discount": (
        "INSERT INTO discount (discount_id, code, name, pct) VALUES (7, 'SEN', 'Seniors', 10)",
        "7", "UPDATE discount SET pct = 12.5 WHERE discount_id = 7",
        ("pct", Decimal("10.00"), Decimal("12.50")), "DELETE FROM discount WHERE discount_id = 7"),
}


def stored_columns(db, table):
    """The table's columns without the generated ones (which the audit leaves out)."""
    return {r["c"] for r in db.rows(
        "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE()"
        " AND table_name = %s AND extra NOT LIKE '%%GENERATED%%'", table)}


def audit_rows(db, table, key):
    rows = db.rows("SELECT action, old_values, new_values, actor FROM audit_log"
                   " WHERE table_name = %s AND row_key = %s ORDER BY audit_id", table, key)
    for r in rows:
        for k in ("old_values", "new_values"):
            if r[k] is not None:
                r[k] = json.loads(r[k], parse_float=Decimal, parse_int=Decimal)
    return rows


def test_every_audited_table_has_a_case():
    assert sorted(CASES) == sorted(AUDITED)


@pytest.mark.parametrize("table", AUDITED)
def test_insert_update_delete_are_audited_with_the_actor(db, table):
    arrange_base(db)
    insert, key, update, (col, before, after), delete = CASES[table]
    db.execute("SET @billing_actor = 'staff:test'")
    db.execute(insert)
    db.execute(update)
    db.execute(delete)

    rows = audit_rows(db, table, key)
    assert [r["action"] for r in rows] == ["insert", "update", "delete"]
    assert {r["actor"] for r in rows} == {"staff:test"}
    ins, upd, dele = rows
    columns = stored_columns(db, table)
    assert ins["old_values"] is None and set(ins["new_values"]) == columns
    assert set(upd["old_values"]) == columns and set(upd["new_values"]) == columns
    assert dele["new_values"] is None and set(dele["old_values"]) == columns
    # the changed column, before and after
    assert ins["new_values"][col] == before
    assert upd["old_values"][col] == before and upd["new_values"][col] == after
    assert dele["old_values"][col] == after
    # everything else is the same before and after the update
    assert {k: v for k, v in upd["old_values"].items() if k not in (col, "updated_at")} == \
           {k: v for k, v in upd["new_values"].items() if k not in (col, "updated_at")}
    # the insert recorded the row as stored, the delete the row as it was last
    assert ins["new_values"] == upd["old_values"]
    assert dele["old_values"] == upd["new_values"]


def test_the_values_are_the_stored_values(db):
    arrange_base(db)
    db.execute("SET @billing_actor = 'staff:test'")
    db.execute("INSERT INTO meter_installation (meter_installation_id, meter_id, account_id,"
               " installed_on, initial_read) VALUES (9, 1, 1, '2026-01-15', 4321.05)")
    (row,) = audit_rows(db, "meter_installation", "9")
    stored = db.row("SELECT created_at FROM meter_installation WHERE meter_installation_id = 9")
    new = row["new_values"]
    assert new["meter_installation_id"] == 9 and new["meter_id"] == 1 and new["account_id"] == 1
    assert new["installed_on"] == "2026-01-15"
    assert new["initial_read"] == Decimal("4321.05")
    assert new["removed_on"] is None
    assert "active_account_id" not in new          # generated: left out
    assert new["created_at"].startswith(stored["created_at"].strftime("%Y-%m-%d %H:%M:%S"))


def test_without_billing_actor_the_database_user_is_the_actor(db):
    arrange_base(db)
    user = db.value("SELECT USER()")
    db.execute("SET @billing_actor = NULL")
    db.execute("INSERT INTO tariff (tariff_id, code, name) VALUES (8, 'X', 'X')")
    db.execute("SET @billing_actor = ''")
    db.execute("UPDATE tariff SET name = 'Y' WHERE tariff_id = 8")
    rows = audit_rows(db, "tariff", "8")
    assert [(r["action"], r["actor"]) for r in rows] == [("insert", f"db:{user}"), ("update", f"db:{user}")]


def test_an_update_that_changes_nothing_writes_no_row(db):
    arrange_base(db)
    db.execute("SET @billing_actor = 'staff:test'")
    db.execute("UPDATE customer SET full_name = 'Base', email = NULL WHERE customer_id = 1")
    db.execute("UPDATE tariff_version SET fixed_charge = 5.00 WHERE tariff_version_id = 1")
    assert db.value("SELECT COUNT(*) FROM audit_log") == 0


def test_a_change_of_letter_case_is_a_change(db):
    arrange_base(db)
    db.execute("SET @billing_actor = 'staff:test'")
    db.execute("UPDATE customer SET full_name = 'BASE' WHERE customer_id = 1")
    rows = audit_rows(db, "customer", "1")
    assert [r["action"] for r in rows] == ["update"]
    assert (rows[0]["old_values"]["full_name"], rows[0]["new_values"]["full_name"]) == ("Base", "BASE")


def test_one_row_per_changed_row_and_null_to_value_counts(db):
    arrange_base(db)
    db.execute("SET @billing_actor = 'staff:test'")
    db.execute("INSERT INTO tariff_block (tariff_version_id, block_no, up_to_kwh, rate)"
               " VALUES (1, 1, 100, 0.10), (1, 2, NULL, 0.20)")
    db.execute("UPDATE tariff_block SET up_to_kwh = 300 WHERE tariff_version_id = 1 AND block_no = 2")
    db.execute("UPDATE tariff_block SET rate = rate WHERE tariff_version_id = 1")   # no change
    assert [(r["table_name"], r["row_key"], r["action"]) for r in db.rows(
        "SELECT table_name, row_key, action FROM audit_log ORDER BY audit_id")] == [
        ("tariff_block", "1:1", "insert"), ("tariff_block", "1:2", "insert"),
        ("tariff_block", "1:2", "update")]
    upd = audit_rows(db, "tariff_block", "1:2")[1]
    assert upd["old_values"]["up_to_kwh"] is None and upd["new_values"]["up_to_kwh"] == Decimal("300.0000")


def test_the_audit_row_goes_with_the_transaction(db):
    arrange_base(db)
    db.execute("SET @billing_actor = 'staff:test'")
    db.execute("START TRANSACTION")
    db.execute("INSERT INTO discount (discount_id, code, name, pct) VALUES (8, 'TMP', 'Tmp', 1)")
    db.execute("ROLLBACK")
    assert db.value("SELECT COUNT(*) FROM audit_log") == 0
    assert db.value("SELECT COUNT(*) FROM discount WHERE discount_id = 8") == 0


def test_the_procedures_actor_is_the_audit_actor(db):
    acc = make_metered_account(db, actor="staff:alice")
    db.call("update_customer", acc.customer_id, "Renamed Customer", None, None, None, "staff:bob")
    got = {(r["table_name"], r["action"], r["actor"]) for r in db.rows(
        "SELECT table_name, action, actor FROM audit_log")}
    assert {("customer", "insert", "staff:alice"), ("tariff", "insert", "staff:alice"),
            ("tariff_version", "insert", "staff:alice"), ("tariff_block", "insert", "staff:alice"),
            ("account", "insert", "staff:alice"), ("meter", "insert", "staff:alice"),
            ("meter_installation", "insert", "staff:alice"),
            ("customer", "update", "staff:bob")} <= got
    upd = audit_rows(db, "customer", str(acc.customer_id))[-1]
    assert upd["action"] == "update" and upd["new_values"]["full_name"] == "Renamed Customer"


# --- the real actor: the application's and the database session's ------------------------------

def _events(db, *actions):
    marks = ", ".join(["%s"] * len(actions))
    return db.rows(f"SELECT action, table_name, row_key, account_id, actor, db_user, "
                   f"CAST(new_values AS CHAR) AS detail FROM audit_log WHERE action IN ({marks}) "
                   f"ORDER BY audit_id", *actions)


def test_an_action_as_a_non_owner_account_names_that_account_and_the_actor(db, db_url, tmp_path):
    """billing_app calls the procedures (SQL SECURITY DEFINER: they and their triggers run as the
    schema owner); the audit rows still name billing_app, the session's account, beside the
    application actor it passed. CURRENT_USER() would name the owner."""
    prefix = f"a{os.getpid()}_"
    env = dict(os.environ, BILLING_APP_PASSWORD="audit-App-1", BILLING_REPORT_PASSWORD="audit-R-2",
               BILLING_BATCH_PASSWORD="audit-B-3", BILLING_WEB_PASSWORD="audit-W-4")
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, str(root / "bin" / "db-accounts"), "--prefix", prefix,
                    "--env-file", str(tmp_path / "a.env"), db_url], env=env, check=True,
                   capture_output=True)
    try:
        kw = dict(connect_kwargs(db_url), user=prefix + "billing_app", passwd="audit-App-1")
        app = Db.__new__(Db)
        app.url, app.conn = db_url, MySQLdb.connect(**kw)
        app.execute("SET timestamp = UNIX_TIMESTAMP('2026-03-01')")
        tariff = make_tariff(db)                          # as the owner, then all as billing_app
        db.execute("DELETE FROM audit_log")
        customer = app.call("create_customer", "Ann Lee", None, None, None, "staff:ann")
        account = app.call("open_account", customer["customer_id"], tariff.code, "1 Main St",
                           "2026-01-01", "staff:ann")["account_id"]
        app.call("install_meter", account, "SN-ANN-1", 5, 1, "2026-01-01", 0, "staff:ann")
        pay = app.call("post_payment", account, "12.50", "cash", None, "k-ann-1", "staff:ann")
        owner = db.value("SELECT USER()")
        app_user = app.value("SELECT USER()")
        app.close()
        assert app_user == f"{prefix}billing_app@localhost" and app_user != owner
        rows = db.rows("SELECT table_name, action, actor, db_user FROM audit_log ORDER BY audit_id")
        assert {r["table_name"] for r in rows} >= {"customer", "account", "meter", "payment"}
        assert {(r["actor"], r["db_user"]) for r in rows} == {("staff:ann", app_user)}
        [posted] = _events(db, "payment_posted")
        assert posted["row_key"] == str(pay["payment_id"]) and posted["account_id"] == account
        assert posted["db_user"] == app_user and posted["actor"] == "staff:ann"
    finally:
        for role in ("billing_app", "billing_report", "billing_batch", "billing_web"):
            for host in ("%", "localhost"):
                db.execute(f"DROP USER IF EXISTS '{prefix}{role}'@'{host}'")


# --- money events written by the procedures ---------------------------------------------------

@pytest.fixture
def paid(db):
    db.execute("SET timestamp = UNIX_TIMESTAMP('2026-03-01')")
    m = make_metered_account(db)
    m.bill_id = make_bill(db, m.account_id, "40.00", "2026-02-20")
    db.execute("DELETE FROM audit_log")
    return m


def test_payments_posted_replayed_and_reversed_are_audited_with_reason(db, paid):
    me = db.value("SELECT USER()")
    r = db.call("post_payment", paid.account_id, "30.00", "card", None, "K-1", "customer:C1")
    again = db.call("post_payment", paid.account_id, "30.00", "card", None, "K-1", "customer:C1")
    assert again["replayed"] == 1
    db.call("reverse_payment", r["payment_id"], "cheque bounced", "staff:bob")
    with pytest.raises(DbError):          # reversed before: 45023, and no second event
        db.call("reverse_payment", r["payment_id"], "again", "staff:bob")
    rows = _events(db, "payment_posted", "payment_replayed", "payment_reversed")
    assert [(x["action"], x["row_key"], x["account_id"], x["actor"], x["db_user"]) for x in rows] == [
        ("payment_posted", str(r["payment_id"]), paid.account_id, "customer:C1", me),
        ("payment_replayed", str(r["payment_id"]), paid.account_id, "customer:C1", me),
        ("payment_reversed", str(r["payment_id"]), paid.account_id, "staff:bob", me)]
    posted = json.loads(rows[0]["detail"])
    assert Decimal(str(posted["amount"])) == Decimal("30.00") and posted["method"] == "card"
    assert '"amount": 30.00,' in rows[0]["detail"]          # money: two places, not 30.0000000000
    assert posted["idempotency_key"] == "K-1"
    reversed_ = json.loads(rows[2]["detail"])
    assert reversed_["reason"] == "cheque bounced"
    assert Decimal(str(reversed_["amount"])) == Decimal("30.00")
    # who, when and why, for staff and customer pages (v_payments) and the audit page (view)
    v = db.row("SELECT status, reversed_by, reversal_reason, reversed_at FROM v_payments "
               "WHERE payment_id = %s", r["payment_id"])
    assert (v["status"], v["reversed_by"], v["reversal_reason"]) == ("reversed", "staff:bob",
                                                                       "cheque bounced")
    assert v["reversed_at"] is not None
    va = db.row("SELECT actor, db_user, account_id, customer_id FROM v_audit_log "
                "WHERE action = 'payment_reversed'")
    assert va == {"actor": "staff:bob", "db_user": me, "account_id": paid.account_id,
                  "customer_id": paid.customer_id}


def test_bill_cancels_and_refunds_are_audited_with_reason(db, paid):
    """Issue 16: a cancel (with its reason and credit note) and a refund are money actions in
    the trail, written in their own transactions; a refund's replay writes no second event."""
    me = db.value("SELECT USER()")
    db.call("post_payment", paid.account_id, "40.00", "cash", None, "K-C", "staff:ann")
    c = db.call("cancel_bill", paid.bill_id, "misread meter", "staff:bob")
    r = db.call("refund_credit", paid.account_id, "15.00", "cheque", "R-1", "staff:bob")
    assert db.call("refund_credit", paid.account_id, "15.00", "cheque", "R-1",
                   "staff:bob")["replayed"] == 1
    rows = _events(db, "bill_cancelled", "refund_issued")
    assert [(x["action"], x["row_key"], x["account_id"], x["actor"], x["db_user"]) for x in rows] == [
        ("bill_cancelled", str(paid.bill_id), paid.account_id, "staff:bob", me),
        ("refund_issued", str(r["refund_id"]), paid.account_id, "staff:bob", me)]
    cancelled = json.loads(rows[0]["detail"])
    assert (cancelled["reason"], cancelled["credit_note_no"]) == ("misread meter",
                                                                   c["credit_note_no"])
    assert Decimal(str(cancelled["amount_credited"])) == Decimal("40.00")
    refund = json.loads(rows[1]["detail"])
    assert (Decimal(str(refund["amount"])), refund["method"]) == (Decimal("15.00"), "cheque")
    assert Decimal(str(refund["balance_after"])) == Decimal("-25.00")


def test_a_failed_posting_leaves_no_event(db, paid):
    with pytest.raises(DbError):
        db.call("post_payment", paid.account_id, "0", "card", None, "K-0", "customer:C1")
    with pytest.raises(DbError):        # the key of another amount: 45022 after a replay read
        db.call("post_payment", paid.account_id, "5.00", "card", None, "K-2", "customer:C1")
        db.call("post_payment", paid.account_id, "6.00", "card", None, "K-2", "customer:C1")
    assert [x["action"] for x in _events(db, "payment_posted", "payment_replayed")] == [
        "payment_posted"]


def test_billing_runs_write_one_row_at_start_and_one_at_end_not_per_bill(db):
    db.execute("SET timestamp = UNIX_TIMESTAMP('2026-03-01')")
    t = None
    for _ in range(3):
        m = make_metered_account(db, tariff_code=t, opened_on="2026-01-01")
        t = m.tariff_code
        db.call("record_reading", m.serial, "2026-01-31", 100, "field", "staff:x")
    one = make_metered_account(db, tariff_code=t, opened_on="2026-01-01")
    db.call("record_reading", one.serial, "2026-01-31", 50, "field", "staff:x")
    db.execute("DELETE FROM audit_log")
    b = db.call("bill_account", one.account_id, "2026-01-01", "2026-01-31", "2026-03-01", 14,
                "staff:carol")
    r = db.call("run_billing", "2026-01-01", "2026-01-31", "2026-03-01", 14, "batch:billing")
    assert r["bills_created"] == 3
    rows = db.rows("SELECT action, row_key, account_id, actor, CAST(new_values AS CHAR) AS d "
                   "FROM audit_log ORDER BY audit_id")
    assert [(x["action"], x["actor"]) for x in rows] == [
        ("account_billed", "staff:carol"), ("billing_run_started", "batch:billing"),
        ("billing_run_finished", "batch:billing")]
    assert rows[0]["account_id"] == one.account_id
    assert str(json.loads(rows[0]["d"])["bill_id"]) == str(b["bill_id"])
    assert rows[1]["row_key"] == rows[2]["row_key"] == str(r["run_id"])
    assert str(json.loads(rows[1]["d"])["accounts_total"]) == "3"
    end = json.loads(rows[2]["d"])
    assert str(end["bills_created"]) == "3" and Decimal(str(end["total_billed"])) == r["total_billed"]


def test_late_fee_runs_and_reading_reviews_are_audited(db):
    db.execute("SET timestamp = UNIX_TIMESTAMP('2026-12-31 12:00:00')")
    t = make_tariff(db, versions=[dict(effective_from="2026-01-01", late_fee_pct="2")])
    m = make_metered_account(db, tariff_code=t, opened_on="2026-01-01", initial_read=0,
                             dial_digits=6)
    db.call("record_reading", m.serial, "2026-01-31", 100, "field", "staff:x")
    rev = db.call("record_reading", m.serial, "2026-03-02", 1100, "field", "staff:x")
    assert rev["status"] == "review"
    make_bill(db, m.account_id, "100.00", "2026-04-20")
    db.execute("DELETE FROM audit_log")
    fees = db.call("apply_late_fees", "2026-05-01", "batch:late_fees")
    assert fees["bills_charged"] == 1
    db.call("reject_reading", rev["reading_id"], "misread dial", "staff:dan")
    rows = _events(db, "late_fees_applied", "reading_rejected", "reading_approved")
    assert [(x["action"], x["actor"], x["account_id"]) for x in rows] == [
        ("late_fees_applied", "batch:late_fees", None),
        ("reading_rejected", "staff:dan", m.account_id)]
    lf = json.loads(rows[0]["detail"])
    assert str(lf["bills_charged"]) == "1" and Decimal(str(lf["total_fees"])) == fees["total_fees"]
    assert json.loads(rows[1]["detail"])["reason"] == "misread dial"
    rev2 = db.call("record_reading", m.serial, "2026-03-03", 1150, "field", "staff:x")
    if rev2["status"] == "review":
        db.call("approve_reading", rev2["reading_id"], "staff:eve")
        [ok] = _events(db, "reading_approved")
        assert (ok["actor"], ok["row_key"]) == ("staff:eve", str(rev2["reading_id"]))
    else:
        pytest.fail(f"the second reading was not held for review: {rev2}")


def test_record_audit_event_is_the_web_apps_path(db):
    c = make_customer(db)
    db.execute("DELETE FROM audit_log")
    r = db.call("record_audit_event", "portal_login_issued", "customer", str(c),
                '{"username": "C0000001"}', "staff:ann")
    row = db.row("SELECT action, table_name, row_key, actor, db_user, customer_id, new_values "
                 "FROM v_audit_log WHERE audit_id = %s", r["audit_id"])
    assert row == {"action": "portal_login_issued", "table_name": "customer", "row_key": str(c),
                   "actor": "staff:ann", "db_user": db.value("SELECT USER()"), "customer_id": c,
                   "new_values": '{"username": "C0000001"}'}
    bad = [("payment_posted", "customer", str(c), None, "x"),     # a procedure's own event
           ("portal_Login", "customer", str(c), None, "x"),
           ("portal_x\n", "customer", str(c), None, "x"),
           ("web_x", "Customer", str(c), None, "x"),
           ("web_x", "customer", str(c), "[1]", "x"),
           ("web_x", "customer", str(c), "{", "x"),
           ("web_x", "customer", str(c), None, " "),
           ("web_x", "customer", "", None, "x")]
    for args in bad:
        with pytest.raises(DbError) as e:
            db.call("record_audit_event", *args)
        assert e.value.errno == 45002, (args, e.value)
    for key in ("999999", "7x"):
        with pytest.raises(DbError) as e:
            db.call("record_audit_event", "portal_login_issued", "customer", key, None, "x")
        assert e.value.errno == 45001
    assert db.value("SELECT COUNT(*) FROM audit_log") == 1
