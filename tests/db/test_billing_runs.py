"""run_billing and bill_account as a batch engine: idempotent re-runs, a run interrupted between
chunks, two runs racing, the exceptions (READ_NEEDS_REVIEW, NO_TARIFF, their precedence, the
bill_account reasons), month ends and a version change on the last day, progress.

The money rules themselves are tested to the cent in test_run_billing.py / test_billing_model.py;
here the question is "is every account billed exactly once, whatever happens".
"""
import threading
import time
from decimal import Decimal

import pytest

from helpers.db import DbError
from helpers.factories import make_account, make_metered_account, make_tariff
from helpers.races import wait_for_lock_waits

ACTOR = "staff:test"

# A plain tariff: one open block at 0.10 per kWh, no fixed charge, no tax.
PLAIN = dict(effective_from="2000-01-01", fixed_charge="0.00", tax_rate_pct="0",
             late_fee_pct="0", early_pay_pct="0", early_pay_days=0, blocks=[(None, "0.10")])


def set_clock(db, day="2027-01-01"):
    """Move the session's today, so that the readings of the tests are not in the future."""
    db.set_clock(f"{day} 00:00:00")


def run(db, start="2026-01-01", end="2026-01-31", issue="2026-02-01", due_days=14):
    return db.call("run_billing", start, end, issue, due_days, ACTOR)


def read(db, acc, day, value):
    return db.call("record_reading", acc.serial, day, value, "field", ACTOR)


def bills_of(db, account_id):
    return db.rows("SELECT * FROM bill WHERE account_id = %s ORDER BY period_end", account_id)


def integrity(db):
    return db.rows("SELECT * FROM v_ledger_integrity")


def exceptions(db, run_id=None):
    if run_id is None:
        return db.rows("SELECT * FROM v_billing_exceptions ORDER BY run_id, account_id")
    return db.rows("SELECT * FROM v_billing_exceptions WHERE run_id = %s ORDER BY account_id",
                   run_id)


def assert_billed_once(db, account_ids, period_end):
    got = {r["account_id"]: r["n"] for r in db.rows(
        "SELECT account_id, COUNT(*) AS n FROM bill WHERE period_end = %s GROUP BY account_id",
        period_end)}
    assert got == {a: 1 for a in account_ids}


def assert_bill_numbers_gapless(db, year, n):
    nos = [r["bill_no"] for r in db.rows(
        "SELECT bill_no FROM bill WHERE YEAR(issue_date) = %s ORDER BY bill_no", year)]
    assert nos == [f"{year}-{i:06d}" for i in range(1, n + 1)]
    assert db.value("SELECT last_number FROM number_counter WHERE counter_name = 'bill' "
                    "AND counter_year = %s", year) == n


def assert_ledger_matches(db):
    """Every bill has exactly one ledger debit, of its total, and the invariants hold."""
    bad = db.rows(
        "SELECT b.bill_id, b.total_amount, SUM(l.amount) AS ledger, COUNT(l.entry_id) AS n "
        "FROM bill b LEFT JOIN ledger_entry l ON l.bill_id = b.bill_id AND l.entry_type = 'bill' "
        "GROUP BY b.bill_id, b.total_amount "
        "HAVING n <> 1 OR ledger <> b.total_amount")
    assert bad == []
    assert db.value("SELECT COUNT(*) FROM ledger_entry WHERE bill_id IS NULL") == 0
    assert integrity(db) == []


# ---------------------------------------------------------------- idempotent re-runs

def test_rerun_of_the_same_period_bills_nobody_twice(db):
    set_clock(db)
    t = make_tariff(db, versions=[PLAIN])
    accs = [make_metered_account(db, tariff_code=t, opened_on="2026-01-01") for _ in range(3)]
    for i, a in enumerate(accs):
        read(db, a, "2026-01-31", 100 + 10 * i)

    first = run(db)
    assert (first["accounts_considered"], first["bills_created"], first["accounts_skipped"]) == (3, 3, 0)
    assert first["total_billed"] == Decimal("33.00")   # (100 + 110 + 120) kWh x 0.10
    before = db.snapshot()

    second = run(db)
    assert second["run_id"] != first["run_id"]
    assert (second["accounts_considered"], second["bills_created"], second["accounts_skipped"]) == (0, 0, 0)
    assert second["total_billed"] == Decimal("0.00")
    after = db.snapshot()
    # only the second run's own row is new, and its two audit rows (start and end)
    assert after == {**before, "billing_run": before["billing_run"] + 1,
                     "audit_log": before["audit_log"] + 2}

    # a period that overlaps the billed one (not the same) bills nobody either
    third = run(db, "2026-01-15", "2026-02-13", "2026-02-14")
    assert (third["accounts_considered"], third["bills_created"]) == (0, 0)
    assert_billed_once(db, [a.account_id for a in accs], "2026-01-31")
    assert db.value("SELECT COUNT(*) FROM bill") == 3
    assert_bill_numbers_gapless(db, 2026, 3)
    assert_ledger_matches(db)


# ---------------------------------------------------------------- interrupted run

def session_memory_limits(db):
    r = db.row("SELECT @@SESSION.max_heap_table_size AS heap, @@SESSION.tmp_table_size AS tmp")
    return int(r["heap"]), int(r["tmp"])


