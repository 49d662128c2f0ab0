"""Back office, customers and accounts: the account page with its statement (running balance
from v_staff_statement), open and close accounts, install meters, assign discounts, portal
logins."""
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import formatting
from helpers.factories import make_metered_account, make_tariff
from helpers.pages import text

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


@pytest.fixture
def ada(billing_db):
    db = billing_db
    make_tariff(db, code="RES", name="Residential")
    acc = make_metered_account(db, tariff_code="RES", name="Ada Lovelace", serial="SN-ADA-1",
                               opened_on="2026-01-01", initial_read=0)
    db.call("record_reading", "SN-ADA-1", "2026-01-31", 100, "field", "staff:test")
    assert db.call("bill_account", acc.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14,
                   "staff:test")["bill_id"]
    db.call("post_payment", acc.account_id, "4.00", "cash", "2026-02-05 10:00:00", "k-ada-1",
            "staff:test")
    db.call("post_payment", acc.account_id, "3.00", "card", "2026-02-06 10:00:00", "k-ada-2",
            "staff:test")
    return acc


def test_the_statement_view_keeps_a_running_balance_per_account(ada, billing_db):
    rows = billing_db.rows("SELECT entry_id, amount, running_balance FROM v_staff_statement "
                           "WHERE account_id = %s ORDER BY entry_id", ada.account_id)
    assert [r["amount"] for r in rows][1:] == [Decimal("-4.00"), Decimal("-3.00")]
    for r in rows:                                     # checked against the ledger itself
        assert r["running_balance"] == billing_db.value(
            "SELECT SUM(amount) FROM ledger_entry WHERE account_id = %s AND entry_id <= %s",
            ada.account_id, r["entry_id"])
    assert rows[-1]["running_balance"] == billing_db.value(
        "SELECT balance FROM v_account_balance WHERE account_id = %s", ada.account_id)


def test_the_account_page_shows_statement_bills_payments_and_meter(staff_client, ada,
                                                                   billing_db):
    r = staff_client.get(reverse("billing:account_detail", args=[ada.account_id]))
    assert r.status_code == 200
    page = text(r)
    bill = billing_db.row("SELECT bill_no, total_amount FROM v_bill_summary WHERE account_id = %s",
                          ada.account_id)
    balance = billing_db.value("SELECT balance FROM v_account_balance WHERE account_id = %s",
                               ada.account_id)
    assert f"bill {bill['bill_no']}" in page and str(bill["total_amount"]) in page
    statement = billing_db.rows("SELECT running_balance FROM v_staff_statement "
                                "WHERE account_id = %s ORDER BY entry_id", ada.account_id)
    cells = re.findall(r'class="num running-balance">([^<]*)<', r.content.decode())
    assert cells == [formatting.money(s["running_balance"]) for s in statement]
    assert cells[-1] == formatting.money(balance)
    assert "SN-ADA-1" in page and "Take a payment" in page
    assert "Assign a discount" not in page                   # a clerk: billing admin only
    customer = staff_client.get(reverse("billing:customer_detail", args=[ada.customer_id]))
    assert reverse("billing:account_detail", args=[ada.account_id]) in customer.content.decode()
    assert bill["bill_no"] in text(customer)


def test_an_unknown_account_is_404(staff_client, billing_db):
    assert staff_client.get(reverse("billing:account_detail", args=[999])).status_code == 404
    assert staff_client.post(reverse("billing:account_close", args=[999]),
                             {"closed_on": "2026-01-01"}).status_code == 404


def test_a_clerk_opens_an_account(staff_client, ada, billing_db):
    url = reverse("billing:account_open", args=[ada.customer_id])
    assert "RES" in staff_client.get(url).content.decode()
    r = staff_client.post(url, {"tariff_code": "RES", "service_address": "9 New Street",
                                "opened_on": "2026-03-01"})
    new = billing_db.row("SELECT account_id, account_no FROM account WHERE service_address = %s",
                         "9 New Street")
    assert r.status_code == 302
    assert r["Location"] == reverse("billing:account_detail", args=[new["account_id"]])
    assert billing_db.value("SELECT actor FROM audit_log WHERE table_name = 'account' "
                            "AND row_key = %s", str(new["account_id"])) == "staff:clara"


