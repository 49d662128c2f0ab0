"""Bank files: one batch of one line per account (issue 24 §2), against the single-posting floor.

stage_payment_batch takes the lines in calls of 10,000 (JSON); post_payment_batch posts them in
one call (chunks of 1,000 lines, one transaction each). The figure is posted lines per second of
the posting call; its ratio is against the floor's throughput at 16 clients measured in the same
run (payments.run(..., 'floor', 16)), the issue's target being >= 10x.
"""
import json
import time

from common import connect

STAGE_LINES = 10000


def _call(cur, sql, args):
    cur.execute(sql, args)
    last = None
    while True:
        if cur.description is not None:
            last = cur.fetchall()
        if not cur.nextset():
            break
    return last


def run(db, accounts, tag=None, connect_fn=connect):
    """Stages and posts one batch: a line of 5.00 for each account number of `accounts` (ids)."""
    conn = connect_fn(db)
    cur = conn.cursor()
    tag = tag or f"bench:{time.time_ns()}"
    cur.execute("SELECT account_no FROM account WHERE account_id IN (%s) ORDER BY account_id"
                % ",".join(str(int(a)) for a in accounts))
    nos = [r[0] for r in cur.fetchall()]
    t0 = time.perf_counter()
    batch_id = None
    for i in range(0, len(nos), STAGE_LINES):
        lines = [{"account_no": no, "amount": "5.00", "method": "bank_transfer", "paid_at": None,
                  "key": f"{tag}:{i + j}"} for j, no in enumerate(nos[i:i + STAGE_LINES])]
        batch_id = _call(cur, "CALL stage_payment_batch(%s, %s, %s)",
                         (tag, json.dumps(lines), "bench:batch"))[0][0]
    stage_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    r = _call(cur, "CALL post_payment_batch(%s, %s)", (batch_id, "bench:batch"))[0]
    post_s = time.perf_counter() - t1
    conn.close()
    return {"lines": len(nos), "stage_s": round(stage_s, 2), "post_s": round(post_s, 2),
            "posted": int(r[1]), "replayed": int(r[2]), "refused": int(r[3]),
            "per_s": round(int(r[1]) / post_s, 1) if post_s else None}
