""""Why this bill differs" (issue 20 §2) on the staff bill page and the customer's bill page
(web, print, PDF share one template): the sentence from v_bill_comparison through
v_bill_explanation (more, less, same, no previous bill, not available), last year's same period
and the 13-period usage chart marking it. The expected amounts are read from the views: the
words are what is tested here; the amounts are the engine's (tests/db)."""
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse

from billing import comparison, formatting
from helpers.factories import make_tariff
from helpers.portal_data import MONTHS, billed
from portal.models import CustomerLogin
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
A = "staff:test"
SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).replace(
        "&#x27;", "'")


def explanation(db, bill_id):
    return SimpleNamespace(**db.row("SELECT * FROM v_bill_explanation WHERE bill_id = %s",
                                    bill_id))


def m(value):
    return formatting.money(value)


def test_more_with_both_parts(admin_client_, billing_db):
    # June (30 days) 300 kWh, July (31 days) 465 kWh: more a day, and one day more
    acc, (jun, jul) = billed(billing_db, [300, 465], MONTHS[12:14])
    e = explanation(billing_db, jul)
    assert (e.change_sign, e.usage_sign, e.other_sign, e.kwh_per_day_sign) == (1, 1, 1, 1)
    want = (f"This bill is {m(e.change_abs)} more than last month's: {m(e.usage_abs)} because "
            f"you used {formatting.kwh(e.kwh_per_day_change)} a day more, {m(e.other_abs)} "
            "from prices and days.")
    assert comparison.sentence(e) == want
    page = text(admin_client_.get(reverse("billing:bill_detail", args=[jul])))
    assert "Why this bill differs" in page and want in page
    # the sentence compares the bills as issued (the rules), and says so, as the dashboard does
    assert want + " (Bills compared as issued, before any early-payment rebate or late fee.)" \
        in page
    assert "No bill for the same period last year." in page
    # the first bill says nothing
    first = text(admin_client_.get(reverse("billing:bill_detail", args=[jun])))
    assert "Why this bill differs" not in first


def test_less_and_a_zero_part_left_out(admin_client_, billing_db):
    # July and August both 31 days, same prices: only the kWh change, less
    acc, (jul, aug) = billed(billing_db, [465, 310], MONTHS[13:15])
    e = explanation(billing_db, aug)
    assert (e.change_sign, e.usage_sign, e.other_sign) == (-1, -1, 0)
    want = (f"This bill is {m(e.change_abs)} less than last month's: {m(e.usage_abs)} because "
            f"you used {formatting.kwh(e.kwh_per_day_change)} a day less.")
    assert comparison.sentence(e) == want
    assert want in text(admin_client_.get(reverse("billing:bill_detail", args=[aug])))


def test_the_same(admin_client_, billing_db):
    acc, (jul, aug) = billed(billing_db, [310, 310], MONTHS[13:15])
    e = explanation(billing_db, aug)
    assert (e.change_sign, e.usage_sign, e.other_sign) == (0, 0, 0)
    assert comparison.sentence(e) == "This bill is the same as last month's."
    assert "This bill is the same as last month's." in text(
        admin_client_.get(reverse("billing:bill_detail", args=[aug])))


def test_a_new_tariff_since_the_previous_bill_is_named(admin_client_, billing_db):
    """The prices-and-days part names the tariff version that came into force since the
    previous bill began ("the new tariff from 15 Jul 2026")."""
    tariff = make_tariff(billing_db, versions=[
        {"effective_from": "2000-01-01", "fixed_charge": "5.00", "tax_rate_pct": "0"},
        {"effective_from": "2026-07-15", "fixed_charge": "9.00", "tax_rate_pct": "0"}]).code
    acc, (jun, jul, aug) = billed(billing_db, [300, 310, 310], MONTHS[12:15], tariff=tariff)
    e = explanation(billing_db, jul)
    assert str(e.new_price_from) == "2026-07-15" and e.other_sign == 1
    assert comparison.sentence(e).endswith("from prices and days (the new tariff from 15 Jul 2026).")
    # August: the tariff came into force during July's bill, after the previous bill (July)
    # began: still named; a bill whose previous bill started after it would not name it
    later = explanation(billing_db, aug)
    assert str(later.new_price_from) == "2026-07-15"
    first = explanation(billing_db, jun)
    assert first.new_price_from is None


