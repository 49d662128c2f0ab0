"""Parallel billing runs: the measured month billed by start_billing_run + N sessions of
work_billing_run (issue 24 §1), each on a data set of its own built exactly like the main one.

Every worker count gets its own database (bench_p<scale>_w<N>: same generator, same history), so
that each run bills the same accounts from the same state; each run's floor (the INSERT ... SELECT
of exactly the rows it created, run.billing_floor) is measured right after it on the same server,
and the figure is the ratio run / floor. The single-session figure of the main measured run
(run_billing, i.e. start + one worker in one CALL) is the reference the speed-up is taken from.
"""
import threading
import time

import generate
from common import Sql, log


def timed_run(db, m, workers):
    """start_billing_run, then `workers` sessions calling work_billing_run until it bills no
    more chunks; wall time from the start CALL to the last worker's return."""
    start, end, issue = generate.period(m)
    clock = f"{issue} 06:00:00"
    s = Sql(db)
    s.execute("SET timestamp = UNIX_TIMESTAMP(%s)", clock)
    conns = [Sql(db) for _ in range(workers)]
    for c in conns:
        c.execute("SET timestamp = UNIX_TIMESTAMP(%s)", clock)
    results, errors = [[] for _ in range(workers)], []

    def work(k):
        try:
            while True:
                r = conns[k].call("work_billing_run", run_id, "batch:bench")
                results[k].append(r)
                if not r["chunks_done"]:
                    break
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    t = time.perf_counter()
    started = s.call("start_billing_run", start, end, issue, 14, "batch:bench")
    t_start = time.perf_counter() - t
    run_id = started["run_id"]
    threads = [threading.Thread(target=work, args=(k,)) for k in range(workers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    secs = time.perf_counter() - t
    if errors:
        raise errors[0]
    run = s.row("SELECT status, accounts_total, bills_created, accounts_skipped, chunks_total "
                "FROM billing_run WHERE run_id = %s", run_id)
    lines = s.value("SELECT COUNT(*) FROM bill_line l JOIN bill b ON b.bill_id = l.bill_id "
                    "WHERE b.run_id = %s", run_id)
    s.close()
    for c in conns:
        c.close()
    return {"run_id": run_id, "workers": workers, "seconds": round(secs, 2),
            "start_seconds": round(t_start, 2), "status": run["status"],
            "accounts": int(run["accounts_total"]), "bills": int(run["bills_created"]),
            "bill_lines": int(lines), "skipped": int(run["accounts_skipped"]),
            "chunks": int(run["chunks_total"]),
            "chunks_per_worker": [sum(int(r["chunks_done"]) for r in rs) for rs in results],
            "bills_per_s": round(int(run["bills_created"]) / secs, 1)}


def run(n, workers_list, build, floor, measured_month, single=None):
    """For each worker count: a fresh data set of n accounts (build(n, name)), the measured
    month worked by that many sessions, its floor. `single`: the main measured run (run_billing)
    with its floor, the reference of the speed-ups. Returns the figures."""
    out = {"accounts": n, "runs": []}
    if single:
        out["single_session"] = single
    for w in workers_list:
        db = build(n, f"bench_p{n}_w{w}")
        r = timed_run(db, measured_month, w)
        fl = floor(db, r["run_id"])
        r["floor_seconds"] = fl["seconds"]
        r["ratio_to_floor"] = round(r["seconds"] / fl["seconds"], 2) if fl["seconds"] else None
        if single and single.get("floor_seconds"):
            # the floor of the same rows measured in another database of the same shape: the
            # single-session floor is the reference for "<= 2x the single-session floor"
            r["ratio_to_single_floor"] = round(r["seconds"] / single["floor_seconds"], 2)
            r["speedup_vs_single"] = round(single["seconds"] / r["seconds"], 2)
        log(f"{db}: {w} workers: {r}")
        out["runs"].append(r)
        Sql().execute(f"DROP DATABASE `{db}`")          # keep the disk small
    return out