def test_run_interrupted_between_chunks_then_rerun_bills_everyone_exactly_once(db):
    set_clock(db)
    t = make_tariff(db, versions=[PLAIN])
    accs = [make_metered_account(db, tariff_code=t, opened_on="2026-01-01") for _ in range(7)]
    ids = [a.account_id for a in accs]
    assert ids == sorted(ids)
    for i, a in enumerate(accs):
        if i != 2:                    # the 3rd account has no reading: its bill is estimated
            read(db, a, "2026-01-31", 100 + i)
    victim = ids[3]                   # chunks of 2: (1,2) (3,4) (5,6) (7) -> the 2nd chunk fails
    db.execute("SET @billing_chunk_size = 2")
    # the engine raises the session's memory limits for its work tables and puts them back
    db.execute("SET SESSION max_heap_table_size = 16777216, SESSION tmp_table_size = 16777216")
    db.execute(
        "CREATE TRIGGER test_fail_bill BEFORE INSERT ON bill FOR EACH ROW BEGIN "
        f"IF NEW.account_id = {victim} THEN SIGNAL SQLSTATE '45000' "
        "SET MYSQL_ERRNO = 45999, MESSAGE_TEXT = 'injected'; END IF; END")
    try:
        with pytest.raises(DbError) as e:
            run(db)
        assert e.value.errno == 45999
    finally:
        db.execute("DROP TRIGGER IF EXISTS test_fail_bill")
    assert session_memory_limits(db) == (16777216, 16777216)

    # the first chunk is committed, the failed one left nothing, later ones never ran
    assert db.rows("SELECT account_id, bill_no FROM bill ORDER BY bill_id") == [
        {"account_id": ids[0], "bill_no": "2026-000001"},
        {"account_id": ids[1], "bill_no": "2026-000002"}]
    assert db.value("SELECT COUNT(*) FROM ledger_entry") == 2
    assert db.value("SELECT COUNT(*) FROM bill_line WHERE bill_id NOT IN "
                    "(SELECT bill_id FROM bill)") == 0
    # the estimate of the 3rd account (in the failed chunk) was rolled back with its chunk
    assert db.value("SELECT COUNT(*) FROM meter_reading WHERE kind = 'estimated'") == 0
    failed = db.row("SELECT * FROM billing_run")
    assert failed["status"] == "failed"
    assert failed["finished_at"] is not None
    assert (failed["accounts_total"], failed["accounts_done"], failed["bills_created"],
            failed["accounts_skipped"], failed["total_billed"]) == (7, 2, 2, 0, Decimal("20.10"))
    assert db.value("SELECT COUNT(*) FROM billing_exception") == 0
    assert_bill_numbers_gapless(db, 2026, 2)
    assert integrity(db) == []

    # the cause is gone: a re-run (same session, chunk size still 2) finishes the rest
    again = run(db)
    assert (again["accounts_considered"], again["bills_created"], again["accounts_skipped"]) == (5, 5, 0)
    # account 3 estimated (no history: advance 0 -> 0.00) + 10.30 + 10.40 + 10.50 + 10.60
    assert again["total_billed"] == Decimal("41.80")
    rerun = db.row("SELECT * FROM billing_run WHERE run_id = %s", again["run_id"])
    assert session_memory_limits(db) == (16777216, 16777216)
    assert (rerun["status"], rerun["accounts_total"], rerun["accounts_done"]) == ("completed", 5, 5)

    assert_billed_once(db, ids, "2026-01-31")
    assert db.value("SELECT COUNT(*) FROM bill") == 7
    assert_bill_numbers_gapless(db, 2026, 7)
    # numbers follow the order of billing: the re-run's bills come after the first chunk's
    assert [r["account_id"] for r in db.rows("SELECT account_id FROM bill ORDER BY bill_no")] == ids
    est = db.rows("SELECT r.meter_id, r.read_on, r.value FROM meter_reading r "
                  "WHERE r.kind = 'estimated'")
    assert est == [{"meter_id": accs[2].meter_id, "read_on": est[0]["read_on"],
                    "value": Decimal("0.00")}]
    assert str(est[0]["read_on"]) == "2026-01-31"
    assert db.value("SELECT estimated FROM bill WHERE account_id = %s", ids[2]) == 1
    assert_ledger_matches(db)


# ---------------------------------------------------------------- two runs at once

def test_two_runs_of_the_same_period_at_the_same_moment_bill_everyone_once(db, connect):
    set_clock(db)
    t = make_tariff(db, versions=[PLAIN])
    accs = [make_metered_account(db, tariff_code=t, opened_on="2026-01-01") for _ in range(30)]
    ids = [a.account_id for a in accs]
    periods = [("2026-01-01", "2026-01-31", "2026-02-01"),
               ("2026-02-01", "2026-02-28", "2026-03-01"),
               ("2026-03-01", "2026-03-31", "2026-04-01")]
    for m, (_, end, _) in enumerate(periods, start=1):
        for i, a in enumerate(accs):
            read(db, a, end, 100 * m + i)

    conns = [connect(), connect()]
    conns[0].execute("SET @billing_chunk_size = 3")
    conns[1].execute("SET @billing_chunk_size = 4")     # chunks that do not line up

    # Three races (one per month), to give the interleavings more than one chance.
    n_bills = 0
    for start, end, issue in periods:
        barrier = threading.Barrier(2)
        results, errors = [None, None], []

        def go(k, start=start, end=end, issue=issue, barrier=barrier, results=results,
               errors=errors):
            try:
                barrier.wait(timeout=10)
                results[k] = conns[k].call("run_billing", start, end, issue, 14, ACTOR)
            except Exception as exc:  # anything reaching a client is a failure of the test
                errors.append(exc)

        threads = [threading.Thread(target=go, args=(k,)) for k in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=60)
        assert not any(th.is_alive() for th in threads)
        assert errors == []
        assert sum(r["bills_created"] for r in results) == 30
        for r in results:
            assert r["accounts_considered"] == r["bills_created"] + r["accounts_skipped"]
            assert r["accounts_considered"] <= 30
        runs = db.rows("SELECT * FROM billing_run WHERE run_id IN (%s, %s)",
                       results[0]["run_id"], results[1]["run_id"])
        assert [r["status"] for r in runs] == ["completed", "completed"]
        assert all(r["accounts_done"] == r["accounts_total"] for r in runs)
        assert db.value("SELECT COUNT(*) FROM billing_exception") == 0
        assert_billed_once(db, ids, end)
        n_bills += 30
        assert_bill_numbers_gapless(db, 2026, n_bills)
        assert sum(r["total_billed"] for r in results) == db.value(
            "SELECT SUM(total_amount) FROM bill WHERE period_end = %s", end)

    # each month's bill starts where the previous one ended: no reading used twice
    # (January: 100 + i kWh from the initial 0; February and March: 100 kWh each)
    got = {(r["account_id"], r["period_end"].isoformat()): r["consumption_kwh"] for r in db.rows(
        "SELECT account_id, period_end, consumption_kwh FROM bill")}
    want = {}
    for i, a in enumerate(accs):
        want[(a.account_id, "2026-01-31")] = Decimal(100 + i)
        want[(a.account_id, "2026-02-28")] = Decimal(100)
        want[(a.account_id, "2026-03-31")] = Decimal(100)
    assert got == want
    assert db.value("SELECT COUNT(*) FROM meter_reading WHERE kind = 'estimated'") == 0
    assert_ledger_matches(db)


