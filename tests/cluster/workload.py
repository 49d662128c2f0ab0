"""The bank-style workload of the cluster tests and of `make bench-cluster`.

Clients post payments (post_payment with a key of their own), replay keys they were answered for
(the same key, account and amount must give the same payment_id with replayed = 1) and reverse
payments they posted (only the thread that posted a payment reverses it, so what to expect is
exact). Each client follows the retry policy of docs/payments.md: a deadlock (1213) or lock wait
timeout (1205) is retried with the SAME arguments and key, at most LOCK_ATTEMPTS times; a lost
connection (the node died, HAProxy moved the write port) means an unknown outcome: reconnect and
retry the same call, with the same key, until `retry_for` seconds have passed. A reversal retried
after an unknown outcome that answers 45023 (reversed already) was done by the first attempt.

Afterwards `check_nodes` compares every node with what the clients were told:
    - every node has the same rows (payment, ledger, allocations, bills) and the same balances;
    - each balance (v_account_balance) equals the sum of its ledger and equals the bills issued
      minus the acknowledged payments that were not reversed (money is conserved);
    - every acknowledged key is exactly one payment (id, account, amount as answered), reversed
      exactly when its reversal was acknowledged; no payment exists that no client was told of;
    - v_ledger_integrity is empty.
"""
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal as D

import MySQLdb
import MySQLdb.cursors

from helpers.db import connect_kwargs, last_result_set

ACTOR = "staff:cluster"
LOCK = (1213, 1205)
# the node went away or is not (yet) part of the primary component: unknown outcome, reconnect
LOST = (1047, 1053, 1927, 2002, 2003, 2006, 2013, 2026, 2055, 4031)
LOCK_ATTEMPTS = 8


class Violation(AssertionError):
    pass


@dataclass
class Result:
    acked: dict = field(default_factory=dict)       # key -> (payment_id, account, amount)
    reversed: set = field(default_factory=set)      # payment ids whose reversal was answered
    node_of: dict = field(default_factory=dict)     # key -> node that answered the posting
    counts: Counter = field(default_factory=Counter)
    errors: list = field(default_factory=list)      # anything the contract does not allow
    latencies: list = field(default_factory=list)   # seconds, every answered post_payment
    ack_times: list = field(default_factory=list)   # (monotonic time, node) of every answer
    lock: threading.Lock = field(default_factory=threading.Lock)


def _connect(url):
    kw = connect_kwargs(url)
    kw.update(connect_timeout=3, read_timeout=30, write_timeout=30)
    c = MySQLdb.connect(**kw)
    cur = c.cursor()
    cur.execute("SELECT @@wsrep_node_name")
    node = cur.fetchone()[0]
    cur.close()
    return c, node


def _call(conn, proc, *args):
    cur = conn.cursor(MySQLdb.cursors.DictCursor)
    try:
        cur.execute(f"CALL `{proc}`({', '.join(['%s'] * len(args))})", args)
        return last_result_set(cur)[0]
    finally:
        cur.close()


class Client:
    def __init__(self, url, res, retry_for):
        self.url, self.res, self.retry_for = url, res, retry_for
        self.conn, self.node = None, None

    def call(self, proc, *args):
        """(result dict, None) or (None, errno) for a contract error; raises Violation when the
        call cannot be completed within the retry policy. `in_doubt` tells the caller whether
        an earlier attempt may have done the work."""
        deadline = time.monotonic() + self.retry_for
        lock_tries = 0
        self.in_doubt = False
        while True:
            try:
                if self.conn is None:
                    self.conn, self.node = _connect(self.url)
                return _call(self.conn, proc, *args), None
            except MySQLdb.OperationalError as e:
                errno = e.args[0]
                if errno in LOCK:
                    lock_tries += 1
                    with self.res.lock:
                        self.res.counts[f"retry_{errno}"] += 1
                    if lock_tries >= LOCK_ATTEMPTS:
                        if self.in_doubt:
                            raise Violation(f"{proc}{args}: {errno} {LOCK_ATTEMPTS} times in a "
                                            "row after an unknown outcome")
                        # every attempt rolled back: nothing was done; the client gives up
                        with self.res.lock:
                            self.res.counts["gave_up"] += 1
                        return None, f"gave up after {LOCK_ATTEMPTS} x {errno}"
                    time.sleep(random.uniform(0.01, 0.05) * lock_tries)
                    continue
                if errno not in LOST:
                    return None, errno
                with self.res.lock:
                    self.res.counts["retry_lost"] += 1
                self.in_doubt = True
                try:
                    self.conn and self.conn.close()
                except Exception:
                    pass
                self.conn = None
                if time.monotonic() > deadline:
                    raise Violation(f"{proc}{args}: no answer within {self.retry_for} s ({errno})")
                time.sleep(0.2)
            except MySQLdb.Error as e:
                return None, e.args[0]


