"""Presentation only: a bill line in words for the customer (issue 21, "charges in plain
language"). The words come from the line's kind and its own figures (quantity, rate), formatted
by billing.formatting; nothing is computed. The staff pages keep the engine's description."""
import re

from django import template

from billing import formatting

register = template.Library()

_AMOUNT = re.compile(r"(?<![\d.])\d+\.\d\d(?![\d])")


@register.filter
def line_label(line):
    kind = line.kind
    if kind == "energy":
        # the tariff block's own words ("Energy, first 100 kWh") when they carry no engine
        # figures; a prorated segment's text ("0-45.1613 kWh, 14 days from 2026-05-01") is not
        # for customers: then "Energy", with kWh and rate in their columns
        if _AMOUNT.search(line.description) or re.search(r"\d{4}-\d\d-\d\d|\.\d{3}",
                                                         line.description):
            return "Energy"
        return line.description
    if kind == "fixed":
        return "Fixed charge for the period"
    if kind == "rebate":
        return "Early-payment rebate (paid on time)"
    if kind == "rebate_revoked":
        return "Early-payment rebate withdrawn (the payment that earned it was reversed)"
    if kind == "late_fee":
        # the engine's sentence ("Late fee: 1.5% of 48.40 open after the due date") with its
        # amount written as money
        return _AMOUNT.sub(lambda m: formatting.money(m.group()), line.description)
    return line.description          # discount (its name), tax ("Tax (10%)")
