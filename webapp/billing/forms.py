"""Forms check only the shape of the input (present, a date, a number, within the database's
length or range: LimitedCharField, whole_number, so that the first message states the real
limit). Every business rule (e-mail format, reading ranges, ...) is the procedure's, which
checks the limits again: its refusal is shown next to the field it names (see
views.ProcedureFormMixin)."""
import datetime
import logging
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from billing import formatting
from billing.errors import BillingError, Busy

log = logging.getLogger("billing.forms")

# choices, labelled as every page labels them (formatting's one map of each)
READING_SOURCES = [(s, formatting.READING_SOURCES[s]) for s in ("field", "customer", "smart")]


# --- numbers as a person types them -------------------------------------------------------------
# Django's DecimalField and IntegerField read whatever Python's Decimal() and int() read: an
# exponent ("1e5" is 100000, "2.6e2" is 260), any script's digits (full-width "１２",
# Arabic-Indic "١٢"), "1_000". A number field of these forms reads only a plain number typed on
# a keyboard: ASCII digits 0-9, a point and decimals, thousands commas ("1,000.00"), spaces
# around, a minus sign (the procedures say what may be negative). The portal's amount
# (portal.forms.AmountField) is read by the same parse_plain_number.
_PLAIN_NUMBER = re.compile(r"(-?)((?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?)", re.ASCII)
PLAIN_NUMBER_MAX = 40           # characters; the longest field (DECIMAL(14,4)) needs 20
NOT_PLAIN = ("Type the number with the digits 0-9 and a point, e.g. 1250.50 or 1,250.50 (no "
             "exponent such as 1e5, no other digits).")
# a typed day that is no day (Django said "Enter a valid date.")
NOT_A_DAY = "Give the day as YYYY-MM-DD, e.g. 2026-11-30."


def parse_plain_number(text, *, signed=True):
    """The Decimal that `text` spells as a plain number ("12.5", " 12.50 ", "1,000.00", "-3" when
    `signed`), or None when it is anything else (empty, "1e5", "１２", "1_000", "NaN", "12.")."""
    text = str(text).strip()
    m = _PLAIN_NUMBER.fullmatch(text) if len(text) <= PLAIN_NUMBER_MAX else None
    if m is None or (m.group(1) and not signed):
        return None
    return Decimal(text.replace(",", ""))


def _python_would_read(text):
    """True when Python reads `text` as a number that is not plain (an exponent, NaN, "1_000",
    other digits than 0-9): the field says how to type it, rather than "Enter a number"."""
    if any(c.isdigit() and not c.isascii() for c in text):
        return True
    try:
        Decimal(text.replace(",", ""))
    except (InvalidOperation, ValueError):
        return False
    return True


def _read_plain(field, value):
    """What a PlainDecimalField or PlainIntegerField reads (see above): None when empty, else the
    Decimal, or a ValidationError said in words."""
    if value in field.empty_values:
        return None
    number = parse_plain_number(value)
    if number is None:
        if _python_would_read(str(value).strip()):
            raise ValidationError(NOT_PLAIN, code="not_plain")
        raise ValidationError(field.error_messages["invalid"], code="invalid")
    return number


def _plain_input_attrs(widget, inputmode):
    """A plain number's box is a text box with a numeric keyboard (inputmode), not an <input
    type=number>: Chromium's number box drops what it cannot read, so "12,50" typed there was
    sent as 1250 and posted without a word; a text box sends what was typed, and the field says
    what is wrong with it. A whole number in a small range (whole_number: dial digits, days)
    keeps the number box, whose min and max say the range: what the box could make of a typing
    slip is refused by the range or is a count of days, never an amount."""
    if widget.is_hidden:
        return {}
    if isinstance(widget, forms.NumberInput):    # a whole number in a range (whole_number)
        return {"inputmode": inputmode} if "inputmode" not in widget.attrs else {}
    return {k: v for k, v in {"inputmode": inputmode, "maxlength": str(PLAIN_NUMBER_MAX),
                              "autocomplete": "off"}.items() if k not in widget.attrs}


