"""preview_billing / discard_preview / v_preview_* (billing-rules.md, "Simulations"): a preview
is exactly what the run then bills (bill by bill, line by line, exceptions, comparisons), writes
nothing but its own rows, holds no lock, and flags HIGH / LOW / ZERO by the rule. The comparison
stored with every bill ("why this bill differs") is checked against the independent model."""
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from helpers.billing_model import Version, model_bill
from helpers.db import DbError
from helpers.factories import give_discount, make_discount, make_metered_account, make_tariff

PREVIEW_TABLES = {"billing_preview", "preview_bill", "preview_line", "preview_exception"}
BILL_COLUMNS = ("period_start", "period_end", "consumption_kwh", "total_amount", "estimated", "final",
                "energy_charge", "fixed_charge", "discount_amount", "tax_amount", "rebate_amount",
                "rebate_date", "due_date", "days_billed")
JAN = (date(2026, 1, 1), date(2026, 1, 31))
FEB = (date(2026, 2, 1), date(2026, 2, 28))


def checksums(db):
    """Row count and a checksum of every row's values, of every table but the preview's own.
    (Not CHECKSUM TABLE: on MariaDB 10.11 it changes between two calls on an unchanged table
    with generated columns.)"""
    columns = {}
    for r in db.rows("SELECT table_name AS t, column_name AS c FROM information_schema.columns "
                     "WHERE table_schema = DATABASE() AND table_name IN (SELECT table_name FROM "
                     "information_schema.tables WHERE table_schema = DATABASE() AND table_type = "
                     "'BASE TABLE') ORDER BY table_name, ordinal_position"):
        if not r["t"].startswith("_yoyo") and r["t"] not in PREVIEW_TABLES:
            columns.setdefault(r["t"], []).append(f"COALESCE(HEX(`{r['c']}`), '-')")
    return {t: db.row(f"SELECT COUNT(*) AS n, SUM(CRC32(CONCAT_WS('|', {', '.join(cols)}))) AS crc "
                      f"FROM `{t}`") for t, cols in columns.items()}


def preview(db, period, issue, due_days=14):
    return db.call("preview_billing", str(period[0]), str(period[1]), str(issue), due_days, "staff:t")


def run(db, period, issue, due_days=14):
    return db.call("run_billing", str(period[0]), str(period[1]), str(issue), due_days, "batch:t")


def previewed(db, preview_id):
    """{account_id: (bill columns, lines, comparison)} and {account_id: (code, detail)}."""
    bills = {}
    for b in db.rows("SELECT * FROM v_preview_bills WHERE preview_id = %s", preview_id):
        lines = [tuple(r.values()) for r in db.rows(
            "SELECT line_no, kind, description, quantity_kwh, rate, amount FROM v_preview_lines "
            "WHERE preview_id = %s AND account_id = %s ORDER BY line_no", preview_id, b["account_id"])]
        raw = db.row("SELECT * FROM preview_bill WHERE preview_id = %s AND account_id = %s",
                     preview_id, b["account_id"])
        bills[b["account_id"]] = (tuple(raw[c] for c in BILL_COLUMNS), lines,
                                  (raw["prev_bill_id"], raw["usage_effect"], raw["other_effect"],
                                   raw["last_year_bill_id"], raw["replaces_bill_id"]))
    exceptions = {r["account_id"]: (r["code"], r["detail"]) for r in db.rows(
        "SELECT account_id, code, detail FROM v_preview_exceptions WHERE preview_id = %s", preview_id)}
    return bills, exceptions


def billed(db, run_id):
    bills = {}
    for b in db.rows("SELECT s.*, b.days_billed, b.replaces_bill_id AS replaces FROM v_bill_summary s "
                     "JOIN bill b ON b.bill_id = s.bill_id "
                     "WHERE b.run_id = %s", run_id):
        lines = [tuple(r.values()) for r in db.rows(
            "SELECT line_no, kind, description, quantity_kwh, rate, amount FROM v_bill_lines "
            "WHERE bill_id = %s ORDER BY line_no", b["bill_id"])]
        c = db.row("SELECT * FROM v_bill_comparison WHERE bill_id = %s", b["bill_id"])
        bills[b["account_id"]] = (tuple(b[col] for col in BILL_COLUMNS), lines,
                                  (c["prev_bill_id"], c["usage_effect"], c["other_effect"],
                                   c["last_year_bill_id"], b["replaces"]))
    exceptions = {r["account_id"]: (r["code"], r["detail"]) for r in db.rows(
        "SELECT account_id, code, detail FROM v_billing_exceptions WHERE run_id = %s", run_id)}
    return bills, exceptions


