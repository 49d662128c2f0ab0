"""Presentation only: the dashboard's consumption chart (issue 21, "the chart with an axis,
values and cost") and its table. An inline SVG of the account's last 13 periods
(v_portal_usage): a kWh axis with round tick values and grid lines, each bar's kWh written
above it, the latest period and the same period last year marked (colour and a ▲ over last
year's bar); each period's cost is its bill's total now (`total_amount`, attached by
portal.selectors.usage from v_bill_summary: the figure the bill list shows), written by the one
formatter. The table under the chart has every figure (period, kWh, kWh a day, cost), for
screen readers and narrow screens; the figure's text alternative points to it.

Nothing here computes money. Bar heights and axis ticks are pixels and round kWh values for the
drawing (kWh, not money); every shown figure is the view's, through billing.formatting.

The bars and rows are built with format_html_join rather than template loops: the dashboard is
the portal's busiest page, and 12 bars and rows through {% for %} with date and floatformat
filters were half of its rendering time (docs/benchmarks.md)."""
import math
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.dates import MONTHS_3
from django.utils.html import format_html, format_html_join

from billing import formatting

register = template.Library()

HEIGHT = 120     # px of the axis' top tick
BAR = 30
GAP = 10
LEFT = 46        # px for the axis' tick values
TOP = 32         # room for the axis title and the value over the tallest bar
BASE_Y = TOP + HEIGHT
FILL = {"this": "#0b4f8a", "last-year": "#c4640f", "other": "#7f9fbf"}


# What the template filters floatformat:0 (thousands separated, as the axis and the table
# write kWh) and date:"M" / "j M Y" give for these values, without their per-call cost
# (localisation lookups and format parsing). kWh of a period are never negative.
def _kwh(value):
    return f"{Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP):,f}"


def _month(day):
    return MONTHS_3[day.month].title()


def _day(day):
    return f"{day.day} {_month(day)} {day.year}"


def axis_ticks(top_kwh):
    """Round tick values from 0 up to at least `top_kwh`, 3 to 6 of them (steps of 1, 2, 2.5 or
    5 times a power of ten): [0, 100, 200, 300] for 265."""
    top = Decimal(top_kwh or 0)
    if top <= 0:
        return [Decimal(0), Decimal(1)]
    power = Decimal(10) ** math.floor(math.log10(top / 4))
    step = next(m * power for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5),
                                    Decimal(10)) if m * power * 4 >= top)
    count = int((top / step).to_integral_value(rounding="ROUND_CEILING"))
    return [step * i for i in range(count + 1)]


def _kind(r, latest):
    return "this" if r is latest else "last-year" if r.is_last_year else "other"


def _bar(i, r, kind, axis_top):
    h = round(HEIGHT * float(r.consumption_kwh) / float(axis_top))
    x = GAP + i * (BAR + GAP)
    month = _month(r.period_end)
    note = {"this": ", this period", "last-year": ", same period last year", "other": ""}[kind]
    return (x, BASE_Y - h, BAR, h, kind, " estimated" if r.estimated else "", FILL[kind],
            f"{month} {r.period_end.year}", formatting.kwh(r.consumption_kwh),
            formatting.money(r.total_amount), " (estimated)" if r.estimated else "", note,
            x + BAR // 2, BASE_Y - h - 4, _kwh(r.consumption_kwh),
            x + BAR // 2, BASE_Y - h - 17, "▲" if kind == "last-year" else "",
            x + BAR // 2, BASE_Y + 14, month,
            x + BAR // 2, BASE_Y + 27,
            r.period_end.year if i == 0 or r.period_end.month == 1 else "")


def _row(r, kind):
    what = {"this": "this period", "last-year": "same period last year", "other": ""}[kind]
    reading = "estimated" if r.estimated else "actual"
    return (kind, _day(r.period_start), _day(r.period_end), formatting.kwh(r.consumption_kwh),
            formatting.kwh(r.kwh_per_day, unit=False), formatting.money(r.total_amount),
            f"{reading}, {what}" if what else reading)


@register.simple_tag
def usage_bars(rows):
    """The chart of `rows` (v_portal_usage, oldest first): {width, height, base_y, left (the
    axis drawing's width), axis (SVG: tick values and the axis line), grid (SVG lines behind the
    bars), bars (SVG bars with their values), rows (table rows), fill_*, any_estimated,
    any_last_year}."""
    rows = list(rows)
    latest = rows[-1] if rows else None
    ticks = axis_ticks(max((r.consumption_kwh for r in rows), default=0))
    axis_top = ticks[-1]
    width = GAP + len(rows) * (BAR + GAP)
    ys = [(t, BASE_Y - round(HEIGHT * t / axis_top)) for t in ticks]
    # the axis is a drawing of its own beside the bars, so that it stays in sight when the
    # bars scroll on a narrow screen
    axis = format_html_join(
        "\n", '<text x="{}" y="{}" text-anchor="end" class="tick">{}</text>',
        ((LEFT - 6, y + 4, formatting.kwh(t, unit=False)) for t, y in ys))
    axis += format_html('<text x="{}" y="{}" text-anchor="end" class="axis-title">kWh</text>'
                        '<line x1="{}" y1="{}" x2="{}" y2="{}" class="axis"></line>',
                        LEFT - 6, 12, LEFT - 0.5, TOP - 6, LEFT - 0.5, BASE_Y)
    grid = format_html_join(
        "\n", '<line x1="0" y1="{}" x2="{}" y2="{}" class="grid"></line>',
        ((y, width, y) for _, y in ys))
    kinds = [_kind(r, latest) for r in rows]
    bars = format_html_join(
        "\n",
        '<rect x="{}" y="{}" width="{}" height="{}" class="bar {}{}" fill="{}">'
        '<title>{}: {}, {}{}{}</title></rect>'
        '<text x="{}" y="{}" text-anchor="middle" class="value">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" class="marker">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" class="label">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" class="label sub">{}</text>',
        (_bar(i, r, k, axis_top) for i, (r, k) in enumerate(zip(rows, kinds))))
    table = format_html_join(
        "", '<tr class="{}"><td data-label="Period">{} – {}</td>'
            '<td data-label="Used" class="num">{}</td>'
            '<td data-label="kWh a day" class="num">{}</td>'
            '<td data-label="Cost" class="num">{}</td><td data-label="Reading">{}</td></tr>',
        (_row(r, k) for r, k in zip(rows, kinds)))
    return {"width": width, "height": BASE_Y + 34, "base_y": BASE_Y, "left": LEFT,
            "axis": axis, "grid": grid, "bars": bars, "rows": table, "fill_this": FILL["this"],
            "fill_last_year": FILL["last-year"], "fill_other": FILL["other"],
            "any_estimated": any(r.estimated for r in rows),
            "any_last_year": "last-year" in kinds}


@register.simple_tag
def usage_compared(rows):
    """This period, the previous one and the same period last year (rows of v_portal_usage,
    oldest first): [(what, row or None), ...] for the dashboard's comparison table."""
    rows = list(rows)
    if not rows:
        return []
    return [("This period", rows[-1]),
            ("Previous period", rows[-2] if len(rows) > 1 else None),
            ("Same period last year", next((r for r in rows if r.is_last_year), None))]