def run_load(urls, accounts, seconds, threads=4, prefix="w", retry_for=90, stop=None,
             mix=(0.75, 0.12, 0.13), seed=1):
    """Runs the workload for `seconds` (or until the `stop` event is set) from `threads`
    clients; client i uses urls[i % len(urls)]. Returns a Result."""
    res = Result()
    stop = stop or threading.Event()
    timer = threading.Timer(seconds, stop.set)
    timer.start()

    def worker(t):
        rng = random.Random(seed * 1000 + t)
        cli = Client(urls[t % len(urls)], res, retry_for)
        mine = []                 # (payment_id, key, account, amount) posted by this client
        n = 0
        try:
            while not stop.is_set():
                r = rng.random()
                if r < mix[0] or not mine:
                    n += 1
                    key, acc = f"{prefix}-{t}-{n}", rng.choice(accounts)
                    amount = D(rng.randint(500, 6000)) / 100
                    t0 = time.perf_counter()
                    out, err = cli.call("post_payment", acc, str(amount), "card",
                                        "2026-03-01 10:00:00", key, ACTOR)
                    if err is not None:
                        with res.lock:
                            res.errors.append(("post_payment", key, err))
                        continue
                    if out["replayed"] and not cli.in_doubt:
                        with res.lock:
                            res.errors.append(("post_payment replayed a new key", key, out))
                    with res.lock:
                        res.acked[key] = (out["payment_id"], acc, amount)
                        res.node_of[key] = cli.node
                        res.latencies.append(time.perf_counter() - t0)
                        res.ack_times.append((time.monotonic(), cli.node))
                        res.counts["posted"] += 1
                    mine.append((out["payment_id"], key, acc, amount))
                elif r < mix[0] + mix[1]:
                    pid, key, acc, amount = rng.choice(mine)
                    out, err = cli.call("post_payment", acc, str(amount), "card",
                                        "2026-03-01 10:00:00", key, ACTOR)
                    with res.lock:
                        res.counts["replays"] += 1
                        if err is not None or out["payment_id"] != pid or out["replayed"] != 1:
                            res.errors.append(("replay", key, err or out))
                else:
                    pid, key, acc, amount = mine.pop(rng.randrange(len(mine)))
                    out, err = cli.call("reverse_payment", pid, "cheque bounced", ACTOR)
                    with res.lock:
                        res.counts["reversals"] += 1
                        if err is None or (err == 45023 and cli.in_doubt):
                            res.reversed.add(pid)
                        else:
                            res.errors.append(("reverse_payment", pid, err))
        except Violation as v:
            with res.lock:
                res.errors.append(("violation", str(v)))
        except Exception as e:      # noqa: BLE001  (reported, the test fails on it)
            with res.lock:
                res.errors.append(("crash", repr(e)))
        finally:
            try:
                cli.conn and cli.conn.close()
            except Exception:
                pass

    ths = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(threads)]
    for th in ths:
        th.start()
    res.threads = ths
    res.stop = stop
    res.timer = timer
    return res


def wait_load(res, timeout=180):
    for th in res.threads:
        th.join(timeout)
    res.timer.cancel()
    assert not any(th.is_alive() for th in res.threads), "a client is stuck"
    return res


def p99(values):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(0.99 * len(v)))]


# ---------------------------------------------------------------- checking the nodes


def node_connect(sock):
    return MySQLdb.connect(unix_socket=str(sock), user="root", db="billing", autocommit=True,
                           charset="utf8mb4", connect_timeout=5)


def _rows(conn, sql, *args):
    cur = conn.cursor()
    cur.execute(sql, args or None)
    out = list(cur.fetchall())
    cur.close()
    return out


def wait_converged(socks, timeout=60):
    """Until every node has applied the same last write set (wsrep_last_committed)."""
    deadline = time.monotonic() + timeout
    while True:
        seen = []
        for s in socks:
            c = node_connect(s)
            seen.append(int(_rows(c, "SHOW GLOBAL STATUS LIKE 'wsrep_last_committed'")[0][1]))
            c.close()
        if len(set(seen)) == 1:
            return seen[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"nodes did not converge: wsrep_last_committed {seen}")
        time.sleep(0.2)


