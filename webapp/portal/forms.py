"""Portal forms: they check the shape of the input; every money rule is the procedure's."""
import re
import uuid
from decimal import Decimal

from django import forms
from django.contrib.auth.forms import (AuthenticationForm, PasswordChangeForm, PasswordResetForm,
                                       SetPasswordForm)
from django.contrib.auth.password_validation import validate_password

from billing.forms import (ADDRESS_MAX, EMAIL_MAX, FULL_NAME_MAX, PHONE_MAX,
                           BoundedAuthenticationForm, LimitedCharField, PlainDecimalField,
                           ShownAmountField, credit_of, owed_as_shown, parse_plain_number)
from billing.models import Customer
from portal.gateway import Card
from portal.models import CustomerLogin, PasswordResetRequest
from portal.payments import check_amount


class CustomerAuthenticationForm(BoundedAuthenticationForm):
    """The customers' login. A login without a customer account (a staff login) is refused here
    with a pointer to the staff login: it used to log in and land on a 403 at /my/, whose "Back
    to your account" led to it again. Refused after the password matched: no failed log-in."""
    error_messages = {**AuthenticationForm.error_messages,
                      "not_customer": "This is the login for customers' electricity accounts: "
                                      "a staff login does not open it. Staff log in at the "
                                      "staff login page."}
    missing = {"username": "Type your customer number.", "password": "Type your password."}

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if getattr(user, "customer_login", None) is None:
            self.wrong_side = True
            raise forms.ValidationError(self.error_messages["not_customer"], code="not_customer")


class RegistrationForm(forms.Form):
    customer_no = forms.CharField(label="Customer number", max_length=12, strip=True,
                                  widget=forms.TextInput(attrs={"autocomplete": "username"}))
    account_no = forms.CharField(label="Account number", max_length=12, strip=True)
    # read as the staff forms read numbers (billing.forms: ASCII digits, no exponent)
    last_bill_amount = PlainDecimalField(
        label="Amount of your last bill", max_digits=12, decimal_places=2,
        help_text="The total of your latest bill for this account, e.g. 84.17.")
    password1 = forms.CharField(label="Password", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="Password again", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            try:
                validate_password(p1)
            except forms.ValidationError as e:
                self.add_error("password1", e)
        return data


class BillFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="Year", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("", "Any"), ("unpaid", "Unpaid (open or partly paid)"),
                                        ("open", "Open"), ("partial", "Partly paid"),
                                        ("paid", "Paid"), ("cancelled", "Cancelled")])
    account = forms.TypedChoiceField(label="Account", required=False, coerce=int,
                                     empty_value=None)

    def __init__(self, *args, years=(), accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "Any")] + [(y, y) for y in years]
        self.fields["account"].choices = [("", "All")] + [
            (a.account_id, a.account_no) for a in accounts]


def new_idempotency_key():
    return uuid.uuid4().hex


