"""Append-only rules (45060 IMMUTABLE), enforced by triggers for every database user, root included.

The rows are arranged with direct INSERTs as the schema owner (root on the private server):
inserting stays allowed, changing and deleting what must never change is refused.
"""
import pytest

from helpers.db import DbError

IMMUTABLE = 45060


@pytest.fixture
def rows(db):
    """One account with a bill (two lines), a payment allocated to it, and their ledger rows."""
    for sql in [
        "INSERT INTO customer (customer_id, customer_no, full_name) VALUES (1, 'C0000001', 'Ann')",
        "INSERT INTO tariff (tariff_id, code, name) VALUES (1, 'RES', 'Residential')",
        "INSERT INTO tariff_version (tariff_version_id, tariff_id, effective_from, fixed_charge,"
        " tax_rate_pct, late_fee_pct, early_pay_pct, early_pay_days)"
        " VALUES (1, 1, '2026-01-01', 5, 0, 2, 0, 0)",
        "INSERT INTO account (account_id, account_no, customer_id, tariff_id, service_address, opened_on)"
        " VALUES (1, 'A0000001', 1, 1, '1 Main St', '2026-01-01'),"
        "        (2, 'A0000002', 1, 1, '2 Main St', '2026-01-01')",
        "INSERT INTO meter (meter_id, serial_no, dial_digits) VALUES (1, 'M-1', 5)",
        "INSERT INTO meter_installation (meter_id, account_id, installed_on, initial_read)"
        " VALUES (1, 1, '2026-01-01', 0)",
        "INSERT INTO meter_reading (reading_id, meter_id, read_on, value, kind, source, status,"
        " consumption_kwh, recorded_by) VALUES"
        " (1, 1, '2026-01-01', 0, 'initial', 'system', 'accepted', 0, 'staff:test'),"
        " (2, 1, '2026-01-31', 100, 'actual', 'field', 'accepted', 100, 'staff:test')",
        "INSERT INTO bill (bill_id, bill_no, account_id, tariff_version_id, period_start, period_end,"
        " days_billed, period_days, issue_date, due_date, prev_read_on, prev_read_value, end_reading_id,"
        " register_advance, consumption_kwh, total_amount, issued_total, amount_paid) VALUES"
        " (1, '2026-000001', 1, 1, '2026-01-01', '2026-01-31', 31, 31, '2026-02-01', '2026-02-15',"
        "  '2026-01-01', 0, 2, 100, 100, 17.00, 17.00, 10.00)",
        "INSERT INTO bill_line (bill_id, line_no, kind, description, quantity_kwh, rate, amount) VALUES"
        " (1, 1, 'energy', 'Energy', 100, 0.12, 12.00), (1, 2, 'fixed', 'Fixed charge', NULL, NULL, 5.00)",
        "INSERT INTO discount (discount_id, code, name, pct) VALUES (1, 'SEN', 'Senior', 0)",
        "INSERT INTO account_discount (account_discount_id, account_id, discount_id, valid_from)"
        " VALUES (1, 1, 1, '2026-01-01')",
        "INSERT INTO bill_discount (bill_id, account_discount_id, pct) VALUES (1, 1, 0)",
        "INSERT INTO payment (payment_id, account_id, amount, method, paid_at, posted_at,"
        " idempotency_key, amount_allocated, posted_by) VALUES"
        " (1, 1, 10.00, 'cash', '2026-02-03 10:00:00', '2026-02-03 10:00:00', 'key-1', 10.00, 'staff:test')",
        "INSERT INTO payment_allocation (allocation_id, payment_id, bill_id, amount) VALUES (1, 1, 1, 10.00)",
        "INSERT INTO ledger_entry (entry_id, account_id, entry_type, amount, bill_id, payment_id,"
        " entry_date, actor) VALUES"
        " (1, 1, 'bill', 17.00, 1, NULL, '2026-02-01', 'batch:test'),"
        " (2, 1, 'payment', -10.00, NULL, 1, '2026-02-03', 'staff:test')",
    ]:
        db.execute(sql)
    return db


def refused(db, sql):
    before = table_contents(db)
    with pytest.raises(DbError) as e:
        db.execute(sql)
    assert e.value.errno == IMMUTABLE, e.value
    assert table_contents(db) == before
    return e.value.message


def table_contents(db):
    return {t: db.rows(f"SELECT * FROM {t} ORDER BY 1")
            for t in ("bill", "bill_line", "bill_discount", "payment", "payment_allocation", "ledger_entry")}


def test_tests_run_as_the_most_privileged_user(db):
    # the rules must hold for the schema owner / root, not only for the app's account
    assert db.value("SELECT CURRENT_USER()").startswith("root@")


@pytest.mark.parametrize("sql", [
    "UPDATE ledger_entry SET amount = 0 WHERE entry_id = 1",
    "UPDATE ledger_entry SET actor = 'x'",
    "UPDATE ledger_entry SET amount = amount WHERE entry_id = 2",      # even a no-op update
    "DELETE FROM ledger_entry WHERE entry_id = 2",
    "DELETE FROM ledger_entry",
])
def test_ledger_rows_never_change(rows, sql):
    refused(rows, sql)


