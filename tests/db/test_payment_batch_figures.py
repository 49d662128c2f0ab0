"""A payment batch's kept figures (migration 0129; issue 24 §4, the bank files list at scale):
payment_batch.line_count ... no_key_count, kept by stage_payment_batch and post_payment_batch in
their own transactions, always equal the figures counted from the lines
(v_staff_payment_batch_recount, the view's definition before 0129), and v_staff_payment_batch
shows them. Checked after staging in several calls, posting in chunks and segments with every
outcome, two batches posted at once, a failure in the middle of a chunk, a reversal; drift is
listed by v_ledger_integrity."""
import re
from decimal import Decimal as D
from pathlib import Path

import pytest

from helpers.bills import assert_integrity, make_bill
from helpers.db import DbError
from helpers.factories import ACTOR, make_metered_account
from helpers.races import run_together

ROOT = Path(__file__).resolve().parents[2]
CLOCK = "2026-03-01 12:00:00"
BATCH_ACTOR = "batch:lockbox"
FIGURES = ("lines", "pending", "posted", "replayed", "refused", "amount_total", "amount_posted",
           "bad_amount_lines", "no_key_lines")
KEPT = ("line_count AS `lines`, pending_count AS pending, posted_count AS posted, "
        "replayed_count AS replayed, refused_count AS refused, amount_total, amount_posted, "
        "bad_amount_count AS bad_amount_lines, no_key_count AS no_key_lines")


def kept(db, batch_id):
    return db.row(f"SELECT {KEPT} FROM payment_batch WHERE batch_id = %s", batch_id)


def recount(db, batch_id):
    return db.row(f"SELECT {', '.join(f'`{f}`' for f in FIGURES)} "
                  "FROM v_staff_payment_batch_recount WHERE batch_id = %s", batch_id)


def shown(db, batch_id):
    return db.row(f"SELECT {', '.join(f'`{f}`' for f in FIGURES)} "
                  "FROM v_staff_payment_batch WHERE batch_id = %s", batch_id)


def counted(db, batch_id):
    """The figures straight from the lines, written here independently of any view."""
    r = db.row("SELECT COUNT(*) AS n, "
               "SUM(l.outcome = 'pending') AS pending, SUM(l.outcome = 'posted') AS posted, "
               "SUM(l.outcome = 'replayed') AS replayed, SUM(l.outcome = 'refused') AS refused, "
               "SUM(l.amount) AS amount_total, "
               "SUM(IF(l.outcome = 'posted', p.amount, NULL)) AS amount_posted, "
               "SUM(l.amount IS NULL) AS bad, SUM(l.idempotency_key IS NULL) AS no_key "
               "FROM payment_batch_line l LEFT JOIN payment p ON p.payment_id = l.payment_id "
               "WHERE l.batch_id = %s", batch_id)
    return {"lines": r["n"], "pending": int(r["pending"] or 0), "posted": int(r["posted"] or 0),
            "replayed": int(r["replayed"] or 0), "refused": int(r["refused"] or 0),
            "amount_total": r["amount_total"] or D("0.00"),
            "amount_posted": r["amount_posted"] or D("0.00"),
            "bad_amount_lines": int(r["bad"] or 0), "no_key_lines": int(r["no_key"] or 0)}


def assert_kept(db, batch_id):
    """Kept = recounted = shown = counted here; the figures returned for more checks."""
    want = counted(db, batch_id)
    norm = [{k: (D(v) if k.startswith("amount") else int(v)) for k, v in f.items()}
            for f in (kept(db, batch_id), recount(db, batch_id), shown(db, batch_id))]
    assert norm == [want, want, want]
    return want


def account_no(db, account_id):
    return db.value("SELECT account_no FROM account WHERE account_id = %s", account_id)


def line(no, amount, key, method="bank_transfer", paid_at="2026-02-20 09:00:00"):
    return {"account_no": no, "amount": amount, "method": method, "paid_at": paid_at, "key": key}


def stage(db, lines, ref="f.csv"):
    import json
    return db.call("stage_payment_batch", ref, json.dumps(lines), BATCH_ACTOR)


def post(db, batch_id):
    return db.call("post_payment_batch", batch_id, BATCH_ACTOR)


