"""Prints the figures, checks the targets (issue 7, then issue 24: docs/benchmarks.md, "Targets"), writes
bench/results/*.json and RESULTS.md."""
import json
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def targets(res):
    out = []
    b = res.get("billing", {})
    run, fl = b.get("run"), b.get("floor")
    big = [r for r in b.get("scaling", []) if r["accounts"] >= 1000000]
    par = b.get("parallel") or {}
    best = max(par.get("runs", []), key=lambda r: r["workers"], default=None)
    if big and best and par.get("accounts", 0) >= 1000000:
        # issue 24 §1: the run on every core (run_billing --workers N) is the one the 90 s is for
        secs = best["seconds"]
        out.append((f"billing 1M accounts < 90 s with {best['workers']} workers", f"{secs} s (measured; "
                    f"one session: {big[-1]['seconds']} s)", secs < 90))
    elif big:
        secs = big[-1]["seconds"]
        out.append(("billing 1M accounts < 90 s", f"{secs} s (measured)", secs < 90))
    elif run:
        est = round(run["seconds"] * 1000000 / run["accounts"], 1)
        out.append(("billing 1M accounts < 90 s",
                    f"~{est} s (linear extrapolation from {run['accounts']}; not measured)", est < 90))
    if run and fl:
        out.append(("billing run <= 3x floor", f"{b['ratio']}x ({run['seconds']} s / {fl['seconds']} s)",
                    b["ratio"] <= 3))
    if best and best.get("ratio_to_single_floor") is not None:
        out.append((f"billing with {best['workers']} workers <= 2x the single-session floor",
                    f"{best['ratio_to_single_floor']}x ({best['seconds']} s / "
                    f"{par['single_session']['floor_seconds']} s)",
                    best["ratio_to_single_floor"] <= 2))
    scale = sorted(b.get("scaling", []), key=lambda r: r["accounts"])
    if len(scale) >= 2 and all(r.get("seconds") for r in (scale[0], scale[-1])):
        lo, hi = scale[0], scale[-1]
        growth = round((hi["seconds"] / hi["accounts"]) / (lo["seconds"] / lo["accounts"]), 2)
        out.append((f"billing cost per account {hi['accounts']} vs {lo['accounts']} within 15%",
                    f"{growth}x ({round(hi['seconds'] * 1e6 / hi['accounts'])} vs "
                    f"{round(lo['seconds'] * 1e6 / lo['accounts'])} us)", growth <= 1.15))
    pay = [r for r in scale if (r.get("payments_x16") or {}).get("us_per_payment")]
    if len(pay) >= 2:
        lo, hi = pay[0], pay[-1]
        a, z = lo["payments_x16"]["us_per_payment"], hi["payments_x16"]["us_per_payment"]
        growth = round(z / a, 2)
        out.append((f"payment cost {hi['accounts']} vs {lo['accounts']} accounts within 15%",
                    f"{growth}x ({z} vs {a} us a payment at 16 clients)", growth <= 1.15))
    for p in res.get("payments", []):
        # issue 24 §3 (it replaced issue 7's 75%, which assumed a floor writing one row)
        if p["clients"] == 16 and not p["hot"]:
            out.append(("payments x16 >= 40% of floor", f"{round(p['ratio'] * 100)}%", p["ratio"] >= 0.40))
            out.append(("payments x16 p99 <= 25 ms", f"{p['post_payment']['p99_ms']} ms",
                        p["post_payment"]["p99_ms"] <= 25))
        if p["clients"] == 16 and p["hot"]:
            out.append(("hot account x16 >= 25% of its floor", f"{round(p['ratio'] * 100)}%",
                        p["ratio"] >= 0.25))
    wm = (res.get("whatif") or {}).get("month")
    if wm and wm.get("ratio_per_bill") is not None:
        out.append(("what-if of a month's bills in about the run's time (<= 1.5x per bill)",
                    f"{wm['ratio_per_bill']}x per bill ({wm['seconds']} s for {wm['bills']} bills)",
                    wm["ratio_per_bill"] <= 1.5))
    bt = res.get("batch")
    if bt and bt.get("ratio") is not None:
        out.append(("bank file >= 10x the posting floor at 16 clients",
                    f"{bt['ratio']}x ({bt['per_s']} lines/s over {bt['lines']} / {bt['floor_16_per_s']}/s)",
                    bt["ratio"] >= 10))
    for nc in res.get("notices", []):
        out.append((f"bill notices add <= 10% to a billing run ({nc['accounts']} accounts)",
                    f"{nc['median_ratio']}x = {nc['added_pct']:+} % (median of {nc['ratios']}; server CPU "
                    f"{nc['cpu_median_ratio']}x; load "
                    f"{nc['load_before'][0]} -> {nc['load_after'][0]})", nc["pass"]))
    hot = [p for p in res.get("payments", []) if p["hot"]]
    if hot:
        errs = sum(sum(p["post_payment"]["errors"].values()) for p in hot)
        out.append(("hot account: no error reaches a client", f"{errs} errors", errs == 0))
    w = res.get("web")
    if w and w.get("pages"):
        triv = w["pages"].get("trivial")
        # every measured page but the floors, in the order measured (older result files have
        # only dashboard, bill and search; a page missing from a file is left out)
        for name in [n for n in w["pages"] if n not in ("hello", "trivial")]:
            pg = w["pages"].get(name)
            if pg and pg.get("failed"):
                out.append((f"web {name} p95 <= 4x trivial", pg["failed"], False))
            elif pg and triv and pg.get("p95_ms") and triv.get("p95_ms"):
                # a page kept from an earlier pass (BENCH_WEB_PAGES) against that pass's floor
                floor = pg.get("trivial_p95_ms") or triv["p95_ms"]
                r = round(pg["p95_ms"] / floor, 2)
                out.append((f"web {name} p95 <= 4x trivial",
                            f"{r}x ({pg['p95_ms']} / {floor} ms"
                            + (", the trivial page of its own pass)" if pg.get("trivial_p95_ms")
                               else ")"), r <= 4))
    return out


