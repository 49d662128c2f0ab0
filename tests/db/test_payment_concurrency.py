"""Payments under concurrency: real threads on their own connections post, replay and reverse
payments on distinct accounts and on one hot account at once. Afterwards every money invariant
holds to the cent, every idempotency key is one payment, and no client saw a deadlock (1213) or
a lock wait timeout (1205) -- the procedures take their locks in one order, so none may happen
and this test does not retry."""
import random
import threading
import time
from collections import defaultdict
from decimal import Decimal as D

import pytest

from helpers.bills import make_bill
from helpers.db import DbError
from helpers.factories import ACTOR, make_metered_account, make_tariff

THREADS = 16
OPS = 50                       # postings per thread (and some reversals besides)
OWN_ACCOUNTS = 2               # accounts only one thread pays into


def _setup(db, rng):
    tariff = make_tariff(db)
    hot = make_metered_account(db, tariff_code=tariff).account_id
    own = [[make_metered_account(db, tariff_code=tariff).account_id for _ in range(OWN_ACCOUNTS)]
           for _ in range(THREADS)]
    # the hot account: many bills, due dates out of id order, half of them with a rebate
    for i in range(30):
        due = f"2026-02-{rng.randint(1, 28):02d}"
        make_bill(db, hot, D(rng.randint(3000, 12000)) / 100, due, issue_date="2026-01-10",
                  period_end=f"2025-{1 + i // 28:02d}-{1 + i % 28:02d}",
                  rebate_amount="1.50" if i % 2 else "0", rebate_date="2026-02-05")
    for accounts in own:
        for a in accounts:
            for j in range(3):
                make_bill(db, a, D(rng.randint(2000, 9000)) / 100, f"2026-02-{10 + j * 5:02d}",
                          issue_date="2026-01-10", rebate_amount="0.80" if j == 0 else "0",
                          rebate_date="2026-02-05")
    return hot, own


def _worker(t, conn, hot, own, shared, out):
    rng = random.Random(1000 + t)
    partner = t ^ 1                       # threads 2k and 2k+1 race on the same keys/payments
    pair_pid = None
    mine = []                             # (payment_id, key, account, amount) this thread posted

    def call(kind, *args):
        t0 = time.perf_counter()
        try:
            return conn.call(*args)
        except DbError as e:
            out["errors"].append((kind, e.errno, e.message))
            return e
        finally:
            out["latency"].append((args[0], time.perf_counter() - t0))

    def post(account, amount, key, kind="post"):
        paid_at = f"2026-02-{rng.randint(1, 10):02d} {rng.randint(8, 20):02d}:00:00"
        r = call(kind, "post_payment", account, amount, rng.choice(["cash", "card", "online"]),
                 paid_at, key, ACTOR)
        if not isinstance(r, DbError):
            out["posts"].append((key, account, D(amount), r["payment_id"], r["replayed"]))
        return r

    for j in range(OPS):
        # one posting per step ...
        amount = str(D(rng.randint(100, 8000)) / 100)
        if j % 7 == 3:
            # both threads of the pair post the same key at about the same time
            key = f"pair-{min(t, partner)}-{j}"
            r = post(hot, str(D(j * 100 + min(t, partner)) / 100 + 1), key, "pair")
            pair_pid = None if isinstance(r, DbError) else r["payment_id"]
        elif j % 10 == 8 and shared:
            # replay a key some thread used before: same account and amount
            key, account, amt, pid = rng.choice(shared)
            r = post(account, str(amt), key, "replay")
            if not isinstance(r, DbError):
                out["replays"].append((key, pid, r["payment_id"], r["replayed"]))
        elif j % 25 == 12 and shared:
            # a key used before with another amount: IDEMPOTENCY_MISMATCH
            key, account, amt, pid = rng.choice(shared)
            post(account, str(amt + D("0.01")), key, "mismatch")
        else:
            account = hot if rng.random() < 0.5 else rng.choice(own[t])
            key = f"t{t}-{j}"
            r = post(account, amount, key)
            if not isinstance(r, DbError):
                mine.append((r["payment_id"], key, account, D(amount)))
                shared.append((key, account, D(amount), r["payment_id"]))
        # ... and now and then a reversal besides
        if j % 7 == 5 and pair_pid is not None:
            # both threads of the pair reverse the payment they just posted together
            r = call("reverse", "reverse_payment", pair_pid, "racing reversal", ACTOR)
            if not isinstance(r, DbError):
                out["reversals"].append(pair_pid)
            pair_pid = None
        elif j % 9 == 6 and mine:
            pid = mine.pop(rng.randrange(len(mine)))[0]
            r = call("reverse", "reverse_payment", pid, "bounced", ACTOR)
            if not isinstance(r, DbError):
                out["reversals"].append(pid)


