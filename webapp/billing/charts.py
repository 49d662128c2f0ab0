"""Small server-side SVG charts (no JavaScript, no CDN) for the report pages.

Amounts are the database's; the only arithmetic here is pixel geometry (bar lengths scaled to
the largest value), done on floats that never go back into an amount. Every chart has a title
and a text alternative, and the page shows the same numbers in a table.
"""
from django.utils.html import escape
from django.utils.safestring import mark_safe


def bar_chart(items, *, title, unit="", width=640, bar_height=22, label_width=150):
    """Horizontal bars: items is [(label, value)] (value a Decimal/number >= 0 or negative)."""
    items = list(items)
    if not items:
        return ""
    biggest = max((abs(float(v)) for _, v in items), default=0) or 1.0
    plot = width - label_width - 110
    height = bar_height * len(items) + 30
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="100%" preserveAspectRatio="xMinYMin meet" aria-labelledby="chart-title">',
             f'<title id="chart-title">{escape(title)}</title>']
    for i, (label, value) in enumerate(items):
        y = 10 + i * bar_height
        length = max(abs(float(value)) / biggest * plot, 0 if float(value) == 0 else 1)
        parts.append(f'<text x="{label_width - 8}" y="{y + bar_height * 0.65:.1f}" '
                     f'text-anchor="end" class="chart-label">{escape(str(label))}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" '
                     f'height="{bar_height - 6}" class="chart-bar"><title>{escape(str(label))}: '
                     f'{escape(str(value))} {escape(unit)}</title></rect>')
        parts.append(f'<text x="{label_width + length + 6:.1f}" y="{y + bar_height * 0.65:.1f}" '
                     f'class="chart-value">{escape(str(value))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