class PlainDecimalField(forms.DecimalField):
    """A DecimalField that reads only plain numbers (parse_plain_number), in a text box (see
    _plain_input_attrs); its limits are Django's (max_digits, decimal_places, min_value,
    max_value), the digits' said in words of ours ("Ensure that there are no more than 2
    decimal places." was Django's)."""
    widget = forms.TextInput
    default_error_messages = {
        "max_decimal_places": "At most %(max)s digits after the point.",
        "max_digits": "At most %(max)s digits in all.",
        "max_whole_digits": "At most %(max)s digits before the point.",
    }

    def to_python(self, value):
        return _read_plain(self, value)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), **_plain_input_attrs(widget, "decimal")}


class PlainIntegerField(forms.IntegerField):
    """An IntegerField that reads only plain whole numbers ("6", "6.0"; "6.5": "Enter a whole
    number."), in a text box (see _plain_input_attrs); its limits and their messages are
    Django's."""
    widget = forms.TextInput

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), **_plain_input_attrs(widget, "numeric")}

    def to_python(self, value):
        number = _read_plain(self, value)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(number)


class LimitedCharField(forms.CharField):
    """A text field with the database's length limit (`max_length`: the column's and the
    procedure's, db/procedures/_check_*.sql, migrations/): the input's maxlength says it, and a
    longer text is refused on the field, before any call, with the limit and the length typed
    ("At most 200 characters (this one has 10,000).") instead of the procedure's wider argument
    limit (_arg_text's 1,000 or 2,000) or Django's sentence."""

    def __init__(self, *, max_length, too_long=None, **kwargs):
        """`too_long`: the sentence for a longer text, when a page says it in its own words
        (the portal's profile); by default the limit and the length typed."""
        super().__init__(max_length=max_length, **kwargs)
        self.too_long = too_long

    def validate(self, value):
        super().validate(value)
        if value not in self.empty_values and len(value) > self.max_length:
            raise ValidationError(
                self.too_long or f"At most {formatting.count(self.max_length)} characters (this "
                                 f"one has {formatting.count(len(value))}).", code="max_length")


def whole_number(label, *, min_value, max_value, **kw):
    """A PlainIntegerField with the range the procedure accepts (the contract's, e.g. dial
    digits 1..9): the input's min and max say it, and a number outside it (99999999999
    included) is refused on the field with that range, not the server's INT range."""
    sentence = f"Give a whole number from {min_value} to {max_value}."
    kw.setdefault("widget", forms.NumberInput)   # its min and max: the range, in the browser too
    return PlainIntegerField(label=label, min_value=min_value, max_value=max_value,
                             error_messages={"min_value": sentence, "max_value": sentence}, **kw)


# The database's limits of the texts the staff and portal forms send (the columns of
# migrations/0001_schema.sql and later; _check_customer_fields, _check_meter_fields,
# _check_code_and_name, open_account, reject_reason, reverse_payment, cancel_bill).
FULL_NAME_MAX, EMAIL_MAX, PHONE_MAX, ADDRESS_MAX = 200, 254, 40, 500
SERIAL_MAX, SERVICE_ADDRESS_MAX, NAME_MAX, REASON_MAX = 40, 500, 100, 500
DIAL_DIGITS = (1, 9)            # _check_meter_fields, ck_meter_digits
EARLY_PAY_DAYS = (0, 366)       # ck_tariff_version_early_days
DUE_DAYS = (1, 90)              # _check_period, ck_run_due


def serial_no_field(label="Meter serial number", **kw):
    """A meter's serial number (meter.serial_no VARCHAR(40), _check_meter_fields)."""
    return LimitedCharField(label=label, strip=True, max_length=SERIAL_MAX,
                            widget=forms.TextInput(attrs={"autocomplete": "off",
                                                          "spellcheck": "false"}), **kw)


