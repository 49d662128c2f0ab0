"""The tariff editor (issue 22, "Tariffs"): codes checked on the form before create_tariff, the
procedure's 45003 still on the code field; removing a tariff without versions (billing admins
only, a confirmation page, remove_tariff's refusal shown); the block editor's row at fault (the
form's check and the procedure's 45031); the version in force today and future versions."""
import datetime
import re

import pytest
from django.urls import reverse

from billing import forms as billing_forms
from billing import services
from billing.errors import BillingError
from helpers.factories import make_account, make_tariff
from helpers.real_clock import real

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


def text(r):
    return r.content.decode()


# --- codes ------------------------------------------------------------------------------------
@pytest.mark.parametrize("code, says", [
    ("res", "Use capital letters: \u201cRES\u201d, not \u201cres\u201d."),
    ("X" * 23, "At most 20 characters (this one has 23)."),
    ("RES 2026", "No spaces: use \u201c-\u201d or \u201c_\u201d between words."),
    ("A/B.C", "\u201c/\u201d, \u201c.\u201d are not allowed: use only capital letters A-Z, "
              "digits 0-9, \u201c_\u201d and \u201c-\u201d."),
    ("R\u00c9S", "\u201c\u00c9\u201d is not allowed: use only capital letters A-Z, digits 0-9, "
                 "\u201c_\u201d and \u201c-\u201d."),
])
@pytest.mark.parametrize("url", ["billing:tariff_create", "billing:discount_create"])
def test_the_form_says_what_is_wrong_with_a_code(billing_admin_client, billing_db, url, code,
                                                 says):
    before = billing_db.snapshot()
    r = billing_admin_client.post(reverse(url), {"code": code, "name": "N", "pct": "5"})
    assert r.status_code == 200 and r.context["form"].errors["code"] == [says]
    assert r.context["form"].errors.as_data()["code"][0].code == "invalid"
    assert billing_db.snapshot() == before


def test_an_existing_code_is_said_on_the_field_before_the_procedure(billing_admin_client,
                                                                    billing_db):
    make_tariff(billing_db, code="RES")
    billing_db.call("create_discount", "SEN", "Senior", "10", "staff:t")
    before = billing_db.snapshot()
    r = billing_admin_client.post(reverse("billing:tariff_create"), {"code": "RES", "name": "x"})
    assert r.context["form"].errors["code"] == [
        "A tariff with code RES exists already: choose another code."]
    assert r.context["form"].errors.as_data()["code"][0].code == "taken"
    r = billing_admin_client.post(reverse("billing:discount_create"),
                                  {"code": "SEN", "name": "x", "pct": "5"})
    assert r.context["form"].errors["code"] == [
        "A discount with code SEN exists already: choose another code."]
    # a tariff and a discount may share a code
    r = billing_admin_client.post(reverse("billing:discount_create"),
                                  {"code": "RES", "name": "x", "pct": "5"})
    assert r.status_code == 302
    assert billing_db.value("SELECT COUNT(*) FROM tariff") == 1


def test_a_concurrent_create_refused_by_the_procedure_lands_on_the_code_field(
        billing_admin_client, billing_db, monkeypatch):
    """The code was free when the form looked, taken when create_tariff ran: the procedure's
    45003 goes through the one error map (add_to_form, code CONFLICT) onto the field."""
    make_tariff(billing_db, code="RES")
    monkeypatch.setattr("billing.views.tariffs.TariffCreateView.code_taken",
                        staticmethod(lambda code: False))
    r = billing_admin_client.post(reverse("billing:tariff_create"), {"code": "RES", "name": "x"})
    assert r.status_code == 200
    err = r.context["form"].errors.as_data()["code"][0]
    assert err.code == "CONFLICT"
    assert err.messages == ["A tariff with code RES exists already: choose another code."]
    assert "<h2>Not saved</h2>" in text(r)
    assert text(r).count("A tariff with code RES exists already: choose another code.") == 1


