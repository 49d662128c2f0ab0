"""The cluster keeps the money right: a bank-style check through HAProxy, a failover of the
writer, and the loss of every node at once followed by `bin/dbcluster recover`.

What is checked after each (tests/cluster/workload.py, check_nodes): every node has the same
rows and balances, each balance equals its ledger and equals what was billed minus what was paid
and not reversed, every payment a client was answered for is there exactly once (and reversed
exactly when its reversal was answered), no payment exists that no client was told of, and
v_ledger_integrity is empty on every node (each node queried directly, after wsrep_last_committed
converged, with wsrep_sync_wait=1).
"""
import threading
import time

from cluster.conftest import make_accounts
import MySQLdb

from cluster.workload import check_nodes, run_load, wait_load
from helpers.db import Db, connect_kwargs

THREADS = 4


def _wait_acks(res, n, timeout=30):
    deadline = time.monotonic() + timeout
    while len(res.acked) < n and not res.errors and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not res.errors, res.errors[:5]
    assert len(res.acked) >= n, f"only {len(res.acked)} payments in {timeout} s"


def _writer(cluster):
    """The node behind HAProxy's write port."""
    w = MySQLdb.connect(**connect_kwargs(cluster.write_url), connect_timeout=3)
    cur = w.cursor()
    cur.execute("SELECT @@wsrep_node_name")
    name = cur.fetchone()[0]
    w.close()
    return name


def test_bank_concurrent_payments_replays_reversals(healthy):
    cluster = healthy
    accounts, billed = make_accounts(cluster.write_url)
    res = wait_load(run_load([cluster.write_url], accounts, seconds=20, threads=THREADS,
                             prefix="bank"))
    assert not res.errors, res.errors[:5]
    assert res.counts["posted"] >= 100 and res.counts["replays"] >= 10 \
        and res.counts["reversals"] >= 10, res.counts
    assert set(res.node_of.values()) == {"node1"}      # one writer
    # one writer, locks taken in one order: no deadlock, no certification conflict to retry
    assert res.counts["retry_1213"] == 0 and res.counts["retry_1205"] == 0, res.counts
    check_nodes(cluster.socks, res, accounts, billed, "bank")
    # the read port answers from the nodes with the same data
    r = Db(cluster.read_url)
    try:
        assert r.value("SELECT COUNT(*) FROM payment WHERE idempotency_key LIKE 'bank-%%'") \
            == len(res.acked)
    finally:
        r.close()


def test_failover_of_the_writer(healthy):
    cluster = healthy
    assert _writer(cluster) == "node1"
    accounts, billed = make_accounts(cluster.write_url)
    stop = threading.Event()
    res = run_load([cluster.write_url], accounts, seconds=60, threads=THREADS, prefix="fo",
                   stop=stop)
    _wait_acks(res, 60)
    before = len(res.acked)
    cluster.run("kill", "node1")                       # SIGKILL the writer mid-load
    killed_at = time.monotonic()
    _wait_acks(res, before + 60)                       # writes go on elsewhere
    stop.set()
    wait_load(res)
    assert not res.errors, res.errors[:5]
    after = {node for t, node in res.ack_times if t > killed_at + 0.5}
    assert after == {"node2"}, after                   # the next node took the writes
    assert res.counts["retry_lost"] >= 1               # clients saw the cut, and retried

    log = cluster.log(1)
    seen = log.stat().st_size
    cluster.run("restart", "node1")                    # rejoins by IST and catches up
    tail = log.read_text(errors="replace")[seen:]
    # the joiner always runs the SST script, which finds that IST is enough
    assert "Prepared IST receiver" in tail and "IST received" in tail, tail[-3000:]
    assert "rsync IST completed on joiner" in tail, tail[-3000:]
    assert "rsync SST completed" not in tail, "node1 rejoined by SST, not IST"
    check_nodes(cluster.socks, res, accounts, billed, "fo")


def test_all_nodes_killed_then_recover(healthy):
    cluster = healthy
    accounts, billed = make_accounts(cluster.write_url)
    stop = threading.Event()
    res = run_load([cluster.write_url], accounts, seconds=120, threads=THREADS, prefix="all",
                   stop=stop, retry_for=120)
    _wait_acks(res, 80)
    t0 = time.monotonic()
    cluster.run("kill", "all")                         # SIGKILL all three
    assert time.monotonic() - t0 < 1.0 + 30            # (kill sends the three signals at once)
    acked_before_recover = dict(res.acked)
    cluster.run("recover")
    stop.set()                                         # calls cut by the crash are retried
    wait_load(res)
    assert not res.errors, res.errors[:5]
    assert res.counts["retry_lost"] >= 1
    for key, v in acked_before_recover.items():
        assert res.acked[key] == v
    check_nodes(cluster.socks, res, accounts, billed, "all")
