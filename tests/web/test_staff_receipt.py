"""The staff receipt (/payments/N/, "Print receipt") is the receipt of the moment of posting, the
same as the customer's (/my/payments/N/): v_receipt's amount, applied, credit left and balance
after, and v_receipt_lines' bills. What the payment is now (its credit used by a later bill, a
reversal) is shown apart, labelled "now".

Found by an outside review: for 52 of 522 demo payments the staff receipt showed v_payments'
figures of today, e.g. "Applied to bills €200.00, Credit on account €0.00" where the customer's
receipt of the same number said €68.31 applied and €131.69 kept as credit (a later bill used the
credit)."""
import datetime as dt
import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from billing import formatting
from helpers.portal_data import make_portal_customer
from portal.models import CustomerLogin
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
A = "staff:clara"
money = formatting.money


def receipt_figures(page):
    """The receipt's figures by their classes (portal/_receipt_body.html), and its bill rows."""
    return {k: re.search(rf'class="{k}">(?:<strong>)?([^<]*)<', page).group(1)
            for k in ("receipt-no", "amount", "applied", "credit-left", "balance-after")} | {
        "lines": re.findall(r"<tr><td[^>]*>(\d{4}-\d+)</td><td[^>]*>[^<]*</td><td[^>]*>([^<]*)"
                            r"</td><td[^>]*>([^<]*)</td></tr>", page)}


def text(page):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture
def paid_ahead(billing_db):
    """A customer whose €200 counter payment paid the two open bills and left credit, and whose
    next bill took that credit."""
    db = billing_db
    ada = make_portal_customer(db)
    pid = db.call("post_payment", ada.account_id, "200.00", "cash", None, "ahead-200",
                  A)["payment_id"]
    today = db.value("SELECT CURRENT_DATE")
    db.call("record_reading", ada.serial, today - dt.timedelta(days=1), 1900, "field", A)
    db.call("bill_account", ada.account_id, today - dt.timedelta(days=5),
            today - dt.timedelta(days=1), today, 14, A)
    ada.payment_id = pid
    return ada


def test_the_staff_receipt_is_the_receipt_as_posted(staff_client, paid_ahead, billing_db):
    db, pid = billing_db, paid_ahead.payment_id
    posted = db.row("SELECT * FROM v_receipt WHERE payment_id = %s", pid)
    now = db.row("SELECT * FROM v_payments WHERE payment_id = %s", pid)
    assert posted["credit_left"] > 0 and now["allocated"] > posted["applied"]   # the credit moved

    page = staff_client.get(reverse("billing:payment_receipt", args=[pid])).content.decode()
    shown = receipt_figures(page)
    assert shown["receipt-no"] == posted["receipt_no"] and shown["amount"] == "€200.00"
    assert shown["applied"] == money(posted["applied"])
    assert shown["credit-left"] == money(posted["credit_left"])
    assert shown["balance-after"] == money(posted["balance_after"])        # a credit: "Credit €…"
    lines = db.rows("SELECT bill_no, applied FROM v_receipt_lines WHERE payment_id = %s "
                    "ORDER BY bill_id", pid)
    assert [(n, a) for n, a, _ in shown["lines"]] == [(r["bill_no"], money(r["applied"]))
                                                      for r in lines]
    assert len(lines) == 2
    words = text(page)
    assert "Method Cash at the counter, cashier clara" in words

    # today's figures, apart and labelled "now"
    assert (f"This payment now" in words
            and f"Applied to bills now {money(now['allocated'])}" in words
            and f"Credit on account now {money(now['unallocated'])}" in words)
    assert words.index("This payment now") > words.index("Kept as credit")

    # the customer's receipt of the same number says the same
    customer = Client()
    create_customer_login(paid_ahead.customer_id, password="Kilowatt-hours-2026")
    customer.force_login(CustomerLogin.objects.get(customer_id=paid_ahead.customer_id).user)
    mine = customer.get(reverse("portal:payment_detail", args=[pid])).content.decode()
    assert receipt_figures(mine) == shown


def test_a_reversed_payment_says_so_on_the_receipt_and_now(manager_client, paid_ahead,
                                                           billing_db):
    pid = paid_ahead.payment_id
    billing_db.call("reverse_payment", pid, "cheque bounced", "staff:test")
    words = text(manager_client.get(reverse("billing:payment_receipt", args=[pid]))
                 .content.decode())
    assert "this payment no longer counts and this is not a valid receipt" in words
    assert "Reason: cheque bounced" in words
    now = words[words.index("This payment now"):]
    assert "Reversed" in now and "by staff:test: cheque bounced" in now
    assert "Applied to bills now €0.00" in now
    assert "Reverse payment" not in words
