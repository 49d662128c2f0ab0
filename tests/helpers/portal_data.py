"""Portal test data made through the procedures (real bills from bill_account), shared by
tests/web/test_portal_*.py and the browser tests.

    from helpers.portal_data import make_portal_customer
    cust = make_portal_customer(db)      # 3 billed periods ending 6 days ago (see below)

Dates are relative to the server's CURRENT_DATE (t), because "today" decides overdue and
rebates: periods of 30 days [t-95, t-66], [t-65, t-36], [t-35, t-6], each billed the day
after it ends, due 14 days later; the first is paid in full, the second has an estimated
reading (no reading recorded) and is overdue with a late fee (apply_late_fees today), the
third is open with an early-payment rebate on offer until t+5.

    from helpers.portal_data import MONTHS, billed
    acc, bill_ids = billed(db, [300, 310, ...])     # one bill a month of MONTHS, for those kWh
"""
import datetime as dt

from helpers.factories import ACTOR, Ns, make_metered_account, make_tariff

VERSION = dict(effective_from="2000-01-01", fixed_charge="5.00", tax_rate_pct="10",
               late_fee_pct="1.5", early_pay_pct="2", early_pay_days=10,
               blocks=[(100, "0.12"), (None, "0.18")])


def make_portal_customer(db, name="Ada Lovelace", email="ada@example.org", tariff=None,
                         with_history=True):
    today = db.value("SELECT CURRENT_DATE")
    t = (lambda n: today + dt.timedelta(days=n))
    tariff = tariff or make_tariff(db, versions=[VERSION])
    acc = make_metered_account(db, tariff_code=tariff, opened_on=t(-95), initial_read=1000)
    db.call("update_customer", acc.customer_id, name, email, None, "1 Analytical Way", ACTOR)
    bills = []
    if with_history:
        readings = {t(-66): 1250, t(-6): 1790}          # none for the second period: estimated
        for start, end in ((t(-95), t(-66)), (t(-65), t(-36)), (t(-35), t(-6))):
            if end in readings:
                db.call("record_reading", acc.serial, end, readings[end], "field", ACTOR)
            r = db.call("bill_account", acc.account_id, start, end, end + dt.timedelta(days=1),
                        14, ACTOR)
            bills.append(r["bill_id"])
        first_total = db.value("SELECT total_amount FROM bill WHERE bill_id = %s", bills[0])
        db.call("post_payment", acc.account_id, first_total, "cash", None, "fixture-first-" +
                str(acc.account_id), ACTOR)
        db.call("apply_late_fees", today, "batch:late_fees")
    return Ns(**vars(acc), bill_ids=bills, name=name, email=email, tariff=tariff)


# fifteen months of periods, and an account billed for each: the bill-explanation and chart pages
MONTHS = [("2025-06-01", "2025-06-30"), ("2025-07-01", "2025-07-31"), ("2025-08-01", "2025-08-31"),
          ("2025-09-01", "2025-09-30"), ("2025-10-01", "2025-10-31"), ("2025-11-01", "2025-11-30"),
          ("2025-12-01", "2025-12-31"), ("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-28"),
          ("2026-03-01", "2026-03-31"), ("2026-04-01", "2026-04-30"), ("2026-05-01", "2026-05-31"),
          ("2026-06-01", "2026-06-30"), ("2026-07-01", "2026-07-31"), ("2026-08-01", "2026-08-31")]


def billed(db, kwh_per_month, months=MONTHS, tariff=None):
    """An account billed month by month (issued the day after each period) for these kWh;
    returns (account, [bill_id, ...])."""
    tariff = tariff or make_tariff(db, versions=[{"effective_from": "2000-01-01",
                                                  "fixed_charge": "5.00", "tax_rate_pct": "0"}]).code
    acc = make_metered_account(db, tariff_code=tariff, opened_on=months[0][0], dial_digits=6)
    value, bills = 0, []
    for (start, end), kwh in zip(months, kwh_per_month):
        value += kwh
        db.call("record_reading", acc.serial, end, value, "field", ACTOR)
        issue = str(dt.date.fromisoformat(end) + dt.timedelta(days=1))
        r = db.call("bill_account", acc.account_id, start, end, issue, 14, ACTOR)
        assert r["bill_id"], (r, start, db.rows("SELECT * FROM v_billing_exceptions"))
        bills.append(r["bill_id"])
    return acc, bills
