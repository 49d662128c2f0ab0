"""Web pages under gunicorn, loaded by wrk, against trivial Django pages of the same app.

The app runs with its own settings plus a bench-only URLconf (bench/webfloor/bench_urls.py)
that adds /bench/trivial/ (logged in, no billing query) and /bench/hello/ (anonymous). Django's
own tables go to schema bench_web on the bench server; the billing schema is the main bench
database. Persistent connections (DJANGO_CONN_MAX_AGE=60) as a deployment would use them.
Pages: the customer portal dashboard (/my/) and a bill (/my/bills/<id>/) as a customer with a
year of bills, and the staff customer search (/customers/?q=...) as a staff user (a clerk);
then every back-office page a working day uses (issue 24 §4), as a billing admin: the home
page with its figures, that customer's page, its account, its audit trail, the bill on the
staff side, the reading review queue (its first page), the tariffs page, the latest billing
run's page, the first page of each report (billing/urls.py: aging, collections, revenue,
consumption), the dunning list, the day's collections, the drawer close, the bank files, the
failed notices and the whole audit trail. Each page's ratio is its p95 over the trivial page's
(bench/report.py).
"""
import json
import os
import socket
import subprocess
import time
import urllib.request

from common import ROOT, Sql, log, url

HERE = ROOT / "bench"
WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "4"))
# a page whose first request takes longer than SLOW_SECONDS is timed by a few single requests
# instead of wrk; one that takes longer than SLOW_TIMEOUT is recorded as failed (both MISS).
# Under wrk's 8 connections a page of a second or more queues behind itself (4 workers, 2
# cores): its p95 is the queue (a 1.8 s home page measured 7 s), and the requests still queued
# when wrk stops slow the next page down (the review queue, 60 ms, measured 4 s after it).
SLOW_SECONDS = 0.5
SLOW_TIMEOUT = 600
CONNECTIONS = int(os.environ.get("BENCH_WEB_CONNECTIONS", "8"))


# back-office pages without an id in their address: (name in the results, path)
BACKOFFICE_PAGES = [
    ("home", "/"),
    ("review_queue", "/readings/review/"),
    ("tariffs", "/tariffs/"),
    ("report_aging", "/reports/aging/"),
    ("report_collections", "/reports/collections/"),
    ("report_revenue", "/reports/revenue/"),
    ("report_consumption", "/reports/consumption/"),
    ("dunning", "/dunning/"),
    ("collections_today", "/payments/today/"),
    ("drawer", "/payments/drawer/?cashier=bench:payments"),     # a busy drawer: the bench's postings
    ("bank_files", "/payments/bank-files/"),
    ("notices", "/notices/"),
    ("audit", "/audit/"),
]
# and, with an id (set in run()): customer, account, staff_bill, run, customer_audit


