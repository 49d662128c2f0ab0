"""stage_payment_batch / post_payment_batch / v_payment_batch_lines (issue 24 §2): a bank file
posted as a batch ends every line exactly as post_payment called line by line would; proven by a
differential test on random batches (hypothesis) and by examples."""
import json
import re
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.bills import assert_integrity, make_bill
from helpers.db import DbError, truncate_all
from helpers.factories import ACTOR, make_metered_account
from helpers.races import run_together, wait_for_lock_waits

CLOCK = "2026-03-01 12:00:00"
BATCH_ACTOR = "batch:lockbox"


def account_no(db, account_id):
    return db.value("SELECT account_no FROM account WHERE account_id = %s", account_id)


def line(acc_no, amount, method="bank_transfer", paid_at="2026-02-20 09:00:00", key=None):
    return {"account_no": acc_no, "amount": amount, "method": method, "paid_at": paid_at,
            "key": key}


def stage(db, lines, ref="file-1.csv", actor=BATCH_ACTOR):
    return db.call("stage_payment_batch", ref, json.dumps(lines), actor)


def post(db, batch_id, actor=BATCH_ACTOR):
    return db.call("post_payment_batch", batch_id, actor)


def batch_lines(db, batch_id):
    return db.rows("SELECT line_no, account_no, amount, idempotency_key, outcome, payment_id, "
                   "receipt_no, errno, message FROM v_payment_batch_lines WHERE batch_id = %s "
                   "ORDER BY line_no", batch_id)


# ---- the world both sides start from -------------------------------------------------------

def build_world(db, spec):
    """Accounts with bills (some with a rebate), one closed account, payments with keys used
    before. Returns {name: account_no} and {name: account_id}. Deterministic: built on an
    emptied schema, it gives the same ids every time."""
    db.set_clock(CLOCK)
    nos, ids = {}, {}
    for i, bills in enumerate(spec["bills"]):
        acc = make_metered_account(db).account_id
        for j, (total, rebate) in enumerate(bills):
            make_bill(db, acc, total, f"2026-02-{10 + 5 * j:02d}", issue_date="2026-01-31",
                      period_end=f"2026-01-{30 - j:02d}", tax="0.00",
                      rebate_amount=rebate, rebate_date="2026-02-25" if D(rebate) else None)
        ids[f"a{i}"], nos[f"a{i}"] = acc, account_no(db, acc)
    closed = make_metered_account(db).account_id
    db.call("close_account", closed, "2026-02-01", ACTOR)
    ids["closed"], nos["closed"] = closed, account_no(db, closed)
    # keys used before the batch: 'pre-a0' on a0 for 10.00, 'pre-closed' on the closed account
    # (paid before it closed)
    db.call("post_payment", ids["a0"], "10.00", "cash", "2026-01-20 10:00:00", "pre-a0", ACTOR)
    db.execute("UPDATE account SET closed_on = NULL WHERE account_id = %s", closed)
    db.call("post_payment", closed, "5.00", "cash", "2026-01-20 10:00:00", "pre-closed", ACTOR)
    db.execute("UPDATE account SET closed_on = '2026-02-01' WHERE account_id = %s", closed)
    # the payment of 5.00 stays credit on the closed account; integrity does not mind
    # a closed account with a bill still open: it accepts payments
    owing = make_metered_account(db).account_id
    make_bill(db, owing, "60.00", "2026-02-15", issue_date="2026-01-31", period_end="2026-01-30")
    db.execute("UPDATE account SET closed_on = '2026-02-01' WHERE account_id = %s", owing)
    ids["owing"], nos["owing"] = owing, account_no(db, owing)
    return nos, ids