# --- removing a tariff ------------------------------------------------------------------------
def test_a_billing_admin_removes_a_tariff_without_versions_after_confirming(
        billing_admin_client, billing_db):
    make_tariff(billing_db, code="TYPO", name="Mistake", versions=[])
    make_tariff(billing_db, code="RES")
    url = reverse("billing:tariff_remove", args=["TYPO"])
    page = text(billing_admin_client.get(reverse("billing:tariff_list")))
    assert url in page                                           # the button on the list
    assert reverse("billing:tariff_remove", args=["RES"]) not in page   # not for one with versions
    confirm = billing_admin_client.get(url)
    assert confirm.status_code == 200
    assert "Remove tariff TYPO" in text(confirm) and "cannot be undone" in text(confirm)
    assert billing_db.value("SELECT COUNT(*) FROM tariff WHERE code = 'TYPO'") == 1  # GET: nothing
    r = billing_admin_client.post(url)
    assert r.status_code == 302 and r["Location"] == reverse("billing:tariff_list")
    assert billing_db.value("SELECT COUNT(*) FROM tariff WHERE code = 'TYPO'") == 0
    assert billing_db.value("SELECT actor FROM audit_log WHERE action = 'tariff_removed'") == \
        "staff:bea"
    assert "Tariff TYPO (Mistake) removed." in text(billing_admin_client.get(r["Location"]))
    assert billing_admin_client.get(url).status_code == 404


def test_a_tariff_with_versions_or_accounts_is_not_offered_and_a_post_is_refused(
        billing_admin_client, billing_db):
    make_tariff(billing_db, code="RES")
    make_tariff(billing_db, code="ACC", versions=[])
    make_account(billing_db, tariff_code="ACC")
    for code, says in (("RES", "it has 1 version"), ("ACC", "1 open account uses it")):
        url = reverse("billing:tariff_remove", args=[code])
        page = text(billing_admin_client.get(url))
        assert says in page and "cannot be removed" in page and "button danger" not in page
        before = billing_db.snapshot()
        r = billing_admin_client.post(url)                       # forged: the procedure refuses
        assert r.status_code == 200 and "Not saved: Tariff " in text(r)
        assert ("a tariff with versions cannot be removed" if code == "RES" else
                "open or closed: it cannot be removed") in text(r)
        assert billing_db.snapshot() == before
    page = text(billing_admin_client.get(reverse("billing:tariff_list")))
    assert "/remove/" not in page


def test_a_tariff_whose_accounts_are_all_closed_is_not_offered_for_removal(
        billing_admin_client, billing_db):
    # remove_tariff refuses a tariff with closed accounts too: the button must not promise it
    make_tariff(billing_db, code="OLD", versions=[])
    acc = make_account(billing_db, tariff_code="OLD", opened_on="2026-01-01")
    billing_db.call("close_account", acc, "2026-01-31", "staff:test")
    page = text(billing_admin_client.get(reverse("billing:tariff_list")))
    assert "0 open accounts" in page and "/remove/" not in page and "It can be removed" not in page
    url = reverse("billing:tariff_remove", args=["OLD"])
    page = text(billing_admin_client.get(url))
    assert "cannot be removed: closed accounts, a what-if simulation or its own dunning days " \
           "refer to it" in page and "button danger" not in page


@pytest.mark.parametrize("role_client", ["staff_client", "manager_client"])
def test_only_billing_admins_see_and_use_the_removal(request, billing_db, role_client):
    client = request.getfixturevalue(role_client)
    make_tariff(billing_db, code="TYPO", versions=[])
    url = reverse("billing:tariff_remove", args=["TYPO"])
    assert url not in text(client.get(reverse("billing:tariff_list")))
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert billing_db.value("SELECT COUNT(*) FROM tariff") == 1


# --- the block editor: the row at fault -------------------------------------------------------
BASE = {"effective_from": "2030-06-01", "fixed_charge": "5.00", "tax_rate_pct": "10",
        "late_fee_pct": "2", "early_pay_pct": "0", "early_pay_days": "0",
        "blocks-INITIAL_FORMS": "0", "blocks-MIN_NUM_FORMS": "1", "blocks-MAX_NUM_FORMS": "50"}


