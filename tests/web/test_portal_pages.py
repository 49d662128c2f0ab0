"""Customer portal pages: dashboard (balances, rebate offer, overdue, usage chart), bills with
every line, printable page and PDF, paying (pre-filled, simulated gateway, idempotency key:
a double POST posts one payment), receipts, payment history, profile and password change."""
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import formatting
from helpers.portal_data import make_portal_customer
from portal.models import CustomerLogin
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
PASSWORD = "Kilowatt-hours-2026"
CARD = {"card_holder": "Ada Lovelace", "card_number": "4242 4242 4242 4242",
        "card_expiry": "12/30", "card_cvc": "123"}


@pytest.fixture
def ada(billing_db):
    return make_portal_customer(billing_db)


@pytest.fixture
def c(client, ada):
    create_customer_login(ada.customer_id, password=PASSWORD)
    client.force_login(CustomerLogin.objects.get(customer_id=ada.customer_id).user)
    return client


def test_dashboard_shows_balance_due_rebate_overdue_and_the_usage_chart(c, ada, billing_db):
    r = c.get(reverse("portal:dashboard"))
    html = r.content.decode()
    v = billing_db.row("SELECT * FROM v_portal_account WHERE account_id = %s", ada.account_id)
    assert (v["balance"], v["amount_due"], v["overdue_amount"]) == (
        Decimal("105.45"), Decimal("105.45"), Decimal("49.13"))
    # rebate offer: X = amount_due_with_rebate from SQL; R = the third bill's rebate
    assert (v["amount_due_with_rebate"], v["rebate_available"]) == (
        Decimal("104.53"), Decimal("0.92"))
    assert re.search(r"Pay <strong>€104\.53</strong> by <strong>[^<]+</strong> and save "
                     r"<strong>€0\.92</strong>", html)
    since = v["next_due_date"].strftime("%-d %b %Y")      # the oldest open bill's due date
    assert f"Overdue since {since}:</strong> €49.13" in html
    assert "Lighter bars: estimated readings." in html      # one bar is estimated
    # the Pay button states the amount the pay form is filled with (the rebated amount)
    assert re.search(r'class="button pay-link" href="[^"]+">Pay €104\.53</a>', html)
    assert "€105.45" in html and v["next_due_date"].strftime("%-d %b %Y") in html
    # chart: 3 bars (one estimated), tallest = 290 kWh on an axis to 300, with a title and a
    # table fallback; each bar's value over it, its cost (the bill as issued) in the table
    assert html.count('class="bar') == 3 and len(re.findall(r'class="bar [a-z-]+ estimated"',
                                                             html)) == 1
    assert "<title id=\"chart-%d-title\">" % ada.account_id in html
    assert re.findall(r'class="tick">([^<]*)<', html) == ["0", "100", "200", "300"]
    assert 'height="116" class="bar' in html                        # the largest period
    assert '<text x="105" y="32" text-anchor="middle" class="value">290</text>' in html
    assert '<td data-label="Used" class="num">290 kWh</td>' in html
    for b in billing_db.rows("SELECT total_amount FROM v_bill_summary WHERE account_id = %s",
                             ada.account_id):          # the bill's total now, as the bill list
        assert f'<td data-label="Cost" class="num">{formatting.money(b["total_amount"])}</td>' \
            in html


def test_the_chart_legend_only_when_a_bar_is_estimated(client, billing_db):
    import datetime as dt
    from helpers.portal_data import make_portal_customer
    db = billing_db
    cust = make_portal_customer(db, with_history=False)
    today = db.value("SELECT CURRENT_DATE")
    db.call("record_reading", cust.serial, today - dt.timedelta(days=66), 1250, "field", "staff:test")
    db.call("bill_account", cust.account_id, today - dt.timedelta(days=95),
            today - dt.timedelta(days=66), today - dt.timedelta(days=65), 14, "staff:test")
    create_customer_login(cust.customer_id, password=PASSWORD)
    client.force_login(CustomerLogin.objects.get(customer_id=cust.customer_id).user)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert html.count('class="bar') == 1 and "Lighter bars" not in html


