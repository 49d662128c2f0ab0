"""Receipts (issue 21, "Receipts"): frozen at posting (what the payment paid, the rebate it
earned, the credit left, the balance right after), the card's brand and last four digits from
the gateway, the cashier of a counter payment, a reversed payment said so and not offered as a
valid receipt; the simulated gateway validates cards like a real one."""
import datetime as dt
import re

import pytest
from django.urls import reverse

import portal.gateway
from helpers.portal_data import make_portal_customer
from portal.gateway import Card, SimulatedGateway, card_brand, check_card, luhn_ok
from portal.models import CardPaymentMethod, CustomerLogin
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
CARD = {"card_holder": "Ada Lovelace", "card_number": "4242 4242 4242 4242",
        "card_expiry": "12/30", "card_cvc": "123"}
TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def ada(billing_db):
    return make_portal_customer(billing_db)


@pytest.fixture
def c(client, ada, monkeypatch):
    monkeypatch.setattr(portal.gateway, "_gateway", SimulatedGateway())
    create_customer_login(ada.customer_id, password="Kilowatt-hours-2026")
    client.force_login(CustomerLogin.objects.get(customer_id=ada.customer_id).user)
    return client


def figures(html):
    """The receipt's figures as the page shows them, by their classes."""
    return {k: re.search(rf'class="{k}">(?:<strong>)?([^<]*)<', html).group(1)
            for k in ("amount", "applied", "credit-left", "balance-after")} | {
        "lines": re.findall(r"<tr><td[^>]*>(\d{4}-\d+)</td><td[^>]*>[^<]*</td><td[^>]*>([^<]*)"
                            r"</td><td[^>]*>([^<]*)</td></tr>", html)}


def pay(c, ada, amount):
    r = c.post(reverse("portal:pay", args=[ada.account_id]),
               {**CARD, "amount": amount, "idempotency_key": f"receipt-{amount}",
                "confirm_over": "on"})
    assert r.status_code == 302, r.content.decode()[:2000]
    return int(r["Location"].rstrip("/").rsplit("/", 1)[1])


