"""Payment posting under concurrency, against a floor.

Each client is a thread with its own connection (mysqlclient releases the GIL while it waits for
the server). For a fixed time every client calls post_payment(account, 5.00, 'card', NULL, key,
actor) with a fresh idempotency key; in the 'distinct' mode client c pays accounts c, c+k, c+2k,
... (k clients), so no two clients touch the same account; in the 'hot' mode all pay the last account (the web benchmark's customer is in the middle).
A 1213/1205 is retried (at most 5 times) as billing/services.call_procedure does; any error that
is still raised after that counts as an error reaching the client.

The floor, bench_work.floor_post: in one transaction, lock one row (SELECT ... FOR UPDATE),
update it, insert one row, commit, answer one row: the least a durable posting can do.
"""
import threading
import time

import MySQLdb

from common import WORK_DB, connect, pct

RETRY = {1213, 1205}

FLOOR_SQL = f"""
CREATE PROCEDURE {WORK_DB}.floor_post(IN p_acct INT UNSIGNED, IN p_amount DECIMAL(12,2))
    MODIFIES SQL DATA
BEGIN
    DECLARE v_balance DECIMAL(14,2);
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
    START TRANSACTION;
    SELECT balance INTO v_balance FROM {WORK_DB}.fl_acct WHERE acct_id = p_acct FOR UPDATE;
    UPDATE {WORK_DB}.fl_acct SET balance = balance - p_amount WHERE acct_id = p_acct;
    INSERT INTO {WORK_DB}.fl_tx (acct_id, amount, posted_at) VALUES (p_acct, p_amount, NOW());
    COMMIT;
    SELECT p_acct AS acct_id, v_balance - p_amount AS balance_after;
END"""


def prepare_floor(n_accounts):
    c = connect()
    cur = c.cursor()
    cur.execute(f"DROP PROCEDURE IF EXISTS {WORK_DB}.floor_post")
    cur.execute(f"DROP TABLE IF EXISTS {WORK_DB}.fl_tx")
    cur.execute(f"DROP TABLE IF EXISTS {WORK_DB}.fl_acct")
    cur.execute(f"CREATE TABLE {WORK_DB}.fl_acct (acct_id INT UNSIGNED PRIMARY KEY, "
                "balance DECIMAL(14,2) NOT NULL DEFAULT 0) ENGINE=InnoDB")
    cur.execute(f"CREATE TABLE {WORK_DB}.fl_tx (tx_id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, "
                "acct_id INT UNSIGNED NOT NULL, amount DECIMAL(12,2) NOT NULL, posted_at DATETIME NOT NULL, "
                "KEY (acct_id)) ENGINE=InnoDB")
    cur.execute(f"INSERT INTO {WORK_DB}.fl_acct (acct_id) SELECT n FROM {WORK_DB}.num WHERE n <= {int(n_accounts)}")
    cur.execute(FLOOR_SQL)
    c.close()


def _call(cur, sql, args):
    cur.execute(sql, args)
    while True:
        if cur.description is not None:
            cur.fetchall()
        if not cur.nextset():
            break


def run(db, kind, clients, seconds, accounts, hot=False, call=None):
    """kind 'post_payment' or 'floor'. accounts: the list of account ids to spread over.
    call(kind, account, key) -> (sql, args) measures other procedures (bench/posting.py)."""
    start_evt = threading.Event()
    deadline = [0.0]
    results = [None] * clients
    tag = f"{kind}:{clients}:{'hot' if hot else 'd'}:{time.time_ns()}"

    def client(c):
        conn = connect(db)
        cur = conn.cursor()
        mine = [accounts[-1]] if hot else accounts[c::clients]   # hot: the last account
        lat, errors, retries, k = [], {}, 0, 0
        start_evt.wait()
        while True:
            t0 = time.perf_counter()
            if t0 >= deadline[0]:
                break
            acct = mine[k % len(mine)]
            k += 1
            if call is not None:
                sql, args = call(kind, acct, f"{tag}:{c}:{k}")
            elif kind == "post_payment":
                sql = "CALL post_payment(%s, %s, %s, %s, %s, %s)"
                args = (acct, "5.00", "card", None, f"{tag}:{c}:{k}", "bench:payments")
            else:
                sql = f"CALL {WORK_DB}.floor_post(%s, %s)"
                args = (acct, "5.00")
            for attempt in range(6):
                try:
                    _call(cur, sql, args)
                    break
                except MySQLdb.OperationalError as e:
                    if e.args[0] in RETRY and attempt < 5:
                        retries += 1
                        continue
                    errors[e.args[0]] = errors.get(e.args[0], 0) + 1
                    break
                except MySQLdb.Error as e:
                    errors[e.args[0]] = errors.get(e.args[0], 0) + 1
                    break
            lat.append(time.perf_counter() - t0)
        conn.close()
        results[c] = (lat, errors, retries)

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    time.sleep(0.3)                      # every client connected
    t_start = time.perf_counter()
    deadline[0] = t_start + seconds
    start_evt.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t_start
    lat = sorted(x for r in results for x in r[0])
    errors = {}
    for r in results:
        for k, v in r[1].items():
            errors[str(k)] = errors.get(str(k), 0) + v
    ok = len(lat) - sum(errors.values())
    return {"clients": clients, "kind": kind, "hot": hot, "calls": len(lat), "ok": ok,
            "per_s": round(ok / elapsed, 1),
            "p50_ms": round(pct(lat, 50) * 1000, 2) if lat else None,
            "p99_ms": round(pct(lat, 99) * 1000, 2) if lat else None,
            "errors": errors, "retries": sum(r[2] for r in results)}
