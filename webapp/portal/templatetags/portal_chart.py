"""Presentation only: the consumption chart (an inline SVG, bars scaled to the largest period
that v_portal_usage reports, max_kwh) and its table fallback. No money is involved.

The bars and table rows are built here with format_html_join rather than by template loops:
the dashboard is the portal's busiest page, and 12 bars and rows through {% for %} with date and
floatformat filters were half of its rendering time (docs/benchmarks.md)."""
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.dates import MONTHS_3
from django.utils.html import format_html_join

register = template.Library()

HEIGHT = 120     # px of the tallest bar
BAR = 28
GAP = 8
BASE_Y = 20 + HEIGHT


# What the template filters floatformat:0 and date:"M" / "M Y" / "j M Y" give for these values,
# without their per-call cost (localisation lookups and format parsing, 48 dates and 24 numbers
# per chart). kWh of a period are never negative.
def _kwh(value):
    return f"{Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP):f}"


def _month(day):
    return MONTHS_3[day.month].title()


def _day(day):
    return f"{day.day} {_month(day)} {day.year}"


def _bar(i, r):
    scale = float(r.max_kwh) if r.max_kwh else 0.0
    h = round(HEIGHT * float(r.consumption_kwh) / scale) if scale else 0
    x = GAP + i * (BAR + GAP)
    month = _month(r.period_end)
    return (x, BASE_Y - h, BAR, h, " estimated" if r.estimated else "",
            f"{month} {r.period_end.year}", _kwh(r.consumption_kwh),
            " (estimated)" if r.estimated else "", x + BAR // 2, BASE_Y + 14, month)


@register.simple_tag
def usage_bars(rows):
    """{width, height, base_y, bars (SVG rects with labels), rows (table rows)} of the chart."""
    bars = format_html_join(
        "\n", '<rect x="{}" y="{}" width="{}" height="{}" class="bar{}"><title>{}: {} kWh{}</title></rect>'
              '<text x="{}" y="{}" text-anchor="middle" class="label">{}</text>',
        (_bar(i, r) for i, r in enumerate(rows)))
    table = format_html_join(
        "", '<tr><td>{} – {}</td><td class="num">{}</td><td>{}</td></tr>',
        ((_day(r.period_start), _day(r.period_end), _kwh(r.consumption_kwh),
          "estimated" if r.estimated else "actual")
         for r in rows))
    return {"width": GAP + len(rows) * (BAR + GAP), "height": HEIGHT + 50, "base_y": BASE_Y,
            "bars": bars, "rows": table, "any_estimated": any(r.estimated for r in rows)}
