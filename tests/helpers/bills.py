"""Bills for payment tests, made directly with SQL (no billing run needed), and the reads the
payment tests share (bill_state, allocations, balance, assert_integrity).

    from helpers.factories import make_metered_account
    from helpers.bills import make_bill

    acc = make_metered_account(db)
    bill_id = make_bill(db, acc.account_id, "110.00", "2026-02-15", tax="10.00",
                        rebate_amount="2.00", rebate_date="2026-02-05")

make_bill inserts what the billing engine would leave behind, consistent with the invariants
that v_ledger_integrity checks: a bill row (bill_no from the gapless 'bill' series of the issue
year, as the engine numbers them; the account's tariff version; the meter's initial reading as
end reading), an energy line of total - tax and a tax line (lines sum to the total), and the
ledger debit of the total (entry_type 'bill', dated the issue date), and the revenue report's
delta for the bill (report_revenue_part, migration 0121). It does not allocate credit
already on the account (the engine does; tests that want it call _allocate_payment).
"""
import datetime as dt
from decimal import Decimal

from helpers.db import as_date
from helpers.factories import ACTOR


def _date(d):
    day = as_date(d)
    if day is None:
        raise ValueError(f"not a date: {d!r}")
    return day


def make_bill(db, account_id, total, due_date, issue_date=None, rebate_amount="0",
              rebate_date=None, tax="0.00", period_end=None, actor=ACTOR):
    """Inserts an issued bill of `total` on the account; returns bill_id.

    issue_date: default due_date - 14 days. period_end: default the issue date, moved a day
    earlier for each bill the account has already (bills of an account need distinct period ends);
    the period is the 30 days up to it. rebate_amount > 0 needs a rebate_date (default issue
    date + 10 days). tax: the amount of the tax line (the energy line is total - tax).
    """
    total, tax, rebate = Decimal(str(total)), Decimal(str(tax)), Decimal(str(rebate_amount))
    due = _date(due_date)
    issue = _date(issue_date) if issue_date is not None else due - dt.timedelta(days=14)
    if rebate > 0 and rebate_date is None:
        rebate_date = issue + dt.timedelta(days=10)
    if period_end is None:
        n = db.value("SELECT COUNT(*) FROM bill WHERE account_id = %s", account_id)
        period_end = issue - dt.timedelta(days=n)
    pe = _date(period_end)
    ps = pe - dt.timedelta(days=29)
    src = db.row(
        "SELECT (SELECT v.tariff_version_id FROM tariff_version v "
        "        WHERE v.tariff_id = a.tariff_id "
        "        ORDER BY v.effective_from <= %s DESC, v.effective_from DESC LIMIT 1) "
        "       AS version_id, "
        "       r.reading_id, r.read_on, r.value "
        "FROM account a "
        "JOIN meter_installation i ON i.account_id = a.account_id "
        "JOIN meter_reading r ON r.meter_id = i.meter_id AND r.kind = 'initial' "
        "WHERE a.account_id = %s ORDER BY i.meter_installation_id LIMIT 1", pe, account_id)
    if src is None or src["version_id"] is None:
        raise ValueError(f"make_bill: account {account_id} needs a tariff version and a meter "
                         "(use helpers.factories.make_metered_account)")
    db.execute("SET @billing_actor = %s", actor)
    db.execute("START TRANSACTION")
    try:
        db.execute("INSERT INTO number_counter (counter_name, counter_year, last_number) "
                   "VALUES ('bill', %s, 1) ON DUPLICATE KEY UPDATE last_number = last_number + 1",
                   issue.year)
        seq = db.value("SELECT last_number FROM number_counter WHERE counter_name = 'bill' "
                       "AND counter_year = %s FOR UPDATE", issue.year)
        db.execute(
            "INSERT INTO bill (bill_no, account_id, tariff_version_id, period_start, period_end, "
            "  days_billed, period_days, issue_date, due_date, prev_read_on, prev_read_value, "
            "  end_reading_id, register_advance, consumption_kwh, estimated, rebate_amount, "
            "  rebate_date, total_amount, issued_total, amount_paid) "
            "VALUES (%s, %s, %s, %s, %s, 30, 30, %s, %s, %s, %s, %s, 0, 0, 0, %s, %s, %s, %s, 0)",
            f"{issue.year}-{seq:06d}", account_id, src["version_id"], ps, pe, issue, due,
            src["read_on"], src["value"], src["reading_id"], rebate, rebate_date, total, total)
        bill_id = db.value("SELECT LAST_INSERT_ID()")
        db.execute(
            "INSERT INTO bill_line (bill_id, line_no, kind, description, amount) VALUES "
            "(%s, 1, 'energy', 'Energy (test fixture)', %s), (%s, 2, 'tax', 'Tax', %s)",
            bill_id, total - tax, bill_id, tax)
        db.execute("INSERT INTO ledger_entry (account_id, entry_type, amount, bill_id, entry_date, "
                   "actor) VALUES (%s, 'bill', %s, %s, %s, %s)",
                   account_id, total, bill_id, issue, actor)
        db.execute("INSERT INTO report_revenue_part (month_start, tariff_version_id, bills, "
                   "energy_charge, tax_amount, total_billed) VALUES (%s, %s, 1, %s, %s, %s)",
                   pe.replace(day=1), src["version_id"], total - tax, tax, total)
        db.execute("COMMIT")
    except Exception:
        db.execute("ROLLBACK")
        raise
    return bill_id


# reads shared by the payment tests
def bill_state(db, bill_id):
    return db.row("SELECT total_amount AS total, amount_paid AS paid, rebate_granted AS granted "
                  "FROM bill WHERE bill_id = %s", bill_id)


def allocations(db, payment_id):
    return [(r["bill_id"], r["amount"]) for r in db.rows(
        "SELECT bill_id, amount FROM payment_allocation WHERE payment_id = %s "
        "ORDER BY allocation_id", payment_id)]


def balance(db, account_id):
    return db.value("SELECT COALESCE(SUM(amount), 0) FROM ledger_entry WHERE account_id = %s",
                    account_id)


def assert_integrity(db):
    assert db.rows("SELECT * FROM v_ledger_integrity") == []
