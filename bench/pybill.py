"""The comparison: billing one account at a time in Python, the way a typical Django billing app
does it (ORM-style reads per account, Python Decimal arithmetic, one INSERT per row, one
transaction per account). It applies the same rules as the SQL engine for the data the
generator makes (blocks, version segments, proration, estimation, discounts, tax, rebate,
READ_NEEDS_REVIEW) and writes into scratch copies of the tables in bench_work (py_bill,
py_bill_line, py_ledger_entry, py_meter_reading, py_number_counter: CREATE TABLE ... LIKE), never
into the billing tables. It exists only here, to be timed beside run_billing; its totals are
compared with the engine's afterwards.

Plain mysqlclient queries stand in for the ORM's (one query per object or related list, as
select_related/prefetch-less code does), so the figure is, if anything, kind to the Python way.
"""
import datetime as dt
import time
from decimal import ROUND_HALF_UP, Decimal, localcontext

from common import WORK_DB, connect

C2, C4 = Decimal("0.01"), Decimal("0.0001")


def r2(x):
    return x.quantize(C2, rounding=ROUND_HALF_UP)


def r4(x):
    return x.quantize(C4, rounding=ROUND_HALF_UP)


def prepare(db):
    c = connect(db)
    cur = c.cursor()
    for t, src in (("py_bill", "bill"), ("py_bill_line", "bill_line"),
                   ("py_ledger_entry", "ledger_entry"), ("py_meter_reading", "meter_reading"),
                   ("py_number_counter", "number_counter")):
        cur.execute(f"DROP TABLE IF EXISTS {WORK_DB}.{t}")
        cur.execute(f"CREATE TABLE {WORK_DB}.{t} LIKE `{db}`.{src}")
    cur.execute(f"INSERT INTO {WORK_DB}.py_number_counter SELECT * FROM `{db}`.number_counter "
                f"WHERE counter_name = 'bill'")
    c.close()


def step(prev, cur, digits, mult):
    cap = Decimal(10) ** digits
    if cur >= prev:
        return (cur - prev) * mult
    if cap - prev + cur <= cap / 10:
        return (cap - prev + cur) * mult
    return None


