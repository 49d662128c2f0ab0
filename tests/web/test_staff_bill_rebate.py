"""The staff bill page says the early-payment rebate's state in words, as the portal does
(BillSummary.rebate_state: offered, earned, not earned), and whether a granted rebate was taken
back; a cancelled bill offers nothing.

Found by an outside review: the page said "€3.77 if paid by …" on every bill with a rebate, also
on a cancelled bill and on bills whose rebate was gone (not earned, or granted and then taken back
by a reversal)."""
import datetime as dt
import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from billing import formatting
from helpers.factories import make_metered_account, make_tariff
from helpers.portal_data import VERSION

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
A = "staff:clara"
money, day = formatting.money, formatting.day


def text(response):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def one_bill(billing_db):
    """make(issued_days_ago) -> the v_bill_summary row of a new account's one bill (30 days,
    issued that many days ago, due 14 days later; rebate 2% if paid in full within 10 days)."""
    db = billing_db
    today = db.value("SELECT CURRENT_DATE")
    t = (lambda n: today + dt.timedelta(days=n))
    tariff = make_tariff(db, versions=[VERSION])

    def make(issued_days_ago):
        issued = t(-issued_days_ago)
        acc = make_metered_account(db, tariff_code=tariff.code, opened_on=issued - dt.timedelta(
            days=30), initial_read=1000)
        db.call("record_reading", acc.serial, issued - dt.timedelta(days=1), 1400, "field", A)
        bill_id = db.call("bill_account", acc.account_id, issued - dt.timedelta(days=30),
                          issued - dt.timedelta(days=1), issued, 14, A)["bill_id"]
        return bill(db, bill_id)
    return make


def bill(db, bill_id):
    return db.row("SELECT * FROM v_bill_summary WHERE bill_id = %s", bill_id)


def rebate_words(client, bill_id):
    page = text(client.get(reverse("billing:bill_detail", args=[bill_id])))
    found = re.search(r"Early-payment rebate (.*?) Total ", page)
    return found and found.group(1).strip()


def test_offered_then_earned(staff_client, one_bill, billing_db):
    b = one_bill(2)
    assert b["rebate_amount"] > 0 and b["rebate_date"] > billing_db.value("SELECT CURRENT_DATE")
    assert rebate_words(staff_client, b["bill_id"]) == (
        f"Offered: {money(b['rebate_amount'])} if paid in full by {day(b['rebate_date'])}")
    billing_db.call("post_payment", b["account_id"], b["total_amount"], "cash", None, "earn", A)
    b = bill(billing_db, b["bill_id"])
    assert b["rebate_granted"] == 1
    assert rebate_words(staff_client, b["bill_id"]) == (
        f"Earned: {money(b['rebate_amount'])} (paid in full by {day(b['rebate_date'])})")


def test_not_earned_when_the_date_passed_unpaid(staff_client, one_bill):
    b = one_bill(20)
    assert rebate_words(staff_client, b["bill_id"]) == (
        f"Not earned: the bill was not paid in full by {day(b['rebate_date'])} "
        f"({money(b['rebate_amount'])} offered)")


def test_taken_back_when_the_payment_that_earned_it_is_reversed(staff_client, one_bill,
                                                                 billing_db):
    db = billing_db
    b = one_bill(20)
    with db.at(b["issue_date"] + dt.timedelta(days=2)):
        pid = db.call("post_payment", b["account_id"], b["total_amount"], "cash", None, "tb",
                      A)["payment_id"]
    assert bill(db, b["bill_id"])["rebate_granted"] == 1
    db.call("reverse_payment", pid, "cheque bounced", A)
    assert bill(db, b["bill_id"])["rebate_granted"] == 0
    assert rebate_words(staff_client, b["bill_id"]) == (
        f"Taken back: {money(b['rebate_amount'])} was granted, then withdrawn when the payment "
        f"that earned it was reversed")
    # the customer's bill says the same in its words, not "Not earned: ... could be saved"
    from portal.models import CustomerLogin
    from portal.services import create_customer_login
    customer_id = db.value("SELECT customer_id FROM account WHERE account_id = %s",
                           b["account_id"])
    create_customer_login(customer_id)
    client = Client()
    client.force_login(CustomerLogin.objects.get(customer_id=customer_id).user)
    for name in ("portal:bill_detail", "portal:bill_print"):
        page = text(client.get(reverse(name, args=[b["bill_id"]])))
        assert (f"Early-payment rebate Taken back: you had saved {money(b['rebate_amount'])}, "
                "but the payment that earned it was reversed") in page
        assert "Not earned" not in page


def test_a_cancelled_bill_offers_no_rebate(staff_client, one_bill, billing_db):
    b = one_bill(2)
    billing_db.call("cancel_bill", b["bill_id"], "wrong reading", A)
    page = text(staff_client.get(reverse("billing:bill_detail", args=[b["bill_id"]])))
    assert "Cancelled on" in page
    assert "Early-payment rebate" not in page and "if paid" not in page
