"""Back office, an account's lifecycle (issue 19): the meter exchange form (clerks and billing
admins; exchange_meter) and the close form (billing admins; record_reading of the final reading,
then close_account), against the real database."""
import datetime
import re

import pytest
from django.urls import reverse

from billing import errors, formatting, services
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
    return acc


EXCHANGE = {"old_final_read": "250", "exchanged_on": "2026-03-01", "new_serial_no": "SN-NEW-7",
            "new_dial_digits": "6", "new_multiplier": "2", "new_initial_read": "10"}


def test_a_clerk_exchanges_the_meter(staff_client, ada, billing_db):
    page = staff_client.get(reverse("billing:account_detail", args=[ada.account_id]))
    url = reverse("billing:meter_exchange", args=[ada.account_id])
    assert url in page.content.decode()
    form = staff_client.get(url)
    assert form.status_code == 200
    assert f'value="{datetime.date.today():%Y-%m-%d}"' in form.content.decode()  # default today
    assert "100.00" in text(form)                                 # the old meter's latest read
    r = staff_client.post(url, EXCHANGE, follow=True)
    assert r.redirect_chain[-1][0] == reverse("billing:account_detail", args=[ada.account_id])
    shown = text(r)
    assert "Meter SN-ADA-1 removed" in shown and "meter SN-NEW-7 installed" in shown
    rows = billing_db.rows(
        "SELECT m.serial_no, i.installed_on, i.removed_on, m.multiplier, i.initial_read "
        "FROM meter_installation i JOIN meter m USING (meter_id) WHERE i.account_id = %s "
        "ORDER BY i.installed_on", ada.account_id)
    assert [(x["serial_no"], str(x["removed_on"])) for x in rows] == [
        ("SN-ADA-1", "2026-03-01"), ("SN-NEW-7", "None")]
    assert str(rows[1]["multiplier"]) == "2.00" and str(rows[1]["initial_read"]) == "10.00"
    assert billing_db.value(
        "SELECT actor FROM audit_log WHERE action = 'meter_exchanged'") == "staff:clara"


@pytest.mark.parametrize("change, field, words", [
    ({"new_serial_no": "SN-ADA-1"}, "new_serial_no",
     "A meter with serial number SN-ADA-1 exists already."),
    ({"old_final_read": "100000"}, "old_final_read",
     "The final read of the old meter must be below 100,000, the dial capacity of the meter."),
    # not after the latest reading (the bill's end reading, 31 Jan): the contract's 45011
    ({"exchanged_on": "2026-01-20"}, "exchanged_on",
     "The exchange date must be after the meter&#x27;s latest reading (31 Jan 2026)."),
    ({"exchanged_on": "2099-01-01"}, "exchanged_on", "The exchange date cannot be after today."),
])
def test_an_exchange_refusal_is_a_sentence_on_its_field(staff_client, ada, billing_db, change,
                                                        field, words):
    snapshot = billing_db.snapshot()
    r = staff_client.post(reverse("billing:meter_exchange", args=[ada.account_id]),
                          {**EXCHANGE, **change})
    assert r.status_code == 200
    page = r.content.decode()
    error = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', page, re.S)
    assert error and words in re.sub(r"\s+", " ", error.group(1)), page
    assert billing_db.snapshot() == snapshot


def test_roles_manager_reads_nothing_here_and_a_clerk_cannot_close(manager_client, ada,
                                                                    billing_db, django_user_model):
    snapshot = billing_db.snapshot()
    assert manager_client.post(reverse("billing:meter_exchange", args=[ada.account_id]),
                               EXCHANGE).status_code == 403
    assert manager_client.post(reverse("billing:account_close_final", args=[ada.account_id]),
                               {"closed_on": "2026-03-01"}).status_code == 403
    assert billing_db.snapshot() == snapshot


def test_one_close_page_for_clerks_and_admins(staff_client, ada, billing_db):
    """Closing is desk work (clerks opened and closed accounts before): the one close page
    records the final reading and closes; the account page has one close button."""
    page = staff_client.get(reverse("billing:account_detail", args=[ada.account_id])).content.decode()
    assert page.count("Final reading and close") == 1
    assert reverse("billing:account_close", args=[ada.account_id]) in page
    r = staff_client.post(reverse("billing:account_close", args=[ada.account_id]),
                          {"closed_on": "2026-03-01"})
    assert r.status_code == 302
    assert str(billing_db.value("SELECT closed_on FROM account WHERE account_id = %s",
                                ada.account_id)) == "2026-03-01"


def test_a_manager_cannot_close(manager_client, ada, billing_db):
    for name in ("billing:account_close", "billing:account_close_final"):
        assert manager_client.post(reverse(name, args=[ada.account_id]),
                                   {"closed_on": "2026-03-01"}).status_code == 403
    assert billing_db.value("SELECT closed_on FROM account WHERE account_id = %s",
                            ada.account_id) is None


