"""The figures of a customer's bill document that an outside review of the documents found wrong
or missing: a rebate the account's credit earned at issue (billing-rules.md, Bill totals: credit
is applied at issue by the payment rules, with the issue date as the payment date) was added in
the bill's summary (+€0.41, the rows not summing to the total) and left out of "Balance after
this bill"; a meter exchanged inside the period did not show (the bill read "Previous 443,364,
This bill 139")."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import formatting
from helpers.factories import ACTOR
from helpers.pages import text
from helpers.portal_data import make_portal_customer
from portal.models import CustomerLogin
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


def customer_and_days(db):
    """A portal customer without bills (its account opened 95 days ago on a reading of 1,000),
    and t(n): the day n days from today."""
    today = db.value("SELECT CURRENT_DATE")
    return make_portal_customer(db, with_history=False), (lambda n: today + dt.timedelta(days=n))


def test_a_rebate_earned_at_issue_by_credit_is_taken_off_and_in_the_balance(client, billing_db):
    db = billing_db
    cust, t = customer_and_days(db)
    with db.at(t(-70)):
        db.call("post_payment", cust.account_id, "500.00", "cash", None, "credit-500", ACTOR)
    db.call("record_reading", cust.serial, t(-66), 1250, "field", ACTOR)
    bill_id = db.call("bill_account", cust.account_id, t(-95), t(-66), t(-65), 14,
                      ACTOR)["bill_id"]
    b = db.row("SELECT * FROM v_bill_summary WHERE bill_id = %s", bill_id)
    assert b["rebate_granted"] == 1 and b["amount_open"] == 0
    s = db.row("SELECT * FROM v_bill_account_summary WHERE bill_id = %s", bill_id)
    balance = db.value("SELECT balance FROM v_account_balance WHERE account_id = %s",
                       cust.account_id)
    assert s["rebate_at_issue"] == -b["rebate_amount"]
    assert s["new_charges"] == b["issued_total"]
    assert s["balance_after"] == balance == (s["previous_balance"] + s["payments"]
                                             + s["adjustments"] + s["new_charges"]
                                             + s["rebate_at_issue"])
    create_customer_login(cust.customer_id)
    client.force_login(CustomerLogin.objects.get(customer_id=cust.customer_id).user)
    m = formatting.money
    for name in ("portal:bill_detail", "portal:bill_print"):
        page = text(client.get(reverse(name, args=[bill_id])))
        # the summary's rows sum to its total: the rebate is taken off
        assert f"Early-payment rebate earned -{m(b['rebate_amount'])}" in page
        assert f"Total of this bill {m(b['total_amount'])}" in page
        assert f"This bill, as issued {m(b['issued_total'])}" in page
        assert (f"Early-payment rebate earned on this bill by your credit "
                f"-{m(b['rebate_amount'])}") in page
        assert f"Balance after this bill {m(balance)}" in page
        figures = re.search(r"Summary of this bill (.*?) Total of this bill", page).group(1)
        amounts = [Decimal(x.replace("€", "").replace(",", ""))
                   for x in re.findall(r"-?€[\d,]+\.\d\d", figures)]
        assert len(amounts) >= 4 and sum(amounts) == b["total_amount"], figures


def test_a_meter_exchanged_in_the_period_shows_both_meters(client, billing_db):
    db = billing_db
    cust, t = customer_and_days(db)
    with db.at(t(-80)):
        db.call("exchange_meter", cust.account_id, t(-80), 1100, "NEW-EX-1", 5, 1, 0, ACTOR)
    db.call("record_reading", "NEW-EX-1", t(-66), 150, "field", ACTOR)
    bill_id = db.call("bill_account", cust.account_id, t(-95), t(-66), t(-65), 14,
                      ACTOR)["bill_id"]
    b = db.row("SELECT * FROM v_bill_summary WHERE bill_id = %s", bill_id)
    assert b["consumption_kwh"] == 250                  # 100 on the old meter, 150 on the new
    words = db.row("SELECT * FROM v_bill_reading_words WHERE bill_id = %s", bill_id)
    assert (words["meter_exchanged"], words["one_meter"]) == (1, 0)
    create_customer_login(cust.customer_id)
    client.force_login(CustomerLogin.objects.get(customer_id=cust.customer_id).user)
    day = formatting.day
    for name in ("portal:bill_detail", "portal:bill_print"):
        page = text(client.get(reverse(name, args=[bill_id])))
        assert "Your meter was exchanged during this period" in page
        assert f"Previous {cust.serial} {day(t(-95))} 1,000" in page
        assert f"Reading {cust.serial} {day(t(-80))} 1,100" in page
        assert f"New meter, first reading NEW-EX-1 {day(t(-80))} 0" in page
        assert f"This bill NEW-EX-1 {day(t(-66))} 150" in page
        assert "Consumption: 250 kWh" in page