def dial_digits_field(label="Dial digits", **kw):
    """A meter's dial digits, 1 to 9 (_check_meter_fields)."""
    return whole_number(label, min_value=DIAL_DIGITS[0], max_value=DIAL_DIGITS[1], **kw)


def due_days_field(label="Days until due", **kw):
    """Days from the issue date to the due date, 1 to 90 (PERIOD_INVALID otherwise)."""
    return whole_number(label, min_value=DUE_DAYS[0], max_value=DUE_DAYS[1], **kw)


class BoundedAuthenticationForm(AuthenticationForm):
    """AuthenticationForm whose username is checked against its length before any log-in is
    tried. Django sets the field's max_length after building the field, so the form renders
    maxlength but never validates it: a longer name (sent without the browser) went on to
    authenticate(), where django-axes recorded the failed log-in in its 255-character column
    and the server refused the row (1406, a server error page)."""

    # a field left empty is named (Django's "This field is required." was hidden behind "did
    # not match", which is wrong for a form sent empty)
    missing = {"username": "Type your user name.", "password": "Type your password."}

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
        for name, sentence in self.missing.items():
            self.fields[name].error_messages["required"] = sentence

    def blank_fields(self):
        """The sentences of the fields sent empty, for the page to say instead of "did not
        match" (any other refusal, an overlong name included, is "did not match")."""
        errors = self.errors.as_data() if self.is_bound else {}
        return [self.missing[name] for name in self.missing
                if any(e.code == "required" for e in errors.get(name, []))]


class StaffAuthenticationForm(BoundedAuthenticationForm):
    """The staff login. A customer's portal login (a CustomerLogin, no staff role) is refused
    here with a sentence that points to the customers' login: it used to log in and land on a
    403 at the staff start page, whose "Back to the start page" led to it again. Refused after
    the password matched, so it is no failed log-in (django-axes counts none)."""
    error_messages = {**AuthenticationForm.error_messages,
                      "customer_login": "This is the staff login: a customer's login does not "
                                        "open it. Log in to your electricity account at the "
                                        "customers' login page."}

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        from billing.roles import roles_of
        if getattr(user, "customer_login", None) is not None and not roles_of(user):
            self.wrong_side = True
            raise ValidationError(self.error_messages["customer_login"], code="customer_login")


class CustomerForm(forms.Form):
    full_name = LimitedCharField(label="Full name", strip=True, max_length=FULL_NAME_MAX,
                                 widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = LimitedCharField(label="E-mail", required=False, strip=True, max_length=EMAIL_MAX,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = LimitedCharField(label="Phone", required=False, strip=True, max_length=PHONE_MAX,
                             widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))
    address = LimitedCharField(label="Postal address", required=False, strip=True,
                               max_length=ADDRESS_MAX,
                               widget=forms.Textarea(attrs={"rows": 3,
                                                            "autocomplete": "street-address"}))

    def procedure_arguments(self):
        """The cleaned values as procedure arguments ('' means none: NULL)."""
        return {k: (v if v != "" else None) for k, v in self.cleaned_data.items()}


class ReadingForm(forms.Form):
    serial_no = serial_no_field()
    read_on = forms.DateField(label="Date read", widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": NOT_A_DAY},
                              initial=datetime.date.today)
    value = PlainDecimalField(label="Register value (kWh on the dial)", max_digits=12,
                              decimal_places=2)
    source = forms.ChoiceField(label="Source", choices=READING_SOURCES, initial="field")

    # record_reading's parameters are named p_serial_no, p_read_on, p_value, p_source
    def procedure_arguments(self):
        return dict(self.cleaned_data)


class SearchForm(forms.Form):
    q = LimitedCharField(label="Name, address, phone, e-mail, customer no., account no. or "
                               "meter serial",
                         required=False, strip=True, max_length=200,
                         widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))