def rows(*blocks):
    data = {**BASE, "blocks-TOTAL_FORMS": str(len(blocks))}
    for i, (up, rate) in enumerate(blocks):
        data[f"blocks-{i}-up_to_kwh"], data[f"blocks-{i}-rate"] = up, rate
    return data


def marked_rows(r):
    """The numbers (as shown) of the rows marked at fault."""
    return [int(n) for n in re.findall(r'<tr class="block-row row-error"[^>]*><td class="block-no">'
                                       r'(\d+)</td>', text(r))]


@pytest.mark.parametrize("blocks, row, says", [
    ((("100", "0.10"), ("200", "0.20"), ("150", "0.25"), ("", "0.30")), 3,
     "Block 3: the limit must be above block 2\u2019s (200 kWh)."),
    ((("100", "0.10"), ("", ""), ("100", "0.25"), ("", "0.30")), 3,   # the empty row is skipped
     "Block 3: the limit must be above block 1\u2019s (100 kWh)."),
    ((("", "0.10"), ("200", "0.20"), ("", "0.30")), 1,
     "Block 1: only the last block may be open: enter its limit in kWh."),
    ((("100", "0.10"), ("200", "0.20")), 2,
     "Block 2: the last block must be open: leave \u201cup to\u201d empty (every kWh needs a "
     "rate)."),
    ((("100", "0.10"), ("", "-0.20")), 2, "Block 2: the rate may not be negative."),
    ((("0", "0.10"), ("", "0.20")), 1, "Block 1: the limit must be above zero."),
    ((("100", "0.10"), ("abc", "0.20"), ("", "0.3")), 2, "Block 2: Enter a number."),
    ((("100", "0.10"), ("200", ""), ("", "0.3")), 2, "Block 2: A block needs a rate."),
])
def test_the_form_marks_the_row_at_fault(billing_admin_client, billing_db, blocks, row, says):
    make_tariff(billing_db, code="RES", versions=[])
    before = billing_db.snapshot()
    r = billing_admin_client.post(reverse("billing:tariff_version_create", args=["RES"]),
                                  rows(*blocks))
    assert r.status_code == 200
    assert marked_rows(r) == [row]
    row_form = r.context["blocks"].forms[row - 1]
    assert says in [e for errs in row_form.errors.values() for e in errs]
    assert says in text(r)                                   # on the page, in the row
    assert billing_db.snapshot() == before


def test_a_refusal_of_the_procedure_is_put_on_its_row(billing_admin_client, billing_db,
                                                      monkeypatch):
    """With the form's own check out of the way, add_tariff_version refuses the blocks (45031,
    "block 2 ...": the second block sent, here the third row, since the empty row is not sent):
    the page shows the error map's sentence on that row, once (the editor's summary links to
    it), and marks the row."""
    monkeypatch.setattr(billing_forms.BaseBlockFormSet, "clean", lambda self: None)
    make_tariff(billing_db, code="RES", versions=[])
    before = billing_db.snapshot()
    r = billing_admin_client.post(reverse("billing:tariff_version_create", args=["RES"]),
                                  rows(("200", "0.10"), ("", ""), ("100", "0.20"), ("", "0.3")))
    assert r.status_code == 200 and r.context["form"].errors == {}
    assert marked_rows(r) == [3]
    sentence = "Block 3: the limit must be above the previous block\u2019s."
    assert r.context["blocks"].forms[2].non_field_errors() == [sentence.replace("\u2019", "'")]
    assert "up_to_kwh is" not in text(r) and "Not saved" not in text(r)
    assert billing_db.snapshot() == before


