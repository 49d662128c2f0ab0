"""Every number field of the staff forms reads a plain number only (billing.forms
PlainDecimalField / PlainIntegerField, parse_plain_number): Django's DecimalField read "1e5" as
100000 and full-width or Arabic-Indic digits as 12, so a clerk's "1e5" at the counter posted a
payment of 100,000.00. Refused with a sentence on the field; nothing reaches the database."""
import importlib
import pkgutil
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

import billing.views
from billing.forms import NOT_PLAIN, ShownAmountField, parse_plain_number
from helpers.factories import make_metered_account, make_tariff
from helpers.pages import text

NOT_PLAIN_INPUTS = ["1e5", "1e1", "1e-2", "1E5", "2.6e2", "1e0", "\uff11\uff12",   # １２
                    "\u0661\u0662", "1_000", "NaN", "Infinity", "12."]             # ١٢


def staff_form_classes():
    """Every form class of the staff app: billing.forms and the modules of billing.views."""
    modules = [importlib.import_module("billing.forms")] + [
        importlib.import_module(f"billing.views.{m.name}")
        for m in pkgutil.iter_modules(billing.views.__path__)]
    seen = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm) \
                    and value.__module__.startswith("billing."):
                seen[f"{value.__module__}.{value.__name__}"] = value
    return seen


def number_fields():
    out = []
    for name, cls in sorted(staff_form_classes().items()):
        for field_name, field in cls.base_fields.items():
            if isinstance(field, (forms.DecimalField, forms.IntegerField, forms.FloatField)):
                out.append(pytest.param(field, id=f"{name}.{field_name}"))
    return out


def test_the_staff_forms_have_number_fields_to_check():
    ids = {p.id for p in number_fields()}
    for want in ("CounterPaymentForm.amount", "RefundForm.amount", "ReadingForm.value",
                 "TariffVersionForm.early_pay_days", "BlockForm.rate", "BlockForm.up_to_kwh",
                 "InstallMeterForm.dial_digits", "ExchangeMeterForm.new_multiplier",
                 "DiscountForm.pct", "RebillForm.due_days", "BillingPeriodForm.due_days"):
        assert any(i.endswith(want) for i in ids), want


@pytest.mark.parametrize("field", number_fields())
def test_every_staff_number_field_refuses_what_is_not_a_plain_number(field):
    if isinstance(field, ShownAmountField):        # a page's own hidden figure: as if not sent
        assert all(field.clean(typed) is None for typed in NOT_PLAIN_INPUTS + ["abc"])
        assert field.clean(" 12 ") == 12
        return
    for typed in NOT_PLAIN_INPUTS:
        with pytest.raises(ValidationError) as e:
            field.clean(typed)
        assert e.value.messages == [NOT_PLAIN], typed
    with pytest.raises(ValidationError) as e:
        field.clean("abc")
    assert e.value.code == "invalid"
    # plain numbers pass, spaces around them too (within the field's range: dial digits 1-9)
    n = 12 if field.max_value is None or field.max_value >= 12 else field.max_value
    assert field.clean(f" {n} ") == n and field.clean(str(n)) == n
    if isinstance(field, forms.DecimalField) and field.decimal_places:
        assert field.clean("12.5") == Decimal("12.5")


@pytest.mark.parametrize("field", number_fields())
def test_every_staff_number_field_is_a_text_box_with_a_numeric_keyboard(field):
    """Never <input type=number>: Chromium's number box drops a character it cannot read, so
    "12,50" typed at the counter was sent as 1250 (found by a walk of the forms in Chromium,
    tests/e2e/test_backoffice_browser.py types it); a text box sends what was typed."""
    html = field.widget.render("x", "")
    if field.widget.is_hidden:
        assert 'type="hidden"' in html
        return
    if isinstance(field, forms.IntegerField) and not isinstance(field, forms.DecimalField) \
            and field.min_value is not None and field.max_value is not None:
        # a whole number in a small range (whole_number) keeps the number box and its range
        assert 'type="number"' in html and 'inputmode="numeric"' in html
        assert f'min="{field.min_value}"' in html and f'max="{field.max_value}"' in html
        assert field.max_value <= 366, field.max_value      # days or digits, never an amount
        return
    assert 'type="text"' in html and "type=\"number\"" not in html
    want = "decimal" if isinstance(field, forms.DecimalField) else "numeric"   # a subclass
    assert f'inputmode="{want}"' in html, html


def test_the_portal_amount_boxes_are_text_boxes_too():
    import portal.forms
    for cls, name in ((portal.forms.RegistrationForm, "last_bill_amount"),
                      (portal.forms.PaymentForm, "amount")):
        html = cls.base_fields[name].widget.render(name, "")
        assert 'type="text"' in html and 'inputmode="decimal"' in html, (cls, name)