# --- days in a page's query string --------------------------------------------------------------
# The days the billing database takes (its _arg_date: 1900-01-01..2999-12-31). A filter's day
# outside them is said on the page and never read: the day after 9999-12-31 is no Python date,
# and the pages filter "before the next day" (selectors.payments_of_day, audit_entries).
FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)


class DayField(forms.DateField):
    """A day of a page's filter (GET): a date from FIRST_DAY to LAST_DAY, else a field error
    that quotes what was sent (a date box shows nothing that is not a day, so the page would
    not show it otherwise: a link or a typed address with 31/12/2026)."""
    widget = forms.DateInput(attrs={"type": "date"})
    default_error_messages = {"invalid": NOT_A_DAY}

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as e:
            if e.code != "invalid":
                raise
            typed = str(value).strip()
            typed = typed if len(typed) <= 40 else typed[:39] + "\u2026"
            raise ValidationError(f"\u201c{typed}\u201d is not a day: {NOT_A_DAY[0].lower()}"
                                  f"{NOT_A_DAY[1:]}", code="invalid") from None

    def validate(self, value):
        super().validate(value)
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise ValidationError(f"Give a day from {formatting.day(FIRST_DAY)} to "
                                  f"{formatting.day(LAST_DAY)}.", code="out_of_range")


class DayForm(forms.Form):
    """?day= of the day's collections and the drawer close (empty: today)."""
    day = DayField(label="Day", required=False)


def day_of(query):
    """The ?day= of a page's query (default today) and the DayForm that read it: when the day is
    not a day (malformed, or outside FIRST_DAY..LAST_DAY) the page shows today and the form's
    error says why."""
    form = DayForm(query)
    day = form.cleaned_data.get("day") if form.is_valid() else None
    return day or datetime.date.today(), form


# --- back office (docs/backoffice.md) ---------------------------------------------------------
def _date(label, **kw):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}),
                           error_messages={"invalid": NOT_A_DAY}, **kw)


def _money(label, **kw):
    return PlainDecimalField(label=label, max_digits=12, decimal_places=2, **kw)


def _pct(label, **kw):
    return PlainDecimalField(label=label, max_digits=5, decimal_places=2, **kw)


