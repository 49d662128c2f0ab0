"""The counter payment form (reviewer's findings): one rendered form posts one payment, whatever
is changed before it is sent again (Back and a corrected cheque number, another method, another
amount), and an amount above what the account owes needs a confirmation, as in the portal."""
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from helpers.factories import make_metered_account, make_tariff
from helpers.pages import text

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


@pytest.fixture
def acc(billing_db):
    make_tariff(billing_db, code="RES")
    a = make_metered_account(billing_db, tariff_code="RES", serial="SN-CF-1",
                             opened_on="2026-01-01")
    billing_db.call("record_reading", "SN-CF-1", "2026-01-31", 100, "field", "staff:test")
    billing_db.call("bill_account", a.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14,
                    "staff:test")
    return a


def hidden(response, name):
    return re.search(rf'name="{name}" value="([^"]*)"', response.content.decode()).group(1)


def shown_form(client, url):
    """What the rendered form posts back by itself: its key and the balance it showed."""
    page = client.get(url)
    return {"idempotency_key": hidden(page, "idempotency_key"),
            "owed_shown": hidden(page, "owed_shown")}


def payments(billing_db, account_id):
    return billing_db.rows("SELECT payment_id, amount, method FROM payment WHERE account_id = %s "
                           "ORDER BY payment_id", account_id)


def words(response):
    return html.unescape(text(response))


def test_one_rendered_form_posts_one_payment_whatever_is_changed(staff_client, acc, billing_db):
    """The reviewer's probe: the same page posted with cheque CHQ1, then CHQ2, then cash 9.99
    made three payments. Now the first posting binds the form: the others show its receipt
    with a warning and post nothing."""
    url = reverse("billing:payment_create", args=[acc.account_id])
    form = shown_form(staff_client, url)
    first = staff_client.post(url, {**form, "method": "cheque", "amount": "2.34",
                                    "reference": "CHQ1"})
    assert first.status_code == 302
    [pay] = payments(billing_db, acc.account_id)
    receipt_url = reverse("billing:payment_receipt", args=[pay["payment_id"]])
    assert first["Location"] == receipt_url
    receipt_no = billing_db.value("SELECT receipt_no FROM v_payments WHERE payment_id = %s",
                                  pay["payment_id"])
    staff_client.get(receipt_url)              # the first posting's message is read

    # Back, the cheque number corrected, sent again: no second payment
    again = staff_client.post(url, {**form, "method": "cheque", "amount": "2.34",
                                    "reference": "CHQ2"})
    assert again.status_code == 302 and again["Location"] == receipt_url
    assert len(payments(billing_db, acc.account_id)) == 1
    page = words(staff_client.get(again["Location"]))
    assert (f"Nothing was posted now: this payment form was posted already as payment "
            f"{receipt_no} (cheque, reference CHQ1, €2.34). What you sent now (cheque, "
            f"reference CHQ2, €2.34) was not taken. To correct that payment, reverse it and "
            f"take a new payment on a new form.") in page
    assert "Payment posted" not in page and "was posted before" not in page

    # the same page with another method and amount: refused, the first payment shown
    third = staff_client.post(url, {**form, "method": "cash", "amount": "9.99",
                                    "reference": ""})
    assert third.status_code == 302 and third["Location"] == receipt_url
    assert len(payments(billing_db, acc.account_id)) == 1
    page = words(staff_client.get(third["Location"]))
    assert f"posted already as payment {receipt_no} (cheque, reference CHQ1, €2.34)" in page
    assert "What you sent now (cash, €9.99) was not taken." in page

    # sent again exactly as the first time: the same receipt, "posted before"
    same = staff_client.post(url, {**form, "method": "cheque", "amount": "2.34",
                                   "reference": "CHQ1"})
    assert same["Location"] == receipt_url
    assert f"This payment was posted before: receipt {receipt_no}" in words(
        staff_client.get(receipt_url))
    assert len(payments(billing_db, acc.account_id)) == 1
    assert billing_db.value("SELECT reference FROM v_staff_payment_reference "
                            "WHERE payment_id = %s", pay["payment_id"]) == "CHQ1"

    # a new form is a new payment
    fresh = shown_form(staff_client, url)
    assert fresh["idempotency_key"] != form["idempotency_key"]
    r = staff_client.post(url, {**fresh, "method": "cheque", "amount": "2.34",
                                "reference": "CHQ2"})
    assert r.status_code == 302 and r["Location"] != receipt_url
    assert len(payments(billing_db, acc.account_id)) == 2