def accounts(db, n, bill="100.00"):
    ids = [make_metered_account(db).account_id for _ in range(n)]
    for a in ids:
        make_bill(db, a, bill, "2026-02-15", issue_date="2026-01-31", period_end="2026-01-30")
    return ids, [account_no(db, a) for a in ids]


def closed_account(db):
    acc = make_metered_account(db).account_id
    db.call("close_account", acc, "2026-02-01", ACTOR)
    return account_no(db, acc)


def mixed_lines(db):
    """Lines of every outcome: plain lines (the set-based way), lines one by one, replays of a
    key of the batch and of a key used before, refusals (closed and unknown accounts, bad
    amounts, a bad method, a key used for another amount), lines without a key."""
    ids, nos = accounts(db, 8)
    db.call("post_payment", ids[7], "10.00", "cash", "2026-01-20 10:00:00", "used-before", ACTOR)
    closed = closed_account(db)
    return [line(nos[0], "10.00", "m1"), line(nos[1], "20.50", "m2"),
            line(nos[2], "30", None),                         # no key: an automatic one
            line(nos[3], "abc", "m4"),                        # bad amount: 45020
            line(nos[4], "12.00", "dup"), line(nos[4], "12.00", "dup"),   # replayed
            line(nos[5], "-5", None),                         # bad amount, no key
            line(closed, "15.00", "m8"),                      # closed, nothing open: 45021
            line("X99999999", "15.00", "m9"),                 # unknown account: 45001
            line(nos[6], "1.005", "m10"),                     # three decimals: 45020
            line(nos[7], "10.00", "used-before"),             # replayed (key used before)
            line(nos[6], "11.00", "used-before"),             # 45022: another account's key
            line(nos[5], "40.00", "m13", method="bitcoin"),   # 45002
            line(nos[0], "5.00", "m14"), line(nos[1], "6.00", None),
            line(nos[2], "7.25", "m16"), line(nos[3], "8.00", "m17")]


# ---- staging --------------------------------------------------------------------------------

def test_staging_in_several_calls_keeps_the_lines_figures(db):
    db.set_clock(CLOCK)
    lines = mixed_lines(db)
    batch_id = None
    for i in range(0, len(lines), 5):
        r = stage(db, lines[i:i + 5], ref="chunks.csv")
        batch_id = batch_id or r["batch_id"]
        assert r["batch_id"] == batch_id
        got = assert_kept(db, batch_id)
        assert got["lines"] == got["pending"] == r["lines"] == min(i + 5, len(lines))
    assert stage(db, [], ref="chunks.csv") == {"batch_id": batch_id, "lines": len(lines)}
    got = assert_kept(db, batch_id)
    assert (got["bad_amount_lines"], got["no_key_lines"]) == (3, 3)
    assert got["amount_total"] == D("201.75")
    assert_integrity(db)


def test_a_refused_staging_keeps_nothing(db):
    db.set_clock(CLOCK)
    ids, nos = accounts(db, 1)
    a = stage(db, [line(nos[0], "1.00", "s1")], ref="r.csv")
    with pytest.raises(DbError):
        stage(db, [line(nos[0], "2.00", "x" * 1001)], ref="r.csv")
    assert assert_kept(db, a["batch_id"])["lines"] == 1


# ---- posting --------------------------------------------------------------------------------

@pytest.mark.parametrize("chunk", [1000, 3, 1])
def test_posting_keeps_every_outcome(db, chunk):
    """Posted, replayed and refused lines, in one chunk or many (the line-by-line and set-based
    ways in every chunk); posting again changes nothing."""
    db.set_clock(CLOCK)
    lines = mixed_lines(db)
    a = stage(db, lines)
    db.execute("SET @payment_batch_chunk = %s", chunk)
    try:
        r = post(db, a["batch_id"])
    finally:
        db.execute("SET @payment_batch_chunk = NULL")
    got = assert_kept(db, a["batch_id"])
    assert (got["posted"], got["replayed"], got["refused"], got["pending"]) == (8, 2, 7, 0)
    assert (got["posted"], got["replayed"], got["refused"], got["amount_posted"]) == \
        (r["posted"], r["replayed"], r["refused"], r["amount_posted"])
    assert got["amount_posted"] == D("98.75")
    assert post(db, a["batch_id"]) == r
    assert assert_kept(db, a["batch_id"]) == got
    assert db.value("SELECT status FROM v_staff_payment_batch WHERE batch_id = %s",
                    a["batch_id"]) == "posted"
    assert_integrity(db)


