"""The bill and the receipt as PDF documents carry every element issue 21 asks for (issue 21,
"Tests": "a visual check that a PDF of a bill and a receipt render every required element").
The PDFs are rendered by the portal (WeasyPrint), their text is extracted (pypdf), and each
element is looked for in it; the expected figures are read from the views (the engine's), the
words are what is tested. The PDFs and a PNG of their first page are kept in
var/screenshots/portal/ for a person to look at.

The account (a demo-like one: blocks, tax, a meter factor of 40, early-payment rebate, late
fees): three 30-day periods ending 6 days ago. Bill 1 is not paid in time (late fee, rebate not
earned); a partial payment follows; bill 2 is paid in full before its rebate date (rebate
earned); bill 3 is open with its rebate on offer."""
import datetime as dt
import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

import portal.gateway
from billing import formatting
from helpers.factories import make_metered_account, make_tariff
from helpers.portal_data import VERSION
from portal.gateway import SimulatedGateway
from portal.models import CustomerLogin
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
A = "staff:clara"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "portal"
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
CARD = {"card_holder": "Grace Hopper", "card_number": "5555 5555 5555 4444",
        "card_expiry": "12/30", "card_cvc": "123"}
money, day, kwh = formatting.money, formatting.day, formatting.kwh


def colours_on_first_page(pdf):
    """The fill colours the PDF's first page paints with (WeasyPrint draws an SVG picture as
    paths): the logo brings its own."""
    page = PdfReader(BytesIO(pdf)).pages[0]
    return set(re.findall(r"[\d.]+ [\d.]+ [\d.]+ rg", page.get_contents().get_data().decode("latin1")))