def test_concurrent_payments_keep_every_invariant(db, connect):
    rng = random.Random(7)
    hot, own = _setup(db, rng)
    conns = [connect() for _ in range(THREADS)]
    shared = []
    outs = [defaultdict(list) for _ in range(THREADS)]
    crashed = []

    def run(t):
        try:
            _worker(t, conns[t], hot, own, shared, outs[t])
        except Exception as e:            # a bug in the test itself must not pass silently
            crashed.append((t, repr(e)))

    threads = [threading.Thread(target=run, args=(t,)) for t in range(THREADS)]
    start = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join(300)
    elapsed = time.perf_counter() - start
    assert not crashed

    out = defaultdict(list)
    for o in outs:
        for k, v in o.items():
            out[k].extend(v)

    def pct(xs, q):
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(len(xs) * q))] * 1000

    posts = [x for proc, x in out["latency"] if proc == "post_payment"]
    every = [x for _, x in out["latency"]]
    print(f"\n{len(every)} calls ({len(posts)} post_payment) by {THREADS} threads in "
          f"{elapsed:.2f} s: {len(posts) / elapsed:.0f} payments/s, {len(every) / elapsed:.0f} "
          f"calls/s; post_payment p50 {pct(posts, 0.5):.1f} ms, p99 {pct(posts, 0.99):.1f} ms; "
          f"all calls p99 {pct(every, 0.99):.1f} ms")
    counts = defaultdict(int)
    for kind, errno, _ in out["errors"]:
        counts[f"{kind} {errno}"] += 1
    print(f"errors seen: {dict(counts)}")

    # errors: only the expected contract errors, never a deadlock or a lock wait timeout
    lock_errors = [e for e in out["errors"] if e[1] in (1213, 1205)]
    if lock_errors:
        status = db.row("SHOW ENGINE INNODB STATUS")["Status"]
        pytest.fail(f"{len(lock_errors)} calls failed on locks: {lock_errors[:3]}\n"
                    + status.split("LATEST DETECTED DEADLOCK")[-1][:6000])
    unexpected = [e for e in out["errors"]
                  if not (e[0] == "reverse" and e[1] == 45023)
                  and not (e[0] == "mismatch" and e[1] == 45022)]
    assert unexpected == []
    assert [e for e in out["errors"] if e[0] == "mismatch"]   # every mismatch was refused

    # idempotency: one payment per key, everyone who used a key got that payment
    by_key = defaultdict(set)
    for key, account, amount, pid, replayed in out["posts"]:
        by_key[key].add((account, amount, pid))
    assert all(len(v) == 1 for v in by_key.values()), [v for v in by_key.values() if len(v) > 1]
    db_payments = {r["idempotency_key"]: (r["account_id"], r["amount"], r["payment_id"])
                   for r in db.rows("SELECT CONVERT(idempotency_key USING utf8mb4) AS "
                                    "idempotency_key, account_id, amount, payment_id FROM payment")}
    assert db_payments == {k: next(iter(v)) for k, v in by_key.items()}
    new = [p for p in out["posts"] if p[4] == 0]
    assert len(new) == len(db_payments)                 # exactly one caller posted each key
    assert all(pid == first for _, first, pid, replayed in out["replays"]) and \
        all(r == 1 for *_, r in out["replays"])
    pair_keys = [k for k in by_key if k.startswith("pair-")]
    assert pair_keys and all(
        sorted(p[4] for p in out["posts"] if p[0] == k) == [0, 1] for k in pair_keys)

    # reversals: each payment reversed once, by exactly one caller
    assert len(out["reversals"]) == len(set(out["reversals"]))
    assert set(out["reversals"]) == {r["payment_id"] for r in db.rows(
        "SELECT payment_id FROM payment WHERE status = 'reversed'")}

    # money, to the cent, per account
    standing = defaultdict(D)
    for key, (account, amount, pid) in db_payments.items():
        if pid not in set(out["reversals"]):
            standing[account] += amount
    for a in [hot] + [a for accounts in own for a in accounts]:
        m = db.row(
            "SELECT (SELECT COALESCE(SUM(amount), 0) FROM ledger_entry"
            "   WHERE account_id = %s) AS balance,"
            " (SELECT COALESCE(SUM(total_amount - amount_paid), 0) FROM bill"
            "   WHERE account_id = %s) AS open_amt,"
            " (SELECT COALESCE(SUM(total_amount), 0) FROM bill WHERE account_id = %s) AS billed,"
            " (SELECT COALESCE(SUM(amount - amount_allocated), 0) FROM payment"
            "   WHERE account_id = %s AND status = 'posted') AS credit,"
            " (SELECT COALESCE(SUM(amount), 0) FROM payment"
            "   WHERE account_id = %s AND status = 'posted') AS paid", a, a, a, a, a)
        assert m["balance"] == m["open_amt"] - m["credit"], (a, m)
        assert m["balance"] == m["billed"] - m["paid"], (a, m)
        assert m["paid"] == standing[a], (a, m, standing[a])

    # the invariants, checked directly
    assert db.rows("SELECT b.bill_id FROM bill b LEFT JOIN (SELECT bill_id, SUM(amount) AS s "
                   "FROM payment_allocation GROUP BY bill_id) x ON x.bill_id = b.bill_id "
                   "WHERE b.amount_paid <> COALESCE(x.s, 0)") == []
    assert db.rows("SELECT payment_id, bill_id FROM payment_allocation "
                   "GROUP BY payment_id, bill_id HAVING SUM(amount) < 0") == []
    assert db.rows("SELECT p.payment_id FROM payment p JOIN payment_allocation a "
                   "ON a.payment_id = p.payment_id GROUP BY p.payment_id, p.amount, "
                   "p.amount_allocated HAVING SUM(a.amount) > p.amount "
                   "OR SUM(a.amount) <> p.amount_allocated") == []
    assert db.rows("SELECT bill_id FROM bill WHERE amount_paid < 0 "
                   "OR amount_paid > total_amount") == []
    assert db.rows("SELECT * FROM v_ledger_integrity") == []
    # rebates were granted and revoked along the way
    assert db.value("SELECT COUNT(*) FROM bill_line WHERE kind = 'rebate'") > 0
    assert db.value("SELECT COUNT(*) FROM bill_line WHERE kind = 'rebate_revoked'") > 0