# --- preview equals run, and X against the model -------------------------------------------

MONEY = st.decimals(min_value=0, max_value=20, places=2)
RATE = st.decimals(min_value=0, max_value=Decimal("0.5"), places=6)


@st.composite
def blocks(draw):
    n = draw(st.integers(1, 3))
    bounds = sorted(draw(st.sets(st.integers(1, 400), min_size=n - 1, max_size=n - 1)))
    return [(b, r) for b, r in zip(bounds + [None], draw(st.lists(RATE, min_size=n, max_size=n)))]


@st.composite
def data_set(draw):
    """Versions (one may start inside February), and accounts each with a January history and a
    February fate: an actual reading, none (estimate), a reading after the period
    (interpolated), a high reading (review), opened late (UNBILLED_GAP), a first bill."""
    versions = [Version(effective_from=date(2025, 12, 1), fixed=draw(MONEY), tax_pct=draw(MONEY),
                        early_pct=draw(st.decimals(min_value=0, max_value=5, places=2)),
                        early_days=draw(st.integers(0, 20)), blocks=draw(blocks()))]
    if draw(st.booleans()):
        versions.append(Version(effective_from=date(2026, 2, 1) + timedelta(days=draw(st.integers(1, 27))),
                                fixed=draw(MONEY), tax_pct=draw(MONEY), early_pct="0", early_days=0,
                                blocks=draw(blocks())))
    fates = st.sampled_from(["actual", "estimate", "interpolate", "review", "gap", "first", "zero"])
    accounts = draw(st.lists(st.tuples(fates, st.integers(0, 600), st.integers(0, 600),
                                       st.lists(st.decimals(min_value=0, max_value=60, places=2),
                                                max_size=2)),
                             min_size=2, max_size=6))
    # a payment on 15 February (None: none): January's open bill first, the rest is credit that
    # the February bill takes at issue, its rebate granted when the credit covers its need
    paid = draw(st.lists(st.one_of(st.none(), st.decimals(min_value="0.01", max_value=1000, places=2)),
                         min_size=len(accounts), max_size=len(accounts)))
    return versions, accounts, paid


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=data_set())
def test_a_preview_is_exactly_the_run_and_changes_nothing_else(db, _tables, s):
    from helpers.db import truncate_all
    truncate_all(db, _tables)
    versions, accounts, paid = s
    db.set_clock("2026-01-01")
    make_tariff(db, code="PRE", versions=[dict(
        effective_from=str(v.effective_from), fixed_charge=str(v.fixed), tax_rate_pct=str(v.tax_pct),
        late_fee_pct="0", early_pay_pct=str(v.early_pct), early_pay_days=v.early_days,
        blocks=v.blocks) for v in versions])
    made, opened_order = [], []             # the accounts as opened, and their index in s

    def open_one(i, fate, jan_use, feb_use, discounts):
        opened = {"gap": "2026-01-10", "first": "2026-02-01"}.get(fate, "2026-01-01")
        with db.at(opened):
            acc = make_metered_account(db, tariff_code="PRE", opened_on=opened, initial_read=1000,
                                       dial_digits=6)
            for j, pct in enumerate(discounts):
                make_discount(db, code=f"P{i}D{j}", pct=str(pct))
                give_discount(db, acc.account_id, f"P{i}D{j}", valid_from=opened)
        made.append((acc, fate, Decimal(jan_use), Decimal(feb_use), discounts))
        opened_order.append(i)
        if fate not in ("gap", "first"):
            with db.at("2026-01-31"):
                db.call("record_reading", acc.serial, "2026-01-31", 1000 + jan_use, "field", "staff:t")

    for i, a in enumerate(accounts):
        if a[0] != "gap":
            open_one(i, *a)
    # January: every account but the late ones gets a first bill (their previous bill in
    # February); a "gap" account is entered after the January run, opened on 10 January
    run(db, JAN, date(2026, 2, 1))
    for i, a in enumerate(accounts):
        if a[0] == "gap":
            open_one(i, *a)
    for (acc, *_), i in zip(made, opened_order):
        if paid[i] is not None:
            with db.at("2026-02-15"):
                db.call("post_payment", acc.account_id, paid[i], "card", None,
                        f"pre-{acc.account_id}", "staff:t")
            event("a payment in February")
    for acc, fate, jan_use, feb_use, _ in made:
        start = 1000 + jan_use if fate not in ("gap", "first") else Decimal(1000)
        with db.at("2026-03-05"):
            if fate in ("actual", "first"):
                db.call("record_reading", acc.serial, "2026-02-28", start + feb_use, "field", "staff:t")
            elif fate == "zero":
                db.call("record_reading", acc.serial, "2026-02-28", start, "field", "staff:t")
            elif fate == "interpolate":
                db.call("record_reading", acc.serial, "2026-03-04", start + feb_use, "field", "staff:t")
            elif fate == "review":   # far above 3x January's daily use
                db.call("record_reading", acc.serial, "2026-02-28", start + 10 * jan_use + 500,
                        "field", "staff:t")

    db.set_clock("2026-03-05")
    before = checksums(db)
    p = preview(db, FEB, date(2026, 3, 5))
    assert checksums(db) == before          # nothing but the preview's own rows was written
    summary = db.row("SELECT * FROM v_billing_preview WHERE preview_id = %s", p["preview_id"])
    assert summary["status"] == "completed"

    r = run(db, FEB, date(2026, 3, 5))
    want_bills, want_exceptions = billed(db, r["run_id"])
    got_bills, got_exceptions = previewed(db, p["preview_id"])
    assert got_bills == want_bills
    assert got_exceptions == want_exceptions
    for code, _ in want_exceptions.values():
        event(f"exception {code}")
    event(f"estimated bills: {sum(b[0][4] for b in want_bills.values()) > 0}")
    event(f"a rebate granted at issue: {any(l[1] == 'rebate' for b in want_bills.values() for l in b[1])}")
    assert (p["accounts_considered"], p["bills"], p["exceptions"], p["total_billed"]) == \
        (r["accounts_considered"], r["bills_created"], r["accounts_skipped"], r["total_billed"])
    assert summary["estimated_bills"] == sum(b[0][4] for b in want_bills.values())
    assert p["flagged"] == db.value("SELECT COUNT(*) FROM v_preview_bills WHERE preview_id = %s "
                                    "AND flag IS NOT NULL", p["preview_id"])

    # why each February bill differs: X priced by the independent model with C' = C0 * D1 / D0
    for acc, fate, jan_use, feb_use, discounts in made:
        if acc.account_id not in want_bills:
            continue
        c = db.row("SELECT c.*, b.consumption_kwh AS c1, b.days_billed AS d1, b.period_start AS bs "
                   "FROM v_bill_comparison c JOIN bill b ON b.bill_id = c.bill_id "
                   "WHERE b.run_id = %s AND b.account_id = %s", r["run_id"], acc.account_id)
        if c["prev_bill_id"] is None:
            assert c["usage_effect"] is None and fate in ("first",)
            continue
        c_alt = (c["prev_consumption_kwh"] * c["d1"] / c["prev_days"]).quantize(
            Decimal("0.0001"), rounding="ROUND_HALF_UP")
        x = model_bill(FEB[0], FEB[1], date(2026, 3, 5), 14, c["bs"], c_alt, versions, discounts)["total"]
        assert c["usage_effect"] == c["issued_total"] - x
        assert c["other_effect"] == x - c["prev_total"]
        assert c["usage_effect"] + c["other_effect"] == c["total_change"]