def test_unknown_account_is_404(billing_admin_client, billing_db):
    assert billing_admin_client.get(reverse("billing:meter_exchange", args=[999])).status_code \
        == 404
    assert billing_admin_client.get(reverse("billing:account_close_final", args=[999])
                                    ).status_code == 404


def test_a_billing_admin_closes_with_the_final_reading_then_the_final_bill_is_linked(
        billing_admin_client, ada, billing_db):
    url = reverse("billing:account_close_final", args=[ada.account_id])
    balance = billing_db.value("SELECT balance FROM v_account_balance WHERE account_id = %s",
                               ada.account_id)
    form = billing_admin_client.get(url)
    assert str(balance) in text(form)                          # the open balance, as the view has it
    r = billing_admin_client.post(url, {"final_read": "160", "closed_on": "2026-02-20"},
                                  follow=True)
    assert r.redirect_chain[-1][0] == url
    shown = text(r)
    assert "closed (last day 20 Feb 2026)" in shown and "Final reading 160 recorded" in shown
    assert "next billing run of the period that contains 20 Feb 2026" in shown
    assert billing_db.value("SELECT closed_on FROM account WHERE account_id = %s",
                            ada.account_id).isoformat() == "2026-02-20"
    reading = billing_db.row("SELECT value, source, status FROM meter_reading "
                             "WHERE read_on = '2026-02-20'")
    assert (str(reading["value"]), reading["source"]) == ("160.00", "field")
    billed = billing_db.call("bill_account", ada.account_id, "2026-02-01", "2026-02-28",
                             datetime.date.today().isoformat(), 14, "staff:test")
    assert billed["bill_id"]
    bill_no = billing_db.value("SELECT bill_no FROM v_bill_summary WHERE bill_id = %s AND final = 1",
                               billed["bill_id"])
    page = text(billing_admin_client.get(url))
    assert f"The final bill is bill {bill_no}" in page
    # closed: no form any more, a second POST closes nothing
    assert billing_admin_client.post(url, {"closed_on": "2026-02-21"}).status_code == 302


def test_closing_without_a_reading_and_a_refusal_on_the_date(billing_admin_client, ada,
                                                               billing_db):
    url = reverse("billing:account_close_final", args=[ada.account_id])
    snapshot = billing_db.snapshot()
    r = billing_admin_client.post(url, {"final_read": "", "closed_on": "2026-01-15"})
    assert r.status_code == 200
    error = re.search(r'id="id_closed_on_error">(.*?)</ul>', r.content.decode(), re.S)
    assert error and ("The account is billed up to 31 Jan 2026: the last day of service "
                      "cannot be before that.") in error.group(1)
    assert billing_db.snapshot() == snapshot
    r = billing_admin_client.post(url, {"final_read": "", "closed_on": "2026-02-10"})
    assert r.status_code == 302
    assert billing_db.value("SELECT COUNT(*) FROM meter_reading WHERE read_on > '2026-01-31'") == 0


def test_a_bad_final_reading_is_refused_on_its_field_and_nothing_changes(
        billing_admin_client, ada, billing_db):
    snapshot = billing_db.snapshot()
    r = billing_admin_client.post(reverse("billing:account_close_final", args=[ada.account_id]),
                                  {"final_read": "100000", "closed_on": "2026-02-20"})
    assert r.status_code == 200
    error = re.search(r'id="id_final_read_error">(.*?)</ul>', r.content.decode(), re.S)
    assert error and "the account is still open" in error.group(1)
    assert billing_db.snapshot() == snapshot


def test_when_close_fails_after_the_reading_the_page_says_the_reading_stays(
        billing_admin_client, ada, billing_db, monkeypatch):
    def refuse(**kw):
        raise errors.error_for(45003, f"account {kw['account_id']} is closed already")
    monkeypatch.setattr(services, "close_account", refuse)
    r = billing_admin_client.post(reverse("billing:account_close_final", args=[ada.account_id]),
                                  {"final_read": "160", "closed_on": "2026-02-20"})
    assert r.status_code == 200
    shown = text(r)
    assert "The final reading 160 dated 20 Feb 2026 was recorded" in shown
    assert "and stays; the account is still open" in shown
    assert billing_db.value("SELECT COUNT(*) FROM meter_reading WHERE read_on = '2026-02-20'") == 1
    assert billing_db.value("SELECT closed_on FROM account WHERE account_id = %s",
                            ada.account_id) is None


def test_a_final_reading_in_review_says_the_final_bill_waits(billing_admin_client, ada,
                                                             billing_db):
    r = billing_admin_client.post(reverse("billing:account_close_final", args=[ada.account_id]),
                                  {"final_read": "90000", "closed_on": "2026-02-20"},
                                  follow=True)
    status = billing_db.value("SELECT status FROM meter_reading WHERE read_on = '2026-02-20'")
    assert status == "review"
    assert "the final bill waits until the reading is approved or rejected" in text(r)


