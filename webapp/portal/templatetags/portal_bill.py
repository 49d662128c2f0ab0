"""Presentation only: a bill line in words for the customer (issue 21, "charges in plain
language"). The words come from the line's kind and its own figures (quantity, rate), formatted
by billing.formatting; nothing is computed. The staff pages keep the engine's description."""
import re

from django import template

from billing import formatting

register = template.Library()

_AMOUNT = re.compile(r"(?<![\d.])\d+\.\d\d(?![\d])")


def _span(a, b):
    """1–14 May 2026; 28 Apr 2026 – 14 May 2026."""
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{formatting.day(b)}" if a != b else formatting.day(a)
    return f"{formatting.day(a)} – {formatting.day(b)}"


def _segment_words(w):
    """", 1–14 May 2026 at the old price" for a line of part of the period (a price change or a
    short period); "" for a line of the whole period at one price."""
    if w.segments <= 1 and w.seg_days == w.period_days:
        return ""
    text = f", {_span(w.seg_start, w.seg_end)}"
    if w.new_price:
        text += f" at the new price from {formatting.day(w.version_from)}"
    elif w.segments > 1:
        text += " at the old price"
    return text


def _words_label(line, w):
    """An energy or fixed line in words from v_bill_line_words (block limits as the customer's
    share, the days of a prorated segment)."""
    if line.kind == "fixed":
        if w.seg_days == w.period_days:
            return "Fixed charge for the period"
        return f"Fixed charge for {w.seg_days} of {w.period_days} days" + _segment_words(w)
    if w.open_block:
        base = "Energy" if w.first_block else f"Energy above {formatting.kwh(w.block_from_kwh)}"
    elif w.first_block:
        base = f"Energy, first {formatting.kwh(w.block_to_kwh)}"
    else:
        base = f"Energy, next {formatting.kwh(w.block_size_kwh)}"
    return base + _segment_words(w)


@register.filter
def line_label(line, words=None):
    """`words`: {line_no: v_bill_line_words row} of the bill (optional)."""
    kind = line.kind
    w = (words or {}).get(line.line_no)
    if w is not None and kind in ("energy", "fixed"):
        return _words_label(line, w)
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
