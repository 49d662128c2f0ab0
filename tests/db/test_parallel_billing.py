"""Parallel billing runs: start_billing_run, then work_billing_run in several sessions at once
(issue 24 §1; db/procedures/_bill_run_chunks.sql, docs/billing-runs.md).

- A run worked by 3 sessions leaves exactly what one run_billing leaves on the same data (the
  data is built twice, in this test's database and in a twin database, by the same calls).
- Bill numbers stay gapless per year, in account order within each chunk, with 4 workers racing.
- A worker whose session dies mid-chunk (its client SIGKILLed, its session killed) leaves the
  chunk to another worker; a client SIGKILLed alone leaves a session that finishes its CALL.
- Unknown run -> 45001; a completed run -> 0 chunks; a run without candidates completes at start.
- The bill-number counter is taken last in a chunk (_store_bills): a chunk that waits after
  inserting its bills holds no number.
- The run row is no queue (progress on the chunk rows, migration 0131): a chunk waiting after
  inserting its bills does not stop another session's chunks; the progress adds up the chunks
  committed; a run whose completion was lost is completed by the next call.
"""
import json
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from helpers.db import Db, DbError, connect_kwargs, new_database, truncate_all
from helpers.factories import give_discount, make_discount, make_metered_account, make_tariff
from helpers.races import wait_for_lock_waits

ROOT = Path(__file__).resolve().parents[2]
ACTOR = "batch:test"
JAN = ("2026-01-01", "2026-01-31", "2026-02-01", 14)
DEC = ("2025-12-01", "2025-12-31", "2026-01-01", 14)

RES = dict(effective_from="2025-01-01", fixed_charge="5.00", tax_rate_pct="10", late_fee_pct="2",
           early_pay_pct="2", early_pay_days=10, blocks=[(100, "0.12"), (None, "0.18")])
FLAT = dict(effective_from="2000-01-01", fixed_charge="0.00", tax_rate_pct="0", late_fee_pct="0",
            early_pay_pct="0", early_pay_days=0, blocks=[(None, "0.10")])


@pytest.fixture(scope="module")
def twin_url(db_url):
    """A second database with the whole schema: the same data is built in both."""
    with new_database(db_url, f"{connect_kwargs(db_url)['db']}_twin") as url:
        yield url


@pytest.fixture
def twin(twin_url, _tables):
    d = Db(twin_url)
    truncate_all(d, _tables)
    yield d
    d.close()


def read(db, acc, day, value):
    return db.call("record_reading", acc.serial, day, value, "field", "staff:test")


def start(db, period=JAN, chunk_size=None):
    if chunk_size is not None:
        db.execute("SET @billing_chunk_size = %s", chunk_size)
    with db.at(period[2]):
        return db.call("start_billing_run", *period, ACTOR)


def work_in_parallel(url, run_id, n, issue_date=JAN[2]):
    """n sessions call work_billing_run(run_id) at the same moment; returns their results and
    connection ids."""
    conns = [Db(url) for _ in range(n)]
    for c in conns:
        c.set_clock(issue_date)
    ids = [c.value("SELECT CONNECTION_ID()") for c in conns]
    results, errors = [None] * n, []
    barrier = threading.Barrier(n)

    def go(k):
        try:
            barrier.wait(timeout=10)
            results[k] = conns[k].call("work_billing_run", run_id, ACTOR)
        except Exception as exc:  # anything reaching a client fails the test
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(k,)) for k in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    for c in conns:
        c.close()
    assert not any(th.is_alive() for th in threads)
    assert errors == []
    return results, ids


def assert_run_complete(db, run_id):
    run = db.row("SELECT * FROM billing_run WHERE run_id = %s", run_id)
    assert run["status"] == "completed" and run["finished_at"] is not None
    assert run["accounts_done"] == run["accounts_total"]
    assert run["chunks_done"] == run["chunks_total"]
    assert db.value("SELECT COUNT(*) FROM billing_run_chunk WHERE run_id = %s AND status <> 'done'",
                    run_id) == 0
    # one billing_run_finished audit row, by the session of the last chunk
    assert db.value("SELECT COUNT(*) FROM audit_log WHERE action = 'billing_run_finished' "
                    "AND table_name = 'billing_run' AND row_key = %s", str(run_id)) == 1
    return run