def test_parts_going_the_other_way_say_so():
    row = SimpleNamespace(prev_bill_id=1, comparison_available=True, change_sign=-1,
                          change_abs="1.00", usage_sign=-1, usage_abs="3.00", other_sign=1,
                          other_abs="2.00", kwh_per_day_sign=0, kwh_per_day_change="0.0",
                          prev_period_start=__import__("datetime").date(2026, 6, 1),
                          prev_period_end=__import__("datetime").date(2026, 6, 20),
                          period_start=__import__("datetime").date(2026, 6, 21),
                          new_price_from=None)
    assert comparison.sentence(row) == (
        "This bill is €1.00 less than the previous bill's (1 Jun 2026 – 20 Jun 2026): €3.00 "
        "because you used a little less, €2.00 more from prices and days.")


def test_not_available_for_an_old_bill(admin_client_, billing_db):
    acc, (jul, aug) = billed(billing_db, [465, 310], MONTHS[13:15])
    # a bill issued before the comparison was computed at issue (migration 0070) has a
    # previous bill but no effects
    billing_db.execute("UPDATE bill_comparison SET usage_effect = NULL, other_effect = NULL "
                       "WHERE bill_id = %s", aug)
    page = text(admin_client_.get(reverse("billing:bill_detail", args=[aug])))
    assert ("A comparison with the previous bill is not available for this bill: it was issued "
            "before comparisons were kept.") in page


def test_last_year_and_the_chart_of_13_periods(admin_client_, billing_db):
    kwh = [300, 310, 320, 330, 340, 350, 360, 370, 280, 310, 300, 310, 300, 465, 310]
    acc, bills = billed(billing_db, kwh)
    aug = bills[-1]
    e = explanation(billing_db, aug)
    assert e.last_year_bill_id == bills[2]                    # August 2025
    r = admin_client_.get(reverse("billing:bill_detail", args=[aug]))
    page, html = text(r), r.content.decode()
    want = (f"Same period last year (1 Aug 2025 – 31 Aug 2025): {m(e.last_year_total)} for "
            f"320 kWh ({formatting.kwh(e.last_year_kwh_per_day)} a day; this bill "
            f"{formatting.kwh(e.kwh_per_day)} a day).")
    assert want in page
    assert html.count('class="bar ') == 13                   # the last 13 periods
    assert html.count('class="bar this"') == 1 and html.count('class="bar last-year"') == 1
    assert re.search(r'class="bar last-year"[^>]*><title>1 Aug 2025 – 31 Aug 2025: 320 kWh '
                     r'\(same period last year\)', html)
    assert "Show as a table" in html


@pytest.fixture
def admin_client_(billing_admin_client):
    return billing_admin_client


def test_the_customer_sees_it_on_the_bill_its_print_and_pdf(client, billing_db):
    acc, (jun, jul) = billed(billing_db, [300, 465], MONTHS[12:14])
    create_customer_login(acc.customer_id, password="Kilowatt-hours-2026")
    client.force_login(CustomerLogin.objects.get(customer_id=acc.customer_id).user)
    want = comparison.sentence(explanation(billing_db, jul))
    for name in ("portal:bill_detail", "portal:bill_print"):
        page = text(client.get(reverse(name, args=[jul])))
        assert "Why this bill differs" in page and want in page, name
    pdf = client.get(reverse("portal:bill_pdf", args=[jul]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    SCREENS.mkdir(parents=True, exist_ok=True)              # for a person to look at
    (SCREENS / "review-customer-bill.pdf").write_bytes(pdf.content)
    assert "Why this bill differs" not in text(client.get(reverse("portal:bill_detail",
                                                                  args=[jun])))