# --- only the actions that make sense (what the procedures accept) ---------------------------
def actions(client, account_id):
    page = client.get(reverse("billing:account_detail", args=[account_id])).content.decode()
    head = page[page.index('id="account-heading"'):page.index('<dl class="details">')]
    return re.findall(r'<a class="button[^"]*"[^>]*>([^<]+)</a>', head)


def test_a_closed_account_offers_a_discount_and_a_bill_only_until_its_final_bill(
        billing_admin_client, ada, billing_db):
    """assign_discount takes only days up to a closed account's last day, and bill_account
    bills its final period: offered while that bill is not issued. They were offered on every
    closed account (the final bill issued, the discount refused)."""
    assert actions(billing_admin_client, ada.account_id) == [
        "Take a payment", "Exchange meter", "Final reading and close", "Assign a discount",
        "Bill this account"]
    billing_db.call("close_account", ada.account_id, "2026-02-20", "staff:test")
    assert actions(billing_admin_client, ada.account_id) == [
        "Take a payment", "Assign a discount", "Bill the final period"]
    form = billing_admin_client.get(reverse("billing:discount_assign", args=[ada.account_id]))
    assert form.context["form"].initial["valid_from"] == datetime.date(2026, 2, 20)
    assert "The account is closed: a day up to its last day, 20 Feb 2026" in text(form)
    assert billing_db.call("bill_account", ada.account_id, "2026-02-01", "2026-02-28",
                           datetime.date.today().isoformat(), 14, "staff:test")["bill_id"]
    billing_db.call("post_payment", ada.account_id, billing_db.value(
        "SELECT balance FROM v_account_balance WHERE account_id = %s", ada.account_id), "cash",
        None, "k-final", "staff:test")
    assert actions(billing_admin_client, ada.account_id) == []     # paid up, final bill out


def test_the_exchange_page_of_an_account_without_a_meter_offers_no_form(staff_client, ada,
                                                                        billing_db):
    bare = billing_db.call("open_account", ada.customer_id, "RES", "2 Side St", "2026-01-01",
                           "staff:test")["account_id"]
    url = reverse("billing:meter_exchange", args=[bare])
    r = staff_client.get(url)
    assert r.status_code == 200 and "Exchange meter" not in actions(staff_client, bare)
    page = r.content.decode()
    assert 'name="old_final_read"' not in page and "Exchange meter</button>" not in page
    assert "No meter is installed on this account, so there is none to exchange" in text(r)
    assert reverse("billing:meter_install", args=[bare]) in page
    snapshot = billing_db.snapshot()
    r = staff_client.post(url, {**EXCHANGE, "new_serial_no": "SN-NEW-9"})
    assert r.status_code == 302 and r["Location"] == url
    assert billing_db.snapshot() == snapshot
    # a closed account: its meter was removed on its last day
    billing_db.call("close_account", ada.account_id, "2026-02-20", "staff:test")
    r = staff_client.get(reverse("billing:meter_exchange", args=[ada.account_id]))
    assert "This account is closed since 20 Feb 2026: its meter was removed on its last day" \
        in text(r)
    assert 'name="old_final_read"' not in r.content.decode()
    assert reverse("billing:meter_install", args=[ada.account_id]) not in r.content.decode()


def test_a_portal_login_is_offered_only_to_a_customer_without_one(staff_client, ada):
    from portal.services import create_customer_login
    url = reverse("billing:customer_detail", args=[ada.customer_id])
    page = text(staff_client.get(url))
    assert "Create a portal login" in page and "Portal login none" in page
    create_customer_login(ada.customer_id, created_by="staff:test", base_url="http://x/")
    page = text(staff_client.get(url))
    assert "Create a portal login" not in page
    assert (f"Portal login yes, since {formatting.day(datetime.date.today())} (made by "
            "staff:test); the customer has not set a password yet") in page


def test_an_exchange_on_a_billed_day_after_the_latest_reading_says_billed_up_to(staff_client,
                                                                               billing_db):
    """A bill ends on the latest point on or before its last day: billed to 31 Jan on the
    reading of 25 Jan, the 28th is after the latest reading but billed (our own rule, 45002)."""
    make_tariff(billing_db, code="RES", name="Residential")
    acc = make_metered_account(billing_db, tariff_code="RES", serial="SN-BEA-1",
                               opened_on="2026-01-01", initial_read=0)
    billing_db.call("record_reading", "SN-BEA-1", "2026-01-25", 100, "field", "staff:test")
    billing_db.call("bill_account", acc.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14,
                    "staff:test")
    snapshot = billing_db.snapshot()
    r = staff_client.post(reverse("billing:meter_exchange", args=[acc.account_id]),
                          {**EXCHANGE, "exchanged_on": "2026-01-28"})
    assert r.status_code == 200
    error = re.search(r'<ul class="errorlist" id="id_exchanged_on_error">(.*?)</ul>',
                      r.content.decode(), re.S)
    assert error and "The account is billed up to 31 Jan 2026: exchange the meter on a later " \
        "day." in re.sub(r"\s+", " ", error.group(1))
    assert billing_db.snapshot() == snapshot
