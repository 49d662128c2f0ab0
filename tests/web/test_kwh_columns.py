"""A report's kWh column lines up: every figure of the page (and its total) with the decimals
the most precise one needs, exactly (formatting.kwh_places); before, 2,360 stood above 45.1613."""
from decimal import Decimal

from billing import formatting


def test_a_column_takes_the_decimals_its_most_precise_value_needs():
    values = [Decimal("2360.0000"), Decimal("45.1600"), None, Decimal("7.5000")]
    places = formatting.kwh_places(values)
    assert places == 2
    assert [formatting.kwh(v, unit=False, places=places) for v in values] == [
        "2,360.00", "45.16", "", "7.50"]


def test_a_column_of_whole_numbers_keeps_none_and_no_value_is_rounded():
    assert formatting.kwh_places([Decimal("10.0000"), Decimal("3")]) == 0
    assert formatting.kwh_places([]) == 0
    assert formatting.kwh(Decimal("1234.0000"), unit=False, places=0) == "1,234"
    # fewer places than the value needs: the value's own (never rounded)
    assert formatting.kwh(Decimal("45.1613"), places=2) == "45.1613 kWh"
    assert formatting.kwh(Decimal("-3.5"), unit=False, places=2) == "-3.50"


def test_without_places_a_figure_drops_needless_decimals_as_before():
    assert formatting.kwh(Decimal("2360.0000")) == "2,360 kWh"
    assert formatting.kwh(Decimal("45.1613")) == "45.1613 kWh"