def assert_bill_numbers(db, run_id, year=2026):
    """Gapless per year, and within each chunk consecutive in account_id order."""
    nos = [r["bill_no"] for r in db.rows(
        "SELECT bill_no FROM bill WHERE YEAR(issue_date) = %s ORDER BY bill_no", year)]
    assert nos == [f"{year}-{i:06d}" for i in range(1, len(nos) + 1)]
    assert db.value("SELECT last_number FROM number_counter WHERE counter_name = 'bill' "
                    "AND counter_year = %s", year) == len(nos)
    for ch in db.rows("SELECT chunk_no FROM billing_run_chunk WHERE run_id = %s", run_id):
        seqs = [int(r["bill_no"][5:]) for r in db.rows(
            "SELECT b.bill_no FROM bill b JOIN billing_run_candidate c ON c.run_id = b.run_id "
            "AND c.account_id = b.account_id WHERE b.run_id = %s AND c.chunk_no = %s "
            "ORDER BY b.account_id", run_id, ch["chunk_no"])]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))) if seqs else True


def assert_billed_once(db, account_ids, period_end):
    got = {r["account_id"]: r["n"] for r in db.rows(
        "SELECT account_id, COUNT(*) AS n FROM bill WHERE period_end = %s AND cancelled_at IS NULL "
        "GROUP BY account_id", period_end)}
    assert got == {a: 1 for a in account_ids}


# ---------------------------------------------------------------- the same data, twice

def build(db):
    """Deterministic data for a run of January 2026 after a run of December 2025: two tariffs
    (blocks, tax, rebate; flat), a discount, readings, estimates, a reading in review, credit
    waiting for the bill, a closed account (final bill), an account without a meter."""
    db.set_clock("2026-06-01 00:00:00")
    make_tariff(db, code="RES", versions=[RES])
    make_tariff(db, code="FLAT", versions=[FLAT])
    make_discount(db, code="HALF", pct="50")
    accs = []
    for i in range(36):
        acc = make_metered_account(db, tariff_code="RES" if i % 3 else "FLAT",
                                   opened_on="2025-12-01" if i % 7 else "2026-01-10",
                                   serial=f"PAR{i:04d}", initial_read=100 * i,
                                   multiplier=1 if i % 5 else 2)
        accs.append(acc)
        if i % 11 == 4:
            give_discount(db, acc.account_id, "HALF", valid_from="2025-12-01")
    # December: everybody opened in December reads on the 31st, except every 9th (estimated)
    for i, acc in enumerate(accs):
        if i % 7 and i % 9:
            read(db, acc, "2025-12-31", 100 * i + 40 + i)
    with db.at(DEC[2]):
        db.call("run_billing", *DEC, ACTOR)
    for i, acc in enumerate(accs):
        if i % 4 == 1:
            read(db, acc, "2026-01-15", 100 * i + 90 + i)
        if i % 6 == 5 or i == 22:
            continue                    # no January reading: estimated (22: closed, see below)
        if i == 13:
            assert read(db, acc, "2026-01-31", 100 * i + 5000)["status"] == "review"
            continue
        read(db, acc, "2026-01-31", 100 * i + 150 + 2 * i)
    # credit waiting for the next bill (allocated by the run), a payment of a December bill
    with db.at("2026-01-20"):
        for i in (2, 8, 20):
            db.call("post_payment", accs[i].account_id, "500.00", "cash", None, f"pre-{i}", ACTOR)
    # closed on the 20th with a final reading: a final bill up to the 20th
    read(db, accs[22], "2026-01-20", 100 * 22 + 120)
    db.call("close_account", accs[22].account_id, "2026-01-20", ACTOR)
    # an account without a meter is no candidate
    from helpers.factories import make_account
    make_account(db, tariff_code="FLAT", opened_on="2025-12-01")
    return accs