def bill_account(conn, aid, ps, pe, issue, due_days, actor):
    """Bills one account; returns 'billed', 'skipped' or an exception code."""
    cur = conn.cursor()
    q = cur.execute
    P = (pe - ps).days + 1
    q("SELECT tariff_id, opened_on, closed_on FROM account WHERE account_id = %s", (aid,))
    tariff_id, opened_on, closed_on = cur.fetchone()
    if opened_on > pe or (closed_on is not None and closed_on < pe):
        return "skipped"
    q("SELECT m.meter_id, m.dial_digits, m.multiplier FROM meter_installation mi "
      "JOIN meter m ON m.meter_id = mi.meter_id WHERE mi.account_id = %s AND mi.installed_on <= %s "
      "AND (mi.removed_on IS NULL OR mi.removed_on > %s)", (aid, pe, pe))
    row = cur.fetchone()
    if row is None:
        return "skipped"
    meter_id, digits, mult = row
    bs, be = max(ps, opened_on), pe
    D = (be - bs).days + 1
    q("SELECT bill_id, period_start, period_end, end_reading_id FROM bill WHERE account_id = %s "
      "AND cancelled_at IS NULL ORDER BY period_end DESC LIMIT 1", (aid,))
    last = cur.fetchone()
    if last is not None and last[2] >= bs:
        return "skipped"
    if last is not None:
        q("SELECT read_on, value FROM meter_reading WHERE reading_id = %s", (last[3],))
    else:
        q("SELECT read_on, value FROM meter_reading WHERE meter_id = %s AND kind = 'initial'",
          (meter_id,))
    prev_on, prev_value = cur.fetchone()
    q("SELECT reading_id, read_on, value, status FROM meter_reading WHERE meter_id = %s "
      "AND point_on > %s AND point_on <= %s ORDER BY point_on", (meter_id, prev_on, be))
    points = cur.fetchall()
    estimated = 0
    if points:
        end_id, end_on, end_value, status = points[-1]
        if status == "review":
            return "READ_NEEDS_REVIEW"
        C, v = Decimal(0), prev_value
        for p in points:
            s = step(v, p[2], digits, mult)
            C += s
            v = p[2]
    else:
        q("SELECT register_advance, days_billed FROM bill WHERE account_id = %s "
          "AND cancelled_at IS NULL ORDER BY period_end DESC LIMIT 3", (aid,))
        hist = cur.fetchall()
        days = sum(h[1] for h in hist)
        with localcontext() as ctx:
            ctx.prec = 40
            advance = r2(sum((h[0] for h in hist), Decimal(0)) * D / days) if days else Decimal("0.00")
        cap = Decimal(10) ** digits
        end_value = (prev_value + advance) % cap
        end_on, end_id, estimated = be, None, 1
        C = advance * mult
        # a point read after be follows the estimate: the estimate may not be above it
        q("SELECT value FROM meter_reading WHERE meter_id = %s AND point_on > %s "
          "ORDER BY point_on LIMIT 1", (meter_id, be))
        nxt = cur.fetchone()
        if nxt is not None and step(end_value, nxt[0], digits, mult) is None:
            return "ESTIMATE_CONFLICT"
    q("SELECT tariff_version_id, effective_from, fixed_charge, tax_rate_pct, early_pay_pct, "
      "early_pay_days FROM tariff_version WHERE tariff_id = %s ORDER BY effective_from", (tariff_id,))
    versions = cur.fetchall()
    segs = []
    for i, v in enumerate(versions):
        v_from = v[1]
        v_to = versions[i + 1][1] - dt.timedelta(days=1) if i + 1 < len(versions) else dt.date(9999, 12, 31)
        s_from, s_to = max(bs, v_from), min(be, v_to)
        if s_from <= s_to:
            segs.append((v, s_from, (s_to - s_from).days + 1))
    if not segs or segs[0][1] != bs:
        return "NO_TARIFF"
    lines = []          # (kind, description, version_id, block_no, qty, rate, amount)
    E = F = Decimal("0.00")
    with localcontext() as ctx:
        ctx.prec = 40
        done = Decimal(0)
        for i, (v, s_from, d_i) in enumerate(segs):
            c_i = C - done if i == len(segs) - 1 else r4(C * d_i / D)
            done += c_i
            q("SELECT block_no, up_to_kwh, rate FROM tariff_block WHERE tariff_version_id = %s "
              "ORDER BY block_no", (v[0],))
            lower = Decimal(0)
            for block_no, up_to, rate in cur.fetchall():
                L = r4(lower * d_i / P)
                U = r4(up_to * d_i / P) if up_to is not None else None
                qk = max(Decimal(0), (min(c_i, U) if U is not None else c_i) - L)
                if qk > 0:
                    amt = r2(qk * rate)
                    E += amt
                    lines.append(("energy", f"Energy, block {block_no}", v[0], block_no, qk, rate, amt))
                lower = up_to if up_to is not None else lower
            amt = r2(v[2] * d_i / P)
            F += amt
            lines.append(("fixed", "Fixed charge", v[0], None, None, None, amt))
        q("SELECT ad.account_discount_id, d.name, d.pct FROM account_discount ad "
          "JOIN discount d ON d.discount_id = ad.discount_id WHERE ad.account_id = %s "
          "AND ad.valid_from <= %s AND (ad.valid_to IS NULL OR ad.valid_to >= %s) "
          "ORDER BY ad.account_discount_id", (aid, be, be))
        disc = Decimal("0.00")
        for _, name, p in cur.fetchall():
            amt = -r2(E * p / 100)
            disc += amt
            lines.append(("discount", f"Discount: {name}", None, None, None, None, amt))
        v_be = segs[-1][0]
        tax = r2((E + F + disc) * v_be[3] / 100)
        total = E + F + disc + tax
        if total < 0:
            return "NEGATIVE_TOTAL"
        lines.append(("tax", "Tax", v_be[0], None, None, None, tax))
        rebate = r2(E * v_be[4] / 100) if v_be[4] > 0 else Decimal("0.00")
        rebate_date = issue + dt.timedelta(days=v_be[5]) if v_be[4] > 0 else None
    register_advance = C / mult
    # writes: one transaction per account, one INSERT per row
    q("START TRANSACTION")
    try:
        if estimated:
            q(f"INSERT INTO {WORK_DB}.py_meter_reading (meter_id, read_on, value, kind, source, status, "
              "consumption_kwh, recorded_by) VALUES (%s, %s, %s, 'estimated', 'system', 'accepted', %s, %s)",
              (meter_id, be, end_value, C, actor))
            end_id = cur.lastrowid
        q(f"SELECT last_number FROM {WORK_DB}.py_number_counter WHERE counter_name = 'bill' "
          "AND counter_year = %s FOR UPDATE", (issue.year,))
        r = cur.fetchone()
        no = (r[0] if r else 0) + 1
        # the row is locked above: an existing one holds no - 1 (no VALUES(col): deprecated)
        q(f"INSERT INTO {WORK_DB}.py_number_counter VALUES ('bill', %s, %s) "
          "ON DUPLICATE KEY UPDATE last_number = last_number + 1", (issue.year, no))
        q(f"INSERT INTO {WORK_DB}.py_bill (bill_no, account_id, tariff_version_id, period_start, "
          "period_end, days_billed, period_days, issue_date, due_date, prev_read_on, prev_read_value, "
          "end_reading_id, register_advance, consumption_kwh, estimated, rebate_amount, rebate_date, "
          "total_amount, issued_total) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
          (f"{issue.year}-{no:06d}", aid, v_be[0], bs, be, D, P, issue,
           issue + dt.timedelta(days=due_days), prev_on, prev_value, end_id, register_advance, C,
           estimated, rebate, rebate_date, total, total))     # as issued: the same, before rebates
        bill_id = cur.lastrowid
        for n, ln in enumerate(lines, 1):
            q(f"INSERT INTO {WORK_DB}.py_bill_line (bill_id, line_no, kind, description, "
              "tariff_version_id, block_no, quantity_kwh, rate, amount) "
              "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)", (bill_id, n) + ln)
        q(f"INSERT INTO {WORK_DB}.py_ledger_entry (account_id, entry_type, amount, bill_id, "
          "entry_date, actor) VALUES (%s, 'bill', %s, %s, %s, %s)", (aid, total, bill_id, issue, actor))
        q("COMMIT")
    except Exception:
        q("ROLLBACK")
        raise
    cur.close()
    return "billed"


