"""Presentation only: bar heights of the consumption chart (an inline SVG), scaled to the
largest period that v_portal_usage reports (max_kwh). No money is involved."""
from django import template

register = template.Library()

HEIGHT = 120     # px of the tallest bar
BAR = 28
GAP = 8


@register.simple_tag
def usage_bars(rows):
    bars = []
    for i, r in enumerate(rows):
        scale = float(r.max_kwh) if r.max_kwh else 0.0
        h = round(HEIGHT * float(r.consumption_kwh) / scale) if scale else 0
        bars.append({"x": GAP + i * (BAR + GAP), "y": 20 + HEIGHT - h, "height": h,
                     "width": BAR, "label_x": GAP + i * (BAR + GAP) + BAR // 2, "row": r})
    return {"bars": bars, "width": GAP + len(rows) * (BAR + GAP), "height": HEIGHT + 50,
            "base_y": 20 + HEIGHT}