def test_a_batch_posted_in_several_segments(db):
    """Runs of plain lines (set-based segments: 1-2, 4-5, 7-10) between lines posted one by one
    (3 and 6: one account, one key), in one chunk."""
    db.set_clock(CLOCK)
    ids, nos = accounts(db, 10)
    lines = [line(nos[0], "10.00", "g0"), line(nos[1], "11.00", "g1"),
             line(nos[2], "12.00", "dup"), line(nos[3], "13.00", "g3"),
             line(nos[4], "14.00", "g4"), line(nos[2], "12.00", "dup"),
             line(nos[5], "15.00", "g6"), line(nos[6], "16.00", "g7"),
             line(nos[7], "17.00", "g8"), line(nos[8], "18.00", "g9")]
    a = stage(db, lines, ref="seg.csv")
    r = post(db, a["batch_id"])
    assert [x["plain"] for x in db.rows("SELECT plain FROM batch_window ORDER BY line_no")] == \
        [1, 1, 0, 1, 1, 0, 1, 1, 1, 1]
    got = assert_kept(db, a["batch_id"])
    assert (got["posted"], got["replayed"], got["amount_posted"]) == (9, 1, D("126.00"))
    assert r["amount_posted"] == got["amount_posted"]
    # posted: the name names a new batch, with figures of its own
    b = stage(db, [line(nos[9], "1.00", "h0")], ref="seg.csv")
    assert b["batch_id"] != a["batch_id"]
    assert assert_kept(db, b["batch_id"])["lines"] == 1
    assert_integrity(db)


def test_appending_to_a_batch_partly_posted(db):
    """A posting that stopped after its first chunk (a failure), more lines staged to the still
    open batch, then posted: the figures follow every step."""
    db.set_clock(CLOCK)
    ids, nos = accounts(db, 6)
    a = stage(db, [line(nos[i], "5.00", f"p{i}") for i in range(4)], ref="part.csv")
    with failing_posting(db, "44.44"):
        db.execute("SET @payment_batch_chunk = 2")
        stage(db, [line(nos[4], "44.44", "boom")], ref="part.csv")
        with pytest.raises(DbError):
            post(db, a["batch_id"])
        db.execute("SET @payment_batch_chunk = NULL")
    got = assert_kept(db, a["batch_id"])
    assert (got["lines"], got["posted"], got["pending"]) == (5, 4, 1)
    stage(db, [line(nos[5], "6.00", "p5")], ref="part.csv")
    assert assert_kept(db, a["batch_id"])["pending"] == 2
    post(db, a["batch_id"])
    got = assert_kept(db, a["batch_id"])
    assert (got["lines"], got["posted"], got["amount_posted"]) == (6, 6, D("70.44"))
    assert_integrity(db)


def test_two_batches_posted_at_once_by_two_sessions(db, connect):
    """Two batches over the same accounts posted concurrently, in small chunks, while
    post_payment calls run: each batch's figures are its own lines'."""
    db.set_clock(CLOCK)
    ids, nos = accounts(db, 30, bill="50.00")
    closed = closed_account(db)
    first = stage(db, [line(no, "20.00", f"b1-{i}") for i, no in enumerate(nos)]
                  + [line(closed, "1.00", "b1-closed"), line(nos[0], "20.00", "b1-0")], ref="b1")
    second = stage(db, [line(no, "28.00" if i % 4 else "bad", f"b2-{i}")
                        for i, no in reversed(list(enumerate(nos)))], ref="b2")
    results = {}

    def batch(name, batch_id):
        c = connect()
        c.set_clock(CLOCK)
        c.execute("SET @payment_batch_chunk = 4")
        results[name] = post(c, batch_id)

    def payer():
        c = connect()
        c.set_clock(CLOCK)
        for k in range(10):
            c.call("post_payment", ids[k * 3], "5.00", "cash", None, f"pp-{k}", ACTOR)
    errors = run_together(lambda: batch("b1", first["batch_id"]),
                          lambda: batch("b2", second["batch_id"]), payer)
    assert errors == []
    one, two = assert_kept(db, first["batch_id"]), assert_kept(db, second["batch_id"])
    assert (one["posted"], one["replayed"], one["refused"], one["amount_posted"]) == \
        (30, 1, 1, D("600.00"))
    assert (two["posted"], two["refused"], two["amount_posted"]) == (22, 8, D("616.00"))
    assert results["b1"]["amount_posted"] == one["amount_posted"]
    assert results["b2"]["amount_posted"] == two["amount_posted"]
    assert_integrity(db)