# ---------------------------------------------------------------- lock errors inside a chunk
# Two runs of one period can deadlock on the gap locks of the bill index (CI saw it once in the
# race above): the chunk that loses is rolled back and billed again, up to 5 attempts, and the
# caller sees a completed run. These tests make the lock errors happen on purpose.

def _billable(db, n=3):
    set_clock(db)
    t = make_tariff(db, versions=[PLAIN])
    accs = [make_metered_account(db, tariff_code=t, opened_on="2026-01-01") for _ in range(n)]
    for i, a in enumerate(accs):
        read(db, a, "2026-01-31", 100 + i)
    return accs


def _start(conn, proc, args):
    """CALL proc in a thread; returns (thread, outcome dict with 'result' or 'error', and the
    connection's id under 'conn_id')."""
    out = {"conn_id": conn.value("SELECT CONNECTION_ID()")}

    def go():
        try:
            out["result"] = conn.call(proc, *args)
        except Exception as exc:
            out["error"] = exc

    th = threading.Thread(target=go)
    th.start()
    return th, out


def _lock_row(holder, table, key, value):
    """Starts a transaction on `holder` that holds the row's exclusive lock."""
    holder.execute("START TRANSACTION")
    holder.rows(f"SELECT * FROM {table} WHERE {key} = %s FOR UPDATE", value)


RUN_ARGS = ("2026-01-01", "2026-01-31", "2026-02-01", 14, ACTOR)


def test_a_chunk_that_times_out_on_a_lock_is_billed_again(db, connect):
    accs = _billable(db)
    holder, runner = connect(), connect()
    runner.execute("SET SESSION innodb_lock_wait_timeout = 1")
    _lock_row(holder, "meter", "meter_id", accs[1].meter_id)

    th, out = _start(runner, "run_billing", RUN_ARGS)
    wait_for_lock_waits(db, [out["conn_id"]], 1)
    time.sleep(1.5)             # longer than the 1 s timeout: the first attempt gives up
    holder.execute("COMMIT")
    th.join(timeout=60)

    assert "error" not in out, out
    assert (out["result"]["bills_created"], out["result"]["accounts_skipped"]) == (3, 0)
    run_row = db.row("SELECT * FROM billing_run")
    assert (run_row["status"], run_row["accounts_done"], run_row["bills_created"]) == ("completed", 3, 3)
    assert db.value("SELECT COUNT(*) FROM billing_run") == 1
    assert_billed_once(db, [a.account_id for a in accs], "2026-01-31")
    assert_bill_numbers_gapless(db, 2026, 3)
    assert integrity(db) == []


def test_a_chunk_that_keeps_timing_out_fails_the_run_after_five_attempts(db, connect):
    accs = _billable(db)
    holder, runner = connect(), connect()
    runner.execute("SET SESSION innodb_lock_wait_timeout = 1")
    _lock_row(holder, "meter", "meter_id", accs[0].meter_id)

    started = time.monotonic()
    th, out = _start(runner, "run_billing", RUN_ARGS)
    th.join(timeout=60)
    waited = time.monotonic() - started
    holder.execute("ROLLBACK")

    assert isinstance(out.get("error"), DbError) and out["error"].errno == 1205, out
    assert waited >= 5          # five attempts of at least 1 s each
    run_row = db.row("SELECT * FROM billing_run")
    assert (run_row["status"], run_row["bills_created"]) == ("failed", 0)
    assert run_row["finished_at"] is not None
    assert db.value("SELECT COUNT(*) FROM bill") == 0
    assert db.value("SELECT COUNT(*) FROM ledger_entry") == 0
    # the session's memory limits are back after the failed attempts
    assert session_memory_limits(runner) == (16777216, 16777216)


def test_a_locked_account_holds_up_only_its_own_chunk(db, connect):
    """The run reads its candidates without locks: an account held by a payment in progress
    does not stop the run from starting and billing the chunks before it."""
    accs = _billable(db, n=4)
    holder, runner = connect(), connect()
    runner.execute("SET @billing_chunk_size = 2")
    _lock_row(holder, "account", "account_id", accs[2].account_id)

    th, out = _start(runner, "run_billing", RUN_ARGS)
    wait_for_lock_waits(db, [out["conn_id"]], 1)
    # the first chunk is billed and committed while the second waits for account 3
    assert [r["account_id"] for r in db.rows("SELECT account_id FROM bill ORDER BY account_id")] == \
        [accs[0].account_id, accs[1].account_id]
    assert db.value("SELECT accounts_done FROM v_billing_run") == 2
    holder.execute("COMMIT")
    th.join(timeout=60)

    assert "error" not in out, out
    assert (out["result"]["accounts_considered"], out["result"]["bills_created"]) == (4, 4)
    assert_billed_once(db, [a.account_id for a in accs], "2026-01-31")
    assert integrity(db) == []