def test_the_parser():
    assert parse_plain_number(" 12.50 ") == Decimal("12.50")
    assert parse_plain_number("1,000.00") == Decimal("1000.00")
    assert parse_plain_number("-3") == Decimal("-3")
    assert parse_plain_number("-3", signed=False) is None
    for typed in NOT_PLAIN_INPUTS + ["", "1,00", "1,0000", ".5", "+5", "1 000", "0x10",
                                     "1" * 41]:
        assert parse_plain_number(typed) is None, typed


def test_money_fields_take_thousands_commas():
    from billing.forms import CounterPaymentForm
    assert CounterPaymentForm.base_fields["amount"].clean("1,000.00") == Decimal("1000.00")


# --- the pages the probe used ----------------------------------------------------------------
pages = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


@pytest.fixture
def acc(billing_db):
    make_tariff(billing_db, code="RES")
    a = make_metered_account(billing_db, tariff_code="RES", serial="SN-N-1",
                             opened_on="2026-01-01")
    billing_db.call("record_reading", "SN-N-1", "2026-01-31", 100, "field", "staff:test")
    billing_db.call("bill_account", a.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14,
                    "staff:test")
    return a


@pages
@pytest.mark.parametrize("typed", ["1e5", "1e1", "1e-2", "\uff11\uff12", "\u0661\u0662"])
def test_a_counter_payment_of_1e5_is_refused_on_the_field(staff_client, acc, billing_db, typed):
    url = reverse("billing:payment_create", args=[acc.account_id])
    before = billing_db.snapshot()
    r = staff_client.post(url, {"amount": typed, "method": "cash",
                                "idempotency_key": "counter:n1"})
    assert r.status_code == 200
    assert r.context["form"].errors["amount"] == [NOT_PLAIN]
    assert 'id="id_amount_error"' in r.content.decode() and NOT_PLAIN in text(r)
    assert billing_db.snapshot() == before


@pages
def test_a_counter_payment_typed_with_a_thousands_comma_posts(staff_client, acc, billing_db):
    url = reverse("billing:payment_create", args=[acc.account_id])
    r = staff_client.post(url, {"amount": " 1,000.00 ", "method": "cash",
                                "idempotency_key": "counter:n2", "confirm_over": "on"})
    assert r.status_code == 302
    assert billing_db.value("SELECT amount FROM payment") == Decimal("1000.00")


@pages
def test_a_refund_of_1e0_is_refused(billing_admin_client, acc, billing_db):
    billing_db.call("post_payment", acc.account_id, "50.00", "cash", None, "k-n3", "staff:test")
    before = billing_db.snapshot()
    r = billing_admin_client.post(reverse("billing:refund_create", args=[acc.account_id]),
                                  {"amount": "1e0", "method": "cheque",
                                   "idempotency_key": "refund:n3"})
    assert r.status_code == 200 and r.context["form"].errors["amount"] == [NOT_PLAIN]
    assert billing_db.snapshot() == before


@pages
def test_a_reading_of_2_6e2_is_refused(staff_client, acc, billing_db):
    before = billing_db.snapshot()
    r = staff_client.post(reverse("billing:reading_create"),
                          {"serial_no": "SN-N-1", "read_on": "2026-02-28", "value": "2.6e2",
                           "source": "field"})
    assert r.status_code == 200 and r.context["form"].errors["value"] == [NOT_PLAIN]
    assert billing_db.snapshot() == before


def test_a_refused_value_is_not_also_called_missing():
    """A reference too long, or a rate with too many decimals, was refused and then also called
    missing ("Give the cheque number ...", "A block needs a rate."): one sentence, the refusal."""
    from billing.forms import BlockForm, CounterPaymentForm
    form = CounterPaymentForm({"amount": "5.00", "method": "bank_transfer", "reference": "R" * 200,
                               "idempotency_key": "k"})
    assert not form.is_valid()
    assert len(form.errors["reference"]) == 1 and "At most" in form.errors["reference"][0]
    form = CounterPaymentForm({"amount": "5.00", "method": "bank_transfer", "reference": "",
                               "idempotency_key": "k"})
    assert form.errors["reference"] == ["Give the cheque number or the transfer reference."]
    form = BlockForm({"up_to_kwh": "100", "rate": "0.1234567"})
    assert not form.is_valid()
    assert form.errors["rate"] == ["At most 6 digits after the point."]
    assert BlockForm({"up_to_kwh": "100", "rate": ""}).errors["rate"] == ["A block needs a rate."]