def state(db):
    """Everything a posting writes, comparable between the two databases."""
    return {
        # a key made by post_payment ('auto:' + a UUID) differs from run to run
        "payment": db.rows("SELECT payment_id, account_id, amount, method, paid_at, posted_at, "
                           "IF(idempotency_key LIKE 'auto:%%', 'auto:', idempotency_key) AS k, "
                           "amount_allocated, amount_refunded, status, posted_by "
                           "FROM payment ORDER BY payment_id"),
        "allocation": db.rows("SELECT allocation_id, payment_id, bill_id, amount "
                              "FROM payment_allocation ORDER BY allocation_id"),
        "ledger": db.rows("SELECT entry_id, account_id, entry_type, amount, bill_id, payment_id, "
                          "entry_date, actor FROM ledger_entry ORDER BY entry_id"),
        "bill": db.rows("SELECT bill_id, total_amount, amount_paid, rebate_granted FROM bill "
                        "ORDER BY bill_id"),
        "bill_line": db.rows("SELECT bill_id, line_no, kind, amount FROM bill_line "
                             "ORDER BY bill_id, line_no"),
        "posting": db.rows("SELECT payment_id, last_allocation_id, last_entry_id "
                           "FROM payment_posting ORDER BY payment_id"),
        "notice": db.rows("SELECT notice_id, kind, customer_id, account_id, bill_id, payment_id, "
                          "refund_id, status, skip_reason FROM notice ORDER BY notice_id"),
        "audit": db.rows("SELECT action, table_name, row_key, account_id FROM audit_log "
                         "WHERE action IN ('payment_posted', 'payment_replayed') ORDER BY audit_id"),
    }


def line_by_line(db, lines, ids_by_no):
    """post_payment called once per line, in order; the outcome as the batch records it."""
    out = []
    for ln in lines:
        no = ln["account_no"]
        acc = None if no is None else ids_by_no.get(no, 4000000000)
        try:
            r = db.call("post_payment", acc, ln["amount"], ln["method"], ln["paid_at"],
                        ln["key"], BATCH_ACTOR)
            out.append(("replayed" if r["replayed"] else "posted", r["payment_id"], None, None))
        except DbError as e:
            if e.message == "account_id is required":
                # a missing argument (45002), named as the line names it
                out.append(("refused", None, 45002, "account_no is required"))
            else:
                out.append(("refused", None, e.errno, e.message))
    return out


ACCOUNTS = ["a0", "a1", "a2", "a3", "closed", "owing", "unknown", None]
AMOUNTS = ["10.00", "55.55", "100", "30", "0.01", "250.00", "0", "-5", "1.005", "abc", "2000000",
           "", None, 12.5]
METHODS = ["bank_transfer", "cash", "card", "bitcoin", None]
PAID = ["2026-02-20 09:00:00", "2026-02-26", "2026-02-25 18:00:00", None, "2026-12-31", "2025-06-01", "yesterday",
        "2026-02-01 08:00:00"]
KEYS = [None, "k1", "k2", "k3", "K1", "pre-a0", "pre-closed", " ", "k1 "]

# mostly good values (so that lines of one account meet the same bills), some of each bad kind
line_spec = st.fixed_dictionaries({
    # a0..a3 often (lines of one account meet the same bills), a4..a7 seldom (so that many lines
    # are the only line of their account in the chunk: the set-based path), some bad ones
    "account": st.one_of(st.sampled_from(["a0", "a1", "a2", "a3"]),
                         st.sampled_from(["a4", "a5", "a6", "a7"]), st.sampled_from(ACCOUNTS)),
    "amount": st.one_of(st.sampled_from(AMOUNTS[:6]), st.sampled_from(AMOUNTS[:6]),
                        st.sampled_from(AMOUNTS)),
    "method": st.one_of(st.sampled_from(METHODS[:3]), st.sampled_from(METHODS)),
    "paid_at": st.one_of(st.sampled_from(PAID[:4]), st.sampled_from(PAID)),
    "key": st.sampled_from(KEYS)})
bill_spec = st.tuples(st.sampled_from(["40.00", "100.00", "75.25"]),
                      st.sampled_from(["0", "0", "5.00"]))
