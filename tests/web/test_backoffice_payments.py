"""Back office, payments: counter payments with a receipt (idempotency key in the form),
reversal with a reason (billing admin only), the day's collections."""
import datetime
import re

import pytest
from django.urls import reverse

from helpers.factories import make_metered_account, make_tariff
from helpers.pages import text

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


@pytest.fixture
def acc(billing_db):
    make_tariff(billing_db, code="RES")
    a = make_metered_account(billing_db, tariff_code="RES", serial="SN-P-1",
                             opened_on="2026-01-01")
    billing_db.call("record_reading", "SN-P-1", "2026-01-31", 100, "field", "staff:test")
    billing_db.call("bill_account", a.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14,
                    "staff:test")
    return a


def key_of(response):
    return re.search(r'name="idempotency_key" value="([^"]+)"', response.content.decode()).group(1)


def test_a_counter_payment_posts_once_and_shows_a_receipt(staff_client, acc, billing_db):
    url = reverse("billing:payment_create", args=[acc.account_id])
    form = staff_client.get(url)
    key = key_of(form)
    assert key.startswith("counter:") and key != key_of(staff_client.get(url))
    assert "bank_transfer" in form.content.decode() and 'value="online"' not in form.content.decode()
    r = staff_client.post(url, {"amount": "5.00", "method": "cheque", "idempotency_key": key,
                                "reference": "004512"})
    pay = billing_db.row("SELECT payment_id, receipt_no, amount, method, status FROM v_payments "
                         "WHERE account_id = %s", acc.account_id)
    assert r.status_code == 302
    assert r["Location"] == reverse("billing:payment_receipt", args=[pay["payment_id"]])
    assert pay["method"] == "cheque" and str(pay["amount"]) == "5.00"
    assert billing_db.value("SELECT posted_by FROM payment WHERE payment_id = %s",
                            pay["payment_id"]) == "staff:clara"
    receipt = staff_client.get(r["Location"])
    assert f"Payment posted: receipt {pay['receipt_no']}" in text(receipt)
    assert pay["receipt_no"] in text(receipt) and "Reverse payment" not in text(receipt)
    # the same form sent again (double click, reload): one payment, the same receipt
    again = staff_client.post(url, {"amount": "5.00", "method": "cheque", "idempotency_key": key,
                                    "reference": "004512"})
    assert again["Location"] == r["Location"]
    assert billing_db.value("SELECT COUNT(*) FROM payment") == 1
    assert "was posted before" in text(staff_client.get(again["Location"]))


def test_a_refused_payment_shows_the_reason_and_writes_nothing(staff_client, acc, billing_db):
    url = reverse("billing:payment_create", args=[acc.account_id])
    snapshot = billing_db.snapshot()
    r = staff_client.post(url, {"amount": "2000000.00", "method": "cash",
                                "idempotency_key": "counter:x1"})
    sentence = "Enter an amount above zero and at most 1,000,000.00, with at most two decimals."
    assert r.status_code == 200 and r.context["form"].errors["amount"] == [sentence]
    assert 'id="id_amount_error"' in r.content.decode()
    # -5 read "…amount must be above 0, at most 1000000.00 and have at most two decimals, not
    # -5.0000000000" under the contract's sentence: now the one sentence, once, on the field
    r = staff_client.post(url, {"amount": "-5", "method": "cash", "idempotency_key": "counter:x0"})
    page = r.content.decode()
    assert r.context["form"].errors["amount"] == [sentence] and page.count(sentence) == 1
    assert "0000000000" not in page and "1000000.00" not in page and "Not saved</h2>" in page
    assert billing_db.snapshot() == snapshot
    # a closed account accepts payments while money is open (billing-rules.md, Payments):
    # its January bill is paid off first, then nothing is open
    open_ = billing_db.value("SELECT SUM(amount_open) FROM v_bill_summary WHERE account_id = %s",
                             acc.account_id)
    billing_db.call("post_payment", acc.account_id, open_, "cash", None, "pay-off", "staff:test")
    billing_db.call("close_account", acc.account_id, "2026-02-10", "staff:test")
    snapshot = billing_db.snapshot()
    r = staff_client.post(url, {"amount": "1.00", "method": "cash",
                                "idempotency_key": "counter:x2", "confirm_over": "on"})
    assert r.status_code == 200 and "Not saved: The account was closed on 10 Feb 2026 and owes nothing: there is nothing to pay." in text(r)
    assert billing_db.snapshot() == snapshot