class OpenAccountForm(forms.Form):
    tariff_code = forms.ChoiceField(label="Tariff", choices=())
    service_address = LimitedCharField(label="Service address", strip=True,
                                       max_length=SERVICE_ADDRESS_MAX,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    opened_on = _date("Opened on", initial=datetime.date.today)
    # open_account takes any day to 2999; a day more than a year ahead is a slip of the year
    # (2099 typed for 2026) far more often than a move-in booked that early
    AHEAD_DAYS = 366

    def clean_opened_on(self):
        day = self.cleaned_data["opened_on"]
        latest = datetime.date.today() + datetime.timedelta(days=self.AHEAD_DAYS)
        if day is not None and day > latest:
            raise ValidationError(f"An account opens at most a year ahead (by "
                                  f"{formatting.day(latest)}): check the year.", code="ahead")
        return day

    def __init__(self, *args, tariffs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tariff_code"].choices = [(t.tariff_code, f"{t.tariff_code} – {t.tariff_name}")
                                              for t in tariffs]


class InstallMeterForm(forms.Form):
    serial_no = serial_no_field()
    dial_digits = dial_digits_field(initial=6)
    multiplier = PlainDecimalField(label="Multiplier (CT ratio)", max_digits=8, decimal_places=2,
                                   initial=1)
    installed_on = _date("Installed on", initial=datetime.date.today)
    initial_read = PlainDecimalField(label="Initial register value", max_digits=12,
                                     decimal_places=2, initial=0)


class AssignDiscountForm(forms.Form):
    discount_code = forms.ChoiceField(label="Discount", choices=())
    valid_from = _date("Valid from", initial=datetime.date.today)
    valid_to = _date("Valid to (inclusive; empty: open-ended)", required=False)

    def __init__(self, *args, discounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["discount_code"].choices = [(d.code, f"{d.code} – {d.name} ({d.pct} %)")
                                                for d in discounts]


# --- a payment above what is owed (the portal's pay form and the counter) -----------------------
class ShownAmountField(PlainDecimalField):
    """The hidden figure a page wrote for itself (a pay form's `owed_shown`), read as a plain
    number (parse_plain_number); anything else counts as not sent (None), never as an error the
    person cannot see or fix."""

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError:
            return None


def owed_as_shown(data, owed):
    """What a pay form compares the amount with: the `owed_shown` the page wrote (posted back)
    when it is a plain number as the page writes it, else `owed` (what is owed now, read from the
    database). So a form sent twice (a double click, a retry after the first posting made the
    account owe nothing) is compared with what its page showed and is answered as a replay."""
    shown = parse_plain_number(data.get("owed_shown") or "")
    return shown if shown is not None else owed


def credit_of(preview, amount):
    """The credit a payment of `amount` would leave, as the database computes it (`preview`:
    amount -> preview_payment's row), or None when unknown: only a sentence loses its figure;
    posting decides. A refusal of the amount itself (a BillingError other than Busy, e.g.
    45020 over 1,000,000.00) is raised: the caller asks nothing and lets posting say why."""
    if preview is None:
        return None
    try:
        return preview(amount)["credit"]
    except Busy:
        return None
    except BillingError:
        raise
    except Exception:  # noqa: BLE001
        log.warning("preview_payment failed", exc_info=True)
        return None


PAYMENT_METHODS = [(m, formatting.PAYMENT_METHODS[m])          # the counter's methods
                   for m in ("cash", "cheque", "card", "bank_transfer")]


class CounterPaymentForm(forms.Form):
    """A counter payment. The form's key (`idempotency_key`, "counter:<uuid>", made when the form
    was shown) names the rendered form; the cheque number or transfer reference goes at the end
    of the key sent to post_payment ("counter:<uuid>:ref:<reference>", read back by
    v_staff_payment_reference: no schema change). The view binds a rendered form to the key of
    its first posting (billing.views.payments.PostedForms), so the same form sent again with
    another method, reference or amount is answered with that first payment, never a second
    one. Cash tendered is not a field: the change is shown by the page's script (display only,
    nothing is sent).

    `owed` (the account's balance, v_account_balance) turns on the confirmation of an amount
    above it, as in the portal (owed_as_shown: compared with what the page showed; only
    comparisons of figures read from the database); `preview`: amount -> preview_payment's row
    for the credit in the sentence."""
    REFERENCE_MAX = 40       # "counter:" + uuid (44) + ":ref:" (5) + 40 <= the key's 100
    method = forms.ChoiceField(label="Method", choices=PAYMENT_METHODS, initial="cash")
    amount = _money("Amount")
    reference = LimitedCharField(
        label="Cheque number or transfer reference", required=False, strip=True,
        max_length=REFERENCE_MAX,
        help_text="Needed for a cheque or a bank transfer; shown on the day's collections and "
                  "the drawer close.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=60)
    confirm_over = forms.BooleanField(
        label="Yes, take more than the account owes: the rest stays on the account as credit",
        required=False)
    owed_shown = ShownAmountField(widget=forms.HiddenInput, required=False, max_digits=12,
                                  decimal_places=2)

    def __init__(self, *args, owed=None, preview=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.preview = preview
        self.owed = owed_as_shown(self.data, owed) if owed is not None and self.is_bound else owed
        if self.owed is None:
            del self.fields["confirm_over"]
        elif self.owed <= 0:
            self.fields["confirm_over"].label = ("Yes, take it although the account owes "
                                                 "nothing: it stays on the account as credit")

    def clean(self):
        data = super().clean()
        if data.get("method") in ("cheque", "bank_transfer") and not data.get("reference") \
                and "reference" not in self.errors:         # not "give one" under "too long"
            self.add_error("reference", "Give the cheque number or the transfer reference.")
        amount = data.get("amount")
        if (self.owed is not None and amount is not None and amount > 0 and amount > self.owed
                and not data.get("confirm_over")):
            money = formatting.money
            try:
                credit = credit_of(self.preview, amount)
            except BillingError:
                return data     # the amount itself is refused (45020): posting says why
            rest = (f"{money(credit)} stays on the account as credit" if credit is not None
                    else "the rest stays on the account as credit")
            if self.owed > 0:
                text = f"{money(amount)} is more than the {money(self.owed)} the account owes: {rest}."
            else:
                text = (f"The account owes nothing now: "
                        f"{rest if credit is not None else 'the whole amount stays on it as credit'}.")
            self.add_error("confirm_over", ValidationError(
                f"{text} Tick the box to confirm.", code="above_owed"))
        return data

    def key(self):
        """The idempotency key of a first posting: the form's key, and the reference."""
        ref = self.cleaned_data.get("reference")
        return self.cleaned_data["idempotency_key"] + (f":ref:{ref}" if ref else "")


class ReasonForm(forms.Form):
    reason = LimitedCharField(label="Reason", strip=True, max_length=REASON_MAX,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ReversalForm(forms.Form):
    reason = LimitedCharField(
        label="Reason for the reversal", strip=True, max_length=REASON_MAX,
        help_text="In words, e.g. “cheque 004512 returned unpaid by the bank on 28 Nov”.",
        widget=forms.Textarea(attrs={"rows": 3}))


class ReadingUploadForm(forms.Form):
    file = forms.FileField(label="CSV file (serial, date, value, source)")


class BillingPeriodForm(forms.Form):
    """A billing period to run (or preview) or to bill one account for. The rules (45040
    PERIOD_INVALID, billing-rules.md) are said in the help texts before submitting; the server
    decides, and its refusal comes back on the form through the one error map."""
    period_start = _date("Period start")
    period_end = _date("Period end",
                       help_text="The period must be over: its last day before today. "
                                 "At most 62 days.")
    issue_date = _date("Issue date", initial=datetime.date.today,
                       help_text="Today or later, never in the past (bills issued in the past "
                                 "would be overdue at once).")
    due_days = due_days_field(initial=14, help_text="1 to 90 days after the issue date.")


class RerunForm(forms.Form):
    """Running a period again: the bills get a fresh issue date (today by default; the rules
    refuse one before today), never the first run's."""
    issue_date = _date("Issue date", initial=datetime.date.today)
    due_days = due_days_field(initial=14)


class LateFeesForm(forms.Form):
    """The late fees' day (?as_of= of the preview, as_of of the POST that applies them): a day
    as every query-string day is read (DayField); "not after today" is apply_late_fees' rule,
    and its refusal comes back on this field."""
    as_of = DayField(label="As of", initial=datetime.date.today,
                     help_text="Today or an earlier day: bills due before it with money open.")


# Tariff and discount codes: 1-20 of A-Z, 0-9, "_" and "-" (the same check is in SQL); they are
# part of URLs (/tariffs/<code>/versions/new/), so nothing else may pass.
CODE_PATTERN = r"[A-Z0-9_-]{1,20}"
CODE_RE = re.compile(CODE_PATTERN, re.ASCII)


def code_problem(code):
    """What is wrong with a tariff or discount code, in words (None when it follows the rule):
    the same rule as _check_code_and_name in SQL, said so that a person can fix it."""
    if code == "":
        return "Enter a code."
    if len(code) > 20:
        return f"At most 20 characters (this one has {len(code)})."
    if CODE_RE.fullmatch(code):
        return None
    if CODE_RE.fullmatch(code.upper()):
        return f"Use capital letters: \u201c{code.upper()}\u201d, not \u201c{code}\u201d."
    if any(c.isspace() for c in code):
        return "No spaces: use \u201c-\u201d or \u201c_\u201d between words."
    bad = []
    for c in code:
        if not CODE_RE.fullmatch(c.upper()) and c not in bad:
            bad.append(c)
    shown = ", ".join(f"\u201c{c}\u201d" for c in bad[:5])
    return (f"{shown} {'is' if len(bad) == 1 else 'are'} not allowed: use only capital letters "
            "A-Z, digits 0-9, \u201c_\u201d and \u201c-\u201d.")


def _validate_code(value):
    problem = code_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid")


def _code():
    return forms.CharField(
        label="Code", strip=True,
        widget=forms.TextInput(attrs={"maxlength": "20", "autocapitalize": "characters",
                                      "spellcheck": "false", "autocomplete": "off",
                                      "pattern": CODE_PATTERN}),
        help_text="1 to 20 capital letters A-Z, digits, \u201c_\u201d or \u201c-\u201d, "
                  "e.g. RES-2026.",
        validators=[_validate_code])


class CodeFormMixin:
    """A form that creates a tariff or discount: `code_taken(code)` (given by the view, a read
    of the existing codes) lets the form say on the field that the code exists, before the
    procedure is called; the procedure's 45003 stays the guard against a concurrent create."""
    kind = "tariff"

    def __init__(self, *args, code_taken=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.code_taken = code_taken

    def clean_code(self):
        code = self.cleaned_data["code"]
        if self.code_taken is not None and self.code_taken(code):
            raise ValidationError(f"A {self.kind} with code {code} exists already: choose "
                                  "another code.", code="taken")
        return code


class TariffForm(CodeFormMixin, forms.Form):
    code = _code()
    name = LimitedCharField(label="Name", strip=True, max_length=NAME_MAX)


class DiscountForm(CodeFormMixin, forms.Form):
    kind = "discount"
    code = _code()
    name = LimitedCharField(label="Name", strip=True, max_length=NAME_MAX)
    pct = _pct("Percent off the energy charge")


class TariffRemoveForm(forms.Form):
    """The confirmation of remove_tariff: nothing to fill in, the button is the confirmation."""


class TariffVersionForm(forms.Form):
    effective_from = _date("Effective from")
    fixed_charge = _money("Fixed charge per period")
    tax_rate_pct = _pct("Tax rate %")
    late_fee_pct = _pct("Late fee %", initial=0)
    early_pay_pct = _pct("Early-payment rebate %", initial=0)
    early_pay_days = whole_number("Early-payment days", min_value=EARLY_PAY_DAYS[0],
                                  max_value=EARLY_PAY_DAYS[1], initial=0)


class TariffWhatIfForm(forms.Form):
    """The proposal of a what-if (simulate_tariff): fixed charge and tax rate (the blocks come
    from the block editor), and the range of bill period ends. The fields are named after the
    procedure's arguments (`from`, `to`: Python keywords, hence added below), so that a refusal
    lands on its field (errors.add_to_form)."""
    fixed_charge = _money("Fixed charge per period")
    tax_rate_pct = _pct("Tax rate %")


TariffWhatIfForm.base_fields["from"] = _date("Bills with period end from")
TariffWhatIfForm.base_fields["to"] = _date("to")


class BlockForm(forms.Form):
    up_to_kwh = PlainDecimalField(label="Up to kWh (empty: open last block)", required=False,
                                  max_digits=14, decimal_places=4)
    rate = PlainDecimalField(label="Rate per kWh", max_digits=12, decimal_places=6,
                             required=False)

    def clean(self):
        data = super().clean()
        if data.get("rate") is None and data.get("up_to_kwh") is not None \
                and "rate" not in self.errors:              # a rate typed but refused says why
            self.add_error("rate", "A block needs a rate.")
        return data


MAX_BLOCKS = 50


class BaseBlockFormSet(forms.BaseFormSet):
    """The rows of the block editor. Besides each row's shape, it finds the row at fault in the
    order of the rows (empty rows are skipped, as the view skips them), so that the person sees
    "Block 3: ..." on that row before add_tariff_version is called; the procedure (45031, via
    `block_row_error`) stays the rule's owner and says the same."""

    def filled(self):
        """(row number as shown, 1-based; the row's form) of every row with something in it."""
        out = []
        for i, f in enumerate(self.forms, start=1):
            data = getattr(f, "cleaned_data", None) or {}
            if data.get("up_to_kwh") is not None or data.get("rate") is not None:
                out.append((i, f))
        return out

    def full_clean(self):
        super().full_clean()
        # every row's message says its row ("Block 3: Enter a number."), in the summary too
        for n, f in enumerate(self.forms, start=1):
            for field, errs in list((f._errors or {}).items()):
                extra = errs.error_class.replace("errorlist", "", 1).strip() or None
                f._errors[field] = errs.__class__(
                    [e if e.startswith("Block ") else f"Block {n}: {e}" for e in errs],
                    error_class=extra)

    def clean(self):
        if any(self.errors):
            return
        rows = self.filled()
        prev = None                         # (row number, up_to_kwh) of the previous block
        for k, (n, f) in enumerate(rows):
            up, rate = f.cleaned_data.get("up_to_kwh"), f.cleaned_data.get("rate")
            last = k == len(rows) - 1
            if rate is not None and rate < 0:
                f.add_error("rate", f"Block {n}: the rate may not be negative.")
            elif up is None and not last:
                f.add_error("up_to_kwh", f"Block {n}: only the last block may be open: enter "
                                         "its limit in kWh.")
            elif up is not None and up <= 0:
                f.add_error("up_to_kwh", f"Block {n}: the limit must be above zero.")
            elif up is not None and prev is not None and up <= prev[1]:
                f.add_error("up_to_kwh", f"Block {n}: the limit must be above block "
                                         f"{prev[0]}\u2019s ({prev[1].normalize():f} kWh).")
            elif up is not None and last:
                f.add_error("up_to_kwh", f"Block {n}: the last block must be open: leave "
                                         "\u201cup to\u201d empty (every kWh needs a rate).")
            if up is not None:
                prev = (n, up)


def block_row_error(blocks, error):
    """The block row a refusal of the blocks (45031 "block N ...": N counts the blocks sent, that
    is, the filled rows) is about: puts the error map's sentence for it on that row, numbered as
    the row is shown, and returns that number; None when the refusal names no block."""
    from billing.errors import error_for
    m = re.match(r"block (\d+) (.+)", getattr(error, "message", "") or "")
    rows = blocks.filled() if m else []
    if not m or not 1 <= int(m.group(1)) <= len(rows):
        return None
    n, form = rows[int(m.group(1)) - 1]
    form.add_error(None, error_for(error.errno, f"block {n} {m.group(2)}").sentence)
    return n


# absolute_max caps the forms Django builds from a posted TOTAL_FORMS (default: max_num + 1000);
# validate_max refuses more than MAX_BLOCKS.
BlockFormSet = forms.formset_factory(BlockForm, formset=BaseBlockFormSet, extra=0, min_num=1,
                                     max_num=MAX_BLOCKS, absolute_max=MAX_BLOCKS,
                                     validate_max=True, validate_min=False)


def posted_total_forms(data, prefix="blocks"):
    """The block editor's TOTAL_FORMS as posted, made safe: a number in 0..MAX_BLOCKS (anything
    malformed counts as 0)."""
    value = data.get(f"{prefix}-TOTAL_FORMS") or ""
    if not (value.isascii() and value.isdigit() and len(value) <= 4):
        return 0
    return min(int(value), MAX_BLOCKS)


def total_forms_ok(data, prefix="blocks"):
    """True when the posted TOTAL_FORMS is a plain number of rows in 1..MAX_BLOCKS."""
    value = data.get(f"{prefix}-TOTAL_FORMS") or ""
    return value.isascii() and value.isdigit() and 1 <= int(value[:4]) <= MAX_BLOCKS \
        and len(value) <= 4
