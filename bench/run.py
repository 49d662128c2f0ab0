"""make bench: billing runs, payment posting and web pages against floors, on a private server.

Environment:
  BENCH_SCALE     accounts of the main data set (default 100000; 1000000 works)
  BENCH_SECONDS   seconds per payment / web measurement (default 10)
  BENCH_HISTORY   months of bill history made by run_billing before the measured run (default 11)
  BENCH_PY_SAMPLE accounts billed by the Python per-account loop (default 10000)
  BENCH_SKIP      comma-separated scenarios to skip: scaling, python, whatif, parallel, notices,
                  payments, batch, web
  BENCH_NOTICES_REPS  measured months of the notices' cost at each scale (default 3)
  BENCH_WORKERS   worker counts of the parallel billing runs (default 1,2; each on a data set of
                  its own, built like the main one)
  BENCH_KEEP      1: leave the bench server running at the end
  BENCH_CHECK_HISTORY 1: check v_ledger_integrity after the history too (default below 1M)

The scaling series bills data sets of 10k, 100k (and 1M) accounts, each its own database with the
same shape and history; the largest is BENCH_SCALE, on which every other scenario runs.
Figures go to bench/results/<timestamp>.json and latest.json; bench/RESULTS.md is rewritten.
"""
import datetime as dt
import json
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import batch  # noqa: E402
import generate  # noqa: E402
import notices_cost  # noqa: E402
import parallel  # noqa: E402
import payments  # noqa: E402
import pybill  # noqa: E402
import report  # noqa: E402
import server  # noqa: E402
import whatif  # noqa: E402
from common import ROOT, WORK_DB, Sql, log  # noqa: E402

