"""The web app's helper views (db/views/v_customer.sql, v_account.sql, v_meter_reading.sql)."""
from decimal import Decimal

from helpers.factories import make_account, make_customer, make_metered_account, make_tariff


def test_v_customer_counts_accounts_open_or_closed(billing_db):
    db = billing_db
    lone = make_customer(db, name="Lone", email="lone@example.org", phone="1", address="A")
    acc = make_metered_account(db, name="Two Accounts")
    other = make_account(db, tariff_code=acc.tariff_code, customer_id=acc.customer_id)
    db.call("close_account", other, "2026-02-01", "staff:t")
    rows = {r["full_name"]: r for r in db.rows("SELECT * FROM v_customer")}
    assert list(db.rows("SELECT * FROM v_customer LIMIT 1")[0]) == [
        "customer_id", "customer_no", "full_name", "email", "phone", "address", "created_at",
        "accounts"]
    assert rows["Lone"]["accounts"] == 0 and rows["Two Accounts"]["accounts"] == 2
    assert (rows["Lone"]["customer_id"], rows["Lone"]["email"], rows["Lone"]["phone"],
            rows["Lone"]["address"]) == (lone, "lone@example.org", "1", "A")


def test_v_account_shows_status_tariff_and_the_active_meter(billing_db):
    db = billing_db
    make_tariff(db, code="RES", name="Residential")
    acc = make_metered_account(db, tariff_code="RES", serial="SN-7", dial_digits=6,
                               multiplier="2.5", opened_on="2026-01-01",
                               installed_on="2026-01-05")
    bare = make_account(db, tariff_code="RES", customer_id=acc.customer_id,
                        opened_on="2026-01-01", service_address="9 Side St")
    db.call("close_account", bare, "2026-01-31", "staff:t")
    rows = {r["account_id"]: r for r in db.rows("SELECT * FROM v_account")}
    assert list(rows[bare]) == [
        "account_id", "account_no", "customer_id", "tariff_code", "tariff_name",
        "service_address", "opened_on", "closed_on", "status", "meter_id", "serial_no",
        "dial_digits", "multiplier", "installed_on"]
    a = rows[acc.account_id]
    assert (a["account_no"], a["customer_id"], a["tariff_code"], a["tariff_name"], a["status"],
            a["closed_on"], a["meter_id"], a["serial_no"], a["dial_digits"], a["multiplier"],
            str(a["installed_on"])) == (
        acc.account_no, acc.customer_id, "RES", "Residential", "open", None, acc.meter_id,
        "SN-7", 6, Decimal("2.5000"), "2026-01-05")
    b = rows[bare]
    assert (b["status"], str(b["closed_on"]), b["service_address"], b["meter_id"],
            b["serial_no"], b["installed_on"]) == ("closed", "2026-01-31", "9 Side St", None,
                                                    None, None)


def test_v_meter_reading_lists_every_point_with_its_account(billing_db):
    db = billing_db
    acc = make_metered_account(db, serial="SN-9", opened_on="2026-01-01", initial_read=10)
    db.call("record_reading", "SN-9", "2026-01-31", 110, "field", "staff:a")
    big = db.call("record_reading", "SN-9", "2026-02-28", 5000, "smart", "staff:b")
    assert big["status"] == "review"
    db.call("reject_reading", big["reading_id"], "misread dial", "staff:c")
    rows = db.rows("SELECT * FROM v_meter_reading ORDER BY read_on")
    assert list(rows[0]) == [
        "reading_id", "meter_id", "serial_no", "account_id", "read_on", "value", "kind",
        "source", "status", "consumption_kwh", "recorded_by", "recorded_at", "reviewed_by",
        "reviewed_at", "reject_reason"]
    initial = "(the initial read's source is install_meter's choice)"
    assert [(r["serial_no"], r["account_id"], str(r["read_on"]), str(r["value"]), r["kind"],
             initial if r["kind"] == "initial" else r["source"], r["status"],
             str(r["consumption_kwh"]), r["recorded_by"], r["reviewed_by"], r["reject_reason"])
            for r in rows] == [
        ("SN-9", acc.account_id, "2026-01-01", "10.00", "initial", initial, "accepted",
         "0.0000", "staff:test", None, None),
        ("SN-9", acc.account_id, "2026-01-31", "110.00", "actual", "field", "accepted",
         "100.0000", "staff:a", None, None),
        ("SN-9", acc.account_id, "2026-02-28", "5000.00", "actual", "smart", "rejected",
         "4890.0000", "staff:b", "staff:c", "misread dial")]
    assert all(r["meter_id"] == acc.meter_id for r in rows)


def test_every_model_matches_its_view(billing_db):
    """Each unmanaged model's columns exist in its view (contract views: those the contract
    lists; a view may have more). A view not yet deployed fails here, as it should."""
    from django.apps import apps

    for model in apps.get_app_config("billing").get_models():
        table = model._meta.db_table
        have = {r["c"] for r in billing_db.rows(
            "SELECT column_name AS c FROM information_schema.columns "
            "WHERE table_schema = DATABASE() AND table_name = %s", table)}
        want = {f.column for f in model._meta.concrete_fields}
        assert want <= have, f"{table}: missing {sorted(want - have)}"