def test_progress_moves_in_steps_of_at_most_one_percent(db, connect):
    """Without @billing_chunk_size, a run commits a chunk (and its progress) per 1% of its
    accounts: 120 accounts go in chunks of 2, so while account 101 is held the first 100 are
    billed and counted (with chunks of 10,000 the run would still show 0 of 120)."""
    accs = _billable(db, n=120)
    holder, runner = connect(), connect()
    _lock_row(holder, "account", "account_id", accs[100].account_id)

    th, out = _start(runner, "run_billing", RUN_ARGS)
    wait_for_lock_waits(db, [out["conn_id"]], 1)
    assert db.row("SELECT accounts_done, accounts_total FROM v_billing_run") == {
        "accounts_done": 100, "accounts_total": 120}
    holder.execute("COMMIT")
    th.join(timeout=60)

    assert "error" not in out, out
    assert out["result"]["bills_created"] == 120
    assert db.value("SELECT accounts_done FROM billing_run") == 120


@pytest.mark.parametrize("proc", ["run_billing", "bill_account"])
def test_a_chunk_chosen_as_deadlock_victim_is_billed_again(db, connect, proc):
    accs = _billable(db, n=1)
    acc = accs[0]
    holder, runner = connect(), connect()
    # The holder makes itself the heavier transaction (InnoDB rolls back the lighter one):
    # many undo records, and a non-transactional table written like the chunk's work tables.
    holder.execute("CREATE TEMPORARY TABLE heavy (n INT) ENGINE=MEMORY")
    holder.execute("START TRANSACTION")
    holder.execute("INSERT INTO heavy VALUES (1)")
    holder.execute("INSERT INTO number_counter (counter_name, counter_year, last_number) "
                   "SELECT 'deadlock-test', n, 0 FROM (WITH RECURSIVE s (n) AS "
                   "(SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 500) SELECT n FROM s) x")
    holder.rows("SELECT * FROM meter WHERE meter_id = %s FOR UPDATE", acc.meter_id)

    args = RUN_ARGS if proc == "run_billing" else (acc.account_id,) + RUN_ARGS
    th, out = _start(runner, proc, args)
    # the chunk holds the account and waits for the meter; the holder now asks for the account
    wait_for_lock_waits(db, [out["conn_id"]], 1)
    holder.rows("SELECT * FROM account WHERE account_id = %s FOR UPDATE", acc.account_id)
    holder.execute("ROLLBACK")  # the holder was not the victim: it got the account
    th.join(timeout=60)

    assert "error" not in out, out
    assert db.value("SELECT COUNT(*) FROM billing_run WHERE status = 'completed'") == 1
    assert db.value("SELECT COUNT(*) FROM billing_run") == 1
    assert_billed_once(db, [acc.account_id], "2026-01-31")
    assert_bill_numbers_gapless(db, 2026, 1)
    assert integrity(db) == []


# ---------------------------------------------------------------- exceptions

def _high_use(db, acc):
    """Readings that put the end reading of January in review: 1 kWh/day for 20 days, then
    48 kWh/day (more than 3 times the history). Returns the reading in review."""
    assert read(db, acc, "2026-01-11", 10)["status"] == "accepted"
    assert read(db, acc, "2026-01-21", 20)["status"] == "accepted"
    r = read(db, acc, "2026-01-31", 500)
    assert r["status"] == "review"
    return r["reading_id"]