def test_dashboard_compares_this_period_the_previous_and_last_year(client, billing_db):
    """13 periods on the chart (15 billed), August 2025 marked as the same period last year of
    August 2026; the comparison table's kWh, kWh a day and cost are the views'."""
    from helpers.portal_data import MONTHS, billed
    kwh = [300, 310, 320, 330, 340, 350, 360, 370, 280, 310, 300, 310, 300, 465, 310]
    acc, bills = billed(billing_db, kwh, MONTHS)
    create_customer_login(acc.customer_id, password=PASSWORD)
    client.force_login(CustomerLogin.objects.get(customer_id=acc.customer_id).user)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert html.count('class="bar ') == 13
    assert html.count('class="bar last-year"') == 1 and html.count('class="bar this"') == 1
    assert "Aug 2025: 320 kWh" in re.search(r'class="bar last-year".*?</title>', html).group()
    assert "Aug 2026: 310 kWh" in re.search(r'class="bar this".*?</title>', html).group()
    assert re.findall(r'class="tick">([^<]*)<', html) == ["0", "200", "400", "600"]
    assert re.findall(r'class="value">([^<]*)<', html) == [str(k) for k in kwh[2:]]
    assert "same period last year" in html and "Lighter bars" not in html
    rows = re.findall(r'(?s)<tr class="compared-row">(.*?)</tr>', html)
    assert len(rows) == 3
    for row, (what, bill_id) in zip(rows, [("This period", bills[14]),
                                           ("Previous period", bills[13]),
                                           ("Same period last year", bills[2])]):
        b = billing_db.row("SELECT b.period_start, b.period_end, b.consumption_kwh, b.days_billed, "
                           "s.total_amount, c.kwh_per_day FROM bill b JOIN v_bill_comparison c USING "
                           "(bill_id) JOIN v_bill_summary s USING (bill_id) WHERE bill_id = %s",
                           bill_id)
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"(?s)<t[hd][^>]*>(.*?)</t[hd]>", row)]
        assert cells == [what, f"{formatting.day(b['period_start'])} – "
                               f"{formatting.day(b['period_end'])}",
                         formatting.kwh(b["consumption_kwh"]),
                         formatting.kwh(b["kwh_per_day"], unit=False),
                         formatting.money(b["total_amount"])], (what, cells)


def test_bill_list_filters_by_year_status_and_account(c, ada):
    r = c.get(reverse("portal:bill_list"))
    assert [b.bill_id for b in r.context["bills"]] == list(reversed(ada.bill_ids))
    r = c.get(reverse("portal:bill_list"), {"status": "paid"})
    assert [b.bill_id for b in r.context["bills"]] == [ada.bill_ids[0]]
    r = c.get(reverse("portal:bill_list"), {"status": "open", "account": ada.account_id})
    assert [b.bill_id for b in r.context["bills"]] == [ada.bill_ids[2], ada.bill_ids[1]]
    year = r.context["bills"][0].issue_date.year
    r = c.get(reverse("portal:bill_list"), {"year": year - 5})
    assert r.context["form"].errors and "year" in r.context["form"].errors


def test_bill_list_marks_unpaid_estimated_overdue_and_links_the_pdf(c, ada, billing_db):
    # "Unpaid" is open or partly paid: pay part of the newest bill
    billing_db.call("post_payment", ada.account_id, "1.00", "cash", None, "part-1", "staff:test")
    statuses = {b["bill_id"]: b["status"] for b in billing_db.rows(
        "SELECT bill_id, status FROM v_bill_summary WHERE account_id = %s", ada.account_id)}
    unpaid = [b for b in reversed(ada.bill_ids) if statuses[b] in ("open", "partial")]
    assert "partial" in [statuses[b] for b in unpaid]
    r = c.get(reverse("portal:bill_list"), {"status": "unpaid"})
    assert [b.bill_id for b in r.context["bills"]] == unpaid
    html = c.get(reverse("portal:bill_list")).content.decode()
    rows = re.findall(r"<tr( class=\"overdue\")?>(.*?)</tr>", html, re.S)[1:]
    by_bill = {re.search(r"/my/bills/(\d+)/", row).group(1): (cls, row) for cls, row in rows}
    overdue_cls, estimated_row = by_bill[str(ada.bill_ids[1])]      # estimated, overdue, late fee
    assert overdue_cls and "estimated</span>" in estimated_row and "overdue" in estimated_row
    assert reverse("portal:bill_pdf", args=[ada.bill_ids[1]]) in estimated_row
    assert "kWh" in estimated_row
    assert not by_bill[str(ada.bill_ids[0])][0]                     # paid: not overdue
    assert "partly paid" in html


