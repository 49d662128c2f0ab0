"""bill_discount: the account discounts each bill applied, written with its lines, and the
backfill of migration 0139 for bills issued before it (matched by the words of their discount
lines), which must find exactly what the engine writes, twins (same name and percentage)
included; the percentage a bill applied is kept with it."""
from decimal import Decimal
from pathlib import Path

from helpers.factories import ACTOR, give_discount, make_discount, make_metered_account, make_tariff

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "0139_bill_discount.sql"


def applied(db):
    return db.rows("SELECT bill_id, account_discount_id, pct FROM bill_discount ORDER BY 1, 2")


def test_each_discount_line_is_recorded_and_the_backfill_finds_the_same(db):
    db.set_clock("2026-04-15")
    make_tariff(db, code="RES")
    a = make_metered_account(db, tariff_code="RES", opened_on="2026-01-01")
    b = make_metered_account(db, tariff_code="RES", opened_on="2026-01-01")
    c = make_metered_account(db, tariff_code="RES", opened_on="2026-01-01")
    make_discount(db, code="SEN", name="Senior", pct="10")
    make_discount(db, code="SEN2", name="Senior", pct="10.00")      # the same words on the line
    make_discount(db, code="GRN", name="Green", pct="2.5")
    give_discount(db, a.account_id, "SEN", valid_from="2026-01-01", valid_to="2026-02-27")
    give_discount(db, a.account_id, "GRN", valid_from="2026-01-01")
    give_discount(db, b.account_id, "SEN", valid_from="2026-01-01")
    give_discount(db, b.account_id, "SEN2", valid_from="2026-02-01")
    for acc in (a, b, c):
        db.call("record_reading", acc.serial, "2026-01-31", 150, "field", ACTOR)
        db.call("record_reading", acc.serial, "2026-02-28", 300, "field", ACTOR)
    db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, ACTOR)
    give_discount(db, c.account_id, "GRN", valid_from="2026-01-01")  # after January's bill
    # a's January line "Senior (10%)" is SEN's: SEN2, its twin, assigned after the bill (backdated
    # and ended before February), must not be matched to it
    with db.at("2026-02-10"):
        give_discount(db, a.account_id, "SEN2", valid_from="2026-01-01", valid_to="2026-01-31")
    db.call("run_billing", "2026-02-01", "2026-02-28", "2026-03-01", 14, ACTOR)

    written = applied(db)
    lines = db.rows("SELECT b.account_id, b.period_end, COUNT(*) AS n FROM bill_line l"
                    " JOIN bill b ON b.bill_id = l.bill_id WHERE l.kind = 'discount'"
                    " GROUP BY b.account_id, b.period_end ORDER BY 1, 2")
    # a: Jan SEN + GRN, Feb GRN (SEN ended 02-27); b: Jan SEN, Feb SEN + SEN2; c: Feb GRN only
    assert [(r["account_id"], str(r["period_end"]), r["n"]) for r in lines] == [
        (a.account_id, "2026-01-31", 2), (a.account_id, "2026-02-28", 1),
        (b.account_id, "2026-01-31", 1), (b.account_id, "2026-02-28", 2),
        (c.account_id, "2026-02-28", 1)]
    assert len(written) == 7
    assert sorted({str(r["pct"]) for r in written}) == ["10.00", "2.50"]

    db.execute("TRUNCATE bill_discount")
    backfill = MIGRATION.read_text()
    db.execute(backfill[backfill.index("INSERT INTO bill_discount"):].rstrip().rstrip(";"))
    assert applied(db) == written


def test_the_what_if_keeps_the_percentage_a_bill_applied(db):
    # a discount's percentage changed by hand (no procedure changes one) changes no old bill
    db.set_clock("2026-03-15")
    make_tariff(db, code="RES")
    a = make_metered_account(db, tariff_code="RES", opened_on="2026-01-01")
    make_discount(db, code="SEN", name="Senior", pct="10")
    give_discount(db, a.account_id, "SEN", valid_from="2026-01-01")
    db.call("record_reading", a.serial, "2026-01-31", 200, "field", ACTOR)
    db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, ACTOR)
    blocks = '[{"up_to_kwh": 100, "rate": 0.12}, {"up_to_kwh": null, "rate": 0.2}]'
    before = db.call("simulate_tariff", "RES", "5.00", "10", blocks, "2026-01-01", "2026-01-31", ACTOR)
    db.execute("UPDATE discount SET pct = 50 WHERE code = 'SEN'")
    after = db.call("simulate_tariff", "RES", "5.00", "10", blocks, "2026-01-01", "2026-01-31", ACTOR)
    # 200 kWh: 32.00 energy, less 10% = 28.80, + 5.00 = 33.80, + 10% = 37.18
    assert before["revenue_proposed"] == after["revenue_proposed"] == Decimal("37.18")
