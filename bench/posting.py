"""Posting alone, against two floors (issue 24 §3): a quick, repeatable look at post_payment at
16 clients without the whole `make bench`.

    .venv/bin/python bench/posting.py [accounts=10000] [seconds=10] [repeats=3] [before.sql]

Builds (or reuses, when it has the migrations) bench_s<accounts> on the bench server as
`make bench` does (bench/run.py build: the accounts and a year of bill history), then, per
repeat, distinct and hot accounts at 16 clients (bench/payments.py's clients and retries):
- floor: bench_work.floor_post (bench/payments.py): lock a row, update it, insert one row.
- floor_rows: bench_work.floor_rows: the rows a posting writes, by the shortest procedure that
  writes them: lock the account, INSERT ... VALUES into copies (CREATE TABLE ... LIKE: the same
  columns, keys and checks) of payment, ledger_entry, payment_allocation, payment_posting,
  notice and audit_log, UPDATE one bill by its primary key, commit, answer a row. No rule, no
  read. The gap between floor and floor_rows is what the posting's writes cost (eight tables
  and their 29 secondary indexes against one table and two); the gap between floor_rows and
  post_payment is what its rules and reads cost.
- post_payment, and post_payment_before when a file with an earlier version of
  db/procedures/post_payment.sql is given (created under that name for the run, e.g.
  `git show HEAD~2:db/procedures/post_payment.sql > /tmp/before.sql`).
Every figure is a ratio to the floor measured in the same repeat (the machine is shared); the
load average is printed with each line. The bench server is left running (bin/dbserver with
BILLING_DB_DIR=var/bench-db stops it).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("BENCH_SCALE", sys.argv[1] if len(sys.argv) > 1 else "10000")

import generate  # noqa: E402
import payments  # noqa: E402
import run as benchrun  # noqa: E402
import server  # noqa: E402
from common import WORK_DB, Sql, log  # noqa: E402

N = int(os.environ["BENCH_SCALE"])
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
REPEATS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
BEFORE = sys.argv[4] if len(sys.argv) > 4 else None
DB = f"bench_s{N}"
COPIED = ("account", "payment", "ledger_entry", "payment_allocation", "bill", "payment_posting",
          "notice", "audit_log")

FLOOR_ROWS_SQL = f"""
CREATE PROCEDURE {WORK_DB}.floor_rows(IN p_acct INT UNSIGNED, IN p_amount DECIMAL(12,2),
                                      IN p_key VARCHAR(100))
    MODIFIES SQL DATA
BEGIN
    DECLARE v_customer INT UNSIGNED;
    DECLARE v_payment INT UNSIGNED;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
    START TRANSACTION;
    SELECT customer_id INTO v_customer FROM {WORK_DB}.rf_account WHERE account_id = p_acct FOR UPDATE;
    INSERT INTO {WORK_DB}.rf_payment (account_id, amount, method, paid_at, posted_at,
                                     idempotency_key, amount_allocated, posted_by)
    VALUES (p_acct, p_amount, 'card', NOW(), NOW(), p_key, p_amount, 'bench:floor');
    SET v_payment = LAST_INSERT_ID();
    INSERT INTO {WORK_DB}.rf_ledger_entry (account_id, entry_type, amount, payment_id, entry_date, actor)
    VALUES (p_acct, 'payment', -p_amount, v_payment, CURRENT_DATE, 'bench:floor');
    INSERT INTO {WORK_DB}.rf_payment_allocation (payment_id, bill_id, amount)
    VALUES (v_payment, p_acct, p_amount);
    UPDATE {WORK_DB}.rf_bill SET amount_paid = LEAST(total_amount, amount_paid + p_amount)
     WHERE bill_id = p_acct;
    INSERT INTO {WORK_DB}.rf_payment_posting (payment_id, last_allocation_id, last_entry_id, balance_after)
    VALUES (v_payment, LAST_INSERT_ID(), 1, 0);
    INSERT INTO {WORK_DB}.rf_notice (kind, customer_id, account_id, payment_id, status)
    VALUES ('payment_received', v_customer, p_acct, v_payment, 'pending');
    INSERT INTO {WORK_DB}.rf_audit_log (table_name, row_key, account_id, action, new_values, actor, db_user)
    VALUES ('payment', v_payment, p_acct, 'payment_posted', JSON_OBJECT('amount', p_amount),
            'bench:floor', USER());
    COMMIT;
    SELECT v_payment AS payment_id, p_amount AS allocated;