def test_bill_list_pages_by_twenty(c, ada, billing_db):
    from django.core.paginator import Page
    r = c.get(reverse("portal:bill_list"))
    assert isinstance(r.context["bills"], Page) and r.context["bills"].paginator.per_page == 20


def test_bill_page_shows_every_line_readings_and_due_date(c, ada, billing_db):
    estimated = ada.bill_ids[1]
    r = c.get(reverse("portal:bill_detail", args=[estimated]))
    html = r.content.decode()
    lines = billing_db.rows("SELECT * FROM v_bill_lines WHERE bill_id = %s", estimated)
    assert [l.kind for l in r.context["lines"]] == [l["kind"] for l in lines] == [
        "energy", "energy", "fixed", "tax", "late_fee"]
    for l in lines:   # in plain words (portal_bill.line_label), amounts through the formatter
        assert f"€{l['amount']}" in html
    assert "Late fee: 1.5% of €48.40 open after the due date" in html
    assert "0.1200 per kWh</td>" in html and "0.1800 per kWh</td>" in html
    assert ">100 kWh</td>" in html                                      # kWh and rate
    assert "badge-review estimated\">estimated" in html
    b = r.context["bill"]
    assert b.due_date.strftime("%-d %b %Y") in html and "€49.13" in html
    # past its due date with money open: the page says so, as the bill list does
    assert "Overdue</strong>: it was due by " + b.due_date.strftime("%-d %b %Y") in html
    assert 'href="%s"' % reverse("portal:bill_pdf", args=[estimated]) in html


def test_printable_page_and_pdf(c, ada):
    r = c.get(reverse("portal:bill_print", args=[ada.bill_ids[2]]))
    assert r.status_code == 200 and "@media print" in r.content.decode()
    r = c.get(reverse("portal:bill_pdf", args=[ada.bill_ids[2]]))
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF-")
    assert 'filename="bill-' in r["Content-Disposition"]


def _pay_form(c, ada):
    r = c.get(reverse("portal:pay", args=[ada.account_id]))
    form = r.context["form"]
    return r, form.initial["amount"], form.initial["idempotency_key"]


def test_pay_form_is_prefilled_with_the_rebated_amount_and_a_fresh_key(c, ada):
    r, amount, key = _pay_form(c, ada)
    assert amount == Decimal("104.53") and re.fullmatch(r"[0-9a-f]{32}", key)
    assert f'name="idempotency_key" value="{key}"' in r.content.decode()
    assert _pay_form(c, ada)[2] != key                        # every rendered form: a new key


def test_paying_posts_once_even_when_the_form_is_sent_twice(c, ada, billing_db):
    r, amount, key = _pay_form(c, ada)
    # as a browser sends it: with the hidden fields (what was owed when the form was shown)
    data = {"amount": str(amount), "idempotency_key": key,
            "owed_shown": str(r.context["form"].initial["owed_shown"]), **CARD}
    first = c.post(reverse("portal:pay", args=[ada.account_id]), data)
    second = c.post(reverse("portal:pay", args=[ada.account_id]), data)
    rows = billing_db.rows("SELECT payment_id, amount, method, idempotency_key FROM payment "
                           "WHERE account_id = %s AND method = 'online'", ada.account_id)
    assert len(rows) == 1 and rows[0]["amount"] == Decimal("104.53")
    receipt = reverse("portal:payment_detail", args=[rows[0]["payment_id"]])
    assert first["Location"] == second["Location"] == receipt
    assert billing_db.value("SELECT posted_by FROM payment WHERE payment_id = %s",
                            rows[0]["payment_id"]) == f"customer:{ada.customer_no}"
    page = c.get(receipt)
    html = page.content.decode()
    assert "Thank you: payment received" in html and "recorded already" in html
    # the rebate was granted: the balance right after the payment is zero (the receipt as posted)
    assert page.context["receipt"].balance_after == Decimal("0.00")
    assert 'class="balance-after">Nothing owed<' in html
    # card data is nowhere in the billing schema
    assert "4242" not in str(billing_db.rows("SELECT * FROM payment"))
    pdf = c.get(reverse("portal:payment_pdf", args=[rows[0]["payment_id"]]))
    assert pdf.content.startswith(b"%PDF-")
    listing = c.get(reverse("portal:payment_list")).content.decode()
    assert billing_db.value("SELECT receipt_no FROM v_payments WHERE payment_id = %s",
                            rows[0]["payment_id"]) in listing