@pytest.mark.parametrize("typed", ["01/03/2026", "03/01/2026", "1 Mar 2026", "2026/03/01"])
def test_a_day_is_typed_as_yyyy_mm_dd_only(staff_client, ada, billing_db, typed):
    """01/03/2026 was read as month/day (Django's "en" input formats): 3 January for a clerk
    who meant 1 March. Only ISO days are read (config/formats/en/formats.py); the rest is a
    field error with the typed text kept, and nothing is written."""
    snapshot = billing_db.snapshot()
    r = staff_client.post(reverse("billing:account_open", args=[ada.customer_id]),
                          {"tariff_code": "RES", "service_address": "9 New Street",
                           "opened_on": typed})
    assert r.status_code == 200
    assert r.context["form"].errors["opened_on"] == ["Give the day as YYYY-MM-DD, e.g. 2026-11-30."]
    assert f'value="{typed}"' in r.content.decode()
    assert billing_db.snapshot() == snapshot


def test_closing_an_account_before_it_opened_is_refused_next_to_the_date(staff_client, ada,
                                                                         billing_db):
    snapshot = billing_db.snapshot()
    r = staff_client.post(reverse("billing:account_close", args=[ada.account_id]),
                          {"closed_on": "2025-12-01"})
    assert r.status_code == 200
    page = r.content.decode()
    assert r.context["form"].errors["closed_on"] == [
        "The last day of service cannot be before the account was opened (1 Jan 2026)."]
    assert "Not saved</h2>" in page and "closed_on" not in text(r)
    assert 'id="id_closed_on_error"' in page and 'value="2025-12-01"' in page
    assert billing_db.snapshot() == snapshot
    r = staff_client.post(reverse("billing:account_close", args=[ada.account_id]),
                          {"closed_on": "2026-03-31"})
    assert r.status_code == 302
    assert billing_db.value("SELECT closed_on FROM account WHERE account_id = %s",
                            ada.account_id).isoformat() == "2026-03-31"


def test_installing_a_meter_and_a_duplicate_serial(staff_client, ada, billing_db):
    second = billing_db.call("open_account", ada.customer_id, "RES", "2 Side St", "2026-01-01",
                             "staff:test")["account_id"]
    url = reverse("billing:meter_install", args=[second])
    form = {"serial_no": "SN-ADA-1", "dial_digits": "6", "multiplier": "1",
            "installed_on": "2026-01-01", "initial_read": "0"}
    snapshot = billing_db.snapshot()
    r = staff_client.post(url, form)
    assert r.status_code == 200 and r.context["form"].errors["serial_no"] == [
        "A meter with serial number SN-ADA-1 exists already."]
    assert "Not saved</h2>" in r.content.decode()
    assert billing_db.snapshot() == snapshot
    r = staff_client.post(url, {**form, "serial_no": "SN-ADA-2"})
    assert r.status_code == 302
    assert billing_db.value("SELECT serial_no FROM v_account WHERE account_id = %s",
                            second) == "SN-ADA-2"