@pytest.mark.parametrize("held", ["first", "second"])
def test_an_account_in_flight_never_blocks_another_account(db, connect, held):
    """Small tables tempt the optimizer into scans that lock every row; the procedures force
    their indexes. While one account's allocation is in flight (its transaction open, with a
    rebate granted), postings and reversals on another account, whose bills sit right next to
    the first's, go through without waiting at all (lock wait timeout 1 s)."""
    tariff = make_tariff(db)
    accounts = [make_metered_account(db, tariff_code=tariff).account_id for _ in range(2)]
    credit = db.call("post_payment", accounts[0 if held == "first" else 1], "100.00", "cash",
                     "2026-01-05 10:00:00", None, ACTOR)["payment_id"]
    for a in accounts:
        make_bill(db, a, "55.00", "2026-02-15", issue_date="2026-02-01", rebate_amount="1.00",
                  rebate_date="2026-02-05")
        make_bill(db, a, "20.00", "2026-03-15", issue_date="2026-03-01")
    busy, free = accounts if held == "first" else accounts[::-1]
    to_reverse = db.call("post_payment", free, "10.00", "card", "2026-02-01 10:00:00", None,
                         ACTOR)["payment_id"]

    holder = connect()
    holder.execute("START TRANSACTION")
    holder.row("SELECT account_id FROM account WHERE account_id = %s FOR UPDATE", busy)
    holder.rows("SELECT bill_id FROM bill WHERE account_id = %s ORDER BY bill_id FOR UPDATE", busy)
    holder.execute("CALL _allocate_payment(%s, '2026-02-02', %s)", credit, ACTOR)
    try:
        other = connect()
        other.execute("SET SESSION innodb_lock_wait_timeout = 1")
        other.call("post_payment", free, "44.00", "online", "2026-02-03 10:00:00", None, ACTOR)
        other.call("reverse_payment", to_reverse, "bounced", ACTOR)
        other.call("post_payment", free, "100.00", "cash", "2026-02-04 10:00:00", None, ACTOR)
    finally:
        holder.execute("COMMIT")
    assert db.value("SELECT COUNT(*) FROM bill WHERE rebate_granted = 1") == 2
    assert db.rows("SELECT * FROM v_ledger_integrity") == []
