"""Reads of the staff home pages (docs/backoffice.md, "Home pages and KPIs"): every figure is a
row of a view under db/views/ (v_kpi_summary, v_kpi_aging_buckets, v_kpi_monthly, or the same
figures kept by the 5-minute job: v_kpi_kept_summary, v_kpi_kept_aging_buckets,
v_kpi_kept_monthly; v_kpi_collections_today, v_audit_log); nothing is added up here."""
from django.db import connections, transaction

from billing.models import Account, AuditEntry, BillSummary, Customer, Payment


def _rows(sql, params=()):
    with connections["billing"].cursor() as cur:
        cur.execute(sql, list(params))
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]


# the kept figures are shown while they are at most this old (the job runs every 5 minutes:
# two runs may fail or be late before the page reads the live views instead)
KEPT_SECONDS = 15 * 60


def collection_figures():
    """The figures of "How collection is going": (summary, aging buckets, months, taken_at).
    summary: this month's billed and collected, open and overdue money, DSO, the work waiting (a
    dict); buckets: the five aging buckets; months: the last 12 months, oldest first, billed and
    collected, the current month partial. The figures refresh_kpi_snapshot kept (the 5-minute
    job) when they are of today and at most KEPT_SECONDS old, with taken_at, when they were
    read; otherwise the live views' (seconds at 1M accounts) and taken_at None. One snapshot of
    the kept tables (a transaction): the three reads are of one refresh."""
    with transaction.atomic(using="billing"):
        summary = _rows("SELECT * FROM v_kpi_kept_summary WHERE as_of = CURRENT_DATE "
                        "AND age_seconds BETWEEN 0 AND %s", [KEPT_SECONDS])
        view = "v_kpi_kept_" if summary else "v_kpi_"          # kept, or read live
        if not summary:
            summary = _rows("SELECT * FROM v_kpi_summary")
        return (summary[0],
                _rows(f"SELECT bucket_no, bucket, accounts, amount FROM {view}aging_buckets "
                      "ORDER BY bucket_no"),
                _rows(f"SELECT month, partial_month, bills, billed, payments, collected "
                      f"FROM {view}monthly ORDER BY month"),
                summary[0].get("taken_at"))


def collections_today(*, cashier):
    """(the cashier's row, everybody's row) of today's collections; None where there is none."""
    rows = _rows("SELECT cashier, payments, amount FROM v_kpi_collections_today "
                 "WHERE cashier = %s OR cashier IS NULL", [cashier])
    mine = next((r for r in rows if r["cashier"] == cashier), None)
    everyone = next((r for r in rows if r["cashier"] is None), None)
    return mine, everyone


def recent_work(*, actor, limit=10):
    """The actor's latest changes in the audit trail, newest first (ix_audit_actor), each with
    the numbers staff know beside v_audit_log's ids: `account_no`, `customer_no`, and for a
    payment's or a bill's row its `receipt_no` or `bill_no` (None where there is none); one
    read of each view by primary key for the page's rows, nothing per row."""
    entries = list(AuditEntry.objects.filter(actor=actor).order_by("-audit_id")[:limit])

    def keys(table):
        return {int(e.row_key) for e in entries if e.table_name == table and e.row_key.isdigit()}

    accounts = dict(Account.objects.filter(account_id__in={e.account_id for e in entries
                                                            if e.account_id})
                    .values_list("account_id", "account_no"))
    customers = dict(Customer.objects.filter(customer_id__in={e.customer_id for e in entries
                                                               if e.customer_id})
                     .values_list("customer_id", "customer_no"))
    receipts = dict(Payment.objects.filter(payment_id__in=keys("payment"))
                    .values_list("payment_id", "receipt_no"))
    bills = dict(BillSummary.objects.filter(bill_id__in=keys("bill"))
                 .values_list("bill_id", "bill_no"))
    for e in entries:
        key = int(e.row_key) if e.row_key.isdigit() else None
        e.account_no = accounts.get(e.account_id)
        e.customer_no = customers.get(e.customer_id)
        e.receipt_no = receipts.get(key) if e.table_name == "payment" else None
        e.bill_no = bills.get(key) if e.table_name == "bill" else None
    return entries