def test_a_declined_card_posts_nothing_and_keeps_the_input(c, ada, billing_db):
    _, amount, key = _pay_form(c, ada)
    before = billing_db.snapshot()
    r = c.post(reverse("portal:pay", args=[ada.account_id]),
               {**CARD, "card_number": "4000000000000002", "amount": "20.00",
                "idempotency_key": key})
    assert r.status_code == 200 and billing_db.snapshot() == before
    html = r.content.decode()
    assert "Payment declined: The card was declined." in html and 'value="20.00"' in html
    assert r.context["form"].data["idempotency_key"] != key


def test_a_refused_amount_is_refused_by_the_form_before_any_charge(c, ada, billing_db):
    _, _, key = _pay_form(c, ada)
    before = billing_db.snapshot()
    r = c.post(reverse("portal:pay", args=[ada.account_id]),
               {**CARD, "amount": "0.00", "idempotency_key": key})
    assert r.status_code == 200 and billing_db.snapshot() == before
    assert r.context["form"].errors["amount"][0].startswith("The amount must be above zero")
    html = r.content.decode()
    assert "The amount must be above zero" in html and 'value="0.00"' in html


def test_the_same_key_with_another_amount_is_not_charged_or_posted(c, ada, billing_db):
    _, amount, key = _pay_form(c, ada)
    c.post(reverse("portal:pay", args=[ada.account_id]),
           {**CARD, "amount": "10.00", "idempotency_key": key})
    before = billing_db.snapshot()
    r = c.post(reverse("portal:pay", args=[ada.account_id]),
               {**CARD, "amount": "11.00", "idempotency_key": key})
    assert r.status_code == 200 and billing_db.snapshot() == before
    assert "This payment form was already used to pay €10.00" in r.content.decode()


def test_profile_updates_contact_details_through_update_customer(c, ada, billing_db):
    r = c.get(reverse("portal:profile"))
    assert r.context["form"].initial["email"] == "ada@example.org"
    r = c.post(reverse("portal:profile"), {"full_name": "Ada King", "email": "ada@king.example",
                                           "phone": "555-0100", "address": "Ockham Park"})
    assert r.status_code == 302
    assert billing_db.row("SELECT full_name, email, phone FROM customer WHERE customer_id = %s",
                          ada.customer_id) == {"full_name": "Ada King",
                                               "email": "ada@king.example", "phone": "555-0100"}
    assert CustomerLogin.objects.get().user.email == "ada@king.example"
    before = billing_db.snapshot()
    r = c.post(reverse("portal:profile"), {"full_name": "Ada King", "email": "not-an-email",
                                           "phone": "", "address": ""})
    assert r.status_code == 200 and billing_db.snapshot() == before
    assert r.context["form"].errors["email"] == ["Enter an e-mail address like name@example.org."]
    assert 'value="not-an-email"' in r.content.decode()


def test_the_profile_says_what_the_database_checks(c, ada, billing_db):
    """The refusals' sentences say what is checked (lengths; any characters are taken and shown
    escaped), not "letters only" or "digits only" while "<b>Bob</b>" passes."""
    url = reverse("portal:profile")
    base = {"full_name": "Ada King", "email": "ada@king.example", "phone": "", "address": ""}
    before = billing_db.snapshot()
    r = c.post(url, {**base, "full_name": "x" * 5000})
    assert r.context["form"].errors["full_name"] == [
        "Enter your full name (at most 200 characters)."]
    r = c.post(url, {**base, "phone": "5" * 41})
    assert r.context["form"].errors["phone"] == [
        "Enter a phone number of at most 40 characters."]
    assert billing_db.snapshot() == before
    r = c.post(url, {**base, "full_name": "<b>Bob</b>", "phone": "555 <script>"})
    assert r.status_code == 302
    assert billing_db.row("SELECT full_name, phone FROM customer WHERE customer_id = %s",
                          ada.customer_id) == {"full_name": "<b>Bob</b>", "phone": "555 <script>"}
    page = c.get(url).content.decode()
    assert "<b>Bob</b>" not in page and "&lt;b&gt;Bob&lt;/b&gt;" in page


