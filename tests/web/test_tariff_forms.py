"""Tariff and discount codes (only [A-Z0-9_-], 1-20 characters; issue 16 §7) and the block
editor's formset with a malformed or huge TOTAL_FORMS (issue 16 §10)."""
import re

import pytest
from django.urls import reverse

from helpers.db import DbError
from helpers.factories import make_tariff

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
BAD_CODES = ["A/B", "..", "a b", "res", "", " ", "X" * 21, "ＲＥＳ", "RES\n1", "R%2FS", "<b>",
             "RÉS", "R.S"]


@pytest.mark.parametrize("url", ["billing:tariff_create", "billing:discount_create"])
@pytest.mark.parametrize("code", BAD_CODES)
def test_a_bad_code_is_refused_by_the_form(billing_admin_client, billing_db, url, code):
    before = billing_db.snapshot()
    r = billing_admin_client.post(reverse(url), {"code": code, "name": "Odd", "pct": "5"})
    assert r.status_code == 200 and r.context["form"].errors["code"]
    assert billing_db.snapshot() == before


@pytest.mark.parametrize("code", ["RES-2026_1", "B", "X" * 20, "0_-9"])
def test_good_codes_are_created_and_reachable(billing_admin_client, billing_db, code):
    r = billing_admin_client.post(reverse("billing:tariff_create"), {"code": code, "name": "T"})
    assert r.status_code == 302
    assert billing_admin_client.get(r["Location"]).status_code == 200
    r = billing_admin_client.post(reverse("billing:discount_create"),
                                  {"code": code, "name": "D", "pct": "5"})
    assert r.status_code == 302


def test_odd_codes_already_stored_do_not_break_the_tariff_page(billing_admin_client, billing_db):
    """A code from before the rule (written here straight into the table, when the schema still
    lets it) is listed without an editor link; its URL is a 404, never a 500."""
    make_tariff(billing_db, code="RES")
    for odd in ("A/B", ".."):
        try:
            billing_db.execute("INSERT INTO tariff (code, name) VALUES (%s, 'legacy')", odd)
        except DbError:
            pass                         # the schema's own check refuses it: nothing to list
    r = billing_admin_client.get(reverse("billing:tariff_list"))
    assert r.status_code == 200
    assert reverse("billing:tariff_version_create", args=["RES"]) in r.content.decode()
    for path in ("/tariffs/A/B/versions/new/", "/tariffs/../versions/new/",
                 "/tariffs/A%2FB/versions/new/", "/tariffs/res/versions/new/"):
        assert billing_admin_client.get(path).status_code == 404


# --- the block editor's TOTAL_FORMS ---------------------------------------------------------
BASE = {"effective_from": "2030-06-01", "fixed_charge": "5.00", "tax_rate_pct": "10",
        "late_fee_pct": "2", "early_pay_pct": "0", "early_pay_days": "0",
        "blocks-INITIAL_FORMS": "0", "blocks-MIN_NUM_FORMS": "1", "blocks-MAX_NUM_FORMS": "50",
        "blocks-0-up_to_kwh": "", "blocks-0-rate": "0.10"}


def rows_rendered(response):
    return len(set(re.findall(r'name="blocks-(\d+)-rate"', response.content.decode())))


@pytest.mark.parametrize("total", ["abc", "-1", "1e9", "１", "100000", "99999999999999999999",
                                   ""])
@pytest.mark.parametrize("add_row", [True, False])
def test_a_malformed_or_huge_total_forms_is_no_500_and_no_flood(billing_admin_client,
                                                                billing_db, total, add_row):
    make_tariff(billing_db, code="RES")
    url = reverse("billing:tariff_version_create", args=["RES"])
    before = billing_db.snapshot()
    data = {**BASE, "blocks-TOTAL_FORMS": total}
    if add_row:
        data["add_row"] = "1"
    r = billing_admin_client.post(url, data)
    assert r.status_code == 200
    assert 1 <= rows_rendered(r) <= 50
    assert billing_db.snapshot() == before


def test_add_row_stops_at_fifty(billing_admin_client, billing_db):
    make_tariff(billing_db, code="RES")
    url = reverse("billing:tariff_version_create", args=["RES"])
    r = billing_admin_client.post(url, {**BASE, "blocks-TOTAL_FORMS": "49", "add_row": "1"})
    assert rows_rendered(r) == 50
    r = billing_admin_client.post(url, {**BASE, "blocks-TOTAL_FORMS": "50", "add_row": "1"})
    assert rows_rendered(r) == 50
