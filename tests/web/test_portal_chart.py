"""The dashboard's consumption chart formats its numbers and dates itself (for speed): they
must read exactly as the template filters floatformat:0 and date:"j M Y" would show them."""
import datetime
from decimal import Decimal

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from hypothesis import given
from hypothesis import strategies as st

from portal.templatetags.portal_chart import _day, _kwh, _month, usage_bars


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.9999"), places=4))
def test_kwh_reads_as_floatformat_0(value):
    assert _kwh(value) == floatformat(value, 0)


def test_kwh_rounds_half_up_like_floatformat():
    for v in ["0", "0.4999", "0.5", "1.5", "2.5", "12345.5", "99.9999", "1000000.5000"]:
        assert _kwh(Decimal(v)) == floatformat(Decimal(v), 0)


def test_dates_read_as_the_date_filter():
    day = datetime.date(2024, 1, 1)           # a leap year and the next
    while day.year < 2026:
        assert _day(day) == date_filter(day, "j M Y")
        assert _month(day) == date_filter(day, "M")
        day += datetime.timedelta(days=1)


class Row:
    def __init__(self, end, kwh, estimated=0, max_kwh="200"):
        self.period_start = end.replace(day=1)
        self.period_end = end
        self.consumption_kwh = Decimal(kwh)
        self.estimated = estimated
        self.max_kwh = Decimal(max_kwh)


def test_bars_and_rows():
    rows = [Row(datetime.date(2026, 1, 31), "100.4"), Row(datetime.date(2026, 2, 28), "200", 1)]
    chart = usage_bars(rows)
    assert (chart["width"], chart["height"], chart["base_y"]) == (80, 170, 140)
    assert str(chart["bars"]) == (
        '<rect x="8" y="80" width="28" height="60" class="bar"><title>Jan 2026: 100 kWh</title></rect>'
        '<text x="22" y="154" text-anchor="middle" class="label">Jan</text>\n'
        '<rect x="44" y="20" width="28" height="120" class="bar estimated"><title>Feb 2026: 200 kWh'
        ' (estimated)</title></rect><text x="58" y="154" text-anchor="middle" class="label">Feb</text>')
    assert str(chart["rows"]) == (
        '<tr><td>1 Jan 2026 – 31 Jan 2026</td><td class="num">100</td><td>actual</td></tr>'
        '<tr><td>1 Feb 2026 – 28 Feb 2026</td><td class="num">200</td><td>estimated</td></tr>')
    assert usage_bars([])["width"] == 8
