"""v_staff_tariff_version (the tariffs page): billed_through is the latest period end of a bill on
any of the tariff's versions that is not cancelled; removable says whether remove_tariff would
remove the tariff (no version, no account open or closed, no simulation, no dunning days)."""
from helpers.bills import make_bill
from helpers.factories import ACTOR, make_account, make_metered_account, make_tariff


def tariff_row(db, code):
    return db.row("SELECT MAX(billed_through) AS billed_through, MAX(removable) AS removable, "
                  "COUNT(*) AS n FROM v_staff_tariff_version WHERE tariff_code = %s", code)


def test_billed_through_skips_cancelled_bills_and_counts_every_version(db):
    make_tariff(db, code="RES", versions=[
        dict(effective_from="2026-01-01", fixed_charge="5.00", tax_rate_pct="10",
             late_fee_pct="1.5", early_pay_pct="0", early_pay_days=0, blocks=[(None, "0.10")]),
        dict(effective_from="2026-03-01", fixed_charge="6.00", tax_rate_pct="10",
             late_fee_pct="1.5", early_pay_pct="0", early_pay_days=0, blocks=[(None, "0.12")])])
    make_tariff(db, code="NEW")
    assert tariff_row(db, "RES")["billed_through"] is None          # never billed
    acc = make_metered_account(db, tariff_code="RES", opened_on="2026-01-01")
    make_bill(db, acc.account_id, "50.00", "2026-02-14", period_end="2026-01-31")
    later = make_bill(db, acc.account_id, "60.00", "2026-03-14", period_end="2026-02-28")
    row = tariff_row(db, "RES")
    assert (str(row["billed_through"]), row["n"]) == ("2026-02-28", 2)   # on both version rows
    with db.at("2026-03-15"):
        db.call("cancel_bill", later, "meter misread", ACTOR)
    assert str(tariff_row(db, "RES")["billed_through"]) == "2026-01-31"
    assert tariff_row(db, "NEW")["billed_through"] is None           # another tariff's bills


def test_removable_only_when_nothing_refers_to_the_tariff(db):
    make_tariff(db, code="TYPO", versions=[])
    make_tariff(db, code="RES")
    make_tariff(db, code="OLD", versions=[])
    acc = make_account(db, tariff_code="OLD", opened_on="2026-01-01")
    db.call("close_account", acc, "2026-01-31", ACTOR)
    assert tariff_row(db, "TYPO")["removable"] == 1
    assert tariff_row(db, "RES")["removable"] == 0                   # a version
    assert tariff_row(db, "OLD")["removable"] == 0                   # a closed account
    db.call("remove_tariff", "TYPO", ACTOR)                          # the procedure agrees