@pytest.mark.parametrize("sql", [
    "UPDATE payment_allocation SET amount = 5.00 WHERE allocation_id = 1",
    "UPDATE payment_allocation SET bill_id = bill_id",
    "DELETE FROM payment_allocation WHERE allocation_id = 1",
])
def test_allocations_never_change(rows, sql):
    refused(rows, sql)


@pytest.mark.parametrize("sql", [
    "UPDATE bill_line SET amount = 1.00 WHERE bill_id = 1 AND line_no = 1",
    "UPDATE bill_line SET description = 'x'",
    "DELETE FROM bill_line WHERE bill_id = 1 AND line_no = 2",
])
def test_bill_lines_never_change(rows, sql):
    refused(rows, sql)


@pytest.mark.parametrize("sql", [
    "UPDATE bill_discount SET account_discount_id = account_discount_id",
    "DELETE FROM bill_discount WHERE bill_id = 1",
])
def test_a_bills_discounts_never_change(rows, sql):
    refused(rows, sql)


def test_a_bill_is_never_deleted(rows):
    refused(rows, "DELETE FROM bill WHERE bill_id = 1")


def test_a_bill_may_be_updated(rows):
    # totals and paid amounts are kept by the procedures: a bill row itself is not frozen
    assert rows.execute("UPDATE bill SET amount_paid = 12.00, total_amount = 17.00 WHERE bill_id = 1") == 1
    assert rows.value("SELECT amount_paid FROM bill WHERE bill_id = 1") == 12


def test_a_payment_is_never_deleted(rows):
    refused(rows, "DELETE FROM payment WHERE payment_id = 1")


@pytest.mark.parametrize("sql, column", [
    ("UPDATE payment SET amount = 11.00 WHERE payment_id = 1", "amount"),
    ("UPDATE payment SET account_id = 2 WHERE payment_id = 1", "account_id"),
    ("UPDATE payment SET idempotency_key = 'key-2' WHERE payment_id = 1", "idempotency_key"),
    ("UPDATE payment SET idempotency_key = 'KEY-1' WHERE payment_id = 1", "idempotency_key"),
    ("UPDATE payment SET status = 'reversed', reversed_at = NOW(), amount = 9 WHERE payment_id = 1",
     "amount"),
])
def test_a_payments_account_amount_and_key_never_change(rows, sql, column):
    assert column in refused(rows, sql)


def test_a_payments_status_allocation_and_reversal_may_change(rows):
    assert rows.execute(
        "UPDATE payment SET status = 'reversed', amount_allocated = 0, reversed_at = '2026-02-10 09:00:00',"
        " reversed_by = 'staff:test', reversal_reason = 'bounced' WHERE payment_id = 1") == 1
    p = rows.row("SELECT status, amount_allocated, reversed_by, amount, account_id, idempotency_key"
                  " FROM payment WHERE payment_id = 1")
    assert p == {"status": "reversed", "amount_allocated": 0, "reversed_by": "staff:test",
                 "amount": 10, "account_id": 1, "idempotency_key": b"key-1"}
    # setting the fixed columns to the values they have is no change
    assert rows.execute("UPDATE payment SET amount = 10.00, account_id = 1, idempotency_key = 'key-1'"
                        " WHERE payment_id = 1") == 0


def test_appending_stays_allowed(rows):
    rows.execute("INSERT INTO payment_allocation (payment_id, bill_id, amount) VALUES (1, 1, -10.00)")
    rows.execute("INSERT INTO ledger_entry (account_id, entry_type, amount, payment_id, entry_date, actor)"
                 " VALUES (1, 'payment_reversal', 10.00, 1, '2026-02-10', 'staff:test')")
    rows.execute("INSERT INTO bill_line (bill_id, line_no, kind, description, amount)"
                 " VALUES (1, 3, 'late_fee', 'Late fee', 0.14)")
    assert rows.value("SELECT COUNT(*) FROM payment_allocation") == 2
    assert rows.value("SELECT SUM(amount) FROM ledger_entry") == 17


def test_a_refused_change_inside_a_transaction_leaves_the_rest_to_the_caller(rows):
    # the trigger refuses the statement; the caller's transaction decides about the rest
    rows.execute("START TRANSACTION")
    rows.execute("INSERT INTO ledger_entry (account_id, entry_type, amount, bill_id, entry_date, actor)"
                 " VALUES (1, 'late_fee', 1.00, 1, '2026-03-01', 'batch:test')")
    with pytest.raises(DbError) as e:
        rows.execute("DELETE FROM ledger_entry WHERE entry_id = 1")
    assert e.value.errno == IMMUTABLE
    rows.execute("ROLLBACK")
    assert rows.value("SELECT COUNT(*) FROM ledger_entry") == 2