def test_a_billing_admin_creates_and_assigns_a_discount(billing_admin_client, ada, billing_db):
    r = billing_admin_client.post(reverse("billing:discount_create"),
                                  {"code": "SEN", "name": "Senior", "pct": "10"})
    assert r.status_code == 302
    r = billing_admin_client.post(reverse("billing:discount_create"),
                                  {"code": "SEN", "name": "Again", "pct": "5"})
    assert r.status_code == 200            # the form says it on the field (issue 22, Tariffs)
    assert r.context["form"].errors["code"] == [
        "A discount with code SEN exists already: choose another code."]
    assert billing_db.value("SELECT name FROM discount WHERE code = 'SEN'") == "Senior"
    url = reverse("billing:discount_assign", args=[ada.account_id])
    assert "SEN" in billing_admin_client.get(url).content.decode()
    r = billing_admin_client.post(url, {"discount_code": "SEN", "valid_from": "2026-02-01",
                                        "valid_to": ""})
    assert r.status_code == 302
    row = billing_db.row("SELECT code, valid_from, valid_to FROM v_staff_account_discount "
                         "WHERE account_id = %s", ada.account_id)
    assert row["code"] == "SEN" and str(row["valid_from"]) == "2026-02-01"
    assert row["valid_to"] is None
    page = text(billing_admin_client.get(reverse("billing:account_detail",
                                                 args=[ada.account_id])))
    assert "SEN – Senior (10.00 %)" in page
    r = billing_admin_client.post(url, {"discount_code": "SEN", "valid_from": "2026-03-01",
                                        "valid_to": "2026-02-01"})
    assert r.status_code == 200 and "valid_to" in r.content.decode()


def test_a_clerk_creates_a_portal_login_once(staff_client, ada, billing_db, django_user_model):
    page = staff_client.get(reverse("billing:customer_detail", args=[ada.customer_id]))
    assert "Create a portal login" in page.content.decode()
    r = staff_client.post(reverse("portal:staff_create_login", args=[ada.customer_id]),
                          follow=True)
    assert "one-time link" in text(r)
    assert django_user_model.objects.filter(username=ada.customer_no).exists()
    r = staff_client.post(reverse("portal:staff_create_login", args=[ada.customer_id]),
                          follow=True)
    assert "has a login already" in text(r)
    assert django_user_model.objects.filter(username=ada.customer_no).count() == 1


def test_a_closed_account_with_money_open_still_takes_payments(staff_client, ada, billing_db):
    """billing-rules.md, Payments: a closed account accepts payments while it has money open."""
    billing_db.call("close_account", ada.account_id, "2026-02-10", "staff:test")
    url = reverse("billing:account_detail", args=[ada.account_id])
    assert "Take a payment" in text(staff_client.get(url))
    owed = billing_db.value("SELECT balance FROM v_account_balance WHERE account_id = %s",
                            ada.account_id)
    assert owed > 0
    pay_url = reverse("billing:payment_create", args=[ada.account_id])
    key = re.search(r'name="idempotency_key" value="([^"]+)"',
                    staff_client.get(pay_url).content.decode()).group(1)
    r = staff_client.post(pay_url, {"amount": str(owed), "method": "cash", "reference": "",
                                    "idempotency_key": key})
    assert r.status_code == 302
    assert billing_db.value("SELECT balance FROM v_account_balance WHERE account_id = %s",
                            ada.account_id) == 0
    assert "Take a payment" not in text(staff_client.get(url))     # nothing open any more


def test_an_opening_day_more_than_a_year_ahead_is_refused_as_a_slip(staff_client, ada, billing_db):
    """2099-01-01 opened an account (found by a walk of the forms): the contract takes any day,
    the form refuses one more than a year ahead and keeps what was typed; a year ahead is fine."""
    import datetime
    url = reverse("billing:account_open", args=[ada.customer_id])
    snapshot = billing_db.snapshot()
    r = staff_client.post(url, {"tariff_code": "RES", "service_address": "9 New Street",
                                "opened_on": "2099-01-01"})
    assert r.status_code == 200
    assert "at most a year ahead" in r.context["form"].errors["opened_on"][0]
    assert 'value="2099-01-01"' in r.content.decode()
    assert billing_db.snapshot() == snapshot
    ahead = datetime.date.today() + datetime.timedelta(days=366)
    r = staff_client.post(url, {"tariff_code": "RES", "service_address": "9 New Street",
                                "opened_on": ahead.isoformat()})
    assert r.status_code == 302