world_spec = st.fixed_dictionaries({
    "bills": st.lists(st.lists(bill_spec, max_size=2), min_size=8, max_size=8)})


def _lines(nos, specs):
    return [{"account_no": (None if s["account"] is None
                            else "X99999999" if s["account"] == "unknown"
                            else nos[s["account"]]),
             "amount": s["amount"], "method": s["method"], "paid_at": s["paid_at"],
             "key": s["key"]} for s in specs]


def _in_order(st, outcomes):
    """The state and outcomes with every generated id replaced by its rank among its table's ids
    (1, 2, ...). A multi-row INSERT ... SELECT may leave gaps in an AUTO_INCREMENT sequence (InnoDB
    reserves values in blocks), so the set-based path's ids may skip numbers that posting line by
    line would use; the contract allows gaps (receipt numbers: "unique and increasing with
    posting order; gaps allowed"). Order is what must be the same, and ranks keep it."""
    def ranks(values):
        return {v: i for i, v in enumerate(sorted(v for v in values if v is not None), 1)}
    pay = ranks(r["payment_id"] for r in st["payment"])
    alloc = ranks(r["allocation_id"] for r in st["allocation"])
    entry = ranks(r["entry_id"] for r in st["ledger"])
    notice = ranks(r["notice_id"] for r in st["notice"])

    def m(mapping, v):
        return None if v is None else mapping[v]
    out = dict(st)
    out["payment"] = [{**r, "payment_id": pay[r["payment_id"]]} for r in st["payment"]]
    out["allocation"] = [{**r, "allocation_id": alloc[r["allocation_id"]],
                          "payment_id": pay[r["payment_id"]]} for r in st["allocation"]]
    out["ledger"] = [{**r, "entry_id": entry[r["entry_id"]], "payment_id": m(pay, r["payment_id"])}
                     for r in st["ledger"]]
    out["posting"] = [{"payment_id": pay[r["payment_id"]],
                       "last_allocation_id": m(alloc, r["last_allocation_id"]),
                       "last_entry_id": m(entry, r["last_entry_id"])} for r in st["posting"]]
    out["notice"] = [{**r, "notice_id": notice[r["notice_id"]],
                      "payment_id": m(pay, r["payment_id"])} for r in st["notice"]]
    out["audit"] = [{**r, "row_key": str(pay[int(r["row_key"])])} for r in st["audit"]]
    # a 45022 names the payment that holds the key by its id: its rank too
    def msg_ranked(msg):
        return msg if msg is None else re.sub(r"(used for payment )(\d+)",
                                              lambda g: g.group(1) + str(pay[int(g.group(2))]),
                                              msg)
    return out, [(o, m(pay, p), e, msg_ranked(msg)) for (o, p, e, msg) in outcomes]


def _comparable(outcomes):
    # a 45001's message names the account by number in a batch, by id in post_payment
    return [(o, p, e, None if e == 45001 else m) for (o, p, e, m) in outcomes]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=world_spec, specs=st.lists(line_spec, min_size=1, max_size=14),
       chunk_split=st.integers(min_value=0, max_value=14),
       chunk=st.sampled_from([1000, 1000, 1, 2, 3, 5]))