def test_receipt_is_frozen_when_the_next_bill_takes_the_credit(c, ada, billing_db):
    pid = pay(c, ada, "200.00")
    html = c.get(reverse("portal:payment_detail", args=[pid])).content.decode()
    before = figures(html)
    posted = billing_db.row("SELECT applied, rebate_earned, credit_left, balance_after "
                            "FROM v_receipt WHERE payment_id = %s", pid)
    assert posted["credit_left"] > 0 and posted["rebate_earned"] > 0
    assert before["applied"] == f"€{posted['applied']:,.2f}"
    assert before["credit-left"] == f"€{posted['credit_left']:,.2f}"
    assert before["balance-after"] == f"Credit €{-posted['balance_after']:,.2f}"
    assert before["amount"] == "€200.00" and len(before["lines"]) == 2
    assert "Visa ending 4242" in html and "4242 4242" not in html
    assert CardPaymentMethod.objects.get(payment_id=pid).last4 == "4242"

    # the next period is billed: the credit is taken by the new bill
    today = billing_db.value("SELECT CURRENT_DATE")
    billing_db.call("record_reading", ada.serial, today - dt.timedelta(days=1), 1900, "field",
                    "staff:test")
    billing_db.call("bill_account", ada.account_id, today - dt.timedelta(days=5),
                    today - dt.timedelta(days=1), today, 14, "staff:test")
    assert billing_db.value("SELECT allocated FROM v_payments WHERE payment_id = %s",
                            pid) > posted["applied"]                    # the credit moved
    after = figures(c.get(reverse("portal:payment_detail", args=[pid])).content.decode())
    assert after == before
    pdf = c.get(reverse("portal:payment_pdf", args=[pid]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_reversed_receipt_says_so_and_is_not_offered_as_valid(c, ada, billing_db):
    pid = pay(c, ada, "20.00")
    billing_db.call("reverse_payment", pid, "Charge-back from the card issuer", "staff:test")
    html = c.get(reverse("portal:payment_detail", args=[pid])).content.decode()
    assert "Reversed on" in html and "not a valid receipt" in html
    assert "Charge-back from the card issuer" in html
    assert reverse("portal:payment_pdf", args=[pid]) not in html
    assert figures(html)["applied"] == "€20.00"


def test_counter_payment_names_the_cashier(c, ada, billing_db):
    pid = billing_db.call("post_payment", ada.account_id, "10.00", "cash", None, "counter-1",
                          "staff:alice")["payment_id"]
    html = c.get(reverse("portal:payment_detail", args=[pid])).content.decode()
    assert "Cash at the counter, cashier alice" in html


def test_another_customers_receipt_is_404(c, billing_db):
    other = make_portal_customer(billing_db, name="Bob", email="bob@example.org",
                                 with_history=False)
    pid = billing_db.call("post_payment", other.account_id, "10.00", "cash", None, "other-1",
                          "staff:alice")["payment_id"]
    assert c.get(reverse("portal:payment_detail", args=[pid])).status_code == 404
    assert c.get(reverse("portal:payment_pdf", args=[pid])).status_code == 404


def test_the_gateway_validates_like_a_processor():
    assert luhn_ok("4242424242424242") and not luhn_ok("4242424242424241")
    assert card_brand("4242424242424242") == "Visa"
    assert card_brand("5555555555554444") == "Mastercard"
    assert card_brand("378282246310005") == "American Express"
    ok = Card(number="4242424242424242", expiry="11/26", cvc="123", holder="A")
    assert check_card(ok, TODAY) is None                      # valid through its month
    assert check_card(Card("4242424242424241", "12/30", "123", "A"), TODAY)[0] == "number"
    assert check_card(Card("4242424242424242", "10/26", "123", "A"), TODAY)[0] == "expiry"
    assert check_card(Card("4242424242424242", "12/30", "1234", "A"), TODAY)[0] == "cvc"
    assert check_card(Card("378282246310005", "12/30", "123", "A"), TODAY)[0] == "cvc"
    assert check_card(Card("378282246310005", "12/30", "1234", "A"), TODAY) is None
    g = SimulatedGateway()
    # the gateway checks the expiry against the real today: a card valid for years (the one
    # above, valid through 11/26, was declined from 1 Dec 2026 on)
    r = g.charge("10.00", "ref-1", Card(number="4242424242424242", expiry="12/30", cvc="123",
                                         holder="A"), account="7")
    assert (r.approved, r.brand, r.last4) == (True, "Visa", "4242")


def test_invalid_card_is_refused_on_its_field_and_nothing_is_posted(c, ada, billing_db):
    url = reverse("portal:pay", args=[ada.account_id])
    for field, value, words in (("card_number", "4242 4242 4242 4241", "not valid"),
                                ("card_expiry", "01/20", "expired"),
                                ("card_cvc", "1234", "3-digit security code")):
        r = c.post(url, {**CARD, field: value, "amount": "10.00",
                         "idempotency_key": f"bad-{field}"})
        assert r.status_code == 200
        errors = r.context["form"].errors
        assert field in errors and words in " ".join(errors[field]), errors
    assert billing_db.value("SELECT COUNT(*) FROM payment WHERE method = 'online'") == 0


def test_the_print_templates_work_with_the_e_mailed_documents_context(ada, billing_db):
    """billing.notices (main) renders the receipt and bill PDFs with `payment`/`bill`,
    `customer_name` and `customer_login` only: the figures as posted and the letterhead still
    come out."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    from billing.models import BillSummary, Payment
    pid = billing_db.value("SELECT MIN(payment_id) FROM payment WHERE account_id = %s",
                           ada.account_id)
    common = {"customer_name": "Ada Lovelace", "pdf": True,
              "customer_login": SimpleNamespace(customer_no=ada.customer_no)}
    page = render_to_string("portal/receipt_print.html",
                            {**common, "payment": Payment.objects.get(payment_id=pid)})
    applied = billing_db.value("SELECT applied FROM v_receipt WHERE payment_id = %s", pid)
    assert "Millbrook Electric" in page and "Ada Lovelace" in page
    assert f'class="applied">€{applied}<' in page
    bill = BillSummary.objects.get(bill_id=ada.bill_ids[2])
    from billing.documents import bill_document
    page = render_to_string("portal/bill_print.html", {
        **common, "bill": bill, **bill_document(bill)})
    assert "12 Mill Lane" in page and "Ada Lovelace" in page and "Payment slip" in page
    assert "Your account" in page and "Energy, first 100 kWh" in page
