"""Paying in the portal (issue 21, "Paying"): the Pay button states the amount, the form lists
the bills the payment goes to (v_bill_summary's amount_open in due order, no arithmetic in
Python), an amount above what is owed needs a confirmation, and nothing owed needs "pay in
advance"; "1,000.00" is accepted."""
import re
from decimal import Decimal

import pytest
from django.urls import reverse

import portal.gateway
from helpers.portal_data import make_portal_customer
from portal.gateway import SimulatedGateway
from portal.models import CustomerLogin
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
CARD = {"card_holder": "Ada Lovelace", "card_number": "4242 4242 4242 4242",
        "card_expiry": "12/30", "card_cvc": "123"}


def login(client, customer):
    create_customer_login(customer.customer_id, password="Kilowatt-hours-2026")
    client.force_login(CustomerLogin.objects.get(customer_id=customer.customer_id).user)
    return client


@pytest.fixture(autouse=True)
def gateway(monkeypatch):
    monkeypatch.setattr(portal.gateway, "_gateway", SimulatedGateway())


@pytest.fixture
def ada(billing_db):
    return make_portal_customer(billing_db)


def online_payments(billing_db, account_id):
    return [r["amount"] for r in billing_db.rows(
        "SELECT amount FROM payment WHERE account_id = %s AND method = 'online'", account_id)]


def test_the_form_lists_the_bills_in_due_order_and_the_button_states_the_amount(
        client, ada, billing_db):
    c = login(client, ada)
    r = c.get(reverse("portal:pay", args=[ada.account_id]))
    page = r.content.decode()
    expected = billing_db.rows(
        "SELECT bill_no, amount_open FROM v_bill_summary WHERE account_id = %s "
        "AND amount_open > 0 ORDER BY due_date, bill_id", ada.account_id)
    assert len(expected) == 2
    shown = re.findall(r'<tr><td class="nowrap">([^<]+)</td><td class="nowrap">[^<]+</td>'
                       r'<td class="num">([^<]+)</td></tr>', page)
    assert shown == [(e["bill_no"], f"€{e['amount_open']}") for e in expected]
    assert re.search(r'id="pay-button"[^>]*>Pay €104\.53</button>', page)
    assert "early-payment rebate taken off" in page


def test_an_amount_above_what_is_owed_needs_a_confirmation(client, ada, billing_db):
    c = login(client, ada)
    url = reverse("portal:pay", args=[ada.account_id])
    r = c.post(url, {**CARD, "amount": "1,000.00", "idempotency_key": "over-1"})
    assert r.status_code == 200
    # the credit as the database plans it: what the open bills need today (their rebate on
    # offer taken off: 104.53 of the 105.45 owed) is allocated, the rest stays
    assert r.context["form"].errors["confirm_over"] == [
        "€1,000.00 is more than the €105.45 you owe: you will have a credit of €895.47 on your "
        "account. Tick the box to confirm."]
    assert online_payments(billing_db, ada.account_id) == []
    assert re.search(r'id="pay-button"[^>]*>Pay €1,000\.00</button>', r.content.decode())
    r = c.post(url, {**CARD, "amount": "1,000.00", "confirm_over": "on",
                     "idempotency_key": "over-2"})
    assert r.status_code == 302
    assert online_payments(billing_db, ada.account_id) == [Decimal("1000.00")]
    # what the posting left is what the sentence said
    assert billing_db.value("SELECT unallocated FROM v_payments WHERE account_id = %s "
                            "AND method = 'online'", ada.account_id) == Decimal("895.47")


def test_nothing_owed_needs_pay_in_advance(client, billing_db):
    bob = make_portal_customer(billing_db, name="Bob", email="bob@example.org",
                               with_history=False)
    c = login(client, bob)
    url = reverse("portal:pay", args=[bob.account_id])
    page = c.get(url).content.decode()
    assert "No bill is open on this account" in page and "Pay in advance" in page
    r = c.post(url, {**CARD, "amount": "50.00", "idempotency_key": "adv-1"})
    assert r.status_code == 200 and "You owe nothing now" in r.content.decode()
    assert online_payments(billing_db, bob.account_id) == []
    r = c.post(url, {**CARD, "amount": "50.00", "pay_in_advance": "on",
                     "idempotency_key": "adv-2"})
    assert r.status_code == 302
    assert online_payments(billing_db, bob.account_id) == [Decimal("50.00")]
