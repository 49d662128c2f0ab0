"""One formatter for what people read: money, kWh, rates and dates (issue 21, "Money, dates
and words everywhere"). Presentation only: the amounts come from the database as they are; no
value is computed here, only written out.

- money(Decimal("1234.5")) -> "€1,234.50"; a negative balance is a credit: "Credit €61.22"
  (money(x, credit=False) writes "-€61.22" where a minus sign is meant, e.g. a rebate line);
  the currency is settings.BILLING_CURRENCY.
- kwh(Decimal("2360.0000")) -> "2,360 kWh"; kwh(Decimal("45.1613")) -> "45.1613 kWh": the
  decimals the value has, no needless trailing zeros.
- rate(Decimal("0.122")) -> "0.1220 per kWh" (four decimals at least, as the bills print them;
  a rate priced in six keeps them: "0.155125 per kWh"; in the currency of the amounts around it).
- percent(Decimal("1059832.07")) -> "1,059,832.07%"; percent(Decimal("20.00")) -> "20%";
  percent(Decimal("12.5")) -> "12.50%".
- labels of the database's codes: method_label (bank_transfer -> "Bank transfer"), source_label
  (smart -> "Smart meter"), reading_kind_label, line_kind_label (fixed -> "Fixed charge");
  exception_detail ("reading 3784 of 2026-11-30 awaits review" -> "reading 3784 of 30 Nov 2026
  awaits review"; an exception's code is said in words by the run pages' EXCEPTION_WORDS).
- day(date) -> "29 Nov 2026"; when(datetime) -> "29 Nov 2026, 14:05": one date style, never ISO;
  days_in(text): the ISO days in a text of the database's written the same way.
Template filters of the same names: {% load money %} (billing/templatetags/money.py).
"""
import datetime
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _decimal(value):
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    text = str(value).strip()
    if isinstance(value, str):
        if not re.fullmatch(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?", text):
            return None          # typed text that is no number is not shown as money
        text = text.replace(",", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def currency():
    return getattr(settings, "BILLING_CURRENCY", "€")


def plain_amount(value):
    """1234.5 -> "1,234.50" (no currency, no sign handling); None -> ""."""
    d = _decimal(value)
    if d is None:
        return ""
    return f"{d.quantize(Decimal('0.01')):,.2f}"


def money(value, credit=True):
    """An amount with the currency; a negative one reads "Credit €61.22" (credit=True) or
    "-€61.22" (credit=False). None -> ""."""
    d = _decimal(value)
    if d is None:
        return ""
    d = d.quantize(Decimal("0.01"))
    if d < 0:
        text = f"{currency()}{plain_amount(-d)}"
        return f"Credit {text}" if credit else f"-{text}"
    return f"{currency()}{plain_amount(d)}"


def kwh(value, unit=True, places=None):
    """A quantity of energy without needless decimals: 2,360 kWh; 45.1613 kWh. `places`: that
    many decimals instead (a table's column, kwh_places), never fewer than the value has."""
    d = _decimal(value)
    if d is None:
        return ""
    if places is not None:
        text = f"{d:,.{max(places, _places(d))}f}"
    elif d == d.to_integral_value():
        text = f"{int(d):,}"
    else:
        whole, _, frac = f"{d:f}".partition(".")
        sign = "-" if whole.startswith("-") else ""
        text = f"{sign}{abs(int(whole)):,}.{frac.rstrip('0')}"
    return f"{text} kWh" if unit else text


def _places(d):
    """The decimals a Decimal needs to be written exactly (2360.5000 -> 1)."""
    return len(f"{d:f}".partition(".")[2].rstrip("0"))


def kwh_places(values):
    """The decimals a column of quantities needs so that each is written exactly and all line
    up: 2,360.00 above 45.16 (the column of kwh(..., places=) )."""
    return max((_places(d) for d in map(_decimal, values) if d is not None), default=0)


def rate(value, unit=True):
    """A price per kWh: 0.1220 per kWh. Four decimals, as the bills print them; a rate priced
    more finely (a tariff block may have six decimals) keeps the decimals it needs: 0.155125 per
    kWh, never rounded. unit=False: the number alone."""
    d = _decimal(value)
    if d is None:
        return ""
    text = f"{d:,.{max(4, _places(d))}f}"
    return f"{text} per kWh" if unit else text


def percent(value, sign=True):
    """A percentage with thousands separated: 1,059,832.07%; 12.50%; a whole one without
    decimals, 20%; else two decimals (more when the value has them), so that a column of them
    lines up. sign=False: the number alone (a column headed "Tax %"). None -> ""."""
    d = _decimal(value)
    if d is None:
        return ""
    if d == d.to_integral_value():
        text = f"{int(d):,}"
    else:
        text = f"{d:,.{max(2, _places(d))}f}"
    return f"{text}%" if sign else text


# the database's code words as staff read them (payment methods, notice kinds, dunning levels,
# bill line kinds); a word not here is shown with its underscores as spaces
WORDS = {
    "bank_transfer": "bank transfer",
    "bill_issued": "bill issued", "final_bill": "final bill",
    "payment_received": "payment received", "payment_reversed": "payment reversed",
    "bill_cancelled": "bill cancelled", "refund_paid": "refund paid",
    "due_soon": "due soon", "overdue_1": "first reminder", "overdue_2": "second reminder",
    "final_notice": "final notice",
    "rebate_revoked": "rebate taken back", "late_fee": "late fee",
    "payment_reversal": "payment reversal",
}


# The database's codes that pages show as labels (a table cell, a definition): the same word
# everywhere, capitalised as a label. Filters and links keep the code.
PAYMENT_METHODS = {"cash": "Cash", "card": "Card", "cheque": "Cheque",
                   "bank_transfer": "Bank transfer", "online": "Online"}
READING_SOURCES = {"field": "Field visit", "customer": "Customer read", "smart": "Smart meter",
                   "system": "System (estimate)"}
READING_KINDS = {"actual": "Actual", "estimated": "Estimate", "initial": "Initial read"}
BILL_LINE_KINDS = {"energy": "Energy", "fixed": "Fixed charge", "discount": "Discount",
                   "tax": "Tax", "rebate": "Early-payment rebate",
                   "rebate_revoked": "Rebate taken back", "late_fee": "Late fee"}


def _label(labels, value):
    if value is None or value == "":
        return ""
    value = str(value)
    return labels.get(value) or (value.replace("_", " ")[:1].upper() + value.replace("_", " ")[1:])


def method_label(value):
    """A payment method as a label: bank_transfer -> Bank transfer, online -> Online."""
    return _label(PAYMENT_METHODS, value)


def source_label(value):
    """A reading's source as a label: smart -> Smart meter, field -> Field visit."""
    return _label(READING_SOURCES, value)


def reading_kind_label(value):
    """A reading's kind as a label: actual -> Actual, estimated -> Estimate."""
    return _label(READING_KINDS, value)


def line_kind_label(value):
    """A bill line's kind as a label: energy -> Energy, fixed -> Fixed charge."""
    return _label(BILL_LINE_KINDS, value)


def exception_detail(text):
    """An exception's detail as the database wrote it, written as pages write: its days as days,
    its numbers without the database's trailing zeros ("reading 3784 of 2026-11-30 awaits
    review" -> "reading 3784 of 30 Nov 2026 awaits review")."""
    if not text:
        return ""
    text = re.sub(r"(?<![\d.])-?\d+\.\d*?0{3,}\b", lambda m: kwh(m.group(0), unit=False),
                  str(text))
    return days_in(text)


def words(value):
    """A code word of the database (bank_transfer, overdue_1, rebate_revoked) in words (bank
    transfer, first reminder, rebate taken back); filters and links keep the code word."""
    if value is None or value == "":
        return ""
    value = str(value)
    return WORDS.get(value, value.replace("_", " "))


def count(value):
    """A whole number of things with thousands separated: 1,234."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}"


def day(value):
    """A date as 29 Nov 2026 (a datetime: its date)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value[:10])
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def days_in(text):
    """A text of the database's (an exception's detail, a refusal) with its ISO days written as
    days and "a..b" ranges as "a – b": "the days from 2026-09-01 to 2026-09-30" -> "the days
    from 1 Sep 2026 to 30 Sep 2026"."""
    if not text:
        return ""
    text = re.sub(r"\b(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})\b",
                  lambda m: f"{day(m.group(1))} \u2013 {day(m.group(2))}", text)
    return re.sub(r"\b\d{4}-\d{2}-\d{2}\b", lambda m: day(m.group(0)), text)


def when(value):
    """A moment as 29 Nov 2026, 14:05."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime.datetime):
        return day(value)
    return f"{day(value)}, {value:%H:%M}"
