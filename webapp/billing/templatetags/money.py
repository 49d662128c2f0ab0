"""Template filters of the one formatter (billing/formatting.py): {% load money %}, then
{{ x|money }}, {{ x|money_signed }}, {{ x|amount }} (no currency), {{ x|kwh }}, {{ x|rate }},
{{ d|day }}, {{ t|when }}."""
from django import template

from billing import formatting

register = template.Library()

register.filter("money", formatting.money)
register.filter("amount", formatting.plain_amount)
register.filter("kwh", formatting.kwh)
register.filter("rate", formatting.rate)
register.filter("day", formatting.day)
register.filter("when", formatting.when)


@register.filter
def money_signed(value):
    """A signed amount (a rebate line, an adjustment): -€1.00, never "Credit"."""
    return formatting.money(value, credit=False)