def test_credit_at_issue_grants_the_rebate_in_the_preview_as_in_the_run(db):
    """An account's credit is put on the new bill at issue (billing-rules.md, "Bill totals"):
    when it covers total - R the rebate is granted, a line -R and the total less R; the preview
    shows the bill so. Three first bills of 60.50 (E 45.00 = 100 x 0.10 + 100 x 0.15 + 100 x 0.20,
    F 10.00, T 5.50; R = 2 % of E = 0.90, need 59.60) with credit of 59.60, 59.59 and 100.00."""
    db.set_clock("2026-02-01")
    make_tariff(db, code="CRD", versions=[dict(
        effective_from="2025-12-01", fixed_charge="10.00", tax_rate_pct="10", late_fee_pct="0",
        early_pay_pct="2", early_pay_days=10, blocks=[(100, "0.10"), (200, "0.15"), (None, "0.20")])])
    accounts = {}
    for credit in ("59.60", "59.59", "100.00"):
        a = make_metered_account(db, tariff_code="CRD", opened_on="2026-02-01", initial_read=0)
        with db.at("2026-02-10"):
            db.call("post_payment", a.account_id, credit, "cash", None, f"crd-{credit}", "staff:t")
        with db.at("2026-02-28"):
            db.call("record_reading", a.serial, "2026-02-28", 300, "field", "staff:t")
        accounts[credit] = a.account_id
    db.set_clock("2026-03-01")
    p = preview(db, FEB, date(2026, 3, 1))
    r = run(db, FEB, date(2026, 3, 1))
    got, want = previewed(db, p["preview_id"])[0], billed(db, r["run_id"])[0]
    assert got == want
    assert (p["total_billed"], r["total_billed"]) == (Decimal("181.50"), Decimal("181.50"))  # as issued
    for credit, granted in (("59.60", True), ("59.59", False), ("100.00", True)):
        bill, lines, _ = got[accounts[credit]]
        assert bill[BILL_COLUMNS.index("total_amount")] == Decimal("59.60" if granted else "60.50")
        assert [(k, a) for _, k, _, _, _, a in lines] == [
            ("energy", Decimal("10.00")), ("energy", Decimal("15.00")), ("energy", Decimal("20.00")),
            ("fixed", Decimal("10.00")), ("tax", Decimal("5.50"))] + (
            [("rebate", Decimal("-0.90"))] if granted else [])
    status = {row["account_id"]: (row["status"], row["amount_open"]) for row in db.rows(
        "SELECT s.account_id, s.status, s.amount_open FROM v_bill_summary s "
        "JOIN bill b ON b.bill_id = s.bill_id WHERE b.run_id = %s", r["run_id"])}
    assert status[accounts["59.60"]] == ("paid", Decimal("0.00"))
    assert status[accounts["59.59"]] == ("partial", Decimal("0.91"))
    assert status[accounts["100.00"]] == ("paid", Decimal("0.00"))