def test_block_row_error_maps_the_procedures_block_to_the_row(billing_db):
    """The real procedure's message, mapped: block N of the JSON is the N-th filled row."""
    make_tariff(billing_db, code="RES", versions=[])
    data = rows(("", ""), ("100", "0.1"), ("", ""), ("", "0.2"), ("50", "0.3"))
    blocks = billing_forms.BlockFormSet(data, prefix="blocks")
    blocks.full_clean()
    sent = [{"up_to_kwh": f.cleaned_data.get("up_to_kwh"), "rate": f.cleaned_data["rate"]}
            for _, f in blocks.filled()]
    with pytest.raises(BillingError) as e:
        services.add_tariff_version(tariff_code="RES", effective_from="2030-01-01",
                                    fixed_charge="0", tax_rate_pct="0", late_fee_pct="0",
                                    early_pay_pct="0", early_pay_days="0", blocks=sent,
                                    actor="staff:t")
    assert e.value.errno == 45031 and e.value.message.startswith("block 2 ")
    assert billing_forms.block_row_error(blocks, e.value) == 4
    assert blocks.forms[3].non_field_errors()[0].startswith("Block 4: ")
    other = BillingError("TARIFF_INVALID_BLOCKS", "a rate has more than 6 decimals", 45031)
    assert billing_forms.block_row_error(blocks, other) is None


def test_the_editor_has_its_script_and_works_without_it(billing_admin_client, billing_db):
    make_tariff(billing_db, code="RES", versions=[])
    url = reverse("billing:tariff_version_create", args=["RES"])
    page = text(billing_admin_client.get(url))
    assert "billing/block-editor.js" in page and 'name="add_row"' in page
    r = billing_admin_client.post(url, {**rows(("100", "0.1"), ("", "0.2")), "add_row": "1"})
    assert len(set(re.findall(r'name="blocks-(\d+)-rate"', text(r)))) == 3
    assert marked_rows(r) == []
    # an emptied row (what "remove" means without the script) is ignored
    r = billing_admin_client.post(url, rows(("100", "0.1"), ("", ""), ("", "0.2")))
    assert r.status_code == 302
    assert billing_db.value("SELECT COUNT(*) FROM tariff_block") == 2


# --- the version in force ---------------------------------------------------------------------
def test_the_list_marks_the_version_in_force_and_future_ones(billing_admin_client, billing_db):
    future = real.today + datetime.timedelta(days=40)
    make_tariff(billing_db, code="RES", versions=[
        {"effective_from": "2024-01-01"}, {"effective_from": str(real.today - datetime.timedelta(
            days=10))}, {"effective_from": str(future)}])
    make_tariff(billing_db, code="NEW", versions=[{"effective_from": str(future)}])
    page = text(billing_admin_client.get(reverse("billing:tariff_list")))
    sections = {re.search(r'<h2 id="tariff-\d+">(\w+)', sec).group(1): sec
                for sec in page.split('<section class="card"')[1:] if 'id="tariff-' in sec}
    res, new = sections["RES"], sections["NEW"]
    assert res.count("in force today") == 1
    in_force = re.search(r'<tr class="version-in_force"><td class="nowrap">([^<]+?) <span', res)
    assert in_force.group(1) == f"{real.today - datetime.timedelta(days=10):%-d %b %Y}"
    assert res.count(f"from {future:%-d %b %Y}") == 1 and res.count('class="version-past"') == 1
    # a tariff whose only version starts later has none in force
    assert "in force today" not in new and new.count(f"from {future:%-d %b %Y}") == 1


def test_the_version_form_says_what_is_in_force_and_what_comes(billing_admin_client, billing_db):
    future = real.today + datetime.timedelta(days=40)
    make_tariff(billing_db, code="RES", versions=[
        {"effective_from": "2024-01-01", "fixed_charge": "4.00"},
        {"effective_from": str(real.today), "fixed_charge": "5.00"},
        {"effective_from": str(future)}])
    make_tariff(billing_db, code="NEW", versions=[])
    page = text(billing_admin_client.get(reverse("billing:tariff_version_create", args=["RES"])))
    line = re.search(r'<p class="help" id="versions-now">(.*?)</p>', page).group(1)
    assert line == (f"In force today: the version from {real.today:%-d %b %Y} (fixed charge €5.00, "
                    f"tax 0.00 %, 1 block); then from {future:%-d %b %Y}.")
    page = text(billing_admin_client.get(reverse("billing:tariff_version_create", args=["NEW"])))
    assert "No version is in force today." in page