def lines(res):
    L = []
    m, srv = res["machine"], res["server"]
    L.append(f"Machine: {m['nproc']} cores ({m['cpu']}), {m['ram_mib']} MiB RAM, load at start "
             f"{m['loadavg_at_start']}; server {srv.get('version')}, flush_log_at_trx_commit="
             f"{srv.get('innodb_flush_log_at_trx_commit')}, binlog {srv.get('log_bin')}, buffer pool "
             f"{int(srv.get('innodb_buffer_pool_size', 0)) >> 20} MiB, redo log "
             f"{int(srv.get('innodb_log_file_size', 0)) >> 20} MiB, doublewrite {srv.get('innodb_doublewrite')}, "
             f"performance_schema {srv.get('performance_schema')}")
    if res.get("migrations"):
        L.append(f"Schema: migrations {res['migrations'][0]} .. {res['migrations'][-1]} ({len(res['migrations'])} files)")
    d = res.get("data")
    if d:
        ih = d.get("integrity_after_history")
        L.append(f"Data: {d['accounts']} accounts generated in {d['generate_seconds']} s; rows {d['rows']}; "
                 + (f"v_ledger_integrity after history: {ih['problems']} rows ({ih['seconds']} s)" if ih else
                    "v_ledger_integrity checked at the end only (BENCH_CHECK_HISTORY=0)"))
    b = res.get("billing", {})
    L.append("")
    L.append("Billing (run_billing, one month, issue " + " .. ".join(res["measured_period"][:2]) + ")")
    L.append(f"  {'accounts':>9} {'bills':>9} {'lines':>9} {'seconds':>8} {'bills/s':>9} {'us/bill':>8}")
    for r in b.get("scaling", []):
        L.append(f"  {r['accounts']:>9} {r['bills']:>9} {r['bill_lines']:>9} {r['seconds']:>8} "
                 f"{r['bills_per_s']:>9} {round(r['seconds'] / max(r['bills'], 1) * 1e6):>8}")
    if any(r.get("payments_x16") for r in b.get("scaling", [])):
        L.append("  post_payment at 16 clients on each data set, right after its measured run:")
        L.append(f"  {'accounts':>9} {'pay/s':>9} {'us/pay':>8} {'p50 ms':>7} {'p99 ms':>7}")
        for r in b.get("scaling", []):
            p = r.get("payments_x16")
            if p:
                L.append(f"  {r['accounts']:>9} {p['per_s']:>9} {p['us_per_payment']:>8} "
                         f"{p['p50_ms']:>7} {p['p99_ms']:>7}")
    if any("preview_seconds" in r for r in b.get("scaling", [])):
        L.append("  preview_billing of the same month just before the run (discarded after), and the")
        L.append("  what-if of that month's bills (simulate_tariff of every tariff), beside the run:")
        for r in b.get("scaling", []):
            if "preview_seconds" in r:
                wi = (f"; what-if {r['whatif_seconds']} s = {r['whatif_ratio']}x the run"
                      if r.get("whatif_seconds") is not None else "")
                L.append(f"  {r['accounts']:>9} {r['preview_bills']:>9} bills previewed in "
                         f"{r['preview_seconds']} s = {r['preview_ratio']}x the run{wi}")
    if b.get("floor"):
        f = b["floor"]
        L.append(f"  floor: INSERT...SELECT of {f['bills']} bills + {f['bill_lines']} lines into LIKE copies: "
                 f"{f['seconds']} s (bills {f['bill_seconds']} s, lines {f['line_seconds']} s); "
                 f"run/floor = {b['ratio']}x")
    if b.get("python_loop"):
        p = b["python_loop"]
        L.append(f"  Python per-account loop: {p['accounts']} accounts in {p['seconds']} s = "
                 f"{p['bills_per_s']} bills/s (engine: {b['run']['bills_per_s']} bills/s, "
                 f"{round(b['run']['bills_per_s'] / max(p['bills_per_s'], 0.1), 1)}x); outcome {p['outcome']}; "
                 f"check against the engine: {p.get('check')}")
    par = b.get("parallel")
    if par:
        sg = par.get("single_session", {})
        L.append(f"  parallel runs (start_billing_run + N sessions of work_billing_run), each on its own "
                 f"data set of {par['accounts']} accounts; single session (run_billing above): "
                 f"{sg.get('seconds')} s, floor {sg.get('floor_seconds')} s")
        L.append(f"  {'workers':>9} {'bills':>9} {'chunks':>7} {'seconds':>8} {'bills/s':>9} "
                 f"{'floor s':>8} {'run/floor':>9} {'run/single floor':>16} {'speed-up':>8}")
        for r in par["runs"]:
            L.append(f"  {r['workers']:>9} {r['bills']:>9} {r['chunks']:>7} {r['seconds']:>8} "
                     f"{r['bills_per_s']:>9} {r['floor_seconds']:>8} {r['ratio_to_floor']!s:>9} "
                     f"{r.get('ratio_to_single_floor')!s:>16} {r.get('speedup_vs_single')!s:>8}")
    hist = (res.get("data") or {}).get("history")
    if hist:
        L.append("  history runs (month: seconds): " + ", ".join(f"{h['month']}: {h['seconds']}" for h in hist))
    pr = res.get("profile")
    if pr:
        L.append(f"  profile of history month {len(hist)} (performance_schema, run {pr['run_seconds']} s), top statements:")
        for st in pr["statements"][:10]:
            L.append(f"    {st['seconds']:>7} s  {st['calls']:>4}x  rows examined {st['rows_examined']:>10}  {st['stmt']}")
    if res.get("notices"):
        L.append("")
        L.append("Bill notices' cost (bench/notices_cost.py: run_billing with / without the chunk's notice "
                 "statement, two like databases, month by month, order alternating; month 1 warms up)")
        L.append(f"  {'accounts':>9} {'month':>5} {'order':>7} {'with s':>7} {'without s':>9} {'ratio':>6} "
                 f"{'CPU with':>8} {'CPU without':>11} {'CPU ratio':>9}")
        for nc in res["notices"]:
            for r in nc["months"]:
                L.append(f"  {nc['accounts']:>9} {r['month']:>5} {r['order']:>7} {r['on']:>7} {r['off']:>9} "
                         f"{r['ratio']:>6} {r['cpu_on']:>8} {r['cpu_off']:>11} {r['cpu_ratio']!s:>9}"
                         f"{'  (warm-up)' if r['warm_up'] else ''}")
            L.append(f"  {nc['accounts']:>9} median {nc['median_ratio']} ({nc['added_pct']:+} %; server CPU "
                     f"{nc['cpu_median_ratio']}), "
                     f"{'PASS' if nc['pass'] else 'MISS'} (<= 1.10); load {nc['load_before']} -> "
                     f"{nc['load_after']}")
    wi = res.get("whatif")
    if wi:
        L.append("")
        L.append("Tariff what-if (simulate_tariff of every tariff, its version at the range's end, fixed charge +1.00)")
        L.append(f"  {'range':>24} {'bills':>9} {'seconds':>8} {'bills/s':>9} {'x run':>6} {'x run/bill':>10}")
        for name, w in wi.items():
            L.append(f"  {name + ' ' + ' .. '.join(w['range']):>24} {w['bills']:>9} {w['seconds']:>8} "
                     f"{w['bills_per_s']!s:>9} {w['ratio_to_run']!s:>6} {w.get('ratio_per_bill')!s:>10}")
        L.append(f"  (x run: seconds / the measured run's {b.get('run', {}).get('seconds')} s; "
                 "x run/bill: the same per bill)")
    if res.get("payments"):
        L.append("")
        L.append("Payments (post_payment vs floor_post: lock one row, update it, insert one row, commit)")
        L.append(f"  {'mode':>8} {'clients':>7} {'pay/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
                 f"{'retries':>7} | {'floor/s':>8} {'p50 ms':>7} {'p99 ms':>7} | ratio")
        for p in res["payments"]:
            a, f = p["post_payment"], p["floor"]
            L.append(f"  {'hot' if p['hot'] else 'distinct':>8} {p['clients']:>7} {a['per_s']:>8} {a['p50_ms']:>7} "
                     f"{a['p99_ms']:>7} {sum(a['errors'].values()):>6} {a['retries']:>7} | {f['per_s']:>8} "
                     f"{f['p50_ms']:>7} {f['p99_ms']:>7} | {p['ratio']}")
    w = res.get("web")
    if w:
        L.append("")
        L.append(f"Web ({w.get('setup')})")
        fo = res.get("fold")
        if fo:
            L.append(f"  before the pages, fold_report_deltas folded {fo['collections_deltas']:,} "
                     f"collections, {fo['revenue_deltas']:,} revenue and "
                     f"{fo.get('consumption_deltas', 0):,} consumption deltas in {fo['seconds']} s"
                     + (f", then refresh_kpi_snapshot kept the home page's figures in "
                        f"{fo['kpi_snapshot_seconds']} s" if "kpi_snapshot_seconds" in fo else "")
                     + (f", refresh_dunning_snapshot the dunning list's order in "
                        f"{fo['dunning_snapshot_seconds']} s" if "dunning_snapshot_seconds" in fo
                        else "")
                     + (f" and refresh_aging_snapshot the aging report in "
                        f"{fo['aging_snapshot_seconds']} s" if "aging_snapshot_seconds" in fo
                        else "")
                     + " (the 5-minute job's work)")
        L.append(f"  {'page':>18} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}  url")
        for name, pg in w.get("pages", {}).items():
            L.append(f"  {name:>18} {pg.get('rps')!s:>8} {pg.get('p50_ms')!s:>7} {pg.get('p95_ms')!s:>7} "
                     f"{pg.get('errors')!s:>6}  {pg.get('url')}")
        for note in w.get("notes", []):
            L.append(f"  note: {note}")
    L.append("")
    L.append("Targets (issues 7, 23 and 24; docs/benchmarks.md, \"Targets\")")
    for name, fig, ok in targets(res):
        L.append(f"  {'PASS' if ok else 'MISS'}  {name}: {fig}")
    ie = res.get("integrity_at_end")
    if ie:
        L.append(f"v_ledger_integrity at the end: {ie['problems']} rows ({ie['seconds']} s)")
    L.append(f"Total bench time: {res.get('total_seconds')} s")
    return L


def write(res):
    res["targets"] = [{"target": n, "figure": f, "pass": ok} for n, f, ok in targets(res)]
    out = lines(res)
    print("\n".join(out), flush=True)
    d = HERE / "results"
    d.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for p in (d / f"{stamp}-{res['scale']}.json", d / "latest.json"):
        p.write_text(json.dumps(res, indent=2, default=str) + "\n")
    md = [
        "# Benchmark results",
        "",
        f"Latest `make bench` (BENCH_SCALE={res['scale']}, {res['started_at']}), written by "
        "bench/report.py from that run; the figures are in `bench/results/latest.json` and the "
        f"timestamped `bench/results/{stamp}-{res['scale']}.json`.",
        "Machines are shared and noisy: compare figures only within one run (every figure has its "
        "floor from the same run, same server).",
        "",
        "```",
        *out,
        "```",
        "",
        "See docs/benchmarks.md for what each scenario does and what the floors are.",
        "",
    ]
    (HERE / "RESULTS.md").write_text("\n".join(md))