def test_a_billing_admin_reverses_a_payment_with_a_reason(billing_admin_client, acc, billing_db):
    pid = billing_db.call("post_payment", acc.account_id, "5.00", "cash", None, "k-rev",
                          "staff:test")["payment_id"]
    url = reverse("billing:payment_reverse", args=[pid])
    assert "Reverse payment" in text(billing_admin_client.get(
        reverse("billing:payment_receipt", args=[pid])))
    snapshot = billing_db.snapshot()
    r = billing_admin_client.post(url, {"reason": ""})
    assert r.status_code == 200 and billing_db.snapshot() == snapshot
    r = billing_admin_client.post(url, {"reason": "cheque bounced"}, follow=True)
    assert "reversed; balance after" in text(r)
    row = billing_db.row("SELECT status, reversed_by, reversal_reason FROM payment "
                         "WHERE payment_id = %s", pid)
    assert row == {"status": "reversed", "reversed_by": "staff:bea",
                   "reversal_reason": "cheque bounced"}
    r = billing_admin_client.post(url, {"reason": "again"})
    assert r.status_code == 200 and "Not saved: This payment was reversed before." in text(r)


def test_the_days_collections(staff_client, acc, billing_db):
    today = billing_db.value("SELECT CURRENT_DATE")
    billing_db.call("post_payment", acc.account_id, "5.00", "cash", None, "k-c1", "staff:test")
    billing_db.call("post_payment", acc.account_id, "2.50", "cash", None, "k-c2", "staff:test")
    billing_db.call("post_payment", acc.account_id, "1.25", "card", None, "k-c3", "staff:test")
    r = staff_client.get(reverse("billing:collections_day") + f"?day={today}")
    page = text(r)
    assert f"Collections of {today.day} {today:%b %Y}" in page         # through formatting.day
    assert "Cash 2 €7.50" in page and "Card 1 €1.25" in page
    assert page.count(acc.account_no) == 3
    other = staff_client.get(reverse("billing:collections_day")
                             + f"?day={today - datetime.timedelta(days=400)}")
    assert "No payments on this day." in text(other)


def test_the_reversal_shows_its_consequences_before_it_is_confirmed(billing_admin_client,
                                                                    billing_db):
    make_tariff(billing_db, code="EPR", versions=[{"early_pay_pct": "10", "early_pay_days": 10}])
    a = make_metered_account(billing_db, tariff_code="EPR", serial="SN-P-9",
                             opened_on="2026-01-01")
    billing_db.call("record_reading", "SN-P-9", "2026-01-31", 100, "field", "staff:test")
    bill = billing_db.call("bill_account", a.account_id, "2026-01-01", "2026-01-31",
                           "2026-02-01", 14, "staff:test")
    with billing_db.at("2026-02-05"):    # paid early: 9.00 settles the 10.00 bill, rebate 1.00
        pid = billing_db.call("post_payment", a.account_id, "9.00", "online",
                              "2026-02-05 10:00:00", "k-epr", "staff:test")["payment_id"]
    s = billing_db.row("SELECT bill_no, rebate_granted, amount_open FROM v_bill_summary "
                       "WHERE bill_id = %s", bill["bill_id"])
    assert (s["rebate_granted"], str(s["amount_open"])) == (1, "0.00")
    url = reverse("billing:payment_reverse", args=[pid])
    snapshot = billing_db.snapshot()
    page = billing_admin_client.get(url)
    words = text(page)
    assert billing_db.snapshot() == snapshot
    assert "the balance goes from €0.00 to €10.00" in words
    assert f"1 bill reopened: Bill Paid by this payment Rebate revoked Open now Open after " \
           f"{s['bill_no']} €9.00 €1.00 €0.00 €10.00" in words
    assert "Early-payment rebates revoked: €1.00" in words
    assert "The card money is not refunded." in words
    assert '<textarea name="reason"' in page.content.decode()
    r = billing_admin_client.post(url, {"reason": "charge-back from the card issuer"},
                                  follow=True)
    assert "reversed; balance after €10.00" in text(r)
    after = billing_db.row("SELECT balance FROM v_account_balance WHERE account_id = %s",
                           a.account_id)
    assert str(after["balance"]) == "10.00"
    assert str(billing_db.value("SELECT amount_open FROM v_bill_summary WHERE bill_id = %s",
                                bill["bill_id"])) == "10.00"


