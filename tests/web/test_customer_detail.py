"""Customer detail: the customer's data, accounts with balance and meter, recent readings."""

import pytest
from django.urls import reverse

from billing import formatting
from helpers.factories import make_account, make_metered_account, make_tariff
from helpers.pages import text

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])


@pytest.fixture
def ada(billing_db):
    db = billing_db
    tariff = make_tariff(db, code="RES", name="Residential")
    acc = make_metered_account(db, tariff_code=tariff, name="Ada Lovelace", serial="SN-ADA-1",
                               opened_on="2026-01-01", initial_read=0,
                               service_address="1 Analytical Way")
    db.call("record_reading", "SN-ADA-1", "2026-01-31", 100, "field", "staff:test")
    bill_id = db.call("bill_account", acc.account_id, "2026-01-01", "2026-01-31", "2026-02-01",
                      14, "staff:test")["bill_id"]
    assert bill_id is not None
    db.call("post_payment", acc.account_id, "4.00", "cash", "2026-02-05 10:00:00", "k-ada-1",
            "staff:test")
    db.call("record_reading", "SN-ADA-1", "2026-02-28", 180, "customer", "staff:test")
    second = make_account(db, tariff_code="RES", customer_id=acc.customer_id,
                          opened_on="2026-03-01", service_address="2 Engine Row")
    db.call("close_account", second, "2026-03-31", "staff:test")
    return acc


def test_shows_the_customer_accounts_balances_meters_and_readings(staff_client, ada, billing_db):
    r = staff_client.get(reverse("billing:customer_detail", args=[ada.customer_id]))
    assert r.status_code == 200
    page = text(r)
    assert f"Ada Lovelace {ada.customer_no}" in page
    accounts = r.context["accounts"]
    assert [(a.account_no, a.status, a.serial_no) for a in accounts] == [
        (ada.account_no, "open", "SN-ADA-1"),
        (accounts[1].account_no, "closed", None)]
    # the balance is the database's: bill 100 kWh * 0.10 = 10.00, minus 4.00 paid
    want = billing_db.row("SELECT balance, overdue_amount FROM v_account_balance "
                          "WHERE account_id = %s", ada.account_id)
    assert str(want["balance"]) == "6.00"
    assert accounts[0].balance.balance == want["balance"]
    assert (f"{ada.account_no} open RES Residential 1 Analytical Way 1 Jan 2026 SN-ADA-1"
            in page)
    assert " €6.00 " in page and f" {formatting.money(want['overdue_amount'])} " in page
    assert "closed since 31 Mar 2026" in page and "2 Engine Row" in page
    # readings newest first, with consumption
    assert [(str(x.read_on), str(x.consumption_kwh), x.kind)
            for x in r.context["readings"]] == [
        ("2026-02-28", "80.0000", "actual"), ("2026-01-31", "100.0000", "actual"),
        ("2026-01-01", "0.0000", "initial")]
    assert "28 Feb 2026 SN-ADA-1 180 80 Actual Customer read accepted" in page
    assert reverse("billing:customer_edit", args=[ada.customer_id]) in r.content.decode()


def test_a_customer_without_accounts(staff_client, billing_db):
    cid = billing_db.call("create_customer", "Nobody Yet", None, None, None, "staff:test")[
        "customer_id"]
    r = staff_client.get(reverse("billing:customer_detail", args=[cid]))
    assert r.status_code == 200
    assert "No accounts yet." in text(r) and "No readings yet." in text(r)


def test_an_unknown_customer_is_404(staff_client, billing_db):
    assert staff_client.get(reverse("billing:customer_detail", args=[999999])).status_code == 404


def test_the_contract_view_models_read_what_the_views_hold(ada, billing_db):
    from billing import models

    for model in (models.AccountBalance, models.BillSummary, models.BillLine, models.Payment,
                  models.Aging, models.CollectionsDaily, models.BillingException):
        assert len(list(model.objects.all())) == billing_db.value(
            f"SELECT COUNT(*) FROM {model._meta.db_table}"), model.__name__
    bill = models.BillSummary.objects.get(account_id=ada.account_id)
    raw = billing_db.row("SELECT * FROM v_bill_summary WHERE bill_id = %s", bill.bill_id)
    fields = [f.name for f in bill._meta.concrete_fields]          # the contract's columns
    assert {k: getattr(bill, k) for k in fields} == {
        k: (bool(raw[k]) if k in ("rebate_granted", "estimated") else raw[k]) for k in fields}
    lines = list(models.BillLine.objects.filter(bill_id=bill.bill_id))
    assert [(x.kind, x.amount) for x in lines] == [
        (r["kind"], r["amount"]) for r in billing_db.rows(
            "SELECT kind, amount FROM v_bill_lines WHERE bill_id = %s ORDER BY line_no",
            bill.bill_id)]
    payment = models.Payment.objects.get(account_id=ada.account_id)
    assert (str(payment.amount), payment.method, payment.status) == ("4.00", "cash", "posted")
    with pytest.raises(TypeError):
        payment.save()