def test_a_changed_cash_method_on_the_same_form_is_not_called_a_success(staff_client, acc,
                                                                        billing_db):
    """Without a reference the key is the form's alone: post_payment replays; the page says
    that the payment stands as cash, not "posted before" as if the card were taken."""
    url = reverse("billing:payment_create", args=[acc.account_id])
    form = shown_form(staff_client, url)
    first = staff_client.post(url, {**form, "method": "cash", "amount": "5.00"})
    staff_client.get(first["Location"])
    again = staff_client.post(url, {**form, "method": "card", "amount": "5.00"})
    assert again["Location"] == first["Location"]
    page = words(staff_client.get(again["Location"]))
    assert "posted already as payment" in page and "(cash, €5.00)" in page
    assert "What you sent now (card, €5.00) was not taken." in page
    assert [p["method"] for p in payments(billing_db, acc.account_id)] == ["cash"]


def test_an_amount_above_the_balance_needs_a_confirmation(staff_client, acc, billing_db):
    url = reverse("billing:payment_create", args=[acc.account_id])
    owed = billing_db.value("SELECT balance FROM v_account_balance WHERE account_id = %s",
                            acc.account_id)
    assert owed > 0
    form = shown_form(staff_client, url)
    assert Decimal(form["owed_shown"]) == owed
    snapshot = billing_db.snapshot()
    r = staff_client.post(url, {**form, "method": "cash", "amount": "1,000,000.00"})
    assert r.status_code == 200 and billing_db.snapshot() == snapshot
    [error] = r.context["form"].errors["confirm_over"]
    credit = billing_db.call("preview_payment", acc.account_id, "1000000.00",
                             "staff:test")["credit"]
    assert error == (f"€1,000,000.00 is more than the €{owed} the account owes: "
                     f"€{credit:,} stays on the account as credit. Tick the box to confirm.")
    assert "Yes, take more than the account owes" in text(r)
    # the amount owed (or less) needs no confirmation
    ok = staff_client.post(url, {**shown_form(staff_client, url), "method": "cash",
                                 "amount": str(owed)})
    assert ok.status_code == 302
    # confirmed: posted
    r = staff_client.post(url, {**form, "method": "cash", "amount": "1,000,000.00",
                                "confirm_over": "on"})
    assert r.status_code == 302
    assert [p["amount"] for p in payments(billing_db, acc.account_id)] == [
        owed, Decimal("1000000.00")]
    # the same form sent again (the balance is a credit now): compared with what the page
    # showed, so it is the same payment again, not a new question
    again = staff_client.post(url, {**form, "method": "cash", "amount": "1,000,000.00",
                                    "confirm_over": "on"})
    assert again["Location"] == r["Location"]
    # nothing owed any more: any amount needs the confirmation
    r = staff_client.post(url, {**shown_form(staff_client, url), "method": "cash",
                                "amount": "10.00"})
    assert r.status_code == 200
    assert r.context["form"].errors["confirm_over"][0].startswith(
        "The account owes nothing now: ")
    assert "Yes, take it although the account owes nothing" in text(r)
    assert len(payments(billing_db, acc.account_id)) == 2


def test_an_amount_the_database_refuses_is_not_asked_about(staff_client, acc, billing_db):
    """2,000,000.00 is above what is owed and above what a payment may be: preview_payment
    refuses it (45020), so the form asks no confirmation and posting's refusal is shown on
    the amount; nothing is written."""
    url = reverse("billing:payment_create", args=[acc.account_id])
    snapshot = billing_db.snapshot()
    r = staff_client.post(url, {**shown_form(staff_client, url), "method": "cash",
                                "amount": "2,000,000.00"})
    assert r.status_code == 200 and billing_db.snapshot() == snapshot
    errors = r.context["form"].errors
    assert "confirm_over" not in errors
    assert errors.get("amount"), errors
    assert "1,000,000.00" in words(r)
