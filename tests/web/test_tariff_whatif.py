"""The tariff what-if page (issue 20 §3): the form filled from the version in force, a proposal
simulated by simulate_tariff, the result (summary, histogram, typical levels, most affected),
the per-account CSV, "Create this version" into the new-version form, refusals on their fields,
and who may use it."""
import csv
import datetime
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from helpers.factories import give_discount, make_discount, make_metered_account, make_tariff

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

BLOCKS = [(Decimal(100), Decimal("0.10")), (None, Decimal("0.20"))]


def month_ends(n):
    """The last n full months before today: [(start, end)], oldest first."""
    out, end = [], datetime.date.today().replace(day=1) - timedelta(days=1)
    for _ in range(n):
        out.append((end.replace(day=1), end))
        end = end.replace(day=1) - timedelta(days=1)
    return out[::-1]


@pytest.fixture
def billed(billing_db):
    """Tariff RES (one version from 2020) with three accounts billed for the last two months."""
    t = make_tariff(billing_db, code="RES", versions=[dict(
        effective_from="2020-01-01", fixed_charge="5.00", tax_rate_pct="10", blocks=BLOCKS)])
    months = month_ends(2)
    accs = [make_metered_account(billing_db, tariff_code=t, opened_on=str(months[0][0]),
                                 name=f"Customer {i}") for i in range(3)]
    make_discount(billing_db, code="SEN", pct="10")
    give_discount(billing_db, accs[2].account_id, "SEN", valid_from=str(months[0][0]))
    for m, (start, end) in enumerate(months):
        for i, a in enumerate(accs):
            billing_db.call("record_reading", a.serial, str(end), (i + 1) * 150 * (m + 1),
                            "field", "staff:test")
        billing_db.call("run_billing", str(start), str(end), str(datetime.date.today()), 14,
                        "staff:test")
    assert billing_db.value("SELECT COUNT(*) FROM bill") == 6
    return t


def post_data(fixed="6.00", tax="10", blocks=((100, "0.12"), ("", "0.25")), date_from=None,
              date_to=None):
    data = {"fixed_charge": fixed, "tax_rate_pct": tax,
            "from": date_from or str(datetime.date.today() - timedelta(days=364)),
            "to": date_to or str(datetime.date.today()),
            "blocks-TOTAL_FORMS": str(len(blocks)), "blocks-INITIAL_FORMS": "0",
            "blocks-MIN_NUM_FORMS": "1", "blocks-MAX_NUM_FORMS": "50"}
    for i, (up, rate) in enumerate(blocks):
        data[f"blocks-{i}-up_to_kwh"] = str(up)
        data[f"blocks-{i}-rate"] = str(rate)
    return data


def test_the_form_starts_from_the_version_in_force_and_the_last_12_months(billing_admin_client,
                                                                          billed):
    r = billing_admin_client.get(reverse("billing:tariff_whatif", args=["RES"]))
    assert r.status_code == 200
    form = r.context["form"]
    assert form.initial["fixed_charge"] == Decimal("5.00")
    assert form.initial["tax_rate_pct"] == Decimal("10.00")
    today = datetime.date.today()
    assert form.initial["to"] == today
    assert form.initial["from"] == date(today.year - 1, today.month, today.day) + timedelta(days=1)
    rows = [(f.initial["up_to_kwh"], f.initial["rate"]) for f in r.context["blocks"].forms]
    assert rows == [(Decimal("100.0000"), Decimal("0.100000")), (None, Decimal("0.200000"))]
    # the tariff list links to it
    assert reverse("billing:tariff_whatif", args=["RES"]) in \
        billing_admin_client.get(reverse("billing:tariff_list")).content.decode()