def test_batch_equals_line_by_line(db, _tables, world, specs, chunk_split, chunk):
    # the batch, staged in two calls (the same batch_ref appends), posted in chunks of `chunk`
    # lines (the default 1000, or small ones so that lines of one account fall in several)
    truncate_all(db, _tables)
    nos, ids = build_world(db, world)
    lines = _lines(nos, specs)
    first = stage(db, lines[:chunk_split], ref="lockbox-1")
    staged = stage(db, lines[chunk_split:], ref="lockbox-1")
    assert staged == {"batch_id": first["batch_id"], "lines": len(lines)}
    db.execute("SET @payment_batch_chunk = %s", chunk)
    try:
        r = post(db, staged["batch_id"])
    finally:
        db.execute("SET @payment_batch_chunk = NULL")
    got = [(x["outcome"], x["payment_id"], x["errno"], x["message"])
           for x in batch_lines(db, staged["batch_id"])]
    got_state = state(db)
    assert_integrity(db)
    assert r["posted"] + r["replayed"] + r["refused"] == len(lines)
    assert r["amount_posted"] == sum((p["amount"] for p in got_state["payment"]
                                      if p["posted_by"] == BATCH_ACTOR), D("0.00"))
    # posting again posts nothing twice
    assert post(db, staged["batch_id"]) == r
    assert state(db) == got_state

    # the same world, line by line
    truncate_all(db, _tables)
    nos2, ids2 = build_world(db, world)
    assert nos2 == nos and ids2 == ids
    want = line_by_line(db, lines, {nos[k]: ids[k] for k in nos})
    want_state = state(db)
    assert_integrity(db)

    got_state, got = _in_order(got_state, got)
    want_state, want = _in_order(want_state, want)
    assert _comparable(got) == _comparable(want)
    assert got_state == want_state
    assert (r["posted"], r["replayed"], r["refused"]) == tuple(
        sum(o[0] == k for o in want) for k in ("posted", "replayed", "refused"))


# ---- examples ------------------------------------------------------------------------------

def test_stage_appends_to_the_open_batch_and_posting_closes_it(db):
    db.set_clock(CLOCK)
    acc = make_metered_account(db).account_id
    no = account_no(db, acc)
    b = make_bill(db, acc, "100.00", "2026-02-15")
    a = stage(db, [line(no, "30.00", key="f1")], ref="f.csv")
    assert a == {"batch_id": a["batch_id"], "lines": 1}
    assert stage(db, [line(no, "20.00", key="f2"), line(no, 25, key="f3")], ref="f.csv") == \
        {"batch_id": a["batch_id"], "lines": 3}
    assert [x["outcome"] for x in batch_lines(db, a["batch_id"])] == ["pending"] * 3
    r = post(db, a["batch_id"])
    assert r == {"batch_id": a["batch_id"], "posted": 3, "replayed": 0, "refused": 0,
                 "amount_posted": D("75.00")}
    rows = batch_lines(db, a["batch_id"])
    assert [x["amount"] for x in rows] == ["30.00", "20.00", "25"]
    pids = [x["payment_id"] for x in rows]
    assert pids == sorted(pids)
    assert [x["receipt_no"] for x in rows] == [f"R2026-{p:09d}" for p in pids]
    assert db.value("SELECT amount_paid FROM bill WHERE bill_id = %s", b) == D("75.00")
    # the name is free again: a new batch
    c = stage(db, [line(no, "1.00", key="f4")], ref="f.csv")
    assert c["batch_id"] != a["batch_id"] and c["lines"] == 1
    assert_integrity(db)


def test_refusals_are_recorded_not_signalled(db):
    db.set_clock(CLOCK)
    acc = make_metered_account(db).account_id
    no = account_no(db, acc)
    a = stage(db, [line(no, "1.005", key="r1"), line("NOPE", "10.00", key="r2"),
                   line(no, "10.00", method="bitcoin", key="r3"),
                   line(no, "10.00", key="r4"), line(no, "11.00", key="r4"),
                   line(no, "10.00", key="r4"), line(None, "10.00", key="r5")])
    r = post(db, a["batch_id"])
    assert (r["posted"], r["replayed"], r["refused"]) == (1, 1, 5)
    rows = batch_lines(db, a["batch_id"])
    assert [(x["outcome"], x["errno"]) for x in rows] == [
        ("refused", 45020), ("refused", 45001), ("refused", 45002), ("posted", None),
        ("refused", 45022), ("replayed", None), ("refused", 45002)]
    assert rows[5]["payment_id"] == rows[3]["payment_id"]
    assert rows[1]["message"] == "no account with number 'NOPE'"
    # a missing account_no is a missing argument (45002), not a number that does not exist
    assert rows[6]["message"] == "account_no is required"