def normalized(db):
    """The billing tables without what differs by the order of billing: ids given by
    AUTO_INCREMENT in order of insertion (bills, readings, ledger entries, notices), bill
    numbers, run ids, and the moment rows were written."""
    bill_key = {r["bill_id"]: (r["account_id"], str(r["period_end"]), r["cancelled_at"] is not None)
                for r in db.rows("SELECT bill_id, account_id, period_end, cancelled_at FROM bill")}
    reading_key = {r["reading_id"]: (r["meter_id"], str(r["read_on"]), r["kind"]) for r in db.rows(
        "SELECT reading_id, meter_id, read_on, kind FROM meter_reading")}
    out = {}

    def table(name, sql, drop=(), maps=None):
        rows = []
        for r in db.rows(sql):
            r = dict(r)
            for col, m in (maps or {}).items():
                r[col] = m.get(r[col]) if r[col] is not None else None
            for col in drop:
                r.pop(col, None)
            rows.append(tuple(sorted((k, str(v)) for k, v in r.items())))
        out[name] = sorted(rows)

    stamps = ("created_at", "posted_at", "recorded_at", "reviewed_at", "finished_at", "started_at",
              "next_attempt_at")
    table("bill", "SELECT * FROM bill", drop=("bill_id", "bill_no", "run_id") + stamps,
          maps={"end_reading_id": reading_key, "replaces_bill_id": bill_key})
    table("bill_line", "SELECT * FROM bill_line", drop=stamps, maps={"bill_id": bill_key})
    table("meter_reading", "SELECT * FROM meter_reading", drop=("reading_id",) + stamps)
    table("ledger_entry", "SELECT * FROM ledger_entry", drop=("entry_id",) + stamps,
          maps={"bill_id": bill_key})
    table("payment_allocation", "SELECT * FROM payment_allocation",
          drop=("allocation_id",) + stamps, maps={"bill_id": bill_key})
    table("payment", "SELECT * FROM payment", drop=stamps)
    table("notice", "SELECT * FROM notice", drop=("notice_id",) + stamps,
          maps={"bill_id": bill_key})
    table("billing_exception", "SELECT * FROM billing_exception", drop=("run_id",) + stamps)
    table("billing_run", "SELECT period_start, period_end, issue_date, due_days, status, "
          "accounts_total, accounts_done, bills_created, accounts_skipped, total_billed, "
          "chunks_total, chunks_done FROM billing_run")
    return out