SCALE = int(os.environ.get("BENCH_SCALE", "100000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
HISTORY = int(os.environ.get("BENCH_HISTORY", "11"))
PY_SAMPLE = int(os.environ.get("BENCH_PY_SAMPLE", "10000"))
SKIP = {x.strip() for x in os.environ.get("BENCH_SKIP", "").split(",") if x.strip()}
WORKERS = [int(x) for x in os.environ.get("BENCH_WORKERS", "1,2").split(",") if x.strip()]
MEASURED_MONTH = HISTORY + 1
# v_ledger_integrity reads every large table several times (~1 s per 10k accounts): from 1M
# accounts on it runs once, at the end (which covers the history as well)
CHECK_HISTORY = os.environ.get("BENCH_CHECK_HISTORY", "1" if SCALE < 1000000 else "0") == "1"


def machine():
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // 1024
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_mib": mem, "kernel": platform.release(),
            "python": platform.python_version(), "loadavg_at_start": [round(x, 2) for x in load]}


def build(n, profile=False, db=None):
    """A database with n accounts, readings and HISTORY months of bills (named db, default
    bench_s<n>); returns its name, its facts and the profile of the last history month."""
    db = db or f"bench_s{n}"
    server.fresh_database(db)
    log(f"{db}: generating {n} accounts")
    gen_s = generate.generate(db, n)
    s = Sql(db)
    counts = {t: s.value(f"SELECT COUNT(*) FROM {t}") for t in
              ("customer", "account", "meter", "meter_reading", "account_discount", "tariff_version",
               "tariff_block")}
    log(f"{db}: generated in {gen_s:.1f} s: {counts}")
    history = []
    prof = None
    for m in range(1, HISTORY + 1):
        if profile and m == HISTORY:
            profile_on(s)
        secs, r = generate.run_month(s, m)
        if profile and m == HISTORY:
            prof = profile_read(s)
        t = time.perf_counter()
        generate.pay_history(s, r["run_id"], m)
        pay_s = time.perf_counter() - t
        history.append({"month": m, "seconds": round(secs, 2), "bills": r["bills_created"],
                        "skipped": r["accounts_skipped"], "pay_seconds": round(pay_s, 2)})
        log(f"{db}: history month {m}: {r['bills_created']} bills in {secs:.2f} s "
            f"({r['accounts_skipped']} skipped); payments {pay_s:.1f} s")
    s.close()
    return db, {"accounts": n, "generate_seconds": round(gen_s, 1), "rows": counts,
                "history": history}, prof


def instruments_off(s):
    """performance_schema instruments cost time in every stored-program step: all of them are
    off except while the one billing run is profiled (the floors and the measured calls alike)."""
    s.execute("UPDATE performance_schema.setup_consumers SET enabled = 'NO'")
    s.execute("UPDATE performance_schema.setup_instruments SET enabled = 'NO', timed = 'NO'")


def profile_on(s):
    s.execute("UPDATE performance_schema.setup_instruments SET enabled = 'YES', timed = 'YES' "
              "WHERE name LIKE 'statement/%'")
    s.execute("UPDATE performance_schema.setup_consumers SET enabled = 'YES' "
              "WHERE name IN ('global_instrumentation', 'thread_instrumentation', "
              "'events_statements_current', 'events_statements_history_long')")
    s.execute("TRUNCATE TABLE performance_schema.events_statements_history_long")


def profile_read(s):
    """Time per statement of the billing run (statements inside the procedures), top 15."""
    rows = s.rows("""
        SELECT LEFT(REGEXP_REPLACE(SQL_TEXT, '[[:space:]]+', ' '), 110) AS stmt, COUNT(*) AS calls,
               ROUND(SUM(TIMER_WAIT) / 1e12, 3) AS seconds, SUM(ROWS_EXAMINED) AS rows_examined,
               SUM(ROWS_AFFECTED) AS rows_affected
        FROM performance_schema.events_statements_history_long
        WHERE EVENT_NAME NOT IN ('statement/sql/call_procedure') AND SQL_TEXT IS NOT NULL
          AND SQL_TEXT NOT LIKE 'CALL %%'
        GROUP BY stmt ORDER BY seconds DESC LIMIT 15""")
    total = s.value("""SELECT ROUND(SUM(TIMER_WAIT) / 1e12, 3)
                       FROM performance_schema.events_statements_history_long
                       WHERE SQL_TEXT LIKE 'CALL%%run_billing%%'""")
    instruments_off(s)
    return {"run_seconds": float(total or 0), "statements": [
        {k: (float(v) if k == "seconds" else int(v) if k != "stmt" else v) for k, v in r.items()}
        for r in rows]}


def scale_payments(db):
    """post_payment at 16 clients on the data set's open accounts for SECONDS: pay/s, the wall
    microseconds a payment costs (1e6 / pay/s) and the latencies."""
    s = Sql(db)
    accts = [r["account_id"] for r in s.rows("SELECT account_id FROM account WHERE closed_on IS NULL "
                                             "ORDER BY account_id")]
    s.close()
    r = payments.run(db, "post_payment", 16, SECONDS, accts)
    return {"per_s": r["per_s"], "us_per_payment": round(1e6 / r["per_s"]) if r["per_s"] else None,
            "p50_ms": r["p50_ms"], "p99_ms": r["p99_ms"], "errors": r["errors"]}


def measured_run(db):
    s = Sql(db)
    psecs, pr = generate.preview_month(s, MEASURED_MONTH)
    secs, r = generate.run_month(s, MEASURED_MONTH)
    lines = s.value("SELECT COUNT(*) FROM bill_line l JOIN bill b ON b.bill_id = l.bill_id "
                    "WHERE b.run_id = %s", r["run_id"])
    exc = {x["code"]: int(x["n"]) for x in s.rows(
        "SELECT code, COUNT(*) AS n FROM billing_exception WHERE run_id = %s GROUP BY code", r["run_id"])}
    s.close()
    return {"run_id": r["run_id"], "seconds": round(secs, 2), "bills": r["bills_created"],
            "bill_lines": lines, "skipped": r["accounts_skipped"], "exceptions": exc,
            "bills_per_s": round(r["bills_created"] / secs, 1),
            "preview_seconds": round(psecs, 2), "preview_bills": pr["bills"],
            "preview_ratio": round(psecs / secs, 2) if secs else None}


def billing_floor(db, run_id):
    """INSERT ... SELECT of the run's bill and bill_line rows into CREATE TABLE ... LIKE copies
    (same columns, primary key, unique and secondary indexes, CHECK constraints; LIKE copies no
    foreign keys and no triggers), one statement per table, autocommit."""
    s = Sql(db)
    s.execute(f"DROP TABLE IF EXISTS {WORK_DB}.fl_bill_line")
    s.execute(f"DROP TABLE IF EXISTS {WORK_DB}.fl_bill")
    s.execute(f"CREATE TABLE {WORK_DB}.fl_bill LIKE bill")
    s.execute(f"CREATE TABLE {WORK_DB}.fl_bill_line LIKE bill_line")
    # warm the source the same way the run found its inputs: in the buffer pool
    s.value("SELECT COUNT(*), SUM(total_amount) FROM bill WHERE run_id = %s", run_id)
    cols = {}
    for t in ("bill", "bill_line"):     # stored generated columns are computed, not copied
        cols[t] = [r["c"] for r in s.rows(
            "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() "
            "AND table_name = %s AND extra NOT LIKE '%%GENERATED%%' ORDER BY ordinal_position", t)]
    cb, cl = ", ".join(cols["bill"]), ", ".join(cols["bill_line"])
    lc = ", ".join("l." + c for c in cols["bill_line"])
    t1, nb = s.timed(f"INSERT INTO {WORK_DB}.fl_bill ({cb}) SELECT {cb} FROM bill WHERE run_id = {int(run_id)}")
    t2, nl = s.timed(f"INSERT INTO {WORK_DB}.fl_bill_line ({cl}) SELECT {lc} FROM bill b "
                     f"JOIN bill_line l ON l.bill_id = b.bill_id WHERE b.run_id = {int(run_id)}")
    s.execute(f"DROP TABLE {WORK_DB}.fl_bill_line")
    s.execute(f"DROP TABLE {WORK_DB}.fl_bill")
    s.close()
    return {"seconds": round(t1 + t2, 2), "bill_seconds": round(t1, 2), "line_seconds": round(t2, 2),
            "bills": nb, "bill_lines": nl}


def integrity(db):
    s = Sql(db)
    # the view's aggregates over the large tables stay in memory (as a DBA's session would set)
    s.execute("SET SESSION tmp_table_size = 4294967296, SESSION max_heap_table_size = 4294967296")
    t = time.perf_counter()
    n = s.value("SELECT COUNT(*) FROM v_ledger_integrity")
    secs = time.perf_counter() - t
    s.close()
    return {"problems": int(n), "seconds": round(secs, 1)}


def fold(db):
    """The 5-minute job before the pages are measured, as it would have run (manage.py
    fold_report_deltas): fold_report_deltas (the postings and the bank file above appended a
    delta per payment), then refresh_kpi_snapshot (the home page's kept figures) and
    refresh_dunning_snapshot (the dunning list's kept order) and refresh_aging_snapshot (the aging
    report, kept): how many and how long each took."""
    s = Sql(db)
    t = time.perf_counter()
    r = s.call("fold_report_deltas")
    secs = time.perf_counter() - t
    t = time.perf_counter()
    s.call("refresh_kpi_snapshot")
    kpi_secs = time.perf_counter() - t
    t = time.perf_counter()
    s.call("refresh_dunning_snapshot")
    dunning_secs = time.perf_counter() - t
    t = time.perf_counter()
    s.call("refresh_aging_snapshot")
    aging_secs = time.perf_counter() - t
    s.close()
    out = {"revenue_deltas": int(r["revenue_deltas"]),
           "collections_deltas": int(r["collections_deltas"]),
           "consumption_deltas": int(r["consumption_deltas"]), "seconds": round(secs, 2),
           "kpi_snapshot_seconds": round(kpi_secs, 2),
           "dunning_snapshot_seconds": round(dunning_secs, 2),
           "aging_snapshot_seconds": round(aging_secs, 2)}
    log(f"{db}: fold_report_deltas before the pages: {out}")
    return out


def rerun_web():
    """BENCH_ONLY=web: measures the web pages again on the data set of latest.json (same
    server settings; the data set gets the migrations added since, if any) and rewrites the
    results; the run's other figures stay as they were. BENCH_WEB_PAGES=name,name measures only
    those pages (and the trivial ones) and keeps the other pages' figures."""
    import webbench
    p = ROOT / "bench" / "results" / "latest.json"
    res = json.loads(p.read_text())
    server.start()
    db = f"bench_s{res['scale']}"
    server.migrate(db)
    added = [m for m in server.migration_files() if m not in res.get("migrations", [])]
    res["fold"] = fold(db)
    web = webbench.run(db, SECONDS)
    if os.environ.get("BENCH_WEB_PAGES"):
        # only some pages measured again: they (and the trivial pages) replace their figures,
        # the other pages keep theirs
        kept = res.get("web") or {"pages": {}, "notes": []}
        # a page not measured again keeps the trivial page of its own pass as its floor (the
        # ratio compares figures of one pass, not this pass's floor with an older page)
        old_floor = (kept["pages"].get("trivial") or {}).get("p95_ms")
        for name, pg in kept["pages"].items():
            if name not in web["pages"] and old_floor and "trivial_p95_ms" not in pg:
                pg["trivial_p95_ms"] = old_floor
        kept["pages"].update(web["pages"])
        # a re-measured page's old note goes with its old figures
        kept["notes"] = [n for n in kept.get("notes", [])
                         if not any(n.startswith(f"{name}:") for name in web["pages"])] + [
            f"pages measured again: {', '.join(sorted(web['pages']))}"] + web["notes"]
        web = kept
    res["web"] = web
    if added:
        res["web"]["notes"].append("migrations applied to the data set before this measurement: "
                                   + ", ".join(added))
    res["web"]["notes"].append(f"web measured again at {dt.datetime.now().isoformat(timespec='seconds')} "
                               "on this run's data set (BENCH_ONLY=web)")
    # the pages only read the billing schema: the run's integrity check still stands
    report.write(res)
    if os.environ.get("BENCH_KEEP") != "1":
        server.stop()


def main():
    if os.environ.get("BENCH_ONLY") == "web":
        return rerun_web()
    t_all = time.perf_counter()
    res = {"started_at": dt.datetime.now().isoformat(timespec="seconds"), "scale": SCALE,
           "seconds_per_measurement": SECONDS, "history_months": HISTORY,
           "measured_period": [str(x) for x in generate.period(MEASURED_MONTH)],
           "machine": machine(),
           "migrations": server.migration_files()}
    server.start()
    off = Sql()
    instruments_off(off)
    off.close()
    res["server"] = server.settings()
    res["server"]["binlog"] = "off (--skip-log-bin), so sync_binlog does not apply"
    sizes = sorted({x for x in (10000, 100000, 1000000) if x < SCALE} | {SCALE})
    if "scaling" in SKIP:
        sizes = [SCALE]
    generate.ensure_numbers(max(sizes))
    res["billing"] = {"scaling": []}
    main_db = None
    for n in sizes:
        is_main = n == SCALE
        db, facts, prof = build(n, profile=is_main)
        if is_main:
            main_db = db
            res["data"] = facts
            res["profile"] = prof
            if CHECK_HISTORY:
                facts["integrity_after_history"] = integrity(db)
                log(f"{db}: v_ledger_integrity after history: {facts['integrity_after_history']}")
            if "python" not in SKIP:
                ps, pe, issue = generate.period(MEASURED_MONTH)
                ids = [r["account_id"] for r in Sql(db).rows(
                    "SELECT account_id FROM account ORDER BY account_id LIMIT %s", PY_SAMPLE)]
                log(f"{db}: Python per-account loop over {len(ids)} accounts")
                secs, outcome = pybill.run(db, ids, ps, pe, issue, 14)
                res["billing"]["python_loop"] = {"accounts": len(ids), "seconds": round(secs, 2),
                                                 "outcome": outcome,
                                                 "bills_per_s": round(outcome.get("billed", 0) / secs, 1)}
                log(f"{db}: Python loop: {res['billing']['python_loop']}")
        run = measured_run(db)
        run["accounts"] = n
        if "whatif" not in SKIP and not is_main:
            # the month's what-if at every scale too (the main scale does month and year below)
            ps, pe, _ = generate.period(MEASURED_MONTH)
            wm = whatif.run(db, run, (ps, pe), None)["month"]
            run["whatif_seconds"], run["whatif_ratio"] = wm["seconds"], wm["ratio_to_run"]
        if "payments" not in SKIP:
            # the cost of a payment at this scale (issue 24, "Also"): post_payment at 16 clients
            # on distinct accounts, right after the measured run, as the payments scenario does
            run["payments_x16"] = scale_payments(db)
        log(f"{db}: measured run (month {MEASURED_MONTH}): {run}")
        res["billing"]["scaling"].append(run)
        if is_main:
            res["billing"]["run"] = run
            fl = billing_floor(db, run["run_id"])
            res["billing"]["floor"] = fl
            res["billing"]["ratio"] = round(run["seconds"] / fl["seconds"], 2) if fl["seconds"] else None
            log(f"{db}: floor: {fl}; ratio {res['billing']['ratio']}")
            if "python_loop" in res["billing"]:
                res["billing"]["python_loop"]["check"] = pybill.compare(db, run["run_id"])
                log(f"{db}: Python loop vs engine: {res['billing']['python_loop']['check']}")
            if "whatif" not in SKIP:
                ps, pe, _ = generate.period(MEASURED_MONTH)
                res["whatif"] = whatif.run(db, run, (ps, pe),
                                           (generate.period(1)[0], generate.period(MEASURED_MONTH)[1]))
                run["whatif_seconds"] = res["whatif"]["month"]["seconds"]
                run["whatif_ratio"] = res["whatif"]["month"]["ratio_to_run"]
        elif n != SCALE:
            Sql().execute(f"DROP DATABASE `{db}`")     # keep the disk small
    if "parallel" not in SKIP and WORKERS:
        run = res["billing"]["run"]
        single = {"seconds": run["seconds"], "bills": run["bills"],
                  "floor_seconds": res["billing"]["floor"]["seconds"],
                  "ratio_to_floor": res["billing"]["ratio"]}
        res["billing"]["parallel"] = parallel.run(
            SCALE, WORKERS, lambda n, name: build(n, db=name)[0], billing_floor, MEASURED_MONTH,
            single=single)
    if "notices" not in SKIP:
        # the bill notices' cost (issue 23) at 10k and 100k (at most BENCH_SCALE), on data sets
        # of their own, dropped after
        res["notices"] = [notices_cost.measure(n, int(os.environ.get("BENCH_NOTICES_REPS", "3")))
                          for n in sorted({min(10000, SCALE), min(100000, SCALE)})]
    if "payments" not in SKIP:
        s = Sql(main_db)
        accts = [r["account_id"] for r in s.rows("SELECT account_id FROM account WHERE closed_on IS NULL "
                                                 "ORDER BY account_id")]
        s.close()
        payments.prepare_floor(max(accts))
        res["payments"] = []
        for hot in (False, True):
            for k in ((1, 4, 16, 64) if not hot else (16, 64)):
                row = {}
                for kind in ("post_payment", "floor"):
                    row[kind] = payments.run(main_db, kind, k, SECONDS, accts, hot=hot)
                row["ratio"] = (round(row["post_payment"]["per_s"] / row["floor"]["per_s"], 2)
                                if row["floor"]["per_s"] else None)
                row["clients"], row["hot"] = k, hot
                res["payments"].append(row)
                log(f"payments {'hot' if hot else 'distinct'} x{k}: {row['post_payment']} | "
                    f"floor {row['floor']} | ratio {row['ratio']}")
    if "batch" not in SKIP:
        s = Sql(main_db)
        accts = [r["account_id"] for r in s.rows("SELECT account_id FROM account WHERE closed_on IS NULL "
                                                 "ORDER BY account_id LIMIT 100000")]
        s.close()
        floor16 = next((row["floor"]["per_s"] for row in res.get("payments", [])
                        if row["clients"] == 16 and not row["hot"]), None)
        if floor16 is None:
            payments.prepare_floor(max(accts))
            floor16 = payments.run(main_db, "floor", 16, SECONDS, accts)["per_s"]
        b = batch.run(main_db, accts)
        b["floor_16_per_s"] = floor16
        b["ratio"] = round(b["per_s"] / floor16, 2) if floor16 and b["per_s"] else None
        b["target"] = ">= 10x the floor at 16 clients"
        b["verdict"] = "PASS" if b["ratio"] and b["ratio"] >= 10 else "MISS"
        res["batch"] = b
        log(f"batch of {b['lines']} lines: {b} ({b['verdict']})")
    if "web" not in SKIP:
        import webbench
        res["fold"] = fold(main_db)
        res["web"] = webbench.run(main_db, SECONDS)
    res["integrity_at_end"] = integrity(main_db)
    log(f"v_ledger_integrity at the end: {res['integrity_at_end']}")
    res["total_seconds"] = round(time.perf_counter() - t_all, 1)
    report.write(res)
    if os.environ.get("BENCH_KEEP") != "1":
        server.stop()


if __name__ == "__main__":
    main()