def test_a_line_dated_before_the_opening_replays_a_used_key(db):
    """As post_payment: a line that repeats a posted payment's key, account and amount is a
    replay whatever its paid_at; the same date with a new key is refused (45002)."""
    db.set_clock(CLOCK)
    acc = make_metered_account(db).account_id
    no = account_no(db, acc)
    first = db.call("post_payment", acc, "40.00", "bank_transfer", "2026-02-20 09:00:00",
                    "k-early", BATCH_ACTOR)
    a = stage(db, [line(no, "40.00", paid_at="2025-12-31 09:00:00", key="k-early"),
                   line(no, "40.00", paid_at="2025-12-31 09:00:00", key="k-early-new")])
    r = post(db, a["batch_id"])
    assert (r["posted"], r["replayed"], r["refused"]) == (0, 1, 1)
    rows = batch_lines(db, a["batch_id"])
    assert [(x["outcome"], x["errno"]) for x in rows] == [("replayed", None), ("refused", 45002)]
    assert rows[0]["payment_id"] == first["payment_id"]
    assert db.value("SELECT COUNT(*) FROM payment") == 1


def test_stage_errors(db):
    for lines, msg in [("not json", "lines must be a JSON array of objects"),
                       ('{"a": 1}', "lines must be a JSON array of objects"),
                       ('[{"amount": "1"}, 3]', "lines must be a JSON array of objects"),
                       (json.dumps([{"key": "x" * 1001}]),
                        "lines hold a value longer than 1000 characters")]:
        with pytest.raises(DbError) as e:
            db.call("stage_payment_batch", "f", lines, BATCH_ACTOR)
        assert (e.value.errno, e.value.message) == (45002, msg)
    with pytest.raises(DbError) as e:
        db.call("stage_payment_batch", " ", "[]", BATCH_ACTOR)
    assert e.value.errno == 45002
    with pytest.raises(DbError) as e:
        db.call("stage_payment_batch", "f", "[]", "")
    assert e.value.errno == 45002
    assert db.value("SELECT COUNT(*) FROM payment_batch") == 0
    with pytest.raises(DbError) as e:
        post(db, 12345)
    assert (e.value.errno, e.value.message) == (45001, "no payment batch with id 12345")
    with pytest.raises(DbError) as e:
        post(db, None)
    assert (e.value.errno, e.value.message) == (45002, "batch_id is required")


def test_chunks_commit_and_lock_accounts_in_id_order(db):
    """More lines than a chunk: every line posted once, receipts in line order; the lines of
    one account spread over two chunks see each other's allocations."""
    db.set_clock(CLOCK)
    accs = [make_metered_account(db).account_id for _ in range(3)]
    nos = [account_no(db, a) for a in accs]
    bills = [make_bill(db, a, "5000.00", "2026-02-15") for a in accs]
    lines = [line(nos[i % 3], "1.00", key=f"c{i}") for i in range(2100)]
    a = stage(db, lines)
    r = post(db, a["batch_id"])
    assert (r["posted"], r["refused"], r["amount_posted"]) == (2100, 0, D("2100.00"))
    pids = [x["payment_id"] for x in batch_lines(db, a["batch_id"])]
    assert pids == sorted(pids) and len(set(pids)) == 2100
    assert [db.value("SELECT amount_paid FROM bill WHERE bill_id = %s", b) for b in bills] == \
        [D("700.00")] * 3
    assert_integrity(db)