def pdf_text(pdf, name):
    """The PDF's text with runs of white space as one space; the PDF (and its first page as a
    PNG) kept as an artefact."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{name}.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                        str(SHOTS / f"{name}.pdf"), str(SHOTS / f"{name}-page1")], check=False)
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages))


@pytest.fixture
def grace(billing_db, client, monkeypatch):
    db = billing_db
    today = db.value("SELECT CURRENT_DATE")
    t = (lambda n: today + dt.timedelta(days=n))
    tariff = make_tariff(db, versions=[VERSION])
    acc = make_metered_account(db, tariff_code=tariff, opened_on=t(-95), initial_read=1000,
                               multiplier=40, dial_digits=5)
    db.call("update_customer", acc.customer_id, "Grace Hopper", "grace@example.org", None,
            "7 Compiler Row\nArlington VA 22201", A)
    bills = []
    for (start, end), value in zip(((t(-95), t(-66)), (t(-65), t(-36)), (t(-35), t(-6))),
                                   (1006, 1011, 1016)):
        if bills and end == t(-36):
            with db.at(t(-45)):                         # bill 1 overdue: a late fee
                db.call("apply_late_fees", t(-45), "batch:late_fees")
            with db.at(t(-40)):                         # a partial payment at the counter
                db.call("post_payment", acc.account_id, "20.00", "cash", None, "grace-1", A)
        if end == t(-6):
            with db.at(t(-30)):                         # bills 1 and 2 paid, 2 before its rebate date
                owed = db.value("SELECT SUM(amount_open) - SUM(IF(bill_id = %s, rebate_amount, 0))"
                                " FROM v_bill_summary WHERE account_id = %s", bills[1],
                                acc.account_id)
                db.call("post_payment", acc.account_id, owed, "bank_transfer", None, "grace-2",
                        A)
        db.call("record_reading", acc.serial, end, value, "field", A)
        bills.append(db.call("bill_account", acc.account_id, start, end, t(-5) if end == t(-6)
                             else end + dt.timedelta(days=1), 14, A)["bill_id"])
    monkeypatch.setattr(portal.gateway, "_gateway", SimulatedGateway())
    create_customer_login(acc.customer_id, password="Kilowatt-hours-2026")
    client.force_login(CustomerLogin.objects.get(customer_id=acc.customer_id).user)
    acc.bills, acc.client = bills, client
    return acc


def bill_row(db, bill_id):
    return db.row("SELECT * FROM v_bill_summary WHERE bill_id = %s", bill_id)


def test_the_bill_pdf_carries_every_element(grace, billing_db):
    db, c = billing_db, grace.client
    b = bill_row(db, grace.bills[2])
    assert b["rebate_amount"] > 0 and b["amount_open"] > 0
    text = pdf_text(c.get(reverse("portal:bill_pdf", args=[b["bill_id"]])).content, "bill-pdf")
    u = settings.BILLING_UTILITY
    summary = db.row("SELECT * FROM v_bill_account_summary WHERE bill_id = %s", b["bill_id"])
    activity = db.rows("SELECT * FROM v_bill_account_activity WHERE bill_id = %s",
                       b["bill_id"])
    paid = next(e for e in activity if e["entry_type"] == "payment")
    receipt_no = db.value("SELECT receipt_no FROM v_payments JOIN payment USING (payment_id) "
                          "WHERE idempotency_key = 'grace-2'")
    bill2_no = bill_row(db, grace.bills[1])["bill_no"]
    elements = {
        # the utility's letterhead
        "utility name": u["name"], "utility address": u["address"],
        "utility phone": u["phone"], "utility web": u["web"],
        # the customer's name and mailing address (the window-envelope block)
        "customer name": "Grace Hopper", "mailing address": "7 Compiler Row Arlington VA 22201",
        "customer number": grace.customer_no,
        "account number": f"Account {b['account_no']}", "bill number": f"Bill {b['bill_no']}",
        "issue date": f"Issued {day(b['issue_date'])}",
        "due date": f"Due date {day(b['due_date'])}",
        "amount due (large)": f"Amount due {money(b['amount_open'])} by {day(b['due_date'])}",
        # the account since the previous bill
        "previous balance": f"Balance after your previous bill {money(summary['previous_balance'])}",
        "payment with its date": f"Payment received {day(paid['entry_date'])}, receipt "
                                 f"{receipt_no} {money(paid['amount'], credit=False)}",
        "adjustment (rebate earned)": f"Early-payment rebate earned on bill {bill2_no}",
        "new charges": f"This bill, as issued {money(summary['new_charges'])}",
        "balance after": f"Balance after this bill {money(summary['balance_after'])}",
        # the charges in words, the meter factor explained
        "first block in words": "Energy, first 100 kWh", "above the block": "Energy above 100 kWh",
        "rate": formatting.rate("0.12"), "fixed charge": "Fixed charge for the period",
        "tax": "Tax (10%)",
        "meter factor": f"register advance 5 × meter factor 40 = {kwh(b['consumption_kwh'])}",
        # the early-payment rebate on offer
        "rebate offered": f"Save {money(b['rebate_amount'])} if paid by {day(b['rebate_date'])}",
        # how to pay, with the reference
        "how to pay": "How to pay", "online": f"log in at {u['web']}/my/",
        "counter": "At our office counter", "bank transfer": f"Bank transfer to {u['iban']}",
        "reference": f"quoting the reference {b['account_no']} {b['bill_no']}",
    }
    missing = {k: v for k, v in elements.items() if v not in text}
    assert not missing, (missing, text)
    # the amount due in large type at the top, before the bill's heading
    assert text.index(f"Amount due {money(b['amount_open'])}") < text.index(f"Bill {b['bill_no']}")
    # the logo (settings) on the print page and the PDF
    page = c.get(reverse("portal:bill_print", args=[b["bill_id"]])).content.decode()
    assert re.search(r'<img class="logo" src="data:image/svg\+xml;base64,[^"]+" alt="'
                     + re.escape(u["name"]) + ' logo"', page)
    # the tear-off payment slip: the account number and the amount due on it
    slip = text[text.index("Detach and return this slip"):]
    for want in ("Payment slip", f"Account {b['account_no']}", f"Bill {b['bill_no']}",
                 f"Amount due {money(b['amount_open'])} by {day(b['due_date'])}",
                 "Amount paid"):
        assert want in slip, (want, slip)
    assert not ISO_DATE.findall(text), ISO_DATE.findall(text)


def test_the_bill_pdf_says_late_fees_payments_and_the_rebate_earned_or_not(grace, billing_db):
    db, c = billing_db, grace.client
    b1, b2 = bill_row(db, grace.bills[0]), bill_row(db, grace.bills[1])
    text = pdf_text(c.get(reverse("portal:bill_pdf", args=[b2["bill_id"]])).content,
                    "bill-pdf-earned")
    counter = db.row("SELECT v.paid_at, v.receipt_no FROM v_payments v JOIN payment p "
                     "USING (payment_id) WHERE p.idempotency_key = 'grace-1'")
    fee = db.value("SELECT late_fee FROM v_bill_summary WHERE bill_id = %s", b1["bill_id"])
    for want in (f"Late fee on bill {b1['bill_no']} {money(fee, credit=False)}",
                 f"Payment received {day(counter['paid_at'])}, receipt {counter['receipt_no']} "
                 f"-{money('20.00')}",
                 f"Earned: you saved {money(b2['rebate_amount'])} by paying by "
                 f"{day(b2['rebate_date'])}"):
        assert want in text, (want, text)
    assert "Save " not in text                          # never offered again once earned
    text = pdf_text(c.get(reverse("portal:bill_pdf", args=[b1["bill_id"]])).content,
                    "bill-pdf-not-earned")
    assert (f"Not earned: {money(b1['rebate_amount'])} could be saved by paying in full by "
            f"{day(b1['rebate_date'])}") in text, text
    assert "Save " not in text                          # not offered above a late fee


def test_the_receipt_pdf_carries_every_element_and_a_reversal(grace, billing_db):
    db, c = billing_db, grace.client
    owed = db.value("SELECT amount_due FROM v_portal_account WHERE account_id = %s",
                    grace.account_id)
    r = c.post(reverse("portal:pay", args=[grace.account_id]),
               {**CARD, "amount": "1,000.00", "idempotency_key": "grace-card",
                "confirm_over": "on", "owed_shown": str(owed)})
    assert r.status_code == 302, r.content.decode()[:3000]
    pid = db.value("SELECT payment_id FROM payment WHERE idempotency_key = 'grace-card'")
    rec = db.row("SELECT * FROM v_receipt WHERE payment_id = %s", pid)
    lines = db.rows("SELECT * FROM v_receipt_lines WHERE payment_id = %s", pid)
    assert rec["credit_left"] > 0 and lines
    text = pdf_text(c.get(reverse("portal:payment_pdf", args=[pid])).content, "receipt-pdf")
    u = settings.BILLING_UTILITY
    elements = {
        "utility name": u["name"], "utility address": u["address"],
        "utility phone": u["phone"], "utility web": u["web"],
        "customer name": "Grace Hopper", "mailing address": "7 Compiler Row Arlington VA 22201",
        "receipt number": f"Receipt {rec['receipt_no']}", "account": rec["account_no"],
        "amount": f"Amount paid {money('1000.00')}",
        "paid on": f"Paid on {day(rec['paid_at'])}",
        "card brand and last four": "Mastercard ending 4444",
        "what it paid": "What this payment paid",
        "applied": f"Applied to bills {money(rec['applied'])}",
        "rebate earned": f"Early-payment rebate earned {money(rec['rebate_earned'])}",
        "credit left": f"Kept as credit {money(rec['credit_left'])}",
        "balance after": f"Account balance after this payment {money(rec['balance_after'])}",
    }
    for line in lines:
        elements[f"bill {line['bill_no']}"] = f"{line['bill_no']} {day(line['period_start'])}"
        elements[f"paid on {line['bill_no']}"] = money(line["applied"])
    missing = {k: v for k, v in elements.items() if v not in text}
    assert not missing, (missing, text)
    assert "5555 5555" not in text and "REVERSED" not in text
    # the letterhead's logo is drawn
    with_logo = colours_on_first_page(c.get(reverse("portal:payment_pdf", args=[pid])).content)
    with override_settings(BILLING_UTILITY={**u, "logo": ""}):
        without = colours_on_first_page(c.get(reverse("portal:payment_pdf", args=[pid])).content)
    assert with_logo - without, (with_logo, without)
    assert not ISO_DATE.findall(text), ISO_DATE.findall(text)

    # a counter payment names its cashier
    cash = db.call("post_payment", grace.account_id, "10.00", "cash", None, "grace-cash",
                   "staff:clara")["payment_id"]
    text = pdf_text(c.get(reverse("portal:payment_pdf", args=[cash])).content, "receipt-pdf-cash")
    assert "Cash at the counter, cashier clara" in text, text

    # reversed: the receipt says so, when and why
    db.call("reverse_payment", pid, "Charge-back from the card issuer", "staff:clara")
    when = db.value("SELECT reversed_at FROM v_receipt WHERE payment_id = %s", pid)
    text = pdf_text(c.get(reverse("portal:payment_pdf", args=[pid])).content,
                    "receipt-pdf-reversed")
    for want in (f"REVERSED: not a valid receipt {rec['receipt_no']}",
                 f"Reversed on {day(when)}: this payment no longer counts",
                 "Reason: Charge-back from the card issuer"):
        assert want in text, (want, text)
