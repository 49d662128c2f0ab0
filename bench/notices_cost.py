"""The cost of the billing chunk's notice INSERT ... SELECT (issue 23) against a billing run:
N accounts (default 100000) generated as `make bench` does, month 1 billed with run_billing
(notices included), then the chunk's notice statement alone over the same bills, 10,000 a
statement. On the bench server (var/bench-db). Usage: N=100000 .venv/bin/python bench/notices_cost.py"""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate, server
from common import Sql, log
N = int(os.environ.get("N", "100000"))
server.start()
db = "bench_notices"
server.fresh_database(db)
generate.generate(db, N)
s = Sql(db)
secs, r = generate.run_month(s, 1)
log(f"run_billing month 1: {secs:.2f} s, {r}")
bills = s.rows("SELECT COUNT(*) AS n FROM notice")[0]
log(f"notices written: {bills}")
# the chunk's statement alone, over the same bills in chunks of 10,000
s.execute("DELETE FROM notice")
ids = [x["account_id"] for x in s.rows("SELECT account_id FROM bill ORDER BY account_id")]
total = 0.0
for i in range(0, len(ids), 10000):
    lo, hi = ids[i], ids[min(i + 9999, len(ids) - 1)]
    s.execute("DROP TEMPORARY TABLE IF EXISTS bc_acct")
    s.execute("CREATE TEMPORARY TABLE bc_acct (account_id INT UNSIGNED PRIMARY KEY, bill_id INT UNSIGNED, "
              "be DATE, exception_code VARCHAR(30)) ENGINE=MEMORY")
    s.execute("INSERT INTO bc_acct SELECT account_id, bill_id, period_end, NULL FROM bill "
              "WHERE account_id BETWEEN %s AND %s", lo, hi)
    s.execute("START TRANSACTION")
    t = time.perf_counter()
    s.execute("""INSERT INTO notice (kind, customer_id, account_id, bill_id, status, skip_reason)
        SELECT s.kind, s.customer_id, s.account_id, s.bill_id,
               IF(s.reason IS NULL, 'pending', 'skipped'), s.reason
        FROM (SELECT IF(a.closed_on = t.be, 'final_bill', 'bill_issued') AS kind, c.customer_id,
                     t.account_id, t.bill_id,
                     _notice_skip_reason(IF(a.closed_on = t.be, 'final_bill', 'bill_issued'),
                                         c.email, cp.email_bills, cp.email_reminders) AS reason
              FROM bc_acct t
              STRAIGHT_JOIN account a FORCE INDEX (PRIMARY) ON a.account_id = t.account_id
              STRAIGHT_JOIN customer c FORCE INDEX (PRIMARY) ON c.customer_id = a.customer_id
              LEFT JOIN contact_preference cp FORCE INDEX (PRIMARY) ON cp.customer_id = c.customer_id
              WHERE t.exception_code IS NULL) s
        ORDER BY s.bill_id""")
    s.execute("COMMIT")
    total += time.perf_counter() - t
log(f"notice statements alone: {total:.2f} s = {100 * total / secs:.1f} % of the run")
server.stop()