# --- flags -------------------------------------------------------------------------------------

def test_flags_high_low_zero_and_none(db):
    db.set_clock("2026-01-01")
    make_tariff(db, code="FLAG", versions=[dict(effective_from="2025-12-01", fixed_charge="0.00",
                                                tax_rate_pct="0", blocks=[(None, "0.10")])])
    uses = {"HIGH": Decimal("226"), "LOW": Decimal("20"), "ZERO": Decimal("0"), None: Decimal("95")}
    accs = {}
    for flag in uses:
        accs[flag] = make_metered_account(db, tariff_code="FLAG", opened_on="2026-01-01")
        with db.at("2026-01-31"):
            db.call("record_reading", accs[flag].serial, "2026-01-31", 100, "field", "staff:t")
    with db.at("2026-02-01"):                 # a meter is installed on a day that has come
        first = make_metered_account(db, tariff_code="FLAG", opened_on="2026-02-01")
    run(db, JAN, date(2026, 2, 1))
    with db.at("2026-02-28"):
        for flag, use in uses.items():
            assert db.call("record_reading", accs[flag].serial, "2026-02-28", 100 + use, "field",
                           "staff:t")["status"] == "accepted"
        db.call("record_reading", first.serial, "2026-02-28", 500, "field", "staff:t")
    db.set_clock("2026-03-01")
    p = preview(db, FEB, date(2026, 3, 1))
    got = {r["account_id"]: r for r in db.rows("SELECT * FROM v_preview_bills WHERE preview_id = %s",
                                               p["preview_id"])}
    for flag, acc in accs.items():
        assert got[acc.account_id]["flag"] == flag
        assert got[acc.account_id]["prev_total"] == Decimal("10.00")
        assert got[acc.account_id]["prev_consumption_kwh"] == Decimal("100.0000")
    assert got[first.account_id]["flag"] is None and got[first.account_id]["prev_total"] is None
    assert p["flagged"] == 3
    s = db.row("SELECT * FROM v_billing_preview WHERE preview_id = %s", p["preview_id"])
    assert (s["high"], s["low"], s["zero"], s["bills"], s["exceptions"]) == (1, 1, 1, 5, 0)


def test_an_estimated_zero_is_not_flagged_zero(db):
    db.set_clock("2026-01-01")
    make_tariff(db, code="EST", versions=[dict(effective_from="2025-12-01", blocks=[(None, "0.10")])])
    acc = make_metered_account(db, tariff_code="EST", opened_on="2026-01-01")
    with db.at("2026-01-31"):      # no use in January: the February estimate is 0 too
        db.call("record_reading", acc.serial, "2026-01-31", 0, "field", "staff:t")
    run(db, JAN, date(2026, 2, 1))
    db.set_clock("2026-03-01")
    p = preview(db, FEB, date(2026, 3, 1))
    b = db.row("SELECT * FROM v_preview_bills WHERE preview_id = %s", p["preview_id"])
    assert (b["estimated"], b["consumption_kwh"], b["flag"]) == (1, Decimal("0.0000"), None)