END"""


def prepare_floor_rows():
    """Copies of the tables a posting writes; one open bill per account (bill_id = account_id)."""
    s = Sql(DB)
    s.execute(f"DROP PROCEDURE IF EXISTS {WORK_DB}.floor_rows")
    for t in COPIED:
        s.execute(f"DROP TABLE IF EXISTS {WORK_DB}.rf_{t}")
        s.execute(f"CREATE TABLE {WORK_DB}.rf_{t} LIKE {t}")
    s.execute(f"INSERT INTO {WORK_DB}.rf_account SELECT * FROM account")
    cols = [r["c"] for r in s.rows(
        "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() "
        "AND table_name = 'bill' AND extra NOT LIKE '%%GENERATED%%' ORDER BY ordinal_position")]
    names = ", ".join(cols)
    values = ", ".join("account_id" if c == "bill_id" else "CONCAT('F', bill_id)" if c == "bill_no"
                       else "0" if c == "amount_paid" else "1000000" if c == "total_amount" else c
                       for c in cols)
    s.execute(f"INSERT INTO {WORK_DB}.rf_bill ({names}) SELECT {values} FROM bill "
              "WHERE bill_id IN (SELECT MAX(bill_id) FROM bill GROUP BY account_id)")
    s.execute(FLOOR_ROWS_SQL)
    s.close()


def call_args(kind, acct, key):
    if kind == "floor":
        return f"CALL {WORK_DB}.floor_post(%s, %s)", (acct, "5.00")
    if kind == "floor_rows":
        return f"CALL {WORK_DB}.floor_rows(%s, %s, %s)", (acct, "5.00", key)
    return f"CALL {kind}(%s, %s, %s, %s, %s, %s)", (acct, "5.00", "card", None, key, "bench:payments")


def main():
    server.start()
    s = Sql()
    benchrun.instruments_off(s)
    have = s.value("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = %s", DB)
    s.close()
    generate.ensure_numbers(N)
    if have:
        server.migrate(DB)
    else:
        benchrun.build(N)
    s = Sql(DB)
    accts = [r["account_id"] for r in s.rows(
        "SELECT account_id FROM account WHERE closed_on IS NULL ORDER BY account_id")]
    kinds = ["floor", "floor_rows", "post_payment"]
    if BEFORE:
        body = open(BEFORE).read().replace("CREATE PROCEDURE post_payment(",
                                           "CREATE PROCEDURE post_payment_before(", 1)
        s.execute("DROP PROCEDURE IF EXISTS post_payment_before")
        s.execute(body)
        kinds.append("post_payment_before")
    s.close()
    payments.prepare_floor(max(accts))
    prepare_floor_rows()
    for rep in range(REPEATS):
        for hot in (False, True):
            row = {k: payments.run(DB, k, 16, SECONDS, accts, hot=hot, call=call_args) for k in kinds}
            floor = row["floor"]["per_s"] or 1
            log(f"repeat {rep + 1} {'hot' if hot else 'distinct'} x16, load {os.getloadavg()[0]:.2f}: "
                + " | ".join(f"{k} {r['per_s']}/s ({r['per_s'] / floor:.2f}) p99 {r['p99_ms']} ms"
                             + (f" errors {r['errors']}" if r["errors"] else "")
                             for k, r in row.items()))


if __name__ == "__main__":
    main()