def test_the_counter_form_prefills_the_amount_due_and_keeps_the_reference(staff_client, acc,
                                                                          billing_db):
    url = reverse("billing:payment_create", args=[acc.account_id])
    form = staff_client.get(url).content.decode()
    due = billing_db.value("SELECT balance FROM v_account_balance WHERE account_id = %s",
                           acc.account_id)
    assert due > 0 and re.search(r'name="amount"[^>]*value="([^"]*)"', form).group(1) == str(due)
    assert 'id="tendered"' in form and 'name="tendered"' not in form     # display only
    assert "/static/billing/counter.js" in form
    key = key_of(staff_client.get(url))
    snapshot = billing_db.snapshot()
    r = staff_client.post(url, {"amount": "3.00", "method": "bank_transfer",
                                "idempotency_key": key, "reference": ""})
    assert r.status_code == 200 and "Give the cheque number or the transfer reference." in text(r)
    assert billing_db.snapshot() == snapshot
    r = staff_client.post(url, {"amount": "3.00", "method": "bank_transfer",
                                "idempotency_key": key, "reference": "TRF 2026/778"})
    pid = billing_db.value("SELECT MAX(payment_id) FROM payment")
    assert billing_db.value("SELECT reference FROM v_staff_payment_reference WHERE payment_id = %s",
                            pid) == "TRF 2026/778"
    day = text(staff_client.get(reverse("billing:collections_day")))
    assert "Bank transfer TRF 2026/778 €3.00" in day          # the method as a label


def test_collections_per_cashier_with_totals_and_the_drawer_close(staff_client, acc, billing_db):
    today = billing_db.value("SELECT CURRENT_DATE")
    for amount, method, actor, key in (("5.00", "cash", "staff:clara", "k-d1"),
                                       ("2.50", "cash", "staff:clara", "k-d2"),
                                       ("4.00", "cheque", "staff:clara", "counter:x:ref:77"),
                                       ("1.25", "cash", "staff:dan", "k-d4")):
        billing_db.call("post_payment", acc.account_id, amount, method, None, key, actor)
    page = text(staff_client.get(reverse("billing:collections_day") + f"?day={today}"))
    assert "staff:clara Cash 2 €7.50" in page and "staff:clara Cheque 1 €4.00" in page
    assert "Total of staff:clara 3 €11.50" in page and "Total of staff:dan 1 €1.25" in page
    assert "Day's total 4 €12.75" in page
    rows = billing_db.rows("SELECT cashier, method, amount FROM v_staff_collections_cashier "
                           "WHERE day = %s", today)
    detail = sum(r["amount"] for r in rows if r["method"] is not None)
    assert detail == next(r["amount"] for r in rows if r["cashier"] is None)   # the view's total
    drawer = staff_client.get(reverse("billing:drawer_close"), {"day": str(today)})
    words = text(drawer)                                   # the user's own drawer by default
    assert "Drawer close staff:clara" in words
    assert "Cash 2 €7.50" in words and "Cheque 1 €4.00" in words and "Total 3 €11.50" in words
    assert "77" in words and "1.25" not in words
    assert "/static/billing/print.js" in drawer.content.decode()
