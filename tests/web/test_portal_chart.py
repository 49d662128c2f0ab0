"""The dashboard's consumption chart (issue 21): a kWh axis with round ticks, each bar's value
and cost, this period and the same period last year marked, and the three-way comparison. It
formats its numbers and dates itself (for speed): they must read exactly as the template filters
floatformat:0 (with thousands separated, as the axis and the table write kWh) and date:"j M Y"
would show them."""
import datetime
import re
from decimal import Decimal

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from hypothesis import given
from hypothesis import strategies as st

from portal.templatetags.portal_chart import (_day, _kwh, _month, axis_ticks, usage_bars,
                                              usage_compared)


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.9999"), places=4))
def test_kwh_reads_as_floatformat_0(value):
    assert _kwh(value) == f"{int(floatformat(value, 0)):,}"


def test_kwh_rounds_half_up_like_floatformat():
    for v in ["0", "0.4999", "0.5", "1.5", "2.5", "12345.5", "99.9999", "1000000.5000"]:
        assert _kwh(Decimal(v)) == f"{int(floatformat(Decimal(v), 0)):,}"


def test_dates_read_as_the_date_filter():
    day = datetime.date(2024, 1, 1)           # a leap year and the next
    while day.year < 2026:
        assert _day(day) == date_filter(day, "j M Y")
        assert _month(day) == date_filter(day, "M")
        day += datetime.timedelta(days=1)


class Row:
    def __init__(self, end, kwh, estimated=0, total="20.00", last_year=0, per_day="3.2"):
        self.period_start = end.replace(day=1)
        self.period_end = end
        self.consumption_kwh = Decimal(kwh)
        self.estimated = estimated
        self.issued_total = Decimal(total)
        self.total_amount = Decimal(total)        # portal.selectors.usage: the bill's total now
        self.is_last_year = last_year
        self.kwh_per_day = Decimal(per_day)


def test_axis_ticks_are_round_and_reach_the_largest_period():
    assert axis_ticks(Decimal("290")) == [0, 100, 200, 300]
    assert axis_ticks(Decimal("400")) == [0, 100, 200, 300, 400]
    assert axis_ticks(Decimal("465")) == [0, 200, 400, 600]
    assert axis_ticks(Decimal("1234.5")) == [0, 500, 1000, 1500]
    assert axis_ticks(Decimal("9")) == [0, Decimal("2.5"), 5, Decimal("7.5"), 10]
    assert axis_ticks(Decimal("0")) == [0, 1]


@given(st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99999999.9999"), places=4))
def test_axis_ticks_any_value(top):
    ticks = axis_ticks(top)
    assert ticks[0] == 0 and ticks[-2] < top <= ticks[-1] and 3 <= len(ticks) <= 6
    step = ticks[1]
    assert all(b - a == step for a, b in zip(ticks, ticks[1:]))


def test_bars_values_cost_and_marks():
    rows = [Row(datetime.date(2025, 2, 28), "150", last_year=1, total="23.10"),
            Row(datetime.date(2026, 1, 31), "100.4", total="1234.50"),
            Row(datetime.date(2026, 2, 28), "290", 1, total="40.85")]
    chart = usage_bars(rows)
    assert (chart["width"], chart["height"], chart["base_y"]) == (10 + 3 * 40, 186, 152)
    assert chart["any_estimated"] and chart["any_last_year"]
    bars, axis, grid = str(chart["bars"]), str(chart["axis"]), str(chart["grid"])
    # the axis (a drawing of its own, it stays in sight when the bars scroll): 0, 100, 200,
    # 300 kWh, the top tick and its grid line 120 px above the base line
    assert [t for t in re.findall(r'class="tick">([^<]*)<', axis)] == ["0", "100", "200", "300"]
    assert '<line x1="0" y1="32" x2="130" y2="32" class="grid">' in grid
    assert grid.count('class="grid"') == 4 and chart["left"] == 46
    assert 'class="axis-title">kWh</text>' in axis
    # each bar: its height on the axis' scale, its value over it, kWh and cost in its title
    assert ('<rect x="10" y="92" width="30" height="60" class="bar last-year" fill="#c4640f">'
            '<title>Feb 2025: 150 kWh, €23.10, same period last year</title></rect>') in bars
    assert '<title>Jan 2026: 100.4 kWh, €1,234.50</title>' in bars
    assert ('class="bar this estimated" fill="#0b4f8a"><title>Feb 2026: 290 kWh, €40.85 '
            '(estimated), this period</title>') in bars
    assert re.findall(r'class="value">([^<]*)<', bars) == ["150", "100", "290"]
    assert re.findall(r'class="marker">([^<]*)<', bars) == ["▲", "", ""]
    assert re.findall(r'class="label">([^<]*)<', bars) == ["Feb", "Jan", "Feb"]
    assert re.findall(r'class="label sub">([^<]*)<', bars) == ["2025", "2026", ""]
    assert str(chart["rows"]).count("<tr") == 3
    assert ('<tr class="this"><td data-label="Period">1 Feb 2026 – 28 Feb 2026</td>'
            '<td data-label="Used" class="num">290 kWh</td>'
            '<td data-label="kWh a day" class="num">3.2</td>'
            '<td data-label="Cost" class="num">€40.85</td>'
            '<td data-label="Reading">estimated, this period</td></tr>') in str(chart["rows"])
    assert usage_bars([])["width"] == 10


def test_compared_this_previous_and_last_year():
    a, b, c = (Row(datetime.date(2025, 2, 28), "1", last_year=1),
               Row(datetime.date(2026, 1, 31), "2"), Row(datetime.date(2026, 2, 28), "3"))
    assert usage_compared([a, b, c]) == [("This period", c), ("Previous period", b),
                                         ("Same period last year", a)]
    assert usage_compared([c]) == [("This period", c), ("Previous period", None),
                                   ("Same period last year", None)]
    assert usage_compared([]) == []
