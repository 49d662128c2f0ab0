"""The portal reads numbers as the staff forms do (billing.forms.parse_plain_number): the
self-registration's amount of the last bill and the pay form's hidden `owed_shown` were Django
DecimalFields, which read "1e5" as 100000 and full-width or Arabic-Indic digits as digits; the
card's number, expiry and security code were matched with \\d, which takes any script's
digits. Now ASCII digits only, everywhere a number is typed or sent back."""
import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

import portal.forms
import portal.gateway
from billing.forms import NOT_PLAIN
from helpers.portal_data import make_portal_customer
from portal.gateway import Card, SimulatedGateway, check_card
from portal.models import CustomerLogin
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

NOT_PLAIN_INPUTS = ["1e5", "1e1", "1E5", "2.6e2", "\uff11\uff12", "\u0661\u0662", "1_000",
                    "NaN", "Infinity", "12."]
FULL_WIDTH = str.maketrans("0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17"
                                         "\uff18\uff19")
CARD = {"card_holder": "Ada Lovelace", "card_number": "4242 4242 4242 4242",
        "card_expiry": "12/30", "card_cvc": "123"}
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def gateway(monkeypatch):
    gw = SimulatedGateway()
    monkeypatch.setattr(portal.gateway, "_gateway", gw)
    return gw


@pytest.fixture
def ada(billing_db):
    return make_portal_customer(billing_db)


def login(client, customer):
    create_customer_login(customer.customer_id, password="Kilowatt-hours-2026")
    client.force_login(CustomerLogin.objects.get(customer_id=customer.customer_id).user)
    return client


def portal_number_fields():
    out = []
    for name, cls in sorted(vars(portal.forms).items()):
        if isinstance(cls, type) and issubclass(cls, forms.BaseForm) \
                and cls.__module__ == "portal.forms":
            for field_name, field in cls.base_fields.items():
                if isinstance(field, (forms.DecimalField, forms.IntegerField, forms.FloatField)):
                    out.append(pytest.param(field, id=f"{name}.{field_name}"))
    return out


def test_the_portal_forms_have_the_number_fields_to_check():
    ids = {p.id for p in portal_number_fields()}
    assert {"RegistrationForm.last_bill_amount", "PaymentForm.owed_shown"} <= ids


@pytest.mark.parametrize("field", portal_number_fields())
def test_every_portal_number_field_reads_only_plain_numbers(field):
    assert isinstance(field, portal.forms.PlainDecimalField)
    for typed in NOT_PLAIN_INPUTS:
        if isinstance(field, portal.forms.ShownAmountField):
            assert field.clean(typed) is None, typed          # as if not sent
        else:
            with pytest.raises(ValidationError) as e:
                field.clean(typed)
            assert e.value.messages == [NOT_PLAIN], typed


def test_the_last_bills_amount_in_full_width_digits_is_refused_on_the_field(client, billing_db,
                                                                              ada):
    last = billing_db.value("SELECT issued_total FROM v_bill_summary WHERE bill_id = %s",
                            ada.bill_ids[-1])
    for typed in [str(last).translate(FULL_WIDTH), f"{last}e0"]:
        r = client.post(reverse("portal:register"), {
            "customer_no": ada.customer_no, "account_no": ada.account_no,
            "last_bill_amount": typed, "password1": PASSWORD, "password2": PASSWORD})
        assert r.status_code == 200
        assert r.context["form"].errors["last_bill_amount"] == [NOT_PLAIN]
        assert not CustomerLogin.objects.exists()
    r = client.post(reverse("portal:register"), {
        "customer_no": ada.customer_no, "account_no": ada.account_no,
        "last_bill_amount": str(last), "password1": PASSWORD, "password2": PASSWORD})
    assert r.status_code == 302 and CustomerLogin.objects.get().customer_id == ada.customer_id


@pytest.mark.parametrize("shown", ["1e5", "\uff11\uff10\uff10\uff10\uff10\uff10"])
def test_an_owed_shown_that_is_no_plain_number_counts_as_not_sent(client, ada, billing_db, shown):
    """Decimal("1e5") made the form believe 100,000.00 was owed: 1,000.00 went through without
    the confirmation. Now the amount is compared with what is owed now (105.45)."""
    c = login(client, ada)
    r = c.post(reverse("portal:pay", args=[ada.account_id]),
               {**CARD, "amount": "1,000.00", "owed_shown": shown, "idempotency_key": "shown-1"})
    assert r.status_code == 200
    assert r.context["form"].errors["confirm_over"][0].startswith(
        "€1,000.00 is more than the €105.45 you owe")
    assert not billing_db.value("SELECT COUNT(*) FROM payment WHERE account_id = %s "
                                "AND method = 'online'", ada.account_id)


@pytest.mark.parametrize("field, typed, message", [
    ("card_number", "4242 4242 4242 4242".translate(FULL_WIDTH),
     "Enter the 12 to 19 digits of the card number."),
    ("card_expiry", "12/30".translate(FULL_WIDTH), "Enter the expiry as MM/YY, e.g. 09/28."),
    ("card_cvc", "123".translate(FULL_WIDTH), "Enter the 3 or 4 digits on the back of the card."),
    ("card_cvc", "1\u0662\u0663", "Enter the 3 or 4 digits on the back of the card."),
])
def test_card_fields_take_ascii_digits_only(client, ada, billing_db, gateway, field, typed,
                                            message):
    c = login(client, ada)
    r = c.post(reverse("portal:pay", args=[ada.account_id]),
               {**CARD, field: typed, "amount": "10.00", "idempotency_key": f"card-{field}"})
    assert r.status_code == 200
    assert r.context["form"].errors[field] == [message]
    assert gateway._results == {}                         # nothing was charged
    assert not billing_db.value("SELECT COUNT(*) FROM payment WHERE account_id = %s "
                                "AND method = 'online'", ada.account_id)


def test_the_gateways_card_check_takes_ascii_digits_only():
    import datetime
    today = datetime.date(2026, 11, 30)
    ok = Card(number="4242424242424242", expiry="12/30", cvc="123", holder="A")
    assert check_card(ok, today) is None
    full = "4242424242424242".translate(FULL_WIDTH)
    assert check_card(Card(number=full, expiry="12/30", cvc="123", holder="A"),
                      today)[0] == "number"
    assert check_card(Card(number=ok.number, expiry="12/30".translate(FULL_WIDTH), cvc="123",
                           holder="A"), today)[0] == "expiry"
    assert check_card(Card(number=ok.number, expiry="12/30", cvc="123".translate(FULL_WIDTH),
                           holder="A"), today)[0] == "cvc"


def test_a_refused_payment_does_not_write_the_card_number_back(client, ada, billing_db, gateway):
    """The form that comes back after a refusal (here a mistyped expiry) keeps the amount and
    the name, but not the card number or the security code: neither is in the page's HTML; the
    field's help says to type the number again."""
    c = login(client, ada)
    r = c.post(reverse("portal:pay", args=[ada.account_id]),
               {**CARD, "card_expiry": "13/30", "amount": "10.00", "idempotency_key": "echo-1"})
    assert r.status_code == 200 and "card_expiry" in r.context["form"].errors
    html = r.content.decode()
    digits = CARD["card_number"].replace(" ", "")
    assert digits not in html.replace(" ", "")
    for name in ("card_number", "card_cvc"):
        tag = re.search(r'<input[^>]*name="%s"[^>]*>' % name, html).group(0)
        assert "value=" not in tag, tag
    assert 'value="10.00"' in html and CARD["card_holder"] in html
    assert "card number is not shown again" in html
    assert gateway._results == {}
