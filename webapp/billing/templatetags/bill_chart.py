"""The usage chart beside "why this bill differs" (billing/comparison.py): the last 13 billed
periods of the account up to the bill (v_bill_usage_history) as an inline SVG of bars, the bill's
own period and the same period last year marked, with a table alternative. Presentation only:
bar heights are pixels scaled to the view's max_kwh; no money is involved. Colours are attributes
of the SVG, so the chart looks the same on the web, printed and in the PDF (WeasyPrint).

{% load bill_chart %}{% bill_usage_chart periods as chart %} -> chart.width, chart.height,
chart.bars (safe SVG), chart.rows (safe table rows).
"""
from django import template
from django.utils.html import format_html_join

from billing import formatting

register = template.Library()

HEIGHT = 110        # px of the tallest bar
BAR = 24
GAP = 6
TOP = 16
BASE_Y = TOP + HEIGHT
FILL = {"this": "#1f5f99", "last_year": "#d9822b", "other": "#9fb8cf"}


def _kind(r):
    return "this" if r.is_this_bill else "last_year" if r.is_last_year else "other"


def _bar(i, r):
    scale = float(r.max_kwh or 0)
    h = max(round(HEIGHT * float(r.consumption_kwh) / scale), 1) if scale else 1
    x = GAP + i * (BAR + GAP)
    kind = _kind(r)
    note = {"this": " (this bill)", "last_year": " (same period last year)", "other": ""}[kind]
    month = formatting.MONTHS[r.period_end.month - 1]
    return (x, BASE_Y - h, BAR, h, kind.replace("_", "-"), FILL[kind],
            f"{formatting.day(r.period_start)} – {formatting.day(r.period_end)}",
            formatting.kwh(r.consumption_kwh), " estimated" if r.estimated else "", note,
            x + BAR // 2, BASE_Y + 13, month,
            x + BAR // 2, BASE_Y - h - 4, "▲" if kind == "last_year" else "")


@register.simple_tag
def bill_usage_chart(periods):
    bars = format_html_join(
        "\n",
        '<rect x="{}" y="{}" width="{}" height="{}" class="bar {}" fill="{}">'
        '<title>{}: {}{}{}</title></rect>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="10" fill="#444">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="9" fill="#d9822b">{}</text>',
        (_bar(i, r) for i, r in enumerate(periods)))
    rows = format_html_join(
        "", '<tr class="{}"><td>{} – {}</td><td class="num">{}</td><td>{}</td></tr>',
        ((_kind(r).replace("_", "-"), formatting.day(r.period_start),
          formatting.day(r.period_end), formatting.kwh(r.consumption_kwh),
          "this bill" if r.is_this_bill else "same period last year" if r.is_last_year
          else "estimated" if r.estimated else "")
         for r in periods))
    return {"width": GAP + len(periods) * (BAR + GAP), "height": BASE_Y + 20, "base_y": BASE_Y,
            "bars": bars, "rows": rows, "fill": FILL}