def test_a_proposal_gives_the_database_result(billing_admin_client, billing_db, billed):
    before = billing_db.snapshot()
    r = billing_admin_client.post(reverse("billing:tariff_whatif", args=["RES"]), post_data())
    assert r.status_code == 302
    sim = billing_db.row("SELECT * FROM v_tariff_simulation_summary")
    assert r["Location"] == reverse("billing:tariff_whatif_result", args=["RES", sim["simulation_id"]])
    after = billing_db.snapshot()
    changed = {t for t in after if after[t] != before[t]}
    assert changed <= {"tariff_simulation", "tariff_simulation_block", "tariff_simulation_bill",
                       "tariff_simulation_account", "tariff_simulation_typical"}
    assert (sim["bills"], sim["accounts"]) == (6, 3)

    page = billing_admin_client.get(r["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["simulation"].revenue_proposed == sim["revenue_proposed"]
    assert f'<span id="accounts-up">{sim["accounts_up"]}</span>' in html
    assert f'<span id="accounts-down">{sim["accounts_down"]}</span>' in html
    from billing.formatting import money
    assert money(sim["revenue_now"]) in html and money(sim["revenue_proposed"]) in html
    # the histogram: one bar per bucket, the accounts in them
    hist = page.context["histogram"]
    assert len(hist) == 9 and sum(b.accounts for b in hist) == 3
    assert len(re.findall(r'<span class="hbar" style="width: [0-9.]+%"></span>', html)) == 9
    # typical levels, most affected
    assert [t.consumption_kwh for t in page.context["typical"]] == [100, 250, 500, 1000]
    up, down = page.context["most_up"], page.context["most_down"]
    assert len(up) + len(down) == sim["accounts_up"] + sim["accounts_down"]
    assert all(a.change_amount > 0 for a in up) and all(a.change_amount < 0 for a in down)
    # the form keeps the proposal
    assert page.context["form"].initial["fixed_charge"] == Decimal("6.00")
    rows = [(f.initial["up_to_kwh"], f.initial["rate"]) for f in page.context["blocks"].forms]
    assert rows == [(Decimal("100.0000"), Decimal("0.120000")), (None, Decimal("0.250000"))]


def test_the_csv_has_every_account(billing_admin_client, billing_db, billed):
    r = billing_admin_client.post(reverse("billing:tariff_whatif", args=["RES"]), post_data())
    sim_id = billing_db.value("SELECT simulation_id FROM tariff_simulation")
    r = billing_admin_client.get(reverse("billing:tariff_whatif_csv", args=["RES", sim_id]))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    want = billing_db.rows("SELECT * FROM v_tariff_simulation_account ORDER BY account_no")
    assert [(x["account_no"], Decimal(x["total_now"]), Decimal(x["total_proposed"]))
            for x in rows] == [(w["account_no"], w["total_now"], w["total_proposed"]) for w in want]
    # another tariff's code, or no such simulation: 404
    make_tariff(billing_db, code="OTHER")
    assert billing_admin_client.get(
        reverse("billing:tariff_whatif_csv", args=["OTHER", sim_id])).status_code == 404
    assert billing_admin_client.get(
        reverse("billing:tariff_whatif_result", args=["RES", sim_id + 1])).status_code == 404


def test_create_this_version_carries_the_proposal(billing_admin_client, billing_db, billed):
    r = billing_admin_client.post(reverse("billing:tariff_whatif", args=["RES"]),
                                  post_data(fixed="7.50", tax="12.5"))
    page = billing_admin_client.get(r["Location"])
    link = re.search(r'id="create-version" href="([^"]+)"', page.content.decode()).group(1)
    form_page = billing_admin_client.get(link.replace("&amp;", "&"))
    assert form_page.status_code == 200
    assert form_page.context["form"].initial["fixed_charge"] == Decimal("7.50")
    assert form_page.context["form"].initial["tax_rate_pct"] == Decimal("12.50")
    rows = [(f.initial["up_to_kwh"], f.initial["rate"]) for f in form_page.context["blocks"].forms]
    assert rows == [(Decimal("100.0000"), Decimal("0.120000")), (None, Decimal("0.250000"))]


@pytest.mark.parametrize("data, field", [
    (post_data(blocks=((100, "0.12"), (200, "0.25"))), "blocks"),     # last block not open
    (post_data(date_from="2026-03-01", date_to="2026-02-01"), "to"),
    (post_data(date_from="2024-01-01", date_to="2026-02-01"), "to"),
    (post_data(tax="101"), "tax_rate_pct"),
])
def test_refusals_are_shown_and_nothing_is_stored(billing_admin_client, billing_db, billed,
                                                  data, field):
    r = billing_admin_client.post(reverse("billing:tariff_whatif", args=["RES"]), data)
    assert r.status_code == 200
    errors = r.context["form"].errors
    if field == "blocks":            # the form finds the row at fault before the procedure
        row = r.context["blocks"].forms[1]
        assert row.errors["up_to_kwh"] == [
            "Block 2: the last block must be open: leave \u201cup to\u201d empty (every kWh "
            "needs a rate)."]
        assert 'class="block-row row-error"' in r.content.decode()
    else:
        assert errors[field]
    assert billing_db.value("SELECT COUNT(*) FROM tariff_simulation") == 0


def test_a_manager_may_simulate_but_not_create_the_version(manager_client, billing_db, billed):
    r = manager_client.post(reverse("billing:tariff_whatif", args=["RES"]), post_data())
    assert r.status_code == 302
    page = manager_client.get(r["Location"]).content.decode()
    assert 'id="create-version"' not in page


def test_add_a_block_row_keeps_the_input(billing_admin_client, billed):
    data = post_data()
    data["add_row"] = "1"
    r = billing_admin_client.post(reverse("billing:tariff_whatif", args=["RES"]), data)
    assert r.status_code == 200
    assert len(r.context["blocks"].forms) == 3