def run(db, account_ids, ps, pe, issue, due_days):
    """Bills the accounts one by one; returns (seconds, outcome counts)."""
    prepare(db)
    conn = connect(db)
    # on the issue date, as run_billing is (generate.run_month): the same session clock
    conn.cursor().execute("SET timestamp = UNIX_TIMESTAMP(%s)", (f"{issue} 06:00:00",))
    out = {}
    t = time.perf_counter()
    for aid in account_ids:
        r = bill_account(conn, aid, ps, pe, issue, due_days, "batch:pyloop")
        out[r] = out.get(r, 0) + 1
    secs = time.perf_counter() - t
    conn.close()
    return secs, out


def compare(db, run_id):
    """How many of the Python loop's bills equal the engine's (total, consumption, lines)."""
    c = connect(db)
    cur = c.cursor()
    cur.execute(f"""
        SELECT COUNT(*),
               SUM(b.bill_id IS NOT NULL AND b.total_amount = p.total_amount
                   AND b.consumption_kwh = p.consumption_kwh AND b.rebate_amount = p.rebate_amount
                   AND b.estimated = p.estimated),
               SUM(b.bill_id IS NOT NULL AND (SELECT COUNT(*) FROM bill_line l WHERE l.bill_id = b.bill_id)
                   = (SELECT COUNT(*) FROM {WORK_DB}.py_bill_line pl WHERE pl.bill_id = p.bill_id))
        FROM {WORK_DB}.py_bill p
        LEFT JOIN bill b ON b.account_id = p.account_id AND b.period_end = p.period_end
                         AND b.run_id = {int(run_id)}""")
    n, same, same_lines = cur.fetchone()
    c.close()
    return {"python_bills": int(n), "equal_to_engine": int(same or 0),
            "same_line_count": int(same_lines or 0)}