def test_a_run_worked_by_three_sessions_leaves_what_one_run_billing_leaves(db, twin):
    accs = build(db)
    assert [a.account_id for a in build(twin)] == [a.account_id for a in accs]

    db.execute("SET @billing_chunk_size = 4")
    with db.at(JAN[2]):
        one = db.call("run_billing", *JAN, ACTOR)

    started = start(twin, chunk_size=4)
    assert started["accounts_total"] == one["accounts_considered"]
    results, ids = work_in_parallel(twin.url, started["run_id"], 3)
    run = assert_run_complete(twin, started["run_id"])
    assert sum(r["chunks_done"] for r in results) == run["chunks_total"] == \
        -(-one["accounts_considered"] // 4)
    assert sum(r["bills_created"] for r in results) == run["bills_created"] == one["bills_created"]
    assert (run["accounts_skipped"], run["total_billed"]) == (one["accounts_skipped"],
                                                              one["total_billed"])
    assert one["bills_created"] > 25 and one["accounts_skipped"] >= 1   # a real mix
    assert twin.value("SELECT COUNT(*) FROM billing_exception") >= 1
    assert twin.value("SELECT COUNT(*) FROM payment_allocation") >= 3

    a, b = normalized(db), normalized(twin)
    for name in a:
        assert b[name] == a[name], name
    assert_bill_numbers(twin, started["run_id"])
    assert twin.rows("SELECT * FROM v_ledger_integrity") == []
    # each chunk records the session that billed it and its bills
    chunks = twin.rows("SELECT * FROM billing_run_chunk WHERE run_id = %s", started["run_id"])
    assert {c["done_connection"] for c in chunks} <= set(ids)
    assert sum(c["bills_created"] for c in chunks) == run["bills_created"]


# ---------------------------------------------------------------- workers racing

def test_bill_numbers_stay_gapless_with_four_workers_racing(db):
    db.set_clock("2027-01-01")
    make_tariff(db, code="FLAT", versions=[FLAT])
    accs = [make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01") for _ in range(50)]
    months = [("2026-01-01", "2026-01-31", "2026-02-01", 14),
              ("2026-02-01", "2026-02-28", "2026-03-01", 14),
              ("2026-03-01", "2026-03-31", "2026-04-01", 14)]
    for m, period in enumerate(months, start=1):
        for i, a in enumerate(accs):
            if (i + m) % 10:
                read(db, a, period[1], 100 * m + i)             # every 10th estimated
    n = 0
    for period in months:
        started = start(db, period, chunk_size=3)
        results, _ = work_in_parallel(db.url, started["run_id"], 4, issue_date=period[2])
        assert_run_complete(db, started["run_id"])
        assert sum(r["chunks_done"] for r in results) == 17
        assert sum(r["bills_created"] for r in results) == 50
        assert_billed_once(db, [a.account_id for a in accs], period[1])
        n += 50
        assert db.value("SELECT COUNT(*) FROM bill") == n
        assert_bill_numbers(db, started["run_id"])
    assert db.rows("SELECT * FROM v_ledger_integrity") == []


# ---------------------------------------------------------------- a worker that dies

WORKER = r"""
import sys, MySQLdb
sys.path.insert(0, sys.argv[1])
from dburl import connect_kwargs
conn = MySQLdb.connect(**connect_kwargs(sys.argv[2]))
cur = conn.cursor()
cur.execute("SET timestamp = UNIX_TIMESTAMP('2026-02-01 12:00:00')")
cur.execute("SELECT CONNECTION_ID()")
print(cur.fetchone()[0], flush=True)
cur.execute("CALL work_billing_run(%s, 'batch:doomed')", (sys.argv[3],))
print("returned", flush=True)
"""


def spawn_worker(url, run_id):
    """work_billing_run in a process of its own; returns (process, its connection id)."""
    proc = subprocess.Popen([sys.executable, "-c", WORKER, str(ROOT / "db"), url, str(run_id)],
                            stdout=subprocess.PIPE, text=True)
    return proc, int(proc.stdout.readline())


def _small_run(db, n=6):
    db.set_clock("2027-01-01")
    make_tariff(db, code="FLAT", versions=[FLAT])
    accs = [make_metered_account(db, tariff_code="FLAT", opened_on="2026-01-01") for _ in range(n)]
    for i, a in enumerate(accs):
        read(db, a, "2026-01-31", 100 + i)
    return accs, start(db, chunk_size=2)["run_id"]           # 3 chunks of 2


def session_alive(db, conn_id):
    return db.value("SELECT COUNT(*) FROM information_schema.processlist WHERE id = %s",
                    conn_id) == 1


def kill_session(db, conn_id):
    """KILL CONNECTION, then wait until the session is gone (KILL only flags it; the session
    rolls back and ends on its own thread)."""
    db.execute(f"KILL CONNECTION {int(conn_id)}")
    deadline = time.monotonic() + 10
    while session_alive(db, conn_id) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not session_alive(db, conn_id)


GATE = ("CREATE TRIGGER test_chunk_gate BEFORE UPDATE ON billing_run_chunk FOR EACH ROW BEGIN "
        "DECLARE g INT; SELECT last_number INTO g FROM number_counter "
        "WHERE counter_name = 'test_gate' AND counter_year = 2000 FOR UPDATE; END")


@pytest.fixture
def chunk_gate(db, connect):
    """Every chunk stops at its progress (the update of its chunk row, the last step before its
    commit, after its bills are inserted and numbered) while the returned session holds the
    gate: a row of number_counter that nothing else uses, locked by a test trigger."""
    db.execute("INSERT INTO number_counter (counter_name, counter_year, last_number) "
               "VALUES ('test_gate', 2000, 0)")
    db.execute(GATE)
    holder = connect()
    holder.execute("START TRANSACTION")
    holder.value("SELECT last_number FROM number_counter WHERE counter_name = 'test_gate' "
                 "AND counter_year = 2000 FOR UPDATE")   # the whole key: that row, no gap
    try:
        yield holder
    finally:
        holder.execute("ROLLBACK")
        db.execute("DROP TRIGGER IF EXISTS test_chunk_gate")


def test_a_worker_killed_holding_bill_numbers_leaves_its_chunk_to_another(db, connect, chunk_gate):
    accs, run_id = _small_run(db)
    holder = chunk_gate

    doomed, doomed_id = spawn_worker(db.url, run_id)
    wait_for_lock_waits(db, [doomed_id], 1)                  # chunk 0 billed, numbers 1-2 taken
    helper = connect()
    helper.set_clock("2026-02-01")
    helper_id = helper.value("SELECT CONNECTION_ID()")
    out = {}
    th = threading.Thread(target=lambda: out.update(r=helper.call("work_billing_run", run_id,
                                                                  "batch:helper")))
    th.start()
    wait_for_lock_waits(db, [helper_id], 1)                  # chunk 1 waits for the counter

    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    # The server has not noticed: a session finishes its statement (here, the CALL) before it
    # reads from or writes to its client again. Its end comes from the server side: a DBA's
    # KILL, a lost connection, a crash of the server; all the same to InnoDB: rollback.
    time.sleep(0.5)
    assert session_alive(db, doomed_id)
    kill_session(db, doomed_id)

    holder.execute("COMMIT")                                 # the gate opens
    th.join(timeout=60)
    assert not th.is_alive()
    # the helper billed every chunk, the killed worker's among them, and completed the run
    assert out["r"]["chunks_done"] == 3 and out["r"]["bills_created"] == 6
    assert_run_complete(db, run_id)
    assert {r["done_connection"] for r in db.rows(
        "SELECT done_connection FROM billing_run_chunk WHERE run_id = %s", run_id)} == {helper_id}
    assert_billed_once(db, [a.account_id for a in accs], "2026-01-31")
    assert_bill_numbers(db, run_id)
    assert db.value("SELECT COUNT(*) FROM bill") == 6
    # the killed worker's numbers 1-2 were given back: the helper's first chunk (1) took them
    assert db.value("SELECT bill_no FROM bill WHERE account_id = %s", accs[2].account_id) == \
        "2026-000001"
    assert db.rows("SELECT * FROM v_ledger_integrity") == []


def test_a_dead_worker_chunk_is_claimed_by_a_later_call(db, connect):
    """Chunks held by a live session are skipped, not waited for; once that session is gone,
    the next call of work_billing_run bills its chunk and completes the run."""
    accs, run_id = _small_run(db)
    holder = connect()
    holder.execute("START TRANSACTION")
    holder.rows("SELECT * FROM account WHERE account_id = %s FOR UPDATE", accs[0].account_id)

    doomed, doomed_id = spawn_worker(db.url, run_id)
    wait_for_lock_waits(db, [doomed_id], 1)                  # holds chunk 0, waits for account 1
    other = connect()
    other.set_clock("2026-02-01")
    r = other.call("work_billing_run", run_id, "batch:other")
    assert (r["chunks_done"], r["bills_created"]) == (2, 4)   # chunks 1 and 2; 0 is held
    assert db.value("SELECT status FROM billing_run WHERE run_id = %s", run_id) == "running"

    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    kill_session(db, doomed_id)
    holder.execute("COMMIT")
    r = other.call("work_billing_run", run_id, "batch:other")
    assert (r["chunks_done"], r["bills_created"]) == (1, 2)
    assert_run_complete(db, run_id)
    assert_billed_once(db, [a.account_id for a in accs], "2026-01-31")
    assert_bill_numbers(db, run_id)
    # a completed run has nothing left: 0 chunks
    r = other.call("work_billing_run", run_id, "batch:other")
    assert (r["run_id"], r["chunks_done"], r["bills_created"]) == (run_id, 0, 0)


def test_a_client_killed_alone_leaves_a_session_that_finishes_its_call(db, connect):
    """SIGKILL of the client only: the server runs the CALL to its end (chunk after chunk) and
    fails only when it sends the result. Nothing is lost, nothing billed twice."""
    accs, run_id = _small_run(db)
    holder = connect()
    holder.execute("START TRANSACTION")
    holder.rows("SELECT * FROM account WHERE account_id = %s FOR UPDATE", accs[0].account_id)
    doomed, doomed_id = spawn_worker(db.url, run_id)
    wait_for_lock_waits(db, [doomed_id], 1)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    holder.execute("COMMIT")
    deadline = time.monotonic() + 30
    while db.value("SELECT status FROM billing_run WHERE run_id = %s", run_id) == "running" \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    assert_run_complete(db, run_id)
    assert {r["done_connection"] for r in db.rows(
        "SELECT done_connection FROM billing_run_chunk WHERE run_id = %s", run_id)} == {doomed_id}
    assert_billed_once(db, [a.account_id for a in accs], "2026-01-31")
    assert_bill_numbers(db, run_id)


# ---------------------------------------------------------------- the contract

def test_unknown_run_is_not_found_and_writes_nothing(db):
    before = db.snapshot()
    for bad in (12345, 0, "4294967296"):
        with pytest.raises(DbError) as e:
            db.call("work_billing_run", bad, ACTOR)
        assert e.value.errno == 45001
    with pytest.raises(DbError) as e:
        db.call("work_billing_run", "x", ACTOR)
    assert e.value.errno == 45002
    assert db.snapshot() == before


def test_empty_actor_is_refused(db):
    _, run_id = _small_run(db, n=1)
    with pytest.raises(DbError) as e:
        db.call("work_billing_run", run_id, " ")
    assert e.value.errno == 45002
    with pytest.raises(DbError) as e:
        with db.at(JAN[2]):
            db.call("start_billing_run", *JAN, "")
    assert e.value.errno == 45002


def test_start_checks_the_period_and_writes_nothing(db):
    db.set_clock("2027-01-01")
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        with db.at("2026-02-01"):
            db.call("start_billing_run", "2026-01-31", "2026-01-01", "2026-02-01", 14, ACTOR)
    assert e.value.errno == 45040
    assert db.snapshot() == before


def test_a_run_without_candidates_completes_at_start(db):
    db.set_clock("2027-01-01")
    r = start(db)
    assert r["accounts_total"] == 0
    run = assert_run_complete(db, r["run_id"])
    assert (run["chunks_total"], run["bills_created"]) == (0, 0)
    w = db.call("work_billing_run", r["run_id"], ACTOR)
    assert (w["chunks_done"], w["bills_created"]) == (0, 0)


def test_start_then_one_worker_is_run_billing(db):
    """Candidates and chunks as run_billing takes them: accounts_total, chunks of the session's
    size in account order, the started audit row; then one worker bills them all."""
    accs, run_id = _small_run(db, n=5)
    run = db.row("SELECT * FROM billing_run WHERE run_id = %s", run_id)
    assert (run["status"], run["accounts_total"], run["chunks_total"], run["chunks_done"]) == (
        "running", 5, 3, 0)
    ids = [a.account_id for a in accs]
    assert [(c["chunk_no"], c["first_account_id"], c["last_account_id"], c["accounts"]) for c in
            db.rows("SELECT * FROM billing_run_chunk WHERE run_id = %s ORDER BY chunk_no", run_id)] \
        == [(0, ids[0], ids[1], 2), (1, ids[2], ids[3], 2), (2, ids[4], ids[4], 1)]
    assert db.value("SELECT COUNT(*) FROM audit_log WHERE action = 'billing_run_started' "
                    "AND row_key = %s", str(run_id)) == 1
    with db.at(JAN[2]):
        w = db.call("work_billing_run", run_id, ACTOR)
    assert (w["run_id"], w["chunks_done"], w["bills_created"]) == (run_id, 3, 5)
    run = assert_run_complete(db, run_id)
    assert run["total_billed"] == Decimal("51.00")       # (100 + ... + 104) kWh x 0.10
    assert [r["account_id"] for r in db.rows("SELECT account_id FROM bill ORDER BY bill_no")] == ids


def work_failing(db, run_id, trigger):
    """work_billing_run with a test trigger (`CREATE TRIGGER name ...`, signalling 45999) in
    place: the call must fail with it. The trigger is dropped afterwards."""
    db.execute(trigger)
    try:
        with pytest.raises(DbError) as e:
            with db.at(JAN[2]):
                db.call("work_billing_run", run_id, ACTOR)
        assert e.value.errno == 45999
    finally:
        db.execute(f"DROP TRIGGER IF EXISTS {trigger.split()[2]}")


def test_a_failing_chunk_fails_the_run_and_others_stop_claiming(db, connect):
    accs, run_id = _small_run(db)
    victim = accs[2].account_id                                 # chunk 1
    work_failing(db, run_id,
                 "CREATE TRIGGER test_fail_bill BEFORE INSERT ON bill FOR EACH ROW BEGIN "
                 f"IF NEW.account_id = {victim} THEN SIGNAL SQLSTATE '45000' "
                 "SET MYSQL_ERRNO = 45999, MESSAGE_TEXT = 'injected'; END IF; END")
    run = db.row("SELECT * FROM billing_run WHERE run_id = %s", run_id)
    assert (run["status"], run["chunks_done"], run["bills_created"]) == ("failed", 1, 2)
    assert db.value("SELECT COUNT(*) FROM audit_log WHERE action = 'billing_run_failed'") == 1
    assert db.value("SELECT COUNT(*) FROM bill") == 2
    # a failed run is not worked any more
    w = connect().call("work_billing_run", run_id, ACTOR)
    assert (w["chunks_done"], w["bills_created"]) == (0, 0)
    assert_bill_numbers(db, run_id)


def test_contract_has_start_and_work_billing_run(db_url):
    check = ROOT.parent / "shared" / "bin" / "check-contract"
    out = subprocess.run([sys.executable, str(check), db_url, "start_billing_run",
                          "work_billing_run", "run_billing"], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 differences, 0 not built yet" in out.stdout


# ---------------------------------------------------------------- the counter, held briefly

def _chunk_waiting_for_a_payment(db, connect):
    """A run of 3 chunks of 2 and a worker whose chunk 0 has inserted its bills and waits to
    allocate the credit of a payment the returned holder locks. Returns (accounts, run_id, the
    payment, the holder, the worker's thread and its result dict)."""
    accs, run_id = _small_run(db)
    with db.at("2026-01-20"):                                # credit waiting for the new bill
        pay = db.call("post_payment", accs[1].account_id, "3.00", "cash", None, "credit-1", ACTOR)
    holder = connect()
    holder.execute("START TRANSACTION")
    holder.rows("SELECT * FROM payment WHERE payment_id = %s FOR UPDATE", pay["payment_id"])

    worker = connect()
    worker.set_clock("2026-02-01")
    worker.execute("SET SESSION innodb_lock_wait_timeout = 300")   # it waits as long as held
    worker_id = worker.value("SELECT CONNECTION_ID()")
    out = {}
    th = threading.Thread(target=lambda: out.update(r=worker.call("work_billing_run", run_id,
                                                                  ACTOR)))
    th.start()
    try:
        wait_for_lock_waits(db, [worker_id], 1)              # chunk 0: bills in, waits to allocate
        assert db.value("SELECT COUNT(*) FROM information_schema.innodb_trx t "
                        "JOIN information_schema.innodb_locks l ON l.lock_trx_id = t.trx_id "
                        "WHERE t.trx_mysql_thread_id = %s AND l.lock_table LIKE '%%`payment`'",
                        worker_id) == 1
    except BaseException:
        holder.execute("COMMIT")
        th.join(timeout=60)
        raise
    return accs, run_id, pay, holder, th, out


def test_a_chunk_waiting_after_its_bills_are_inserted_does_not_hold_the_bill_numbers(db, connect):
    """_store_bills takes the bill-number counter as its last step: a chunk that waits after
    inserting its bills (here: to allocate the credit of a payment the test holds) has not taken
    the counter yet, so other sessions are not queued behind it for their numbers. Then its bills
    are numbered in account order, gapless."""
    db.execute("INSERT INTO number_counter (counter_name, counter_year, last_number) "
               "VALUES ('bill', 2026, 0)")
    accs, run_id, pay, holder, th, out = _chunk_waiting_for_a_payment(db, connect)
    try:
        probe = connect()
        probe.execute("START TRANSACTION")
        # the counter is free: NOWAIT would fail at once (1205) if the chunk held it
        assert probe.value("SELECT last_number FROM number_counter WHERE counter_name = 'bill' "
                           "AND counter_year = 2026 FOR UPDATE NOWAIT") == 0
        probe.execute("ROLLBACK")
    finally:
        holder.execute("COMMIT")
        th.join(timeout=60)
    assert (out["r"]["chunks_done"], out["r"]["bills_created"]) == (3, 6)
    assert_run_complete(db, run_id)
    assert_bill_numbers(db, run_id)
    assert [r["account_id"] for r in db.rows("SELECT account_id FROM bill ORDER BY bill_no")] == \
        [a.account_id for a in accs]
    assert db.value("SELECT amount_allocated FROM payment WHERE payment_id = %s",
                    pay["payment_id"]) == Decimal("3.00")
    assert db.rows("SELECT * FROM v_ledger_integrity") == []


# ---------------------------------------------------------------- progress on the chunk rows

def progress(db, run_id):
    return db.row("SELECT status, accounts_total, accounts_done, bills_created, accounts_skipped, "
                  "total_billed FROM v_billing_run WHERE run_id = %s", run_id)


def test_a_chunk_waiting_mid_store_does_not_stop_the_other_sessions_chunks(db, connect):
    """The run row is not a queue (migration 0131): while one session's chunk waits after
    inserting its bills, another session bills and commits the other chunks; the run's progress
    adds up the chunks committed, and the run completes with the waiting chunk."""
    _, run_id, pay, holder, th, out = _chunk_waiting_for_a_payment(db, connect)
    try:
        other = connect()
        other.set_clock("2026-02-01")
        # it has nothing to wait for (until migration 0131 it waited for the run row, which
        # chunk 0 held, and failed the run after five lock timeouts)
        other.execute("SET SESSION innodb_lock_wait_timeout = 3")
        r = other.call("work_billing_run", run_id, "batch:other")
        assert (r["chunks_done"], r["bills_created"]) == (2, 4)  # chunks 1 and 2, not waiting
        # still running (chunk 0 is pending); its progress is the two chunks committed
        p = progress(db, run_id)
        assert (p["status"], p["accounts_total"], p["accounts_done"], p["bills_created"],
                p["accounts_skipped"]) == ("running", 6, 4, 4, 0)
        assert p["total_billed"] == Decimal("41.40")          # (102 + ... + 105) kWh x 0.10
        assert db.value("SELECT accounts_done FROM v_staff_billing_run WHERE run_id = %s",
                        run_id) == 4
    finally:
        holder.execute("COMMIT")
        th.join(timeout=60)
    assert not th.is_alive()
    assert (out["r"]["chunks_done"], out["r"]["bills_created"]) == (1, 2)
    run = assert_run_complete(db, run_id)                    # by the session of chunk 0
    assert (run["accounts_done"], run["bills_created"], run["accounts_skipped"],
            run["total_billed"]) == (6, 6, 0, Decimal("61.50"))
    assert progress(db, run_id)["total_billed"] == Decimal("61.50")
    assert db.value("SELECT actor FROM audit_log WHERE action = 'billing_run_finished' "
                    "AND row_key = %s", str(run_id)) == ACTOR
    assert db.value("SELECT amount_allocated FROM payment WHERE payment_id = %s",
                    pay["payment_id"]) == Decimal("3.00")
    assert_bill_numbers(db, run_id)
    assert db.rows("SELECT * FROM v_ledger_integrity") == []


def test_a_run_whose_completion_was_lost_is_completed_by_the_next_call(db):
    """A session that dies after committing the last chunk and before completing the run (here:
    its completion fails) leaves every chunk done and the run running, with its progress; the
    next work_billing_run completes it, with the sums of the chunks and one audit row."""
    _, run_id = _small_run(db, n=5)
    work_failing(db, run_id,
                 "CREATE TRIGGER test_lose_completion BEFORE UPDATE ON billing_run FOR EACH ROW "
                 "BEGIN IF NEW.status = 'completed' THEN SIGNAL SQLSTATE '45000' "
                 "SET MYSQL_ERRNO = 45999, MESSAGE_TEXT = 'lost'; END IF; END")
    assert db.value("SELECT COUNT(*) FROM billing_run_chunk WHERE run_id = %s "
                    "AND status = 'done'", run_id) == 3
    p = progress(db, run_id)
    assert (p["status"], p["accounts_done"], p["bills_created"], p["total_billed"]) == (
        "running", 5, 5, Decimal("51.00"))
    with db.at(JAN[2]):
        w = db.call("work_billing_run", run_id, "batch:later")
    assert (w["chunks_done"], w["bills_created"]) == (0, 0)
    run = assert_run_complete(db, run_id)
    assert (run["accounts_done"], run["bills_created"], run["accounts_skipped"],
            run["total_billed"]) == (5, 5, 0, Decimal("51.00"))
    assert db.value("SELECT actor FROM audit_log WHERE action = 'billing_run_finished' "
                    "AND row_key = %s", str(run_id)) == "batch:later"
    assert_bill_numbers(db, run_id)


def test_accounts_another_run_billed_meanwhile_are_not_considered(db):
    """Two runs of one period started before either bills (direct calls; manage.py run_billing
    refuses a second one with its lock): run B bills everything, then run A finds every
    candidate billed. By billing-rules.md an account with a bill for an overlapping period is
    not considered and nothing is recorded for it, so run A considered none, skipped none and
    has no exception rows; its figures add up (considered = created + skipped) on the run row,
    in v_billing_run and in its audit row. (Run A used to report its 6 candidates as
    considered and skipped, with no exception explaining them.)"""
    accs, run_a = _small_run(db, n=6)
    run_b = start(db, chunk_size=2)["run_id"]
    with db.at(JAN[2]):
        assert db.call("work_billing_run", run_b, ACTOR)["bills_created"] == 6
        w = db.call("work_billing_run", run_a, ACTOR)
    assert (w["chunks_done"], w["bills_created"]) == (3, 0)
    a = assert_run_complete(db, run_a)
    assert (a["accounts_total"], a["accounts_done"], a["bills_created"], a["accounts_skipped"]) \
        == (0, 0, 0, 0)
    v = db.row("SELECT * FROM v_billing_run WHERE run_id = %s", run_a)
    assert (v["accounts_total"], v["accounts_done"], v["accounts_skipped"]) == (0, 0, 0)
    assert db.value("SELECT COUNT(*) FROM v_billing_exceptions WHERE run_id = %s", run_a) == 0
    audit = db.value("SELECT new_values FROM audit_log WHERE action = 'billing_run_finished' "
                     "AND row_key = %s", str(run_a))
    audit = json.loads(audit)
    assert (int(audit["accounts_considered"]), int(audit["accounts_skipped"])) == (0, 0)
    b = assert_run_complete(db, run_b)
    assert (b["accounts_total"], b["bills_created"], b["accounts_skipped"]) == (6, 6, 0)


def test_a_run_considers_the_candidates_nobody_billed_meanwhile(db):
    """A run started with 6 candidates; two of them are billed by bill_account before the run
    is worked: it considers and bills the other four, and skips none."""
    accs, run_a = _small_run(db, n=6)
    with db.at(JAN[2]):
        for acc in accs[1:3]:
            assert db.call("bill_account", acc.account_id, *JAN, ACTOR)["bill_id"] is not None
        assert db.call("work_billing_run", run_a, ACTOR)["bills_created"] == 4
    a = assert_run_complete(db, run_a)
    assert (a["accounts_total"], a["bills_created"], a["accounts_skipped"]) == (4, 4, 0)
    assert db.value("SELECT COUNT(*) FROM v_billing_exceptions WHERE run_id = %s", run_a) == 0