def test_other_accounts_are_not_blocked_while_a_batch_posts(db, connect):
    """While a long batch posts (chunk after chunk), a payment of another account goes through at
    once, and a payment of an account of the batch goes through between two chunks."""
    import threading
    import time
    db.set_clock(CLOCK)
    accs = [make_metered_account(db).account_id for _ in range(3)]
    nos = [account_no(db, a) for a in accs]
    a = stage(db, [line(nos[i % 2], "1.00", key=f"w{i}") for i in range(4000)])
    poster = connect()
    poster.set_clock(CLOCK)
    result = {}
    t = threading.Thread(target=lambda: result.setdefault("r", post(poster, a["batch_id"])))
    t.start()
    try:
        deadline = time.time() + 60
        while db.value("SELECT COUNT(*) FROM payment_batch_line WHERE batch_id = %s "
                       "AND outcome <> 'pending'", a["batch_id"]) == 0:
            assert time.time() < deadline
            time.sleep(0.05)
        t0 = time.perf_counter()
        db.call("post_payment", accs[2], "3.00", "cash", None, "other-account", ACTOR)
        other_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        db.call("post_payment", accs[0], "4.00", "cash", None, "batch-account", ACTOR)
        same_s = time.perf_counter() - t0
        pending = db.value("SELECT COUNT(*) FROM payment_batch_line WHERE batch_id = %s "
                           "AND outcome = 'pending'", a["batch_id"])
    finally:
        t.join()
    assert pending > 0, "the batch ended before the payments were tried: make it longer"
    assert other_s < 1.0
    assert same_s < 30
    assert result["r"]["posted"] == 4000
    assert_integrity(db)


# ---- the set-based path ----------------------------------------------------------------------

def test_plain_lines_are_posted_set_based_in_line_order(db):
    """Lines that are the only line of their account and key go the set-based way, in runs
    between the lines that go one by one; payments, receipts, allocations and rebates come out
    in line order and as post_payment would make them."""
    db.set_clock(CLOCK)
    accs = [make_metered_account(db).account_id for _ in range(6)]
    nos = [account_no(db, a) for a in accs]
    older = [make_bill(db, a, "100.00", "2026-02-10", issue_date="2026-01-31",
                       period_end="2026-01-29") for a in accs]
    newer = make_bill(db, accs[1], "80.00", "2026-02-20", issue_date="2026-01-31",
                      period_end="2026-01-30", tax="0.00", rebate_amount="4.00",
                      rebate_date="2026-02-25")
    lines = [line(nos[0], "100.00", key="p0"),              # pays the bill in full
             line(nos[1], "176.00", key="p1"),              # both bills, the rebate earned
             line(nos[2], "30", key=None),                  # an automatic key
             line(nos[3], "0.5", paid_at="2026-02-21", key="p3"),
             line(nos[4], "12.00", key="dup"),              # the key twice: one by one
             line(nos[5], "250.00", method="card", key="p5"),
             line(nos[4], "12.00", key="dup"),
             line(nos[2], "1.005", key="bad")]              # refused; makes nos[2] not plain
    a = stage(db, lines)
    r = post(db, a["batch_id"])
    assert (r["posted"], r["replayed"], r["refused"]) == (6, 1, 1)
    # which lines went the set-based way (the session's work table of the last chunk)
    assert [x["plain"] for x in db.rows("SELECT plain FROM batch_window ORDER BY line_no")] == \
        [1, 1, 0, 1, 0, 1, 0, 0]
    rows = batch_lines(db, a["batch_id"])
    assert [x["outcome"] for x in rows] == ["posted"] * 6 + ["replayed", "refused"]
    pids = [x["payment_id"] for x in rows[:6]]
    assert pids == sorted(pids) and rows[6]["payment_id"] == rows[4]["payment_id"]
    assert [x["receipt_no"] for x in rows[:6]] == sorted(x["receipt_no"] for x in rows[:6])
    paid = {b: db.row("SELECT amount_paid, total_amount, rebate_granted FROM bill "
                      "WHERE bill_id = %s", b) for b in older + [newer]}
    assert paid[older[0]] == {"amount_paid": D("100.00"), "total_amount": D("100.00"),
                              "rebate_granted": 0}
    assert paid[older[1]]["amount_paid"] == D("100.00")
    assert paid[newer] == {"amount_paid": D("76.00"), "total_amount": D("76.00"),
                           "rebate_granted": 1}
    assert paid[older[3]]["amount_paid"] == D("0.50")
    assert paid[older[5]]["amount_paid"] == D("100.00")
    # the card payment's credit, the rebate line and its ledger credit
    p5 = db.row("SELECT amount, amount_allocated, method FROM payment WHERE payment_id = %s",
                pids[5])
    assert p5 == {"amount": D("250.00"), "amount_allocated": D("100.00"), "method": "card"}
    assert db.value("SELECT amount FROM bill_line WHERE bill_id = %s AND kind = 'rebate'",
                    newer) == D("-4.00")
    assert db.rows("SELECT entry_type, amount FROM ledger_entry WHERE account_id = %s "
                   "AND entry_type IN ('payment', 'rebate') ORDER BY entry_id", accs[1]) == [
        {"entry_type": "payment", "amount": D("-176.00")},
        {"entry_type": "rebate", "amount": D("-4.00")}]
    assert db.value("SELECT idempotency_key FROM payment WHERE payment_id = %s",
                    pids[2]).startswith(b"auto:")
    # one notice, one audit event and one posting position per payment, in line order
    assert [x["payment_id"] for x in db.rows(
        "SELECT payment_id FROM notice WHERE kind = 'payment_received' ORDER BY notice_id")] == pids
    assert [int(x["row_key"]) for x in db.rows(
        "SELECT row_key FROM audit_log WHERE action = 'payment_posted' ORDER BY audit_id")] == pids
    assert db.value("SELECT JSON_UNQUOTE(JSON_EXTRACT(new_values, '$.line_no')) FROM audit_log "
                    "WHERE action = 'payment_posted' AND row_key = %s", str(pids[1])) == "2"
    receipt = db.row("SELECT applied, rebate_earned, credit_left, balance_after FROM v_receipt "
                     "WHERE payment_id = %s", pids[1])
    assert receipt == {"applied": D("176.00"), "rebate_earned": D("4.00"),
                       "credit_left": D("0.00"), "balance_after": D("0.00")}
    assert_integrity(db)