class AmountField(forms.CharField):
    """A payment amount within the contract's limits (portal.payments.check_amount): above zero,
    at most 1,000,000.00, at most two decimals; a plain number as the staff forms read it
    (billing.forms.parse_plain_number: ASCII digits 0-9, "1,000.00" accepted; no exponent, no
    other digits), without a sign. Checked here, before any charge."""
    default_error_messages = {
        "invalid": "Enter an amount like 84.17 or 1,000.00 (digits 0-9, at most two decimals).",
        "limits": "The amount must be above zero and at most 1,000,000.00.",
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        amount = parse_plain_number(value, signed=False) if len(value) <= 20 else None
        if amount is None or amount.as_tuple().exponent < -2:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        amount = amount.quantize(Decimal("0.01"))
        if not check_amount(amount):
            raise forms.ValidationError(self.error_messages["limits"], code="limits")
        return amount


class CardNumberInput(forms.TextInput):
    """The card number's input: never written back into a page. After a refused or failed
    payment (a declined card, a mistyped field) the form comes back with the number blank, as
    the security code does, so the full number is not in the page's HTML, the browser's cache
    or a screenshot of it; the customer types it again (the field's help says so)."""

    def get_context(self, name, value, attrs):
        return super().get_context(name, None, attrs)


class PaymentForm(forms.Form):
    amount = AmountField(label="Amount to pay", strip=True,
                         widget=forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 20,
                                                       "autocomplete": "off"}))
    card_holder = forms.CharField(label="Name on the card", max_length=100, strip=True,
                                  widget=forms.TextInput(attrs={"autocomplete": "cc-name"}))
    card_number = forms.CharField(label="Card number", max_length=23, strip=True,
                                  widget=CardNumberInput(attrs={"autocomplete": "cc-number",
                                                                "inputmode": "numeric"}))
    card_expiry = forms.CharField(label="Expiry (MM/YY)", max_length=5, strip=True,
                                  widget=forms.TextInput(attrs={"autocomplete": "cc-exp",
                                                                "placeholder": "MM/YY"}))
    card_cvc = forms.CharField(label="Security code", max_length=4, strip=True,
                               widget=forms.PasswordInput(attrs={"autocomplete": "cc-csc",
                                                                 "inputmode": "numeric"}))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm_over = forms.BooleanField(
        label="Yes, pay more than I owe: keep the rest on my account as credit", required=False)
    pay_in_advance = forms.BooleanField(
        label="Pay in advance: keep the money on my account as credit for my next bills",
        required=False)

    owed_shown = ShownAmountField(widget=forms.HiddenInput, required=False, max_digits=12,
                                  decimal_places=2)

    def __init__(self, *args, owed=None, preview=None, **kwargs):
        """`owed`: what the account owes now (v_portal_account.amount_due), or None (no
        checks). The confirmations compare the amount with what the form showed (`owed_shown`,
        sent back by the page), so that a form sent twice (a double click, a retry after the
        first posting made the account owe nothing) is still answered with its receipt; a post
        without it is compared with `owed`. Only comparisons, never arithmetic. `preview`:
        amount -> the database's preview_payment row (what would be allocated and what stays as
        credit), for the confirmation's sentence; None: the sentence without the credit."""
        super().__init__(*args, **kwargs)
        self.preview = preview
        if self.is_bound:
            # the form comes back only when the payment did not go through: the number is blank
            # (CardNumberInput), and this says why
            self.fields["card_number"].help_text = (
                "For your security the card number is not shown again: please type it again.")
        if owed is not None and self.is_bound:
            # what the page showed, when it is a plain number as the page writes it; else (not
            # sent, "1e5", other digits) what is owed now (billing.forms.owed_as_shown)
            owed = owed_as_shown(self.data, owed)
        self.owed = owed
        if owed is None:
            del self.fields["confirm_over"], self.fields["pay_in_advance"]
        elif owed > 0:
            del self.fields["pay_in_advance"]
        else:
            del self.fields["confirm_over"]

    def clean(self):
        data = super().clean()
        amount = data.get("amount")
        if self.owed is None or amount is None:
            return data
        from billing.formatting import money
        if self.owed <= 0 and not data.get("pay_in_advance"):
            self.add_error("pay_in_advance", forms.ValidationError(
                "You owe nothing now. To pay anyway, choose “Pay in advance”: the money stays "
                "on your account as credit for your next bills.", code="nothing_owed"))
        elif self.owed > 0 and amount > self.owed and not data.get("confirm_over"):
            credit = self._credit(amount)
            rest = (f"you will have a credit of {money(credit)} on your account"
                    if credit is not None else "the rest stays on your account as credit")
            self.add_error("confirm_over", forms.ValidationError(
                f"{money(amount)} is more than the {money(self.owed)} you owe: {rest}. Tick the "
                "box to confirm.", code="above_owed"))
        return data

    def _credit(self, amount):
        """The credit the payment would leave, as the database computes it (None: unknown)."""
        return credit_of(self.preview, amount)

    def clean_card_number(self):
        digits = re.sub(r"[ -]", "", self.cleaned_data["card_number"])
        if not re.fullmatch(r"[0-9]{12,19}", digits):
            raise forms.ValidationError("Enter the 12 to 19 digits of the card number.")
        return digits

    def clean_card_expiry(self):
        v = self.cleaned_data["card_expiry"]
        if re.fullmatch(r"[0-9][0-9]/[0-9][0-9]", v) and not "01" <= v[:2] <= "12":
            raise forms.ValidationError(f"There is no month {v[:2]}: the expiry's month is 01 "
                                        "to 12 (MM/YY, e.g. 09/28).")
        if not re.fullmatch(r"(0[1-9]|1[0-2])/[0-9][0-9]", v):
            raise forms.ValidationError("Enter the expiry as MM/YY, e.g. 09/28.")
        return v

    def clean_card_cvc(self):
        v = self.cleaned_data["card_cvc"]
        if not re.fullmatch(r"[0-9]{3,4}", v):
            raise forms.ValidationError("Enter the 3 or 4 digits on the back of the card.")
        return v

    def card(self):
        d = self.cleaned_data
        return Card(number=d["card_number"], expiry=d["card_expiry"], cvc=d["card_cvc"],
                    holder=d["card_holder"])