def test_password_change(c, ada):
    r = c.post(reverse("portal:password_change"), {
        "old_password": PASSWORD, "new_password1": "An0ther-long-phrase",
        "new_password2": "An0ther-long-phrase"})
    assert r.status_code == 302
    assert CustomerLogin.objects.get().user.check_password("An0ther-long-phrase")
    r = c.post(reverse("portal:password_change"), {
        "old_password": "wrong", "new_password1": "x", "new_password2": "x"})
    assert r.status_code == 200 and r.context["form"].errors["old_password"]


def test_what_is_wrong_with_a_new_password_is_said_on_the_new_password(c, ada):
    """Too short, too common: said under the box it was typed in, not under the confirmation
    (Django's place; found by a walk of the forms); a confirmation that differs is said there."""
    r = c.post(reverse("portal:password_change"), {
        "old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"})
    errors = r.context["form"].errors
    assert r.status_code == 200 and errors["new_password1"] and "new_password2" not in errors
    r = c.post(reverse("portal:password_change"), {
        "old_password": PASSWORD, "new_password1": "An0ther-long-phrase",
        "new_password2": "An0ther-long-phrasf"})
    errors = r.context["form"].errors
    assert "new_password1" not in errors and errors["new_password2"]
    assert CustomerLogin.objects.get().user.check_password(PASSWORD)


def test_a_bill_shows_the_account_since_the_previous_bill(client, billing_db):
    """Issue 21: previous balance, payments received (dates, receipts), adjustments, this bill,
    the balance after it; the figures from v_bill_account_summary add up as the ledger does."""
    import datetime as dt
    from helpers.portal_data import make_portal_customer
    db = billing_db
    cust = make_portal_customer(db, with_history=False)
    today = db.value("SELECT CURRENT_DATE")
    t = (lambda n: today + dt.timedelta(days=n))
    db.call("record_reading", cust.serial, t(-66), 1250, "field", "staff:test")
    first = db.call("bill_account", cust.account_id, t(-95), t(-66), t(-65), 14, "staff:test")["bill_id"]
    with db.at(t(-60)):
        pay = db.call("post_payment", cust.account_id, "10.00", "cash", None, "acct-sum-1", "staff:test")
    with db.at(t(-40)):
        fees = db.call("apply_late_fees", t(-40), "batch:late_fees")
    assert fees["bills_charged"] == 1
    second = db.call("bill_account", cust.account_id, t(-65), t(-36), t(-35), 14, "staff:test")["bill_id"]
    s = db.row("SELECT * FROM v_bill_account_summary WHERE bill_id = %s", second)
    first_total = db.value("SELECT issued_total FROM bill WHERE bill_id = %s", first)
    assert s["prev_bill_id"] == first
    assert (s["previous_balance"], s["payments"], s["adjustments"]) == \
        (first_total, Decimal("-10.00"), fees["total_fees"])
    assert s["new_charges"] == db.value("SELECT issued_total FROM bill WHERE bill_id = %s", second)
    assert s["balance_after"] == s["previous_balance"] + s["payments"] + s["adjustments"] + s["new_charges"]
    assert s["balance_after"] == db.value("SELECT balance FROM v_account_balance WHERE account_id = %s",
                                          cust.account_id)
    create_customer_login(cust.customer_id, password=PASSWORD)
    client.force_login(CustomerLogin.objects.get(customer_id=cust.customer_id).user)
    first_no = db.value("SELECT bill_no FROM bill WHERE bill_id = %s", first)
    for name in ("portal:bill_detail", "portal:bill_print"):
        page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(
            reverse(name, args=[second])).content.decode()))
        assert "Your account" in page
        assert f"Payment received {t(-60).strftime('%-d %b %Y')}, receipt {pay['receipt_no']} -€10.00" in page
        assert f"Late fee on bill {first_no} €{fees['total_fees']}" in page
        assert f"Balance after this bill €{s['balance_after']:,}" in page
    first_page = client.get(reverse("portal:bill_detail", args=[first])).content.decode()
    assert "Balance before this bill" in first_page