# --- locks, errors, discard --------------------------------------------------------------------

def test_a_preview_holds_no_lock_while_it_runs_nor_after(db, connect):
    db.set_clock("2026-01-01")
    make_tariff(db, code="LCK", versions=[dict(effective_from="2025-12-01", blocks=[(None, "0.10")])])
    accs = [make_metered_account(db, tariff_code="LCK", opened_on="2026-01-01") for _ in range(60)]
    db.set_clock("2026-02-02")
    # No wait at all, on either side: MariaDB refuses a lock at once (1205) when the session's
    # timeout is 0. (MySQL's least is 1 s, to which it rounds 0 up.) The server's count of lock
    # waits would tell the same, but it counts the other half of `make test` too.
    no_wait = "SET SESSION innodb_lock_wait_timeout = 0"
    other = connect()
    other.execute(no_wait)
    failure = []

    def work():
        w = connect()
        try:
            w.execute(no_wait)
            w.execute("SET @billing_chunk_size = 1")      # 60 chunks: the preview takes a while
            w.call("preview_billing", "2026-01-01", "2026-01-31", "2026-02-02", 14, "staff:t")
        except Exception as e:      # noqa: BLE001 - reported below
            failure.append(e)
        finally:
            w.close()

    t = threading.Thread(target=work)
    t.start()
    probes = 0
    while t.is_alive() or probes == 0:
        # every account, meter and tariff row can be locked at once, without waiting, at any time
        other.execute("START TRANSACTION")
        other.rows("SELECT account_id FROM account FOR UPDATE NOWAIT")
        other.rows("SELECT meter_id FROM meter FOR UPDATE NOWAIT")
        other.rows("SELECT tariff_id FROM tariff FOR UPDATE NOWAIT")
        other.execute("COMMIT")
        other.call("post_payment", accs[probes % len(accs)].account_id, "1.00", "cash",
                   None, f"lock-probe-{probes}", "staff:t")
        probes += 1
    t.join()
    assert not failure
    assert probes > 1
    # and after it returned
    other.execute("START TRANSACTION")
    other.rows("SELECT account_id FROM account FOR UPDATE NOWAIT")
    other.rows("SELECT preview_id FROM billing_preview FOR UPDATE NOWAIT")
    other.execute("COMMIT")
    assert db.value("SELECT COUNT(*) FROM preview_bill") == 60
    other.close()


@pytest.mark.parametrize("args", [
    ("2026-01-01", "2026-01-31", "2026-01-30", 14),     # issued before the period ends
    ("2026-01-01", "2026-02-28", "2026-03-01", 14),     # not over yet (today is 2026-02-02)
    ("2026-01-01", "2026-01-31", "2026-02-01", 14),     # issued before today
    ("2026-01-01", "2026-01-31", "2026-02-02", 0),      # due days
])
def test_a_preview_refuses_what_the_run_refuses(db, args):
    db.set_clock("2026-02-02")
    with db.at("2026-02-02"):
        with pytest.raises(DbError) as e:
            db.call("preview_billing", *args, "staff:t")
    assert e.value.errno == 45040
    assert db.value("SELECT COUNT(*) FROM billing_preview") == 0


def test_discard_deletes_a_preview_and_old_ones_go_by_themselves(db):
    db.set_clock("2026-01-01")
    make_tariff(db, code="DIS", versions=[dict(effective_from="2025-12-01", blocks=[(None, "0.10")])])
    make_metered_account(db, tariff_code="DIS", opened_on="2026-01-01")
    old = preview(db, JAN, date(2026, 2, 1))["preview_id"]
    kept = preview(db, JAN, date(2026, 2, 6))["preview_id"]
    gone = preview(db, JAN, date(2026, 2, 6))["preview_id"]
    assert db.call("discard_preview", gone, "staff:t") == {"preview_id": gone}
    assert db.value("SELECT COUNT(*) FROM preview_bill WHERE preview_id = %s", gone) == 0
    assert db.value("SELECT COUNT(*) FROM preview_line WHERE preview_id = %s", gone) == 0
    with pytest.raises(DbError) as e:
        db.call("discard_preview", gone, "staff:t")
    assert e.value.errno == 45001
    with pytest.raises(DbError) as e:
        db.call("discard_preview", "x", "staff:t")
    assert e.value.errno == 45002
    # 8 days after the first one, the next preview discards it (older than 7 days)
    preview(db, JAN, date(2026, 2, 9))
    ids = [r["preview_id"] for r in db.rows("SELECT preview_id FROM v_billing_preview")]
    assert old not in ids and kept in ids