def test_exceptions_precedence_and_resolution_by_a_later_run(db):
    set_clock(db)
    t = make_tariff(db, versions=[PLAIN])
    # a tariff whose only version starts on 2026-01-15: days 1..14 of January have none
    late = make_tariff(db, versions=[{**PLAIN, "effective_from": "2026-01-15"}])

    ok = make_metered_account(db, tariff_code=t, opened_on="2026-01-01")
    review = make_metered_account(db, tariff_code=t, opened_on="2026-01-01")
    no_tariff = make_metered_account(db, tariff_code=late, opened_on="2026-01-01")
    both = make_metered_account(db, tariff_code=late, opened_on="2026-01-01")
    late_open = make_metered_account(db, tariff_code=late, opened_on="2026-01-20")  # bs 20th: covered
    read(db, ok, "2026-01-31", 100)
    review_reading = _high_use(db, review)
    read(db, no_tariff, "2026-01-31", 100)    # an actual reading ...
    both_reading = _high_use(db, both)
    # ... and no reading for late_open: it gets an estimate (advance 0)
    readings_before = db.value("SELECT COUNT(*) FROM meter_reading")

    r1 = run(db)
    assert (r1["accounts_considered"], r1["bills_created"], r1["accounts_skipped"]) == (5, 2, 3)
    got = {(e["account_id"], e["code"], e["resolved"]) for e in exceptions(db, r1["run_id"])}
    assert got == {(review.account_id, "READ_NEEDS_REVIEW", 0),
                   (no_tariff.account_id, "NO_TARIFF", 0),
                   (both.account_id, "READ_NEEDS_REVIEW", 0)}   # READ_NEEDS_REVIEW wins
    for e in exceptions(db, r1["run_id"]):
        assert e["account_no"] == db.value("SELECT account_no FROM account WHERE account_id = %s",
                                           e["account_id"])
        assert e["detail"]
    # the skipped accounts got nothing stored: no estimate, no bill, no ledger row
    skipped = [review.account_id, no_tariff.account_id, both.account_id]
    for a in skipped:
        assert bills_of(db, a) == []
        assert db.value("SELECT COUNT(*) FROM ledger_entry WHERE account_id = %s", a) == 0
    # the only new reading is late_open's estimate
    assert db.value("SELECT COUNT(*) FROM meter_reading") == readings_before + 1
    assert db.rows("SELECT meter_id, value FROM meter_reading WHERE kind = 'estimated'") == [
        {"meter_id": late_open.meter_id, "value": Decimal("0.00")}]
    assert [b["period_start"].isoformat() for b in bills_of(db, late_open.account_id)] == ["2026-01-20"]
    assert len(bills_of(db, ok.account_id)) == 1

    # approve the readings in review; a later run bills the review account, while the other
    # now shows its next reason, NO_TARIFF
    db.call("approve_reading", review_reading, ACTOR)
    db.call("approve_reading", both_reading, ACTOR)
    r2 = run(db)
    assert (r2["accounts_considered"], r2["bills_created"], r2["accounts_skipped"]) == (3, 1, 2)
    assert {(e["account_id"], e["code"]) for e in exceptions(db, r2["run_id"])} == {
        (no_tariff.account_id, "NO_TARIFF"), (both.account_id, "NO_TARIFF")}
    [bill] = bills_of(db, review.account_id)
    assert bill["consumption_kwh"] == Decimal("500.0000")
    assert bill["total_amount"] == Decimal("50.00")
    assert bill["estimated"] == 0

    resolved = {(e["run_id"], e["account_id"]): e["resolved"] for e in exceptions(db)}
    assert resolved == {(r1["run_id"], review.account_id): 1,
                        (r1["run_id"], no_tariff.account_id): 0,
                        (r1["run_id"], both.account_id): 0,
                        (r2["run_id"], no_tariff.account_id): 0,
                        (r2["run_id"], both.account_id): 0}
    assert_bill_numbers_gapless(db, 2026, 3)
    assert_ledger_matches(db)


def test_closed_before_period_start_or_opened_after_it_are_not_considered(db):
    """be = min(period_end, closed_on): an account closed inside the period gets its final bill
    (billing-rules.md, "The billing period of one account"); one closed before it is not
    considered."""
    set_clock(db)
    t = make_tariff(db, versions=[PLAIN])
    ok = make_metered_account(db, tariff_code=t, opened_on="2026-01-01")
    closed = make_metered_account(db, tariff_code=t, opened_on="2026-01-01")
    closed_on_end = make_metered_account(db, tariff_code=t, opened_on="2026-01-01")
    closed_before = make_metered_account(db, tariff_code=t, opened_on="2025-12-01")
    later = make_metered_account(db, tariff_code=t, opened_on="2026-02-01")
    no_meter = make_account(db, t, opened_on="2026-01-01")
    meter_later = make_metered_account(db, tariff_code=t, opened_on="2026-01-01",
                                       installed_on="2026-02-01")
    read(db, closed, "2026-01-30", 10)
    db.call("close_account", closed.account_id, "2026-01-30", ACTOR)
    db.call("close_account", closed_on_end.account_id, "2026-01-31", ACTOR)  # open on the 31st
    db.call("close_account", closed_before.account_id, "2025-12-31", ACTOR)
    read(db, ok, "2026-01-31", 10)

    r = run(db)
    assert (r["accounts_considered"], r["bills_created"], r["accounts_skipped"]) == (3, 3, 0)
    assert {b["account_id"] for b in db.rows("SELECT account_id FROM bill")} == {
        ok.account_id, closed.account_id, closed_on_end.account_id}
    final = bills_of(db, closed.account_id)[0]
    assert (str(final["period_end"]), final["days_billed"]) == ("2026-01-30", 30)
    assert db.value("SELECT COUNT(*) FROM billing_exception") == 0
    for a in (closed_before.account_id, later.account_id, no_meter, meter_later.account_id):
        assert bills_of(db, a) == []
    assert db.value("SELECT COUNT(*) FROM meter_reading WHERE kind = 'estimated'") == 1
    assert_ledger_matches(db)


def _bill_account(db, account_id, start="2026-01-01", end="2026-01-31", issue="2026-02-01"):
    return db.call("bill_account", account_id, start, end, issue, 14, ACTOR)["bill_id"]


def _last_exception(db, account_id):
    return db.row("SELECT * FROM v_billing_exceptions WHERE account_id = %s "
                  "ORDER BY run_id DESC LIMIT 1", account_id)


@pytest.mark.parametrize("case", ["closed_before_start", "opened_after_end"])
def test_bill_account_not_open(db, case):
    set_clock(db)
    t = make_tariff(db, versions=[PLAIN])
    if case == "closed_before_start":
        acc = make_metered_account(db, tariff_code=t, opened_on="2025-12-01")
        read(db, acc, "2025-12-20", 10)
        db.call("close_account", acc.account_id, "2025-12-30", ACTOR)
    else:
        acc = make_metered_account(db, tariff_code=t, opened_on="2026-02-01")
    readings = db.value("SELECT COUNT(*) FROM meter_reading")
    assert _bill_account(db, acc.account_id) is None
    e = _last_exception(db, acc.account_id)
    assert (e["code"], e["resolved"]) == ("ACCOUNT_NOT_OPEN", 0)
    assert e["detail"] == "the account is not open on 2026-01-31"
    assert bills_of(db, acc.account_id) == []
    assert db.value("SELECT COUNT(*) FROM ledger_entry") == 0
    assert db.value("SELECT COUNT(*) FROM meter_reading") == readings
    run_row = db.row("SELECT * FROM billing_run WHERE run_id = %s", e["run_id"])
    assert (run_row["status"], run_row["accounts_total"], run_row["bills_created"]) == ("completed", 1, 0)