def test_a_key_taken_meanwhile_sends_the_run_one_by_one(db, connect):
    """A plain line whose key another session commits while the chunk waits for it: the run's
    payments INSERT fails with a duplicate key and writes nothing, and the run's lines go one by
    one, as post_payment would (here the key belongs to another account: 45022)."""
    import threading
    db.set_clock(CLOCK)
    accs = [make_metered_account(db).account_id for _ in range(4)]
    nos = [account_no(db, a) for a in accs]
    other = connect()
    other.set_clock(CLOCK)
    other.execute("START TRANSACTION")
    other.execute("INSERT INTO payment (account_id, amount, method, paid_at, posted_at, "
                  "idempotency_key, posted_by) VALUES (%s, 9.00, 'cash', NOW(), NOW(), 'taken', "
                  "'test')", accs[3])
    pid = other.value("SELECT LAST_INSERT_ID()")
    other.execute("INSERT INTO ledger_entry (account_id, entry_type, amount, payment_id, "
                  "entry_date, actor) VALUES (%s, 'payment', -9.00, %s, CURRENT_DATE, 'test')",
                  accs[3], pid)
    other.execute("INSERT INTO report_collections_part (day, cashier, method, payments, amount) "
                  "VALUES (CURRENT_DATE, 'test', 'cash', 1, 9.00)")    # as post_payment does
    a = stage(db, [line(nos[0], "10.00", key="t0"), line(nos[1], "11.00", key="taken"),
                   line(nos[2], "12.00", key="t2")])
    poster = connect()
    poster.set_clock(CLOCK)
    poster_id = poster.value("SELECT CONNECTION_ID()")
    result = {}

    def _post():
        try:
            result["r"] = post(poster, a["batch_id"])
        except Exception as e:      # noqa: BLE001 (shown by the assertion below)
            result["error"] = e
    t = threading.Thread(target=_post)
    t.start()
    try:
        wait_for_lock_waits(db, [poster_id], 1, timeout=30)
        assert "error" not in result
    finally:
        other.execute("COMMIT")
        t.join()
    assert (result["r"]["posted"], result["r"]["refused"]) == (2, 1)
    rows = batch_lines(db, a["batch_id"])
    assert [(x["outcome"], x["errno"]) for x in rows] == [
        ("posted", None), ("refused", 45022), ("posted", None)]
    assert rows[0]["payment_id"] < rows[2]["payment_id"]
    assert [x["plain"] for x in poster.rows("SELECT plain FROM batch_window ORDER BY line_no")] \
        == [0, 0, 0]
    assert_integrity(db)


