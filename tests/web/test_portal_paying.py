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


def test_the_same_pay_form_sent_again_with_another_amount_says_so_in_plain_words(
        client, ada, billing_db):
    """The reviewer's probe: the form paid €3.33, then was sent again with €4.44: the refusal
    was put on the card number as "Payment declined: This payment reference was used
    before...". It is no card problem: it is said above the form, in the customer's words,
    with a link to start a new payment; nothing is charged."""
    c = login(client, ada)
    url = reverse("portal:pay", args=[ada.account_id])
    key = re.search(r'name="idempotency_key" value="([^"]+)"',
                    c.get(url).content.decode()).group(1)
    first = c.post(url, {**CARD, "amount": "3.33", "idempotency_key": key})
    assert first.status_code == 302
    [pay] = billing_db.rows("SELECT payment_id, receipt_no FROM v_payments WHERE account_id = %s "
                            "AND method = 'online'", ada.account_id)
    r = c.post(url, {**CARD, "amount": "4.44", "idempotency_key": key})
    assert r.status_code == 200
    form = r.context["form"]
    assert form.errors.get("card_number") is None
    assert form.non_field_errors() == [
        f"This payment form was already used to pay €3.33 (receipt {pay['receipt_no']}). "
        "Nothing was charged now. To pay again, start a new payment."]
    page = r.content.decode()
    assert "payment reference" not in page and "declined" not in page
    assert f'<a class="button" href="{url}">Start a new payment</a>' in page
    assert reverse("portal:payment_detail", args=[pay["payment_id"]]) in page
    assert 'class="pay-form"' not in page            # no form that would be refused again
    assert online_payments(billing_db, ada.account_id) == [Decimal("3.33")]
    # the same amount again is the same payment (a double click, a reload): its receipt
    again = c.post(url, {**CARD, "amount": "3.33", "idempotency_key": key})
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert online_payments(billing_db, ada.account_id) == [Decimal("3.33")]
    # another card with the same amount on the same form: still that one payment
    other_card = {**CARD, "card_number": "5555 5555 5555 4444"}
    again = c.post(url, {**other_card, "amount": "3.33", "idempotency_key": key})
    assert again["Location"] == first["Location"]
    assert online_payments(billing_db, ada.account_id) == [Decimal("3.33")]
    # a new form pays again
    fresh = re.search(r'name="idempotency_key" value="([^"]+)"',
                      c.get(url).content.decode()).group(1)
    assert c.post(url, {**CARD, "amount": "4.44", "idempotency_key": fresh}).status_code == 302
    assert online_payments(billing_db, ada.account_id) == [Decimal("3.33"), Decimal("4.44")]


def test_a_gateway_refusal_of_a_used_reference_is_no_card_error(client, ada, billing_db,
                                                                monkeypatch):
    """When the session does not know the form's payment (another browser, an expired
    session), the gateway's refusal of a reused reference is said the same way, above the form;
    a declined card stays on the card number."""
    import types

    from portal import payments
    c = login(client, ada)
    url = reverse("portal:pay", args=[ada.account_id])
    used = types.SimpleNamespace(status=payments.DECLINED, conflict=True, field=None,
                                 error=None, message="Payment declined: This payment reference "
                                 "was used before for another account or amount.")
    with monkeypatch.context() as m:
        m.setattr(payments, "pay_by_card", lambda **kw: used)
        r = c.post(url, {**CARD, "amount": "4.44", "idempotency_key": "elsewhere-1"})
    assert r.status_code == 200 and "card_number" not in r.context["form"].errors
    assert r.context["form"].non_field_errors() == [
        "This payment form was already used for another amount. Nothing was charged now. To "
        "pay again, start a new payment."]
    assert "payment reference" not in r.content.decode()
    r = c.post(url, {**CARD, "card_number": "4000 0000 0000 0002", "amount": "4.44",
                     "idempotency_key": "declined-1"})
    assert r.context["form"].errors["card_number"] == [
        "Payment declined: The card was declined. Nothing was charged."]
    assert online_payments(billing_db, ada.account_id) == []


def test_a_form_used_in_another_session_is_refused_in_plain_words(client, ada, billing_db):
    """The same rendered form paid €3.33 in one browser and is sent with €4.44 from another
    (a session that does not know the form's payment): the gateway refuses the reused
    reference (its conflict flag, passed on by pay_by_card), and the customer reads that the
    form was used before, above the form, not a card error; nothing more is charged."""
    from django.test import Client
    c = login(client, ada)
    url = reverse("portal:pay", args=[ada.account_id])
    key = re.search(r'name="idempotency_key" value="([^"]+)"',
                    c.get(url).content.decode()).group(1)
    assert c.post(url, {**CARD, "amount": "3.33", "idempotency_key": key}).status_code == 302
    other = Client()
    other.force_login(CustomerLogin.objects.get(customer_id=ada.customer_id).user)
    r = other.post(url, {**CARD, "amount": "4.44", "idempotency_key": key})
    assert r.status_code == 200 and "card_number" not in r.context["form"].errors
    assert r.context["form"].non_field_errors() == [
        "This payment form was already used for another amount. Nothing was charged now. To "
        "pay again, start a new payment."]
    assert online_payments(billing_db, ada.account_id) == [Decimal("3.33")]


@pytest.mark.parametrize("expiry, said", [
    ("13/30", "There is no month 13: the expiry's month is 01 to 12 (MM/YY, e.g. 09/28)."),
    ("00/30", "There is no month 00: the expiry's month is 01 to 12 (MM/YY, e.g. 09/28)."),
    ("1/30", "Enter the expiry as MM/YY, e.g. 09/28.")])
def test_an_expiry_month_past_12_is_said_as_such(client, ada, billing_db, expiry, said):
    """13/30 is written MM/YY; "Enter the expiry as MM/YY" told the customer to do what they
    did (found by a walk of the forms)."""
    c = login(client, ada)
    r = c.post(reverse("portal:pay", args=[ada.account_id]),
               {**CARD, "card_expiry": expiry, "amount": "4.44", "idempotency_key": "exp-1"})
    assert r.context["form"].errors["card_expiry"] == [said]
    assert online_payments(billing_db, ada.account_id) == []