def test_bill_account_no_meter(db):
    set_clock(db)
    t = make_tariff(db, versions=[PLAIN])
    a = make_account(db, t, opened_on="2026-01-01")
    assert _bill_account(db, a) is None
    assert _last_exception(db, a)["code"] == "NO_METER"
    assert _last_exception(db, a)["detail"] == "no meter is installed on 2026-01-31"
    assert bills_of(db, a) == []
    assert db.value("SELECT COUNT(*) FROM ledger_entry") == 0
    # a meter installed after the period end does not count either
    b = make_metered_account(db, tariff_code=t, opened_on="2026-01-01", installed_on="2026-02-01")
    assert _bill_account(db, b.account_id) is None
    assert _last_exception(db, b.account_id)["code"] == "NO_METER"
    assert db.value("SELECT COUNT(*) FROM meter_reading WHERE kind = 'estimated'") == 0


def test_bill_account_already_billed(db):
    set_clock(db)
    t = make_tariff(db, versions=[PLAIN])
    acc = make_metered_account(db, tariff_code=t, opened_on="2026-01-01")
    read(db, acc, "2026-01-31", 100)
    bill_id = _bill_account(db, acc.account_id)
    assert bill_id is not None
    assert db.value("SELECT bill_no FROM bill WHERE bill_id = %s", bill_id) == "2026-000001"
    before = db.snapshot()

    assert _bill_account(db, acc.account_id) is None                       # the same period
    assert _last_exception(db, acc.account_id)["code"] == "ALREADY_BILLED"
    assert _last_exception(db, acc.account_id)["detail"] == (
        "already billed for a period overlapping 2026-01-01..2026-01-31")
    assert _bill_account(db, acc.account_id, "2026-01-20", "2026-02-18", "2026-02-19") is None
    e = _last_exception(db, acc.account_id)
    assert e["code"] == "ALREADY_BILLED"
    assert e["resolved"] == 0        # its period end (02-18) is not covered by a bill
    after = db.snapshot()
    # only the two runs, their exceptions and their audit rows are new
    assert after == {**before, "billing_run": before["billing_run"] + 2,
                     "billing_exception": before["billing_exception"] + 2,
                     "audit_log": before["audit_log"] + 2}
    # a run of the same period does not consider the account at all
    r = run(db)
    assert (r["accounts_considered"], r["bills_created"]) == (0, 0)
    assert_bill_numbers_gapless(db, 2026, 1)
    assert_ledger_matches(db)


def test_bill_account_unknown_account_writes_nothing(db):
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        _bill_account(db, 999999)
    assert e.value.errno == 45001
    assert db.snapshot() == before


def test_bill_account_failure_leaves_nothing_not_even_its_run(db):
    set_clock(db)
    t = make_tariff(db, versions=[PLAIN])
    acc = make_metered_account(db, tariff_code=t, opened_on="2026-01-01")   # estimated: no reading
    before = db.snapshot()
    db.execute(
        "CREATE TRIGGER test_fail_bill BEFORE INSERT ON bill FOR EACH ROW BEGIN "
        "SIGNAL SQLSTATE '45000' SET MYSQL_ERRNO = 45999, MESSAGE_TEXT = 'injected'; END")
    try:
        with pytest.raises(DbError) as e:
            _bill_account(db, acc.account_id)
        assert e.value.errno == 45999
    finally:
        db.execute("DROP TRIGGER IF EXISTS test_fail_bill")
    assert db.snapshot() == before
    assert _bill_account(db, acc.account_id) is not None
    assert_bill_numbers_gapless(db, 2026, 1)


def test_run_billing_invalid_period_writes_nothing(db):
    set_clock(db)
    t = make_tariff(db, versions=[PLAIN])
    make_metered_account(db, tariff_code=t, opened_on="2026-01-01")
    before = db.snapshot()
    for args in [("2026-01-31", "2026-01-01", "2026-02-01", 14),     # end before start
                 ("2026-01-01", "2026-03-04", "2026-03-05", 14),     # 63 days
                 ("2026-01-01", "2026-01-31", "2026-01-30", 14),     # issued before the end
                 ("2026-01-01", "2026-01-31", "2026-02-01", 0),
                 ("2026-01-01", "2026-01-31", "2026-02-01", 91)]:
        with pytest.raises(DbError) as e:
            db.call("run_billing", *args, ACTOR)
        assert e.value.errno == 45040, args
    assert db.snapshot() == before


# ---------------------------------------------------------------- month ends