class ContactForm(forms.Form):
    """The customer's contact details, with the database's limits (billing.forms: the input's
    maxlength, and the portal's sentence for a longer text, before any call)."""
    full_name = LimitedCharField(label="Full name", strip=True, max_length=FULL_NAME_MAX,
                                 too_long="Enter your full name (at most 200 characters).",
                                 widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = LimitedCharField(label="E-mail", required=False, strip=True, max_length=EMAIL_MAX,
                             too_long="Enter an e-mail address like name@example.org.",
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = LimitedCharField(label="Phone", required=False, strip=True, max_length=PHONE_MAX,
                             too_long="Enter a phone number of at most 40 characters.",
                             widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))
    address = LimitedCharField(label="Postal address", required=False, strip=True,
                               max_length=ADDRESS_MAX,
                               too_long="Enter your postal address (at most 500 characters).",
                               widget=forms.Textarea(attrs={"rows": 3,
                                                            "autocomplete": "street-address"}))

    def procedure_arguments(self):
        return {k: (v if v != "" else None) for k, v in self.cleaned_data.items()}


class CustomerPasswordResetForm(PasswordResetForm):
    """Sends reset links to customer logins only (staff reset their passwords otherwise).

    One source of truth for a customer's e-mail: the billing customer (staff change it with
    update_customer). The address typed is looked up among the billing customers, the link goes
    to the address the billing schema holds now, and the login's own copy (User.email) is
    brought up to date on the way; an old address kept only on the login gets nothing.

    Rate limit (portal.models.PasswordResetRequest): at most RESET_MAILS_PER_ADDRESS requests per
    address and RESET_MAILS_PER_CLIENT per client address (config.clientip) in an hour; beyond
    that nothing is sent, and the answer is the same "if it exists, we sent a link" page."""

    def get_users(self, email):
        customers = {c.customer_id: c.email for c in
                     Customer.objects.filter(email__iexact=email.strip()).only("customer_id",
                                                                             "email")}
        logins = CustomerLogin.objects.filter(customer_id__in=list(customers)) \
            .select_related("user")
        for login in logins:
            user, current = login.user, customers[login.customer_id] or ""
            if not (user.is_active and user.has_usable_password() and current):
                continue
            if user.email != current:
                user.email = current
                user.save(update_fields=["email"])
            yield user

    def save(self, *args, request=None, **kwargs):
        if not PasswordResetRequest.allow(email=self.cleaned_data["email"], request=request):
            return
        super().save(*args, request=request, **kwargs)


class _SaidOnTheNewPassword:
    """Django says what is wrong with a new password (too short, too common, too like the
    customer number) under its confirmation box; the customer typed it in the first box, and
    there it is said (found by a walk of the forms). A confirmation that differs is still said
    under the confirmation."""

    def validate_password_for_user(self, user, password_field_name="new_password2"):
        super().validate_password_for_user(user, "new_password1")


class PortalPasswordChangeForm(_SaidOnTheNewPassword, PasswordChangeForm):
    pass


class PortalSetPasswordForm(_SaidOnTheNewPassword, SetPasswordForm):
    pass