def test_a_prorated_bill_reads_in_words_with_the_meter_factor(client, billing_db):
    """Issue 21: block limits as the customer's share, the days of each price in words, the
    multiplier explained; then the next bill, estimated, and the one after it that corrects it."""
    import datetime as dt
    from billing import formatting
    from helpers.factories import make_metered_account, make_tariff
    db = billing_db
    today = db.value("SELECT CURRENT_DATE")
    t = (lambda n: today + dt.timedelta(days=n))
    tariff = make_tariff(db, versions=[
        dict(effective_from="2000-01-01", fixed_charge="6.00", tax_rate_pct="0",
             blocks=[(100, "0.10"), (None, "0.20")]),
        dict(effective_from=str(t(-80)), fixed_charge="6.00", tax_rate_pct="0",
             blocks=[(100, "0.11"), (None, "0.21")])])
    acc = make_metered_account(db, tariff_code=tariff, opened_on=t(-95), multiplier=40,
                               initial_read=0, dial_digits=6)
    db.call("record_reading", acc.serial, t(-66), 59, "field", "staff:test")
    bill = db.call("bill_account", acc.account_id, t(-95), t(-66), t(-65), 14, "staff:test")["bill_id"]
    create_customer_login(acc.customer_id, password=PASSWORD)
    client.force_login(CustomerLogin.objects.get(customer_id=acc.customer_id).user)
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(
        reverse("portal:bill_detail", args=[bill])).content.decode()))

    def span(a, b):
        return (f"{a.day}–{formatting.day(b)}" if (a.year, a.month) == (b.year, b.month)
                else f"{formatting.day(a)} – {formatting.day(b)}")
    old, new = span(t(-95), t(-81)), span(t(-80), t(-66))
    assert f"Energy, first 50 kWh, {old} at the old price" in page
    assert f"Energy above 50 kWh, {old} at the old price" in page
    assert f"Fixed charge for 15 of 30 days, {old} at the old price" in page
    assert f"Energy, first 50 kWh, {new} at the new price from {formatting.day(t(-80))}" in page
    assert "register advance 59 × meter factor 40 = 2,360 kWh" in page
    # the next period is estimated; the one after ends on an actual reading and corrects it
    second = db.call("bill_account", acc.account_id, t(-65), t(-36), t(-35), 14, "staff:test")["bill_id"]
    db.call("record_reading", acc.serial, t(-6), 200, "field", "staff:test")
    third = db.call("bill_account", acc.account_id, t(-35), t(-6), t(-5), 14, "staff:test")["bill_id"]
    second_page = client.get(reverse("portal:bill_detail", args=[second])).content.decode()
    assert "is <strong>estimated</strong> from your past use" in second_page
    second_no = db.value("SELECT bill_no FROM bill WHERE bill_id = %s", second)
    third_page = re.sub(r"\s+", " ", client.get(reverse("portal:bill_detail", args=[third])).content.decode())
    assert f"Your previous bill ({second_no}) used an estimated reading" in third_page
    assert "so it corrects it" in third_page


def test_the_rebate_is_offered_earned_or_not_earned(c, ada, billing_db):
    """Issue 21: "save X if paid by D" only while that is still true; "earned" once granted;
    "not earned" after the date or a late fee (never offered above a late fee)."""
    def words(bill_id):
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c.get(
            reverse("portal:bill_detail", args=[bill_id])).content.decode()))
    newest, overdue = ada.bill_ids[2], ada.bill_ids[1]
    assert "Save €" in words(newest) and "Not earned" not in words(newest)
    late = words(overdue)                       # past its rebate date, with a late fee
    assert "Not earned:" in late and "Save €" not in late
    billing_db.call("post_payment", ada.account_id, "200.00", "cash", None, "rebate-all",
                    "staff:test")
    assert "Earned: you saved" in words(newest)


def test_the_dashboard_shows_the_latest_bill_and_why_it_differs(c, ada, billing_db):
    from billing import comparison
    html = re.sub(r"\s+", " ", c.get(reverse("portal:dashboard")).content.decode())
    latest = billing_db.row("SELECT bill_id, bill_no FROM v_bill_summary WHERE account_id = %s "
                            "ORDER BY period_end DESC LIMIT 1", ada.account_id)
    assert f'Bill {latest["bill_no"]}</a>' in html
    why = comparison.why(bill_id=latest["bill_id"])
    assert why.sentence and why.sentence.replace("'", "&#x27;") in html
