"""simulate_tariff (the tariff what-if) against the independent model (billing_model.model_bill):
bills made by the real engine (run_billing over several months, versions changing inside
periods, accounts opened mid-period, discounts, a cancelled bill, another tariff), then every
bill's total_proposed compared to the model's bill under the one proposed version over the
bill's own period, and the summary (revenue, accounts up / down / same) and the typical
consumption levels; its errors; that it writes nothing but its own tables."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.billing_model import Version, model_bill
from helpers.factories import (ACTOR, blocks_json, give_discount, make_discount, make_metered_account,
                       make_tariff)
from helpers.db import DbError

MONEY = st.decimals(min_value=0, max_value=60, places=2)
PCT = st.decimals(min_value=0, max_value=30, places=2)
RATE = st.decimals(min_value=0, max_value=Decimal("0.9"), places=6)
MONTHS = [(date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 28)),
          (date(2026, 3, 1), date(2026, 3, 31))]
SIM_TABLES = {"tariff_simulation", "tariff_simulation_block", "tariff_simulation_bill",
              "tariff_simulation_account", "tariff_simulation_typical"}


@st.composite
def blocks(draw):
    n = draw(st.integers(1, 4))
    bounds = sorted(draw(st.sets(st.decimals(min_value=1, max_value=900, places=2), min_size=n - 1,
                                 max_size=n - 1)))
    rates = draw(st.lists(RATE, min_size=n, max_size=n))
    return [(b, r) for b, r in zip(bounds + [None], rates)]


def version(draw, effective_from):
    return Version(effective_from=effective_from, fixed=draw(MONEY), tax_pct=draw(PCT),
                   early_pct=draw(st.decimals(min_value=0, max_value=5, places=2)),
                   early_days=draw(st.integers(0, 20)), blocks=draw(blocks()))


@st.composite
def scenario(draw):
    versions = [version(draw, date(2025, 12, 1))]
    if draw(st.booleans()):   # a version change inside a billed month
        versions.append(version(draw, date(2026, 1, 1) + timedelta(days=draw(st.integers(1, 80)))))
    accounts = []
    for _ in range(draw(st.integers(1, 4))):
        accounts.append(dict(
            opened=date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 20))),
            advances=[draw(st.decimals(min_value=0, max_value=1500, places=2)) for _ in MONTHS],
            discounts=draw(st.lists(st.tuples(st.decimals(min_value=0, max_value=60, places=2),
                                              st.sampled_from([None, date(2026, 2, 15)])),
                                    max_size=2))))
    proposal = version(draw, date(1900, 1, 1))
    lo = draw(st.integers(0, 2))
    hi = draw(st.integers(lo, 2))
    return dict(versions=versions, accounts=accounts, proposal=proposal,
                range=(MONTHS[lo][1] - timedelta(days=draw(st.integers(0, 3))), MONTHS[hi][1]),
                cancel=draw(st.booleans()), chunk=draw(st.sampled_from([1, 2, 3, 10000])))


def as_args(v):
    return dict(effective_from=str(v.effective_from), fixed_charge=str(v.fixed),
                tax_rate_pct=str(v.tax_pct), late_fee_pct="0", early_pay_pct=str(v.early_pct),
                early_pay_days=v.early_days, blocks=v.blocks)


def simulate(db, code, v, p_from, p_to, actor=ACTOR):
    return db.call("simulate_tariff", code, str(v.fixed), str(v.tax_pct), blocks_json(v.blocks),
                   str(p_from), str(p_to), actor)


def contents(db):
    tables = [r["t"] for r in db.rows(
        "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() "
        "AND table_type = 'BASE TABLE'")]
    # every row, in full (CHECKSUM TABLE of bill, with its stored generated column, is not
    # stable on MariaDB 10.11 while the rows are)
    return {t: sorted(repr(sorted(r.items())) for r in db.rows(f"SELECT * FROM `{t}`"))
            for t in tables if t not in SIM_TABLES}


def model_simulated_total(bill, proposal, discounts):
    """A bill priced as if the proposal had been in force on all its days: its own C, D, P and
    the discounts valid on its be, one segment (billing-rules.md, Simulations)."""
    be, P = bill["period_end"], bill["period_days"]
    want = model_bill(be - timedelta(days=P - 1), be, be + timedelta(days=1), 1,
                      bill["period_start"], bill["consumption_kwh"], [proposal], discounts)
    assert want["days_billed"] == bill["days_billed"]
    return want["total"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=scenario())
def test_simulation_matches_the_model(db, _tables, s):
    from helpers.db import truncate_all
    truncate_all(db, _tables)
    db.set_clock("2026-06-01")
    t = make_tariff(db, code="SIM", versions=[as_args(v) for v in s["versions"]])
    other = make_tariff(db, code="OTHER", versions=[as_args(s["versions"][0])])
    accs = []
    for i, a in enumerate(s["accounts"]):
        acc = make_metered_account(db, tariff_code=t, opened_on=str(a["opened"]), dial_digits=6,
                                   initial_read=1000)
        for j, (pct, valid_to) in enumerate(a["discounts"]):
            make_discount(db, code=f"D{i}{j}", pct=str(pct))
            give_discount(db, acc.account_id, f"D{i}{j}", valid_from=str(a["opened"]),
                          valid_to=None if valid_to is None else str(valid_to))
        accs.append((acc, a))
    noise = make_metered_account(db, tariff_code=other, opened_on="2026-01-01", initial_read=0)
    for m, (start, end) in enumerate(MONTHS):
        for acc, a in accs:
            db.call("record_reading", acc.serial, str(end),
                    Decimal(1000) + sum(a["advances"][:m + 1]), "field", ACTOR)
        db.call("record_reading", noise.serial, str(end), 100 * (m + 1), "field", ACTOR)
        db.call("run_billing", str(start), str(end), str(end + timedelta(days=1)), 14, ACTOR)
    if s["cancel"]:
        latest = db.value("SELECT MAX(bill_id) FROM bill WHERE account_id = %s", accs[0][0].account_id)
        if latest is not None:
            db.call("cancel_bill", latest, "what-if test", ACTOR)
    before = contents(db)

    p_from, p_to = s["range"]
    db.execute("SET @simulation_chunk_size = %s", s["chunk"])
    r = simulate(db, "SIM", s["proposal"], p_from, p_to)
    db.execute("SET @simulation_chunk_size = NULL")
    sim = r["simulation_id"]

    bills = db.rows(
        "SELECT b.* FROM bill b JOIN tariff_version v ON v.tariff_version_id = b.tariff_version_id "
        "WHERE v.tariff_id = %s AND b.cancelled_at IS NULL AND b.period_end BETWEEN %s AND %s "
        "ORDER BY b.bill_id", t.tariff_id, p_from, p_to)
    got = {x["bill_id"]: x for x in db.rows(
        "SELECT * FROM v_tariff_simulation WHERE simulation_id = %s", sim)}
    assert sorted(got) == [b["bill_id"] for b in bills]
    per_account = {}
    for b in bills:
        a = next(a for acc, a in accs if acc.account_id == b["account_id"])
        discounts = [pct for pct, valid_to in a["discounts"]
                     if valid_to is None or valid_to >= b["period_end"]]
        want = model_simulated_total(b, s["proposal"], discounts)
        g = got[b["bill_id"]]
        assert g["total_proposed"] == want, b
        assert g["total_now"] == b["issued_total"]
        assert g["consumption_kwh"] == b["consumption_kwh"]
        now, new = per_account.get(b["account_id"], (Decimal(0), Decimal(0)))
        per_account[b["account_id"]] = (now + b["issued_total"], new + want)

    assert r["bills"] == len(bills)
    assert r["revenue_now"] == sum((b["issued_total"] for b in bills), Decimal("0.00"))
    assert r["revenue_proposed"] == sum((v[1] for v in per_account.values()), Decimal("0.00"))
    assert r["accounts_up"] == sum(1 for now, new in per_account.values() if new > now)
    assert r["accounts_down"] == sum(1 for now, new in per_account.values() if new < now)
    assert r["accounts_same"] == sum(1 for now, new in per_account.values() if new == now)
    rows = db.rows("SELECT * FROM v_tariff_simulation_account WHERE simulation_id = %s", sim)
    assert {x["account_id"]: (x["total_now"], x["total_proposed"]) for x in rows} == per_account
    hist = db.rows("SELECT * FROM v_tariff_simulation_histogram WHERE simulation_id = %s "
                   "ORDER BY bucket_no", sim)
    assert [h["bucket_no"] for h in hist] == list(range(1, 10))
    assert sum(h["accounts"] for h in hist) == len(per_account)
    for x in rows:
        assert x["bucket_no"] == expected_bucket(x["total_now"], x["total_proposed"])

    # the typical levels: 30 days ending p_to, no discounts, the version in force on p_to alone
    current = [v for v in s["versions"] if v.effective_from <= p_to][-1]
    typical = db.rows("SELECT * FROM v_tariff_simulation_typical WHERE simulation_id = %s "
                      "ORDER BY consumption_kwh", sim)
    assert [x["consumption_kwh"] for x in typical] == [100, 250, 500, 1000]
    for x in typical:
        start = p_to - timedelta(days=29)
        for col, v in (("total_now", current), ("total_proposed", s["proposal"])):
            one = Version(effective_from=date(1900, 1, 1), fixed=v.fixed, tax_pct=v.tax_pct,
                          blocks=v.blocks)
            assert x[col] == model_bill(start, p_to, p_to + timedelta(days=1), 1, start,
                                        x["consumption_kwh"], [one])["total"]

    assert contents(db) == before      # nothing but its own tables was written


def expected_bucket(now, new):
    if new == now:
        return 5
    if now <= 0:
        return 9 if new > now else 1
    pct = (new - now) * 100 / now
    for no, lo, hi in ((1, None, -20), (2, -20, -10), (3, -10, -5), (4, -5, 0), (6, 0, 5),
                       (7, 5, 10), (8, 10, 20), (9, 20, None)):
        if (lo is None or pct >= lo) and (hi is None or pct < hi):
            return no


@pytest.fixture
def tariff(db):
    return make_tariff(db, code="RES")


PROPOSAL = Version(effective_from=date(1900, 1, 1), fixed="5.00", tax_pct="10",
                   blocks=[(Decimal(100), Decimal("0.12")), (None, Decimal("0.2"))])


@pytest.mark.parametrize("args, errno, word", [
    (dict(code="NOPE"), 45001, "no tariff"),
    (dict(code=""), 45002, "tariff_code"),
    (dict(fixed="-1"), 45002, "fixed_charge"),
    (dict(fixed="1.234"), 45002, "fixed_charge"),
    (dict(tax="100.01"), 45002, "tax_rate_pct"),
    (dict(tax="abc"), 45002, "tax_rate_pct"),
    (dict(p_from=None), 45002, "from"),
    (dict(p_to="2026-13-01"), 45002, "to"),
    (dict(p_from="2026-03-01", p_to="2026-02-28"), 45002, "to"),
    (dict(p_from="2025-01-01", p_to="2026-02-05"), 45002, "to"),
    (dict(blocks="[]"), 45031, "blocks"),
    (dict(blocks='[{"up_to_kwh": 100, "rate": 0.1}]'), 45031, "block 1"),
    (dict(blocks='[{"up_to_kwh": 100, "rate": -0.1}, {"rate": 0.2}]'), 45031, "block 1"),
    (dict(blocks="not json"), 45031, "blocks"),
    (dict(actor=""), 45002, "actor"),
    (dict(code="NOPE", blocks="[]"), 45031, "blocks"),        # 45031 before 45001
    (dict(blocks="[]", tax="-1"), 45002, "tax_rate_pct"),      # 45002 before 45031
])
def test_errors(db, tariff, args, errno, word):
    a = dict(code="RES", fixed="5.00", tax="10", blocks=blocks_json(PROPOSAL.blocks),
             p_from="2026-01-01", p_to="2026-12-31", actor=ACTOR)
    a.update(args)
    with pytest.raises(DbError) as e:
        db.call("simulate_tariff", a["code"], a["fixed"], a["tax"], a["blocks"], a["p_from"],
                a["p_to"], a["actor"])
    assert e.value.errno == errno
    assert e.value.message.startswith(word) or word in e.value.message
    assert db.value("SELECT COUNT(*) FROM tariff_simulation") == 0


def test_a_range_of_400_days_and_no_bills(db, tariff):
    r = simulate(db, "RES", PROPOSAL, date(2025, 1, 1), date(2025, 1, 1) + timedelta(days=399))
    assert (r["bills"], r["revenue_now"], r["revenue_proposed"], r["accounts_up"],
            r["accounts_down"], r["accounts_same"]) == (0, 0, 0, 0, 0, 0)
    s = db.row("SELECT * FROM v_tariff_simulation_summary WHERE simulation_id = %s",
               r["simulation_id"])
    assert (s["status"], s["tariff_code"], s["revenue_change_pct"]) == ("completed", "RES", None)
    assert [(b["block_no"], b["up_to_kwh"], b["rate"]) for b in db.rows(
        "SELECT * FROM v_tariff_simulation_block WHERE simulation_id = %s ORDER BY block_no",
        r["simulation_id"])] == [(1, Decimal("100.0000"), Decimal("0.120000")),
                                 (2, None, Decimal("0.200000"))]
    assert sum(h["accounts"] for h in db.rows(
        "SELECT accounts FROM v_tariff_simulation_histogram WHERE simulation_id = %s",
        r["simulation_id"])) == 0


def test_no_version_in_force_on_to_gives_no_typical_now(db):
    make_tariff(db, code="LATE", versions=[dict(effective_from="2027-01-01")])
    r = simulate(db, "LATE", PROPOSAL, date(2026, 1, 1), date(2026, 12, 31))
    rows = db.rows("SELECT * FROM v_tariff_simulation_typical WHERE simulation_id = %s "
                   "ORDER BY consumption_kwh", r["simulation_id"])
    assert [x["total_now"] for x in rows] == [None] * 4
    # 100 kWh: 12.00 + 5.00 fixed, 10% tax
    assert rows[0]["total_proposed"] == Decimal("18.70")


def test_a_bill_keeps_the_discounts_it_had(db):
    # A discount assigned after a bill was issued, valid from before its period end (approved
    # late, backdated): the bill had no discount line for it, so priced again it has none
    # either ("the same ... discount percentages"); a later bill has it. A discount the bill had
    # stays, also once its assignment has ended before the simulation's day.
    db.set_clock("2026-03-15")
    make_tariff(db, code="RES")
    acc = make_metered_account(db, tariff_code="RES", opened_on="2026-01-01")
    give_discount(db, acc.account_id, valid_from="2026-01-01", valid_to="2026-01-31", pct="20")
    db.call("record_reading", acc.serial, "2026-01-31", 200, "field", ACTOR)
    db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, ACTOR)
    give_discount(db, acc.account_id, valid_from="2026-01-15", pct="10")     # after the January bill
    db.call("record_reading", acc.serial, "2026-02-28", 400, "field", ACTOR)
    db.call("run_billing", "2026-02-01", "2026-02-28", "2026-03-01", 14, ACTOR)
    jan, feb = db.rows("SELECT bill_id, period_start FROM bill WHERE account_id = %s ORDER BY period_end",
                       acc.account_id)
    assert [r["description"] for r in db.rows(
        "SELECT description FROM v_bill_lines WHERE bill_id = %s AND kind = 'discount'", jan["bill_id"])] == [
        "Discount: " + db.value("SELECT d.name FROM discount d JOIN account_discount ad"
                                " ON ad.discount_id = d.discount_id WHERE ad.valid_to IS NOT NULL") + " (20% of energy)"]
    r = simulate(db, "RES", PROPOSAL, date(2026, 1, 1), date(2026, 2, 28))
    got = {x["bill_id"]: x["total_proposed"] for x in db.rows(
        "SELECT bill_id, total_proposed FROM v_tariff_simulation WHERE simulation_id = %s", r["simulation_id"])}
    for b, pcts in ((jan, [Decimal(20)]), (feb, [Decimal(10)])):
        bill = db.row("SELECT * FROM bill WHERE bill_id = %s", b["bill_id"])
        assert got[b["bill_id"]] == model_simulated_total(bill, PROPOSAL, pcts)
    # 200 kWh: 100 x 0.12 + 100 x 0.2 = 32.00, less 20% = 25.60, + 5.00 = 30.60, + 10% = 33.66
    assert got[jan["bill_id"]] == Decimal("33.66")


def test_old_simulations_are_discarded(db, tariff):
    with db.at("2026-01-01"):
        old = simulate(db, "RES", PROPOSAL, date(2025, 1, 1), date(2025, 12, 31))["simulation_id"]
    with db.at("2026-01-09"):
        new = simulate(db, "RES", PROPOSAL, date(2025, 1, 1), date(2025, 12, 31))["simulation_id"]
    assert [r["simulation_id"] for r in db.rows("SELECT simulation_id FROM tariff_simulation")] == [new]
    assert db.value("SELECT COUNT(*) FROM tariff_simulation_block WHERE simulation_id = %s", old) == 0


def test_it_reads_without_locks_and_holds_none(db, connect):
    """Rows locked by others (a payment holds its account and bills; discounts, versions and
    blocks being changed) do not hold a simulation up: it reads them consistently, without
    locking reads (a 1 s lock wait would fail it with 1205). (Only the tariff row is
    share-locked, for an instant, by the foreign-key check of its tariff_simulation row, so
    an add_tariff_version of that tariff in progress is waited for.) And it holds no lock once
    it returns."""
    t = make_tariff(db, code="RES", versions=[dict(effective_from="2025-12-01", fixed_charge="5.00",
                                                   blocks=[(None, "0.10")])])
    accs = [make_metered_account(db, tariff_code=t, opened_on="2026-01-01") for _ in range(3)]
    give_discount(db, accs[0].account_id, valid_from="2026-01-01")
    for a in accs:
        db.call("record_reading", a.serial, "2026-01-31", 100, "field", ACTOR)
    db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, ACTOR)
    holder = connect()
    holder.execute("START TRANSACTION")
    holder.rows("SELECT * FROM account FOR UPDATE")
    holder.rows("SELECT * FROM bill FOR UPDATE")
    holder.rows("SELECT * FROM account_discount FOR UPDATE")
    holder.rows("SELECT * FROM tariff_version FOR UPDATE")
    holder.rows("SELECT * FROM tariff_block FOR UPDATE")
    db.execute("SET SESSION innodb_lock_wait_timeout = 1")
    db.execute("SET @simulation_chunk_size = 2")
    r = simulate(db, "RES", PROPOSAL, date(2026, 1, 1), date(2026, 12, 31))
    assert r["bills"] == 3
    holder.execute("ROLLBACK")
    # nothing of the simulation's is locked after it returned
    holder.execute("SET SESSION innodb_lock_wait_timeout = 1")
    holder.execute("START TRANSACTION")
    assert len(holder.rows("SELECT * FROM tariff_simulation_bill FOR UPDATE")) == 3
    assert len(holder.rows("SELECT * FROM tariff_simulation FOR UPDATE")) == 1
    holder.execute("ROLLBACK")
