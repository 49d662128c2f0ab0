"""Calls that race for the same account lock, on connections of their own.

    from helpers.races import race, wait_for_lock_waits

race(db, connect, calls, locked_accounts) runs procedure calls that queue on the same account
lock and then compete (two postings with one idempotency key, two reversals of one payment);
in_turn(db, connect, calls, table, key) queues calls one after the other behind a row lock of
theirs (a meter's), so that each runs as soon as the one before it commits;
wait_for_lock_waits(db, thread_ids, n) waits until n of those connections wait for a row lock;
run_together(*work) runs functions at once, each in a thread of its own (sessions posting
batches and payments side by side), and returns what they raised.
"""
import threading
import time

from helpers.db import DbError


def wait_for_lock_waits(db, thread_ids, n, timeout=10):
    """Waits until n of the given connections are waiting for a row lock."""
    ids = ",".join(str(int(t)) for t in thread_ids)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = db.value("SELECT COUNT(*) FROM information_schema.innodb_trx "
                           f"WHERE trx_state = 'LOCK WAIT' AND trx_mysql_thread_id IN ({ids})")
        if waiting >= n:
            return
        time.sleep(0.15)  # MariaDB refreshes innodb_trx only when unread for 0.1 s
    raise AssertionError(f"{n} callers did not reach the lock wait")


def _callers(connect, calls):
    """A connection per call ((procedure, arg, ...) tuples), their connection ids, the results
    list and run(i), which makes call i on its connection and keeps its result dict or DbError."""
    conns = [connect() for _ in calls]
    conn_ids = [c.value("SELECT CONNECTION_ID()") for c in conns]
    results = [None] * len(calls)

    def run(i):
        try:
            results[i] = conns[i].call(*calls[i])
        except DbError as e:
            results[i] = e

    return conns, conn_ids, results, run


def race(db, connect, calls, locked_accounts):
    """Makes procedure calls race: holds the locks of `locked_accounts` on a connection of its
    own, starts each call of `calls` ((procedure, arg, ...) tuples) on its own connection in its
    own thread, waits until every call is queued on a row lock (so each is past whatever it reads
    without locks), then lets them go. Returns each call's result dict or DbError, in order."""
    holder = connect()
    holder.execute("START TRANSACTION")
    for a in locked_accounts:
        holder.row("SELECT account_id FROM account WHERE account_id = %s FOR UPDATE", a)
    conns, conn_ids, results, run = _callers(connect, calls)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    try:
        wait_for_lock_waits(db, conn_ids, len(calls))
    finally:
        holder.execute("ROLLBACK")
        for t in threads:
            t.join(30)
    return results


def in_turn(db, connect, calls, table, key):
    """Holds the row of `table` (its key column is `<table>_id`) whose id is `key`, starts the
    calls ((procedure, arg, ...) tuples) one at a time, each on its own connection, waiting until
    it queues on the row lock before starting the next, then lets them go: each is granted the
    lock when the one before it commits, in their order. Returns each call's result dict or
    DbError, in order."""
    holder = connect()
    holder.execute("START TRANSACTION")
    holder.row(f"SELECT {table}_id FROM {table} WHERE {table}_id = %s FOR UPDATE", key)
    conns, conn_ids, results, run = _callers(connect, calls)
    clock = db.value("SELECT NOW()")
    threads = []
    try:
        for i in range(len(calls)):
            conns[i].set_clock(clock)
            threads.append(threading.Thread(target=run, args=(i,)))
            threads[-1].start()
            wait_for_lock_waits(db, conn_ids[:i + 1], i + 1)
    finally:
        holder.execute("ROLLBACK")
        for t in threads:
            t.join(30)
    return results


def run_together(*work):
    """Runs each function of `work` in a thread of its own, all at once, and waits for them;
    returns the exceptions they raised ([] when none did), for the test to assert on."""
    errors = []

    def run(f):
        try:
            f()
        except Exception as e:  # noqa: BLE001 (returned to the caller)
            errors.append(e)

    threads = [threading.Thread(target=run, args=(f,)) for f in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
