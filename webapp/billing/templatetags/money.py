"""Template filters of the one formatter (billing/formatting.py): {% load money %}, then
{{ x|money }}, {{ x|money_signed }}, {{ x|money_off }} (an amount taken off, kept positive),
{{ x|amount }} (no currency), {{ x|kwh }}, {{ x|rate }},
{{ d|day }}, {{ t|when }}, {{ words|money_in_text }}, {{ x|percent }}; the labels of codes
({{ p.method|method_label }}, {{ r.source|source_label }}, {{ r.kind|reading_kind_label }},
{{ l.kind|line_kind_label }}, {{ x.detail|exception_detail }});
{{ customer.full_name|bdi }}: typed text isolated (<bdi>) where other text is beside it."""
import re

from django import template
from django.utils.html import format_html

from billing import formatting

register = template.Library()

register.filter("money", formatting.money)
register.filter("amount", formatting.plain_amount)
register.filter("kwh", formatting.kwh)
register.filter("rate", formatting.rate)
register.filter("day", formatting.day)
register.filter("count", formatting.count)
register.filter("when", formatting.when)
register.filter("words", formatting.words)
register.filter("percent", formatting.percent)
register.filter("method_label", formatting.method_label)
register.filter("source_label", formatting.source_label)
register.filter("reading_kind_label", formatting.reading_kind_label)
register.filter("line_kind_label", formatting.line_kind_label)
register.filter("exception_detail", formatting.exception_detail)


@register.filter
def bdi(value):
    """Text a person typed (a name, an address) isolated from the text around it: <bdi>...</bdi>,
    escaped. A right-to-left mark or override in a name (U+202E) then reorders only the name,
    never the customer number or the words beside it (a heading, a breadcrumb, a table cell
    with more in it). Empty -> ""."""
    if value is None or value == "":
        return ""
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def money_signed(value):
    """A signed amount (a rebate line, an adjustment): -€1.00, never "Credit"."""
    return formatting.money(value, credit=False)


@register.filter
def money_off(value):
    """An amount a bill takes off that the data keep positive (v_bill_summary.rebate_amount),
    written with a minus as the bill's lines have it: -€0.41 (the sign is written, nothing is
    computed). None -> ""."""
    text = formatting.money(value, credit=False)
    return f"-{text}" if text else ""


_AMOUNT_IN_TEXT = re.compile(r"(?<![\d.])\d+\.\d\d(?![\d])")


@register.filter
def money_in_text(text):
    """The engine's words with their amounts written as money ("Late fee: 1.5% of 48.40 open
    after the due date" -> "... of €48.40 ..."); numbers with other than two decimals (rates,
    kWh) are left as they are."""
    return _AMOUNT_IN_TEXT.sub(lambda m: formatting.money(m.group()), str(text or ""))