def test_a_client_without_autocommit_can_post(db, connect):
    """A client that left a transaction open (autocommit off, a read first) posts all the same:
    the chunks' isolation level cannot be set inside an open transaction (1568), so the posting
    ends it first, as post_payment's START TRANSACTION would."""
    db.set_clock(CLOCK)
    acc = make_metered_account(db).account_id
    a = stage(db, [line(account_no(db, acc), "10.00", key="ac1")])
    c = connect()
    c.set_clock(CLOCK)
    c.conn.autocommit(False)
    c.value("SELECT COUNT(*) FROM payment")          # opens the client's transaction
    assert post(c, a["batch_id"])["posted"] == 1
    c.conn.autocommit(True)
    assert db.value("SELECT COUNT(*) FROM payment WHERE account_id = %s", acc) == 1


def test_set_based_chunks_race_payments_and_another_batch(db, connect):
    """Plain chunks (one line per account) posted while post_payment calls and a second batch
    over the same accounts run: nothing deadlocks or errs, every line and call is posted once,
    and the books balance."""
    import random
    db.set_clock(CLOCK)
    tariff = None
    accs = []
    for i in range(40):
        acc = make_metered_account(db, tariff_code=tariff)
        tariff = acc.tariff_code
        accs.append(acc.account_id)
        make_bill(db, acc.account_id, "50.00", "2026-02-15", issue_date="2026-01-31",
                  period_end="2026-01-30", tax="0.00", rebate_amount="2.00",
                  rebate_date="2026-02-25")
    nos = [account_no(db, a) for a in accs]
    first = stage(db, [line(no, "20.00", key=f"b1-{i}") for i, no in enumerate(nos)], ref="b1")
    second = stage(db, [line(no, "28.00", key=f"b2-{i}")
                        for i, no in reversed(list(enumerate(nos)))], ref="b2")
    results = {}

    def batch(name, batch_id):
        c = connect()
        c.set_clock(CLOCK)
        c.execute("SET @payment_batch_chunk = 7")
        results[name] = post(c, batch_id)

    def payer(n):
        c = connect()
        c.set_clock(CLOCK)
        rnd = random.Random(n)
        for k in range(15):
            c.call("post_payment", rnd.choice(accs), "5.00", "cash", None, f"p{n}-{k}", ACTOR)
    errors = run_together(lambda: batch("b1", first["batch_id"]),
                          lambda: batch("b2", second["batch_id"]),
                          *[lambda n=n: payer(n) for n in range(3)])
    assert errors == []
    assert results["b1"]["posted"] == 40 and results["b2"]["posted"] == 40
    assert db.value("SELECT COUNT(*) FROM payment") == 80 + 45
    # each account paid 20 + 28 + its share of 5.00s against a bill of 50 less a 2.00 rebate
    # when paid in full by 25 Feb: the rebate was granted on every bill (48 paid by the batches)
    assert db.value("SELECT COUNT(*) FROM bill WHERE rebate_granted = 1") == 40
    assert db.value("SELECT COUNT(*) FROM bill WHERE amount_paid <> total_amount") == 0
    assert_integrity(db)