def _wait_idle(db, limit=120.0):
    """Waits until no statement of the pages runs on the billing schema (three looks in a row,
    0.2 s apart): requests that wrk left queued are served to the end even after it stopped."""
    s = Sql()
    quiet, end = 0, time.perf_counter() + limit
    try:
        while quiet < 3 and time.perf_counter() < end:
            busy = s.value("SELECT COUNT(*) FROM information_schema.processlist "
                           "WHERE command = 'Query' AND db = %s AND id <> CONNECTION_ID()", db)
            quiet = quiet + 1 if not busy else 0
            time.sleep(0.2)
    finally:
        s.close()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(db, seconds):
    env = dict(os.environ)
    env.update({
        "BILLING_DATABASE_URL": url(db), "BILLING_WEB_DATABASE_URL": url("bench_web"),
        "DJANGO_SETTINGS_MODULE": "bench_settings", "DJANGO_CONN_MAX_AGE": "60",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": f"{ROOT / 'webapp'}:{HERE / 'webfloor'}",
    })
    py = str(ROOT / ".venv" / "bin" / "python")
    s = Sql()
    s.execute("DROP DATABASE IF EXISTS bench_web")
    s.execute("CREATE DATABASE bench_web CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    s.close()
    subprocess.run([py, str(ROOT / "webapp" / "manage.py"), "migrate", "--database", "default",
                    "--noinput", "--skip-checks", "-v", "0"], env=env, check=True)
    b = Sql(db)
    # the customer: one with a year of bills and no bench payments (the payment scenarios pay
    # from the first accounts up and the hot one is the last): the first of the middle 100 with
    # the most bills and the fewest payments
    mid = b.value("SELECT MAX(customer_id) DIV 2 FROM customer")
    cust = b.row("""SELECT c.customer_id, c.customer_no, a.account_id, COUNT(*) AS bills,
                           (SELECT COUNT(*) FROM payment p WHERE p.account_id = a.account_id) AS payments
                    FROM customer c JOIN account a ON a.customer_id = c.customer_id
                    JOIN bill bl ON bl.account_id = a.account_id
                    WHERE c.customer_id BETWEEN %s AND %s + 100
                    GROUP BY c.customer_id, c.customer_no, a.account_id
                    ORDER BY bills DESC, payments, c.customer_id LIMIT 1""", mid, mid)
    bill_id = b.value("SELECT MAX(bill_id) FROM bill WHERE account_id = %s", cust["account_id"])
    run_id = b.value("SELECT MAX(run_id) FROM billing_run")
    b.close()
    out = subprocess.run([py, str(HERE / "webfloor" / "setup_users.py"), str(cust["customer_id"]),
                          cust["customer_no"]], env=env, check=True, capture_output=True, text=True)
    sess = json.loads(out.stdout.strip().splitlines()[-1])
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    gun = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(WORKERS),
                            "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                            "--timeout", str(SLOW_TIMEOUT + 30),
                            "config.wsgi:application"],
                           env=env, cwd=str(ROOT / "webapp"), stdout=subprocess.DEVNULL,
                           stderr=open(ROOT / "var" / "bench-gunicorn.log", "w"))
    pages = {
        "hello": (f"{base}/bench/hello/", None),
        "trivial": (f"{base}/bench/trivial/", sess["customer"]),
        "dashboard": (f"{base}/my/", sess["customer"]),
        "bill": (f"{base}/my/bills/{bill_id}/", sess["customer"]),
        "search": (f"{base}/customers/?q=Smith", sess["staff"]),
        # the generator gives every address "<n> Elm Street, Springfield": a word of every
        # address, and two of them (customer_address_word, migration 0130); a full name
        "search_address": (f"{base}/customers/?q=Springfield", sess["staff"]),
        "search_street": (f"{base}/customers/?q=Elm+Street", sess["staff"]),
        "search_full_name": (f"{base}/customers/?q=Ben+Scott", sess["staff"]),
    }
    office = sess.get("office")
    pages.update({name: (f"{base}{path}", office) for name, path in BACKOFFICE_PAGES if path})
    for name, path in (("customer", f"/customers/{cust['customer_id']}/"),
                       ("account", f"/accounts/{cust['account_id']}/"),
                       ("staff_bill", f"/bills/{bill_id}/"),
                       ("run", f"/billing/runs/{run_id}/" if run_id else None),
                       ("customer_audit", f"/customers/{cust['customer_id']}/audit/")):
        if path:
            pages[name] = (f"{base}{path}", office)
    # BENCH_WEB_PAGES=report_revenue,report_collections: only those (and the trivial pages),
    # to re-measure a few pages on kept data (BENCH_ONLY=web)
    only = {x.strip() for x in os.environ.get("BENCH_WEB_PAGES", "").split(",") if x.strip()}
    if only:
        pages = {k: v for k, v in pages.items() if k in only or k.startswith("trivial")
                 or k == "hello"}
    res = {"setup": f"gunicorn 23.0.0, {WORKERS} sync workers; wrk, 2 threads, {CONNECTIONS} "
                    f"connections, {seconds:g} s per page; DJANGO_CONN_MAX_AGE=60; customer "
                    f"{cust['customer_no']} with {cust['bills']} bills and {cust['payments']} payments",
           "pages": {}, "notes": []}
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/bench/hello/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        for name, (u, sid) in pages.items():
            req = urllib.request.Request(u, headers={"Cookie": f"{sess['cookie']}={sid}"} if sid else {})
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=SLOW_TIMEOUT) as r:  # warm-up, 200 check
                    body = r.read()
                    if r.status != 200 or (sid and b"login" in r.url.encode()):
                        raise RuntimeError(f"{name}: {r.status} {r.url}")
            except OSError as exc:          # a timeout: the page is recorded as failed, not run
                res["pages"][name] = {"url": u.replace(base, ""), "errors": 1,
                                      "failed": f"no answer in {SLOW_TIMEOUT} s ({exc})"}
                res["notes"].append(f"{name}: no answer in {SLOW_TIMEOUT} s")
                log(f"web {name}: {res['pages'][name]}")
                continue
            first_s = time.perf_counter() - t0
            if first_s > SLOW_SECONDS:
                # too slow for a load test (wrk's timeout is 10 s): a few single requests
                times = [first_s]
                while len(times) < 3 and sum(times) < 60:
                    t0 = time.perf_counter()
                    urllib.request.urlopen(req, timeout=SLOW_TIMEOUT).read()
                    times.append(time.perf_counter() - t0)
                times.sort()
                res["pages"][name] = {"url": u.replace(base, ""), "bytes": len(body),
                                      "rps": round(len(times) / sum(times), 2),
                                      "p50_ms": round(times[len(times) // 2] * 1000, 1),
                                      "p95_ms": round(times[-1] * 1000, 1),
                                      "p99_ms": round(times[-1] * 1000, 1), "errors": 0,
                                      "single_requests": len(times)}
                res["notes"].append(f"{name}: {first_s:.1f} s for one request; measured with "
                                    f"{len(times)} single requests, not wrk (p95 = the slowest)")
                log(f"web {name}: {res['pages'][name]}")
                continue
            warm = time.perf_counter() + 5
            for _ in range(20):
                urllib.request.urlopen(req, timeout=SLOW_TIMEOUT).read()
                if time.perf_counter() > warm:
                    break
            cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{int(seconds)}s", "--timeout", "10s",
                   "-s", str(HERE / "webfloor" / "report.lua")]
            if sid:
                cmd += ["-H", f"Cookie: {sess['cookie']}={sid}"]
            out = subprocess.run(cmd + [u], capture_output=True, text=True, check=True)
            _wait_idle(db)
            j = json.loads([x for x in out.stdout.splitlines() if x.startswith("{")][-1])
            errs = j["connect"] + j["read"] + j["write"] + j["status"] + j["timeout"]
            res["pages"][name] = {"url": u.replace(base, ""), "bytes": len(body),
                                  "rps": round(j["requests"] / (j["duration_us"] / 1e6), 1),
                                  "p50_ms": round(j["p50_us"] / 1000, 2),
                                  "p95_ms": round(j["p95_us"] / 1000, 2),
                                  "p99_ms": round(j["p99_us"] / 1000, 2), "errors": errs}
            log(f"web {name}: {res['pages'][name]}")
    finally:
        gun.terminate()
        try:
            gun.wait(timeout=20)
        except subprocess.TimeoutExpired:
            gun.kill()
    return res
