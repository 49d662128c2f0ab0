"""Every text field of the staff and portal forms has the database's length limit, and every
bounded whole number its range (reviewer's findings): a 10,000-character name was answered "at
most 1,000 characters" (the procedure's argument limit, _arg_text) though the column takes 200;
a meter serial "at most 200" or "at most 255" for 40; 99999999999 dial digits "must be from
-2,147,483,648 to 2,147,483,647" for 1 to 9. Now the form says the real limit first, and the
input's maxlength, min and max say it too."""
import pytest
from django.urls import reverse

from billing import forms as staff
from helpers.factories import make_metered_account, make_tariff
from helpers.pages import text
from portal import forms as portal

# (form, field, the limit: columns of migrations/0001_schema.sql and the _check_* procedures)
TEXT_LIMITS = [
    (staff.CustomerForm, "full_name", 200), (staff.CustomerForm, "email", 254),
    (staff.CustomerForm, "phone", 40), (staff.CustomerForm, "address", 500),
    (portal.ContactForm, "full_name", 200), (portal.ContactForm, "email", 254),
    (portal.ContactForm, "phone", 40), (portal.ContactForm, "address", 500),
    (staff.ReadingForm, "serial_no", 40), (staff.InstallMeterForm, "serial_no", 40),
    (staff.OpenAccountForm, "service_address", 500),
    (staff.TariffForm, "name", 100), (staff.DiscountForm, "name", 100),
    (staff.ReasonForm, "reason", 500), (staff.ReversalForm, "reason", 500),
    (staff.CounterPaymentForm, "reference", 40),
]
RANGES = [
    (staff.InstallMeterForm, "dial_digits", 1, 9),
    (staff.TariffVersionForm, "early_pay_days", 0, 366),
    (staff.BillingPeriodForm, "due_days", 1, 90), (staff.RerunForm, "due_days", 1, 90),
]


@pytest.mark.parametrize("form, name, limit", TEXT_LIMITS,
                         ids=[f"{f.__name__}.{n}" for f, n, _ in TEXT_LIMITS])
def test_text_fields_have_the_databases_limit(form, name, limit):
    field = form.base_fields[name]
    assert field.max_length == limit
    assert field.widget_attrs(field.widget)["maxlength"] == str(limit)
    assert field.clean("x" * limit) == "x" * limit
    with pytest.raises(Exception) as e:
        field.clean("x" * 10_000)
    [message] = e.value.messages
    if (form, name) == (portal.ContactForm, "email"):     # the portal's sentence for an e-mail
        assert message == "Enter an e-mail address like name@example.org."
    else:
        assert f"{limit:,}" in message and "1,000" not in message and "2,000" not in message


@pytest.mark.parametrize("form, name, low, high", RANGES,
                         ids=[f"{f.__name__}.{n}" for f, n, _, _ in RANGES])
def test_bounded_numbers_have_their_range(form, name, low, high):
    field = form.base_fields[name]
    attrs = field.widget_attrs(field.widget)
    assert (attrs["min"], attrs["max"]) == (low, high)
    assert field.clean(str(low)) == low and field.clean(str(high)) == high
    for typed in ("99999999999", str(high + 1), str(low - 1)):
        with pytest.raises(Exception) as e:
            field.clean(typed)
        assert e.value.messages == [f"Give a whole number from {low} to {high}."], typed


# --- the pages the reviewer probed ----------------------------------------------------------
pages = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


@pages
def test_a_long_customer_name_address_and_phone_say_the_real_limit(staff_client, billing_db):
    url = reverse("billing:customer_create")
    r = staff_client.post(url, {"full_name": "x" * 10_000, "email": "", "phone": "5" * 1_000,
                                "address": "a" * 2_001})
    errors = r.context["form"].errors
    assert errors["full_name"] == ["At most 200 characters (this one has 10,000)."]
    assert errors["phone"] == ["At most 40 characters (this one has 1,000)."]
    assert errors["address"] == ["At most 500 characters (this one has 2,001)."]
    page = r.content.decode()
    assert 'maxlength="200"' in page and 'maxlength="40"' in page and 'maxlength="500"' in page
    assert "1,000 characters" not in text(r) and billing_db.value(
        "SELECT COUNT(*) FROM customer") == 0


@pages
def test_the_meter_forms_say_the_real_serial_and_dial_limits(billing_admin_client, billing_db):
    make_tariff(billing_db, code="FLAT")
    a = make_metered_account(billing_db, tariff_code="FLAT", serial="SN-L-1",
                             opened_on="2026-01-01")
    snapshot = billing_db.snapshot()
    r = billing_admin_client.post(reverse("billing:meter_install", args=[a.account_id]), {
        "serial_no": "S" * 41, "dial_digits": "99999999999", "multiplier": "1",
        "installed_on": "2026-02-01", "initial_read": "0"})
    errors = r.context["form"].errors
    assert errors["serial_no"] == ["At most 40 characters (this one has 41)."]
    assert errors["dial_digits"] == ["Give a whole number from 1 to 9."]
    page = r.content.decode()
    assert 'maxlength="40"' in page and 'min="1"' in page and 'max="9"' in page
    assert "2,147,483,647" not in page
    r = billing_admin_client.post(reverse("billing:reading_create"), {
        "serial_no": "S" * 300, "read_on": "2026-02-01", "value": "5", "source": "field"})
    assert r.context["form"].errors["serial_no"] == [
        "At most 40 characters (this one has 300)."]
    assert 'maxlength="40"' in r.content.decode()
    assert billing_db.snapshot() == snapshot


@pages
def test_early_payment_days_and_days_until_due_say_their_range(billing_admin_client,
                                                              billing_db):
    make_tariff(billing_db, code="FLAT")
    a = make_metered_account(billing_db, tariff_code="FLAT", serial="SN-L-2",
                             opened_on="2026-01-01")
    snapshot = billing_db.snapshot()
    r = billing_admin_client.post(reverse("billing:tariff_version_create", args=["FLAT"]), {
        "effective_from": "2027-01-01", "fixed_charge": "1", "tax_rate_pct": "0",
        "late_fee_pct": "0", "early_pay_pct": "0", "early_pay_days": "99999999999",
        "blocks-TOTAL_FORMS": "1", "blocks-INITIAL_FORMS": "0", "blocks-0-up_to_kwh": "",
        "blocks-0-rate": "0.1"})
    assert r.status_code == 200
    assert r.context["form"].errors["early_pay_days"] == ["Give a whole number from 0 to 366."]
    period = {"period_start": "2026-01-01", "period_end": "2026-01-31",
              "issue_date": "2026-02-01", "due_days": "99999999999"}
    for url in (reverse("billing:account_bill", args=[a.account_id]),
                reverse("billing:run_start"), reverse("billing:preview_start")):
        r = billing_admin_client.post(url, period)
        assert r.status_code == 200, url
        assert r.context["form"].errors["due_days"] == ["Give a whole number from 1 to 90."], url
        assert "2,147,483,647" not in text(r) and 'max="90"' in r.content.decode(), url
    assert billing_db.snapshot() == snapshot