# ---- a failure in the middle of a chunk -----------------------------------------------------

class failing_posting:
    """A test-only trigger: a server error (not a contract error, so the chunk is rolled back
    and the error signalled) when a payment of `amount` gets its posting row, the last rows a
    posting writes before the line's outcome, in the set-based segment and one by one alike."""

    def __init__(self, db, amount):
        self.db, self.amount = db, amount

    def __enter__(self):
        self.db.execute("DROP TRIGGER IF EXISTS test_fail_posting")
        self.db.execute(
            "CREATE TRIGGER test_fail_posting BEFORE INSERT ON payment_posting FOR EACH ROW "
            "BEGIN IF (SELECT amount FROM payment WHERE payment_id = NEW.payment_id) = "
            f"{D(self.amount)} THEN SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 1644, "
            "MESSAGE_TEXT = 'test: a failure in the middle'; END IF; END")
        return self

    def __exit__(self, *exc):
        self.db.execute("DROP TRIGGER IF EXISTS test_fail_posting")


@pytest.mark.parametrize("way", ["segment", "one by one"])
def test_a_failure_in_the_middle_of_a_chunk_keeps_nothing_of_it(db, way):
    """The second chunk fails at its fourth line (in a set-based segment, or on a line posted
    one by one): the first chunk stays posted and counted, nothing of the second is kept; posting
    again posts and counts the rest."""
    db.set_clock(CLOCK)
    ids, nos = accounts(db, 10)
    lines = [line(nos[i], f"{i + 1}.00", f"f{i}") for i in range(10)]
    lines[7] = line(nos[7], "77.77", "f7")
    if way == "one by one":
        lines[6] = line(nos[7], "6.00", "f6")        # a second line of that account: one by one
    a = stage(db, lines)
    db.execute("SET @payment_batch_chunk = 4")
    try:
        with failing_posting(db, "77.77"):
            with pytest.raises(DbError) as e:
                post(db, a["batch_id"])
            assert "a failure in the middle" in e.value.message
            plain = [x["plain"] for x in db.rows("SELECT plain FROM batch_window "
                                                 "ORDER BY line_no")]
            assert plain == ([1, 1, 1, 1] if way == "segment" else [1, 1, 0, 0])
            got = assert_kept(db, a["batch_id"])
            assert (got["posted"], got["pending"], got["amount_posted"]) == (4, 6, D("10.00"))
            assert db.value("SELECT COUNT(*) FROM payment") == 4
            assert db.value("SELECT status FROM payment_batch WHERE batch_id = %s",
                            a["batch_id"]) == "open"
        r = post(db, a["batch_id"])
    finally:
        db.execute("SET @payment_batch_chunk = NULL")
    got = assert_kept(db, a["batch_id"])
    assert (got["posted"], got["pending"], got["amount_posted"]) == (10, 0, r["amount_posted"])
    assert_integrity(db)


# ---- reversals, drift, the migration's backfill ---------------------------------------------

def test_a_reversal_changes_no_figure_of_the_batch(db):
    """amount_posted is the money the batch posted, as the view always showed it: a reversal of
    one of its payments leaves the figures (and the recount) as they were."""
    db.set_clock(CLOCK)
    ids, nos = accounts(db, 2)
    a = stage(db, [line(nos[0], "30.00", "rv0"), line(nos[1], "40.00", "rv1")])
    post(db, a["batch_id"])
    before = assert_kept(db, a["batch_id"])
    pid = db.value("SELECT payment_id FROM payment_batch_line WHERE batch_id = %s AND line_no = 2",
                   a["batch_id"])
    db.call("reverse_payment", pid, "bounced", ACTOR)
    assert assert_kept(db, a["batch_id"]) == before
    assert before["amount_posted"] == D("70.00")
    assert_integrity(db)