STATE_QUERIES = {
    "payment": "SELECT payment_id, account_id, amount, amount_allocated, status, "
               "CONVERT(idempotency_key USING utf8mb4) FROM payment ORDER BY payment_id",
    "ledger_entry": "SELECT entry_id, account_id, entry_type, amount, bill_id, payment_id "
                    "FROM ledger_entry ORDER BY entry_id",
    "payment_allocation": "SELECT * FROM payment_allocation ORDER BY 1",
    "bill": "SELECT bill_id, account_id, total_amount, amount_paid FROM bill ORDER BY bill_id",
    "balances": "SELECT account_id, balance FROM v_account_balance ORDER BY account_id",
    "ledger_sums": "SELECT account_id, SUM(amount) FROM ledger_entry GROUP BY account_id "
                   "ORDER BY account_id",
    "integrity": "SELECT * FROM v_ledger_integrity",
}


def node_state(sock):
    c = node_connect(sock)
    try:
        _rows(c, "SET SESSION wsrep_sync_wait = 1")     # reads see everything committed before
        return {k: _rows(c, q) for k, q in STATE_QUERIES.items()}
    finally:
        c.close()


def violations(socks, res, accounts, billed, prefix):
    """Every invariant broken (see the module docstring), as a list of sentences; [] when all
    hold. billed: account -> total of the bills issued on it."""
    out = []
    try:
        wait_converged(socks)
    except AssertionError as e:
        out.append(str(e))
    states = [node_state(s) for s in socks]
    first = states[0]
    for i, st in enumerate(states[1:], start=2):
        for k in STATE_QUERIES:
            if st[k] != first[k]:
                out.append(f"node{i} differs from node1 in {k}")
    for i, st in enumerate(states, start=1):
        if st["integrity"]:
            kinds = Counter(r[0] for r in st["integrity"])
            out.append(f"node{i}: v_ledger_integrity has {len(st['integrity'])} rows "
                       f"{dict(kinds)}, e.g. {st['integrity'][0]}")
        ledger = dict(st["ledger_sums"])
        bad = [a for a, bal in st["balances"] if bal != ledger.get(a, D(0))]
        if bad:
            out.append(f"node{i}: {len(bad)} balances differ from their ledger")
    payments = {}
    for r in first["payment"]:
        if r[5] and r[5].startswith(prefix + "-"):
            payments.setdefault(r[5], []).append(r)
    missing = [k for k in res.acked if k not in payments]
    if missing:
        out.append(f"{len(missing)} acknowledged payments missing, e.g. {missing[:5]}")
    unknown = [k for k in payments if k not in res.acked]
    if unknown:
        out.append(f"{len(unknown)} payments no client was answered for, e.g. {unknown[:5]}")
    doubled = [k for k, v in payments.items() if len(v) > 1]
    if doubled:
        out.append(f"{len(doubled)} keys on more than one payment, e.g. {doubled[:5]}")
    wrong, status = [], []
    for key, (pid, acc, amount) in res.acked.items():
        for p in payments.get(key, []):
            if (p[0], p[1], p[2]) != (pid, acc, amount):
                wrong.append(key)
            if p[4] != ("reversed" if pid in res.reversed else "posted"):
                status.append(key)
    if wrong:
        out.append(f"{len(wrong)} payments differ from their answer, e.g. {wrong[:5]}")
    if status:
        out.append(f"{len(status)} payments with the wrong status (reversal answered or not), "
                   f"e.g. {status[:5]}")
    paid = Counter()
    for key, (pid, acc, amount) in res.acked.items():
        if pid not in res.reversed:
            paid[acc] += amount
    balances = dict(first["balances"])
    off = [(a, balances.get(a), billed[a] - paid[a]) for a in accounts
           if balances.get(a) != billed[a] - paid[a]]
    if off:
        out.append(f"{len(off)} accounts whose balance is not billed - paid, e.g. "
                   f"(account, balance, expected) {off[:3]}")
    return out


def check_nodes(socks, res, accounts, billed, prefix):
    """Fails naming every invariant broken."""
    v = violations(socks, res, accounts, billed, prefix)
    assert not v, "\n".join(v)