# --- the same period last year -----------------------------------------------------------------

def test_the_same_period_last_year_and_the_effects_of_a_rise_in_price(db):
    db.set_clock("2025-01-01")
    make_tariff(db, code="YR", versions=[
        dict(effective_from="2024-12-01", fixed_charge="4.00", tax_rate_pct="10", blocks=[(None, "0.10")]),
        dict(effective_from="2026-02-01", fixed_charge="4.00", tax_rate_pct="10", blocks=[(None, "0.20")])])
    acc = make_metered_account(db, tariff_code="YR", opened_on="2025-01-01", dial_digits=6)
    value, bills = 0, []
    month = date(2025, 1, 1)
    while month <= date(2026, 2, 1):
        end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        value += 31 if month.month != 2 else 56          # February: twice the daily use
        with db.at(end):
            db.call("record_reading", acc.serial, str(end), value, "field", "staff:t")
        bills.append(db.call("bill_account", acc.account_id, str(month), str(end),
                             str(end + timedelta(days=1)), 14, "staff:t")["bill_id"])
        month = end + timedelta(days=1)
    c = db.row("SELECT * FROM v_bill_comparison WHERE bill_id = %s", bills[-1])
    assert c["prev_bill_id"] == bills[-2]
    assert c["last_year_bill_id"] == bills[1]           # February 2025
    assert (c["last_year_consumption_kwh"], c["last_year_days"]) == (Decimal("56.0000"), 28)
    # Jan 2026: 31 kWh in 31 days (3.10 + 4.00, tax 0.71: 7.81); Feb 2026 at 0.20: 56 kWh
    # (11.20 + 4.00, tax 1.52: 16.72); X = 28 kWh at 0.20 (5.60 + 4.00, tax 0.96: 10.56)
    assert (c["prev_total"], c["issued_total"]) == (Decimal("7.81"), Decimal("16.72"))
    assert (c["usage_effect"], c["other_effect"]) == (Decimal("6.16"), Decimal("2.75"))
    assert (c["kwh_per_day"], c["prev_kwh_per_day"]) == (Decimal("2.0"), Decimal("1.0"))
    first = db.row("SELECT * FROM v_bill_comparison WHERE bill_id = %s", bills[0])
    assert first["prev_bill_id"] is None and first["usage_effect"] is None
    assert first["comparison_available"] == 1


# --- one account (the re-bill preview) -----------------------------------------------------------

def test_preview_bill_account_is_what_bill_account_bills(db):
    db.set_clock("2026-01-01")
    make_tariff(db, code="ONE", versions=[dict(effective_from="2025-12-01", fixed_charge="3.00",
                                               tax_rate_pct="5", blocks=[(50, "0.10"), (None, "0.20")])])
    acc = make_metered_account(db, tariff_code="ONE", opened_on="2026-01-01")
    with db.at("2026-01-31"):
        db.call("record_reading", acc.serial, "2026-01-31", 80, "field", "staff:t")
    before = checksums(db)
    p = db.call("preview_bill_account", acc.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14, "staff:t")
    assert checksums(db) == before
    assert (p["accounts_considered"], p["bills"], p["exceptions"]) == (1, 1, 0)
    want = db.call("bill_account", acc.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14, "staff:t")
    assert set(want) == {"bill_id", "run_id"}          # the contract's result columns
    got_bills, _ = previewed(db, p["preview_id"])
    bills, _ = billed(db, want["run_id"])
    assert got_bills == bills
    # now billed: the preview says why it would not bill it again, as bill_account does
    p = db.call("preview_bill_account", acc.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14, "staff:t")
    assert (p["bills"], p["exceptions"]) == (0, 1)
    assert db.value("SELECT code FROM v_preview_exceptions WHERE preview_id = %s",
                    p["preview_id"]) == "ALREADY_BILLED"
    with pytest.raises(DbError) as e:
        db.call("preview_bill_account", 999999, "2026-01-01", "2026-01-31", "2026-02-01", 14, "staff:t")
    assert e.value.errno == 45001