@pytest.mark.parametrize("start, end, issue", [
    ("2026-02-01", "2026-02-28", "2026-03-01"),    # P = 28
    ("2028-02-01", "2028-02-29", "2028-03-01"),    # P = 29 (leap year)
    ("2026-04-01", "2026-04-30", "2026-05-01"),    # P = 30
    ("2026-01-01", "2026-01-31", "2026-02-01"),    # P = 31
])
def test_full_period_gives_full_fixed_charge_and_unscaled_blocks(db, start, end, issue):
    set_clock(db, "2029-01-01")
    t = make_tariff(db, versions=[dict(
        effective_from="2000-01-01", fixed_charge="7.77", tax_rate_pct="0", late_fee_pct="0",
        early_pay_pct="0", early_pay_days=0, blocks=[(100, "0.10"), (None, "0.20")])])
    # opened on the first day of the period: bs = period_start, D = P
    acc = make_metered_account(db, tariff_code=t, opened_on=start)
    read(db, acc, end, 150)
    r = run(db, start, end, issue)
    assert r["bills_created"] == 1
    [bill] = bills_of(db, acc.account_id)
    lines = db.rows("SELECT kind, quantity_kwh, rate, amount FROM v_bill_lines "
                    "WHERE bill_id = %s AND kind IN ('energy', 'fixed') ORDER BY line_no",
                    bill["bill_id"])
    # whole period under one version: blocks 0-100 and 100+ as written, the full fixed charge
    assert lines == [
        {"kind": "energy", "quantity_kwh": Decimal("100.0000"), "rate": Decimal("0.100000"),
         "amount": Decimal("10.00")},
        {"kind": "energy", "quantity_kwh": Decimal("50.0000"), "rate": Decimal("0.200000"),
         "amount": Decimal("10.00")},
        {"kind": "fixed", "quantity_kwh": None, "rate": None, "amount": Decimal("7.77")}]
    assert bill["total_amount"] == Decimal("27.77")
    assert bill["days_billed"] == bill["period_days"]


# A version starting on the last day of the period: segments of P-1 days (old version) and
# 1 day (new version). Old: fixed 30.00, blocks (100 @ 0.10, open @ 0.20), tax 10 %.
# New: fixed 60.00, blocks (50 @ 0.30, open @ 0.40), tax 20 % (the version on be gives the tax).
@pytest.mark.parametrize("start, end, issue, kwh, expected", [
    # P = 30, C = 300: c1 = ROUND(300*29/30, 4) = 290.0000, c2 = 300 - 290 = 10.
    #  seg 1 (29 d): U1 = ROUND(100*29/30, 4) = 96.6667
    #    block 1: q = 96.6667 -> ROUND(9.66667, 2) = 9.67
    #    block 2: q = 290 - 96.6667 = 193.3333 -> ROUND(38.66666, 2) = 38.67
    #    fixed: ROUND(30*29/30, 2) = 29.00
    #  seg 2 (1 d): U1 = ROUND(50*1/30, 4) = 1.6667
    #    block 1: q = 1.6667 -> ROUND(0.50001, 2) = 0.50
    #    block 2: q = 10 - 1.6667 = 8.3333 -> ROUND(3.33332, 2) = 3.33
    #    fixed: ROUND(60*1/30, 2) = 2.00
    #  E = 52.17, F = 31.00, T = ROUND(83.17 * 0.20, 2) = ROUND(16.634, 2) = 16.63
    #  total = 99.80
    ("2026-04-01", "2026-04-30", "2026-05-01", 300, dict(
        seg=[29, 1],
        energy=[("96.6667", "9.67"), ("193.3333", "38.67"), ("1.6667", "0.50"), ("8.3333", "3.33")],
        fixed=["29.00", "2.00"], tax="16.63", total="99.80")),
    # P = 28, C = 280: c1 = ROUND(280*27/28, 4) = 270.0000, c2 = 10.
    #  seg 1 (27 d): U1 = ROUND(100*27/28, 4) = ROUND(96.428571.., 4) = 96.4286
    #    block 1: 96.4286 -> ROUND(9.64286, 2) = 9.64
    #    block 2: 270 - 96.4286 = 173.5714 -> ROUND(34.71428, 2) = 34.71
    #    fixed: ROUND(30*27/28, 2) = ROUND(28.928571.., 2) = 28.93
    #  seg 2 (1 d): U1 = ROUND(50/28, 4) = ROUND(1.785714.., 4) = 1.7857
    #    block 1: 1.7857 -> ROUND(0.53571, 2) = 0.54
    #    block 2: 10 - 1.7857 = 8.2143 -> ROUND(3.28572, 2) = 3.29
    #    fixed: ROUND(60/28, 2) = ROUND(2.142857.., 2) = 2.14
    #  E = 48.18, F = 31.07, T = ROUND(79.25 * 0.20, 2) = 15.85, total = 95.10
    ("2026-02-01", "2026-02-28", "2026-03-01", 280, dict(
        seg=[27, 1],
        energy=[("96.4286", "9.64"), ("173.5714", "34.71"), ("1.7857", "0.54"), ("8.2143", "3.29")],
        fixed=["28.93", "2.14"], tax="15.85", total="95.10")),
])
def test_version_starting_on_the_last_day_gives_two_segments(db, start, end, issue, kwh, expected):
    set_clock(db)
    old = dict(effective_from="2000-01-01", fixed_charge="30.00", tax_rate_pct="10",
               late_fee_pct="0", early_pay_pct="0", early_pay_days=0,
               blocks=[(100, "0.10"), (None, "0.20")])
    new = dict(effective_from=end, fixed_charge="60.00", tax_rate_pct="20", late_fee_pct="0",
               early_pay_pct="0", early_pay_days=0, blocks=[(50, "0.30"), (None, "0.40")])
    t = make_tariff(db, versions=[old, new])
    acc = make_metered_account(db, tariff_code=t, opened_on=start)     # D = P
    read(db, acc, end, kwh)
    assert run(db, start, end, issue)["bills_created"] == 1
    [bill] = bills_of(db, acc.account_id)
    assert bill["tariff_version_id"] == t.version_ids[1]               # the version on be
    lines = db.rows("SELECT kind, quantity_kwh, amount, tariff_version_id FROM v_bill_lines "
                    "WHERE bill_id = %s ORDER BY line_no", bill["bill_id"])
    energy = [(str(x["quantity_kwh"]), str(x["amount"])) for x in lines if x["kind"] == "energy"]
    assert energy == expected["energy"]
    assert [x["tariff_version_id"] for x in lines if x["kind"] == "energy"] == [
        t.version_ids[0], t.version_ids[0], t.version_ids[1], t.version_ids[1]]
    fixed = [x for x in lines if x["kind"] == "fixed"]
    assert [str(x["amount"]) for x in fixed] == expected["fixed"]
    assert [x["tariff_version_id"] for x in fixed] == t.version_ids
    assert [str(x["amount"]) for x in lines if x["kind"] == "tax"] == [expected["tax"]]
    assert str(bill["total_amount"]) == expected["total"]
    assert sum(x["amount"] for x in lines) == bill["total_amount"]
    # descriptions name the segment days
    descs = [x["description"] for x in db.rows(
        "SELECT description FROM v_bill_lines WHERE bill_id = %s AND kind = 'fixed' "
        "ORDER BY line_no", bill["bill_id"])]
    assert f"{expected['seg'][0]} of" in descs[0] and f"{expected['seg'][1]} of" in descs[1]
    assert_ledger_matches(db)