def test_drift_is_listed_by_the_integrity_view_and_counts_must_add_up(db):
    db.set_clock(CLOCK)
    ids, nos = accounts(db, 2)
    a = stage(db, [line(nos[0], "30.00", "d0"), line(nos[1], "x", "d1")])
    post(db, a["batch_id"])
    assert_integrity(db)
    db.execute("UPDATE payment_batch SET amount_posted = amount_posted + 1 WHERE batch_id = %s",
               a["batch_id"])
    rows = db.rows("SELECT check_name, detail FROM v_ledger_integrity")
    assert [r["check_name"] for r in rows] == ["payment_batch"]
    assert rows[0]["detail"].startswith(f"batch {a['batch_id']} keeps lines 2, pending 0, posted 1")
    db.execute("UPDATE payment_batch SET amount_posted = amount_posted - 1 WHERE batch_id = %s",
               a["batch_id"])
    assert_integrity(db)
    # the outcome counts add up to the lines (CHECK ck_payment_batch_counts): 4025 on MariaDB,
    # 3819 on MySQL
    with pytest.raises(DbError) as e:
        db.execute("UPDATE payment_batch SET posted_count = posted_count + 1 WHERE batch_id = %s",
                   a["batch_id"])
    assert e.value.errno in (4025, 3819)


def test_the_migration_fills_the_figures_of_batches_already_there(db):
    """0129's backfill, run again on rows whose figures are zeroed, gives what the lines say."""
    db.set_clock(CLOCK)
    lines = mixed_lines(db)
    a = stage(db, lines, ref="old-1")
    db.execute("SET @payment_batch_chunk = 5")
    try:
        post(db, a["batch_id"])
    finally:
        db.execute("SET @payment_batch_chunk = NULL")
    b = stage(db, lines[:6], ref="old-2")                 # open, pending
    c = stage(db, [], ref="old-3")                        # no lines
    want = {x: assert_kept(db, x) for x in (a["batch_id"], b["batch_id"], c["batch_id"])}
    db.execute("UPDATE payment_batch SET line_count = 0, pending_count = 0, posted_count = 0, "
               "replayed_count = 0, refused_count = 0, amount_total = 0, amount_posted = 0, "
               "bad_amount_count = 0, no_key_count = 0")
    sql = (ROOT / "migrations" / "0129_payment_batch_figures.sql").read_text()
    [backfill] = re.findall(r"^UPDATE payment_batch b\n.*?;", sql, re.M | re.S)
    db.execute(backfill.rstrip(";"))
    assert {x: assert_kept(db, x) for x in want} == want
    assert_integrity(db)


def test_the_list_reads_the_batch_rows_only(db):
    """The bank files list's read (billing.selectors.payment_batches: BATCH_LIST_COLUMNS, newest
    first, a page of 50) and its count read the rows of payment_batch, not the lines of the
    batches: the rows read (the session's Handler_read_* counters, which MySQL and MariaDB both
    keep) stay a handful with 3,000 lines staged and posted."""
    db.set_clock(CLOCK)
    ids, nos = accounts(db, 3, bill="5000.00")
    for f in range(3):
        a = stage(db, [line(nos[i % 3], "1.00", f"L{f}-{i}") for i in range(1000)],
                  ref=f"big-{f}")
        if f < 2:
            post(db, a["batch_id"])
    cols = ("batch_id, batch_ref, status, created_by, created_at, `lines`, pending, posted, "
            "replayed, refused, amount_posted")
    for sql in (f"SELECT {cols} FROM v_staff_payment_batch ORDER BY batch_id DESC LIMIT 50",
                "SELECT COUNT(*) FROM v_staff_payment_batch"):
        db.execute("FLUSH STATUS")
        rows = db.rows(sql)
        reads = sum(int(r["Value"]) for r in db.rows("SHOW SESSION STATUS LIKE 'Handler_read%%'"))
        assert reads <= 10, (sql, reads)
        assert len(rows) in (1, 3)
    assert [(r["lines"], r["posted"], r["pending"]) for r in db.rows(
        f"SELECT {cols} FROM v_staff_payment_batch ORDER BY batch_id DESC LIMIT 50")] == \
        [(1000, 0, 1000), (1000, 1000, 0), (1000, 1000, 0)]
