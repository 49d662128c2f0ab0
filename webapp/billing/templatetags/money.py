"""Template filters of the one formatter (billing/formatting.py): {% load money %}, then
{{ x|money }}, {{ x|money_signed }}, {{ x|amount }} (no currency), {{ x|kwh }}, {{ x|rate }},
{{ d|day }}, {{ t|when }}, {{ words|money_in_text }}."""
import re

from django import template

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


@register.filter
def money_signed(value):
    """A signed amount (a rebate line, an adjustment): -€1.00, never "Credit"."""
    return formatting.money(value, credit=False)


_AMOUNT_IN_TEXT = re.compile(r"(?<![\d.])\d+\.\d\d(?![\d])")


@register.filter
def money_in_text(text):
    """The engine's words with their amounts written as money ("Late fee: 1.5% of 48.40 open
    after the due date" -> "... of €48.40 ..."); numbers with other than two decimals (rates,
    kWh) are left as they are."""
    return _AMOUNT_IN_TEXT.sub(lambda m: formatting.money(m.group()), str(text or ""))