# ---------------------------------------------------------------- progress

def test_progress_of_a_completed_run(db):
    set_clock(db)
    t = make_tariff(db, versions=[PLAIN])
    accs = [make_metered_account(db, tariff_code=t, opened_on="2026-01-01") for _ in range(5)]
    for a in accs[:4]:
        read(db, a, "2026-01-31", 40)
    in_review = _high_use(db, accs[4])           # skipped: READ_NEEDS_REVIEW
    db.execute("SET @billing_chunk_size = 2")    # 3 chunks: 2 + 2 + 1
    r = run(db)
    row = db.row("SELECT * FROM billing_run WHERE run_id = %s", r["run_id"])
    assert row["status"] == "completed"
    assert row["accounts_total"] == row["accounts_done"] == 5
    assert (row["bills_created"], row["accounts_skipped"], row["total_billed"]) == (
        4, 1, Decimal("16.00"))
    assert row["finished_at"] is not None and row["started_by"] == ACTOR
    assert (r["accounts_considered"], r["bills_created"], r["accounts_skipped"],
            r["total_billed"]) == (5, 4, 1, Decimal("16.00"))

    # a second run: only the account in review is left; then a run with nothing to do
    r2 = run(db)
    row2 = db.row("SELECT * FROM billing_run WHERE run_id = %s", r2["run_id"])
    assert (row2["status"], row2["accounts_total"], row2["accounts_done"], row2["bills_created"],
            row2["accounts_skipped"]) == ("completed", 1, 1, 0, 1)
    db.call("approve_reading", in_review, ACTOR)
    assert run(db)["bills_created"] == 1
    r4 = run(db)
    row4 = db.row("SELECT * FROM billing_run WHERE run_id = %s", r4["run_id"])
    assert (row4["status"], row4["accounts_total"], row4["accounts_done"]) == ("completed", 0, 0)


def test_chunk_size_zero_does_not_complete_a_run_that_billed_nobody(db):
    set_clock(db)
    t = make_tariff(db, versions=[PLAIN])
    accs = [make_metered_account(db, tariff_code=t, opened_on="2026-01-01") for _ in range(3)]
    # A chunk size below 1 means the default (LIMIT 0 used to bill nobody and still mark the
    # run completed with 0 of 3 accounts done).
    db.execute("SET @billing_chunk_size = 0")
    r = run(db)
    assert (r["accounts_considered"], r["bills_created"], r["accounts_skipped"]) == (3, 3, 0)
    row = db.row("SELECT * FROM billing_run WHERE run_id = %s", r["run_id"])
    assert (row["status"], row["accounts_done"]) == ("completed", 3)
    assert_billed_once(db, [a.account_id for a in accs], "2026-01-31")


def test_a_reading_queued_while_bill_account_waits_is_not_its_deadlock(db, connect):
    """bill_account read its meter with an INSERT ... SELECT, which under REPEATABLE READ
    share-locks what it reads, and locked the meter for writing a few statements later: a
    record_reading of that meter queued in between was a deadlock (1213 to the reading; found
    by a race probe). bill_account now runs READ COMMITTED, as a run's chunks do: its reads lock
    nothing, and the reading waits for the meter's lock until the bill is committed."""
    set_clock(db)
    acc = make_metered_account(db, opened_on="2026-01-01")
    read(db, acc, "2026-01-31", 100)
    run(db)
    read(db, acc, "2026-02-28", 200)
    holder, biller, reader = connect(), connect(), connect()
    for c in (biller, reader):
        set_clock(c, "2026-03-01")
    ids = [c.value("SELECT CONNECTION_ID()") for c in (biller, reader)]
    holder.execute("START TRANSACTION")
    holder.rows("SELECT period_end FROM bill FORCE INDEX (uk_bill_account_period) "
                "WHERE account_id = %s FOR UPDATE", acc.account_id)        # as cancel_bill does
    out = {}

    def call(name, conn, *args):
        try:
            out[name] = conn.call(*args)
        except DbError as e:
            out[name] = e

    threads = [threading.Thread(target=call, args=("bill", biller, "bill_account", acc.account_id,
                                                   "2026-02-01", "2026-02-28", "2026-03-01", 14,
                                                   ACTOR))]
    threads[0].start()
    try:
        wait_for_lock_waits(db, ids[:1], 1)            # the bill waits for the account's bills
        threads.append(threading.Thread(target=call, args=(
            "reading", reader, "record_reading", acc.serial, "2026-03-01", 300, "field", ACTOR)))
        threads[1].start()
        wait_for_lock_waits(db, ids, 2)                # the reading waits for the meter
    finally:
        holder.execute("ROLLBACK")
        for t in threads:
            t.join(30)
    assert not isinstance(out["reading"], DbError), out
    assert not isinstance(out["bill"], DbError) and out["bill"]["bill_id"], out
    assert integrity(db) == []
