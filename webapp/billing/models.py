"""Read-only models over the billing schema's views (unmanaged; routed to the `billing` alias).

Django never creates, migrates or writes these: the yoyo migrations own the schema, and every
change goes through a procedure (services.py). Columns are those of the views; the contract
views' columns are listed in ../shared/spec/sql-api.md, the app's helper views are documented in
their files under db/views/ and in docs/webapp.md. Money comes back as Decimal exactly as the
database computed it; format it in templates only.
"""
import datetime
import json

from django.db import models

MONEY = {"max_digits": 14, "decimal_places": 2}
KWH = {"max_digits": 16, "decimal_places": 4}


class ReadOnlyModel(models.Model):
    billing_view = True      # config.routers.BillingRouter reads it from the `billing` alias

    class Meta:
        abstract = True
        managed = False

    def save(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} is a view: change data through services.py")

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} is a view: change data through services.py")


# --- the app's helper views (db/views/v_customer.sql, v_account.sql, v_meter_reading.sql) -----
class Customer(ReadOnlyModel):
    customer_id = models.PositiveIntegerField(primary_key=True)
    customer_no = models.CharField(max_length=12)
    full_name = models.CharField(max_length=200)
    email = models.CharField(max_length=254, null=True)
    phone = models.CharField(max_length=40, null=True)
    address = models.CharField(max_length=500, null=True)
    created_at = models.DateTimeField()
    accounts = models.PositiveIntegerField()

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_customer"
        ordering = ["full_name", "customer_no"]

    def __str__(self):
        return f"{self.customer_no} {self.full_name}"


class Account(ReadOnlyModel):
    account_id = models.PositiveIntegerField(primary_key=True)
    account_no = models.CharField(max_length=12)
    customer_id = models.PositiveIntegerField()
    tariff_code = models.CharField(max_length=20)
    tariff_name = models.CharField(max_length=100)
    service_address = models.CharField(max_length=500)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True)
    status = models.CharField(max_length=6)              # open / closed
    meter_id = models.PositiveIntegerField(null=True)    # the active meter, if any
    serial_no = models.CharField(max_length=40, null=True)
    dial_digits = models.PositiveSmallIntegerField(null=True)
    multiplier = models.DecimalField(max_digits=10, decimal_places=4, null=True)
    installed_on = models.DateField(null=True)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_account"
        ordering = ["account_no"]

    def __str__(self):
        return self.account_no


class MeterReading(ReadOnlyModel):
    reading_id = models.PositiveIntegerField(primary_key=True)
    meter_id = models.PositiveIntegerField()
    serial_no = models.CharField(max_length=40)
    account_id = models.PositiveIntegerField(null=True)
    read_on = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)
    kind = models.CharField(max_length=10)               # initial / actual / estimated
    source = models.CharField(max_length=10)             # field / customer / smart / system
    status = models.CharField(max_length=10)             # accepted / review / rejected
    consumption_kwh = models.DecimalField(**KWH)
    recorded_by = models.CharField(max_length=100)
    recorded_at = models.DateTimeField()
    reviewed_by = models.CharField(max_length=100, null=True)
    reviewed_at = models.DateTimeField(null=True)
    reject_reason = models.CharField(max_length=500, null=True)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_meter_reading"
        ordering = ["-read_on", "-reading_id"]


class ReadingCorrection(ReadOnlyModel):
    """What can be done about one reading: approve, reject, correct a misread, or why not
    (db/views/v_staff_reading_correction.sql)."""
    reading_id = models.PositiveIntegerField(primary_key=True)
    latest = models.BooleanField()
    later_accepted_on = models.DateField(null=True)
    bill_id = models.PositiveIntegerField(null=True)
    bill_no = models.CharField(max_length=16, null=True)
    exchange_final = models.BooleanField()
    day_free = models.BooleanField()
    same_day_point_id = models.PositiveIntegerField(null=True)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_reading_correction"


class ReviewQueueReading(ReadOnlyModel):
    """A reading waiting in review, with its account and the meter's usual use
    (db/views/v_staff_review_queue.sql)."""
    reading_id = models.PositiveIntegerField(primary_key=True)
    meter_id = models.PositiveIntegerField()
    serial_no = models.CharField(max_length=40)
    read_on = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)
    consumption_kwh = models.DecimalField(**KWH)
    source = models.CharField(max_length=10)
    recorded_by = models.CharField(max_length=100)
    recorded_at = models.DateTimeField()
    account_id = models.PositiveIntegerField(null=True)
    account_no = models.CharField(max_length=12, null=True)
    history_days = models.IntegerField(null=True)
    history_kwh = models.DecimalField(**KWH, null=True)
    daily_kwh = models.DecimalField(**KWH, null=True)
    later_accepted_on = models.DateField(null=True)
    latest = models.BooleanField()

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_review_queue"
        ordering = ["read_on", "reading_id"]


# --- contract views (../shared/spec/sql-api.md, "Views") --------------------------------------
class AccountBalance(ReadOnlyModel):
    account_id = models.PositiveIntegerField(primary_key=True)
    account_no = models.CharField(max_length=12)
    customer_id = models.PositiveIntegerField()
    customer_no = models.CharField(max_length=12)
    customer_name = models.CharField(max_length=200)
    status = models.CharField(max_length=10)
    balance = models.DecimalField(**MONEY)
    overdue_amount = models.DecimalField(**MONEY)
    oldest_due_date = models.DateField(null=True)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_account_balance"


class BillSummary(ReadOnlyModel):
    bill_id = models.PositiveIntegerField(primary_key=True)
    bill_no = models.CharField(max_length=12)
    account_id = models.PositiveIntegerField()
    account_no = models.CharField(max_length=12)
    period_start = models.DateField()
    period_end = models.DateField()
    issue_date = models.DateField()
    due_date = models.DateField()
    rebate_date = models.DateField(null=True)
    consumption_kwh = models.DecimalField(**KWH)
    energy_charge = models.DecimalField(**MONEY)
    fixed_charge = models.DecimalField(**MONEY)
    discount_amount = models.DecimalField(**MONEY)
    tax_amount = models.DecimalField(**MONEY)
    rebate_amount = models.DecimalField(**MONEY)
    rebate_granted = models.BooleanField()
    late_fee = models.DecimalField(**MONEY)
    total_amount = models.DecimalField(**MONEY)
    amount_paid = models.DecimalField(**MONEY)
    amount_open = models.DecimalField(**MONEY)
    status = models.CharField(max_length=10)
    estimated = models.BooleanField()
    # beyond the contract's columns: the customer, the days and the readings used
    customer_id = models.PositiveIntegerField()
    days_billed = models.PositiveIntegerField()
    prev_read_on = models.DateField()
    prev_read_value = models.DecimalField(max_digits=12, decimal_places=2)
    end_read_on = models.DateField()
    end_read_value = models.DecimalField(max_digits=12, decimal_places=2)
    tariff_code = models.CharField(max_length=20)
    # corrections (issue 19): final bill, cancel and rebill
    run_id = models.PositiveIntegerField(null=True)
    final = models.BooleanField()
    cancelled_at = models.DateTimeField(null=True)
    cancelled_by = models.CharField(max_length=100, null=True)
    cancel_reason = models.CharField(max_length=500, null=True)
    credit_note_no = models.CharField(max_length=16, null=True)
    replaces_bill_id = models.PositiveIntegerField(null=True)
    replaced_by_bill_id = models.PositiveIntegerField(null=True)
    issued_total = models.DecimalField(**MONEY)      # as printed on the bill (issue 20)

    @property
    def rebate_state(self):
        """The early-payment rebate in words (issue 21): None (no rebate offered), "earned",
        "offered" (paying the rest by rebate_date still earns it: money open above the rebate,
        the date not passed, no late fee) or "missed". Comparisons only, no arithmetic: the
        payment rule itself (billing-rules.md, Payments) decides when it is paid."""
        if not self.rebate_amount or self.status == "cancelled":
            return None
        if self.rebate_granted:
            return "earned"
        if (self.amount_open > self.rebate_amount and not self.late_fee
                and self.rebate_date >= datetime.date.today()):
            return "offered"
        return "missed"

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_bill_summary"
        ordering = ["-issue_date", "-bill_id"]


class BillLine(ReadOnlyModel):
    pk = models.CompositePrimaryKey("bill_id", "line_no")
    bill_id = models.PositiveIntegerField()
    line_no = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20)
    description = models.CharField(max_length=200)
    quantity_kwh = models.DecimalField(**KWH, null=True)
    rate = models.DecimalField(max_digits=14, decimal_places=6, null=True)
    amount = models.DecimalField(**MONEY)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_bill_lines"
        ordering = ["bill_id", "line_no"]


class Payment(ReadOnlyModel):
    payment_id = models.PositiveIntegerField(primary_key=True)
    receipt_no = models.CharField(max_length=20)
    account_id = models.PositiveIntegerField()
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=20)
    paid_at = models.DateTimeField()
    allocated = models.DecimalField(**MONEY)
    unallocated = models.DecimalField(**MONEY)
    status = models.CharField(max_length=10)             # posted / reversed
    refunded = models.DecimalField(**MONEY)
    reversed_at = models.DateTimeField(null=True)
    reversed_by = models.CharField(max_length=100, null=True)
    reversal_reason = models.CharField(max_length=500, null=True)
    posted_by = models.CharField(max_length=100)         # the actor who took it (cashier)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_payments"
        ordering = ["-paid_at", "-payment_id"]


# --- bank files (db/views/v_staff_payment_batch*.sql; docs/backoffice.md, "Bank files") -------
class PaymentBatch(ReadOnlyModel):
    batch_id = models.PositiveIntegerField(primary_key=True)
    batch_ref = models.CharField(max_length=100)
    status = models.CharField(max_length=10)             # open / posted
    created_by = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    posted_by = models.CharField(max_length=100, null=True)
    posted_at = models.DateTimeField(null=True)
    lines = models.PositiveIntegerField()
    pending = models.PositiveIntegerField()
    posted = models.PositiveIntegerField()
    replayed = models.PositiveIntegerField()
    refused = models.PositiveIntegerField()
    amount_total = models.DecimalField(**MONEY)
    amount_posted = models.DecimalField(**MONEY)
    bad_amount_lines = models.PositiveIntegerField()
    unknown_account_lines = models.PositiveIntegerField()
    closed_account_lines = models.PositiveIntegerField()
    no_key_lines = models.PositiveIntegerField()

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_payment_batch"
        ordering = ["-batch_id"]


class PaymentBatchLine(ReadOnlyModel):
    pk = models.CompositePrimaryKey("batch_id", "line_no")
    batch_id = models.PositiveIntegerField()
    batch_ref = models.CharField(max_length=100)
    line_no = models.PositiveIntegerField()
    account_no = models.CharField(max_length=1000, null=True)
    amount = models.CharField(max_length=1000, null=True)          # the text as received
    amount_parsed = models.DecimalField(**MONEY, null=True)
    method = models.CharField(max_length=1000, null=True)
    paid_at = models.CharField(max_length=1000, null=True)        # as received
    idempotency_key = models.CharField(max_length=4000, null=True)
    outcome = models.CharField(max_length=10)            # pending / posted / replayed / refused
    payment_id = models.PositiveIntegerField(null=True)
    receipt_no = models.CharField(max_length=20, null=True)
    errno = models.PositiveIntegerField(null=True)
    message = models.CharField(max_length=512, null=True)
    done_at = models.DateTimeField(null=True)
    account_id = models.PositiveIntegerField(null=True)
    customer_id = models.PositiveIntegerField(null=True)
    unknown_account = models.BooleanField()
    bad_amount = models.BooleanField()
    closed_account = models.BooleanField()
    no_key = models.BooleanField()

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_payment_batch_line"
        ordering = ["batch_id", "line_no"]


class PaymentBatchAccount(ReadOnlyModel):
    pk = models.CompositePrimaryKey("batch_id", "account_no")
    batch_id = models.PositiveIntegerField()
    account_no = models.CharField(max_length=1000)           # '' for lines without one
    account_id = models.PositiveIntegerField(null=True)
    customer_id = models.PositiveIntegerField(null=True)
    customer_name = models.CharField(max_length=200, null=True)
    closed_account = models.BooleanField()
    lines = models.PositiveIntegerField()
    bad_amount_lines = models.PositiveIntegerField()
    amount = models.DecimalField(**MONEY)
    amount_posted = models.DecimalField(**MONEY)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_payment_batch_account"
        ordering = ["batch_id", "account_no"]


class Refund(ReadOnlyModel):
    refund_id = models.PositiveIntegerField(primary_key=True)
    account_id = models.PositiveIntegerField()
    account_no = models.CharField(max_length=12)
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=20)             # cheque / bank_transfer / card
    refunded_at = models.DateTimeField()
    actor = models.CharField(max_length=100)
    customer_id = models.PositiveIntegerField()
    payment_ids = models.CharField(max_length=1000, null=True)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_refunds"
        ordering = ["-refunded_at", "-refund_id"]


# --- the staff bill page (db/views/v_staff_bill_*.sql) -----------------------------------------
class BillAllocation(ReadOnlyModel):
    pk = models.CompositePrimaryKey("bill_id", "payment_id")
    bill_id = models.PositiveIntegerField()
    payment_id = models.PositiveIntegerField()
    receipt_no = models.CharField(max_length=20)
    method = models.CharField(max_length=20)
    paid_at = models.DateTimeField()
    payment_status = models.CharField(max_length=10)
    allocated = models.DecimalField(**MONEY)
    gross = models.DecimalField(**MONEY)
    first_at = models.DateTimeField()

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_bill_allocation"
        ordering = ["first_at", "payment_id"]


class BillHistory(ReadOnlyModel):
    pk = models.CompositePrimaryKey("bill_id", "event", "seq")
    bill_id = models.PositiveIntegerField()
    happened_at = models.DateTimeField()
    step = models.PositiveSmallIntegerField()
    seq = models.PositiveBigIntegerField()
    event = models.CharField(max_length=20)
    amount = models.DecimalField(**MONEY, null=True)
    payment_id = models.PositiveIntegerField(null=True)
    receipt_no = models.CharField(max_length=20, null=True)
    other_bill_id = models.PositiveIntegerField(null=True)
    other_bill_no = models.CharField(max_length=16, null=True)
    actor = models.CharField(max_length=100, null=True)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_bill_history"
        ordering = ["happened_at", "step", "seq"]


class BillReading(ReadOnlyModel):
    pk = models.CompositePrimaryKey("bill_id", "role", "reading_id")
    bill_id = models.PositiveIntegerField()
    role = models.CharField(max_length=10)               # start / between / end
    reading_id = models.PositiveIntegerField()
    serial_no = models.CharField(max_length=40)
    read_on = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)
    kind = models.CharField(max_length=10)
    status = models.CharField(max_length=10)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_bill_reading"
        ordering = ["read_on", "reading_id"]


class Aging(ReadOnlyModel):
    report_view = True       # may be read from BILLING_REPORT_DATABASE_URL (config/routers.py)
    account_id = models.PositiveIntegerField(primary_key=True)
    account_no = models.CharField(max_length=12)
    not_due = models.DecimalField(**MONEY)
    d1_30 = models.DecimalField(**MONEY)
    d31_60 = models.DecimalField(**MONEY)
    d61_90 = models.DecimalField(**MONEY)
    d90_plus = models.DecimalField(**MONEY)
    total_open = models.DecimalField(**MONEY)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_aging"


class CollectionsDaily(ReadOnlyModel):
    report_view = True       # may be read from BILLING_REPORT_DATABASE_URL (config/routers.py)
    pk = models.CompositePrimaryKey("day", "method")
    day = models.DateField()
    method = models.CharField(max_length=20)
    payments = models.PositiveIntegerField()
    amount = models.DecimalField(**MONEY)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_collections_daily"
        ordering = ["-day", "method"]


class BillingException(ReadOnlyModel):
    pk = models.CompositePrimaryKey("run_id", "account_id")
    run_id = models.PositiveIntegerField()
    account_id = models.PositiveIntegerField()
    account_no = models.CharField(max_length=12)
    code = models.CharField(max_length=30)
    detail = models.CharField(max_length=500)
    resolved = models.BooleanField()          # the account has a bill covering the run's end

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_billing_exceptions"
        ordering = ["run_id", "account_id"]


# --- the back office's helper views (db/views/v_staff_*.sql, v_report_*.sql, v_audit_log.sql;
# migration 0011_backoffice_views; see docs/backoffice.md) ------------------------------------
class StatementEntry(ReadOnlyModel):
    entry_id = models.PositiveBigIntegerField(primary_key=True)
    account_id = models.PositiveIntegerField()
    entry_date = models.DateField()
    posted_at = models.DateTimeField()
    entry_type = models.CharField(max_length=20)
    amount = models.DecimalField(**MONEY)
    actor = models.CharField(max_length=100)
    bill_id = models.PositiveIntegerField(null=True)
    bill_no = models.CharField(max_length=16, null=True)
    payment_id = models.PositiveIntegerField(null=True)
    receipt_no = models.CharField(max_length=20, null=True)
    running_balance = models.DecimalField(**MONEY)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_statement"
        ordering = ["entry_id"]


class BillingRun(ReadOnlyModel):
    run_id = models.PositiveIntegerField(primary_key=True)
    period_start = models.DateField()
    period_end = models.DateField()
    issue_date = models.DateField()
    due_days = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10)             # running / completed / failed
    accounts_total = models.PositiveIntegerField()
    accounts_done = models.PositiveIntegerField()
    bills_created = models.PositiveIntegerField()
    accounts_skipped = models.PositiveIntegerField()
    total_billed = models.DecimalField(**MONEY)
    started_by = models.CharField(max_length=100)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    exceptions = models.PositiveIntegerField()
    open_exceptions = models.PositiveIntegerField()
    estimated_bills = models.PositiveIntegerField()

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_billing_run"
        ordering = ["-run_id"]


class TariffVersion(ReadOnlyModel):
    # One row per version, and one row with tariff_version_id NULL for a tariff without versions.
    # Django does not allow a nullable field in a composite key (models.E042), so the field is
    # declared NOT NULL here; such rows are only listed (selectors.tariffs), never looked up by
    # key, and their pk reads as (tariff_id, None).
    pk = models.CompositePrimaryKey("tariff_id", "tariff_version_id")
    tariff_id = models.PositiveIntegerField()
    tariff_code = models.CharField(max_length=20)
    tariff_name = models.CharField(max_length=100)
    accounts = models.PositiveIntegerField()
    tariff_version_id = models.PositiveIntegerField()
    effective_from = models.DateField(null=True)
    fixed_charge = models.DecimalField(**MONEY, null=True)
    tax_rate_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    late_fee_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    early_pay_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    early_pay_days = models.SmallIntegerField(null=True)
    blocks = models.PositiveIntegerField()
    billed_through = models.DateField(null=True)
    removable = models.BooleanField()

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_tariff_version"
        ordering = ["tariff_code", "-effective_from"]


class TariffBlock(ReadOnlyModel):
    pk = models.CompositePrimaryKey("tariff_version_id", "block_no")
    tariff_version_id = models.PositiveIntegerField()
    block_no = models.PositiveSmallIntegerField()
    up_to_kwh = models.DecimalField(**KWH, null=True)
    rate = models.DecimalField(max_digits=14, decimal_places=6)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_tariff_block"
        ordering = ["tariff_version_id", "block_no"]


class Discount(ReadOnlyModel):
    discount_id = models.PositiveIntegerField(primary_key=True)
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    pct = models.DecimalField(max_digits=5, decimal_places=2)
    created_at = models.DateTimeField()
    assignments = models.PositiveIntegerField()

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_discount"
        ordering = ["code"]


class AccountDiscount(ReadOnlyModel):
    account_discount_id = models.PositiveIntegerField(primary_key=True)
    account_id = models.PositiveIntegerField()
    discount_id = models.PositiveIntegerField()
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    pct = models.DecimalField(max_digits=5, decimal_places=2)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True)
    created_at = models.DateTimeField()

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_account_discount"
        ordering = ["valid_from", "account_discount_id"]


class RevenueReport(ReadOnlyModel):
    report_view = True       # may be read from BILLING_REPORT_DATABASE_URL (config/routers.py)
    pk = models.CompositePrimaryKey("period", "tariff_code")
    period = models.CharField(max_length=7)
    tariff_code = models.CharField(max_length=20)
    tariff_name = models.CharField(max_length=100)
    bills = models.PositiveIntegerField()
    consumption_kwh = models.DecimalField(max_digits=18, decimal_places=4)
    energy_charge = models.DecimalField(**MONEY)
    fixed_charge = models.DecimalField(**MONEY)
    discount_amount = models.DecimalField(**MONEY)
    tax_amount = models.DecimalField(**MONEY)
    late_fee = models.DecimalField(**MONEY)
    rebate_amount = models.DecimalField(**MONEY)
    total_billed = models.DecimalField(**MONEY)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_report_revenue"
        ordering = ["-period", "tariff_code"]


class ConsumptionReport(ReadOnlyModel):
    report_view = True       # may be read from BILLING_REPORT_DATABASE_URL (config/routers.py)
    pk = models.CompositePrimaryKey("month", "tariff_code")
    month = models.CharField(max_length=7)
    tariff_code = models.CharField(max_length=20)
    meters = models.PositiveIntegerField()
    readings = models.PositiveIntegerField()
    consumption_kwh = models.DecimalField(max_digits=18, decimal_places=4)
    in_review = models.PositiveIntegerField()
    partial_month = models.BooleanField()           # the current month: still growing

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_report_consumption"
        ordering = ["-month", "tariff_code"]


class AgingRow(ReadOnlyModel):
    """The aging report's columns, as v_report_aging (live) and v_staff_aging_kept (kept) give
    them: v_aging with the customer's name and phone and the account's tariff."""
    report_view = True       # may be read from BILLING_REPORT_DATABASE_URL (config/routers.py)
    account_id = models.PositiveIntegerField(primary_key=True)
    account_no = models.CharField(max_length=12)
    customer_id = models.PositiveIntegerField()
    customer_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, null=True)
    tariff_code = models.CharField(max_length=20)
    not_due = models.DecimalField(**MONEY)
    d1_30 = models.DecimalField(**MONEY)
    d31_60 = models.DecimalField(**MONEY)
    d61_90 = models.DecimalField(**MONEY)
    d90_plus = models.DecimalField(**MONEY)
    total_open = models.DecimalField(**MONEY)
    overdue = models.DecimalField(**MONEY)

    class Meta(ReadOnlyModel.Meta):
        abstract = True
        # ties by account id (account numbers are given in id order by open_account): a sort
        # on account_no would join every account before the LIMIT (4.8 s at 1M, against 1.4 s)
        ordering = ["-total_open", "account_id"]


class AgingReport(AgingRow):
    """v_report_aging: the aging report now."""

    class Meta(AgingRow.Meta):
        db_table = "v_report_aging"


class AgingKept(AgingRow):
    """db/views/v_staff_aging_kept.sql: the aging report as the 5-minute job last took it
    (refresh_aging_snapshot), with its figures as they were then."""

    class Meta(AgingRow.Meta):
        db_table = "v_staff_aging_kept"


class CollectionsReport(ReadOnlyModel):
    """v_report_collections: posted payments by day, cashier and method."""
    report_view = True       # may be read from BILLING_REPORT_DATABASE_URL (config/routers.py)
    pk = models.CompositePrimaryKey("day", "cashier", "method")
    day = models.DateField()
    cashier = models.CharField(max_length=100)
    method = models.CharField(max_length=20)
    payments = models.PositiveIntegerField()
    amount = models.DecimalField(**MONEY)
    reversed_payments = models.PositiveIntegerField()
    reversed_amount = models.DecimalField(**MONEY)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_report_collections"
        ordering = ["-day", "cashier", "method"]


class AuditEntry(ReadOnlyModel):
    audit_id = models.PositiveBigIntegerField(primary_key=True)
    changed_at = models.DateTimeField()
    actor = models.CharField(max_length=100)          # the application actor (p_actor)
    db_user = models.CharField(max_length=100, null=True)   # the database session user
    table_name = models.CharField(max_length=64)
    row_key = models.CharField(max_length=64)
    action = models.CharField(max_length=40)   # insert/update/delete or an event (payment_posted...)
    old_values = models.TextField(null=True)
    new_values = models.TextField(null=True)
    account_id = models.PositiveIntegerField(null=True)
    customer_id = models.PositiveIntegerField(null=True)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_audit_log"
        ordering = ["-audit_id"]

    @property
    def detail(self):
        """new_values as a dict (an event's detail: counts, amounts, reasons); {} when none."""
        return self._dict(self.new_values)

    @property
    def before(self):
        """old_values as a dict (a row's values before an update or a delete); {} when none."""
        return self._dict(self.old_values)

    @staticmethod
    def _dict(text):
        try:
            value = json.loads(text) if text else {}
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


class ReversalBill(ReadOnlyModel):
    """What reversing a payment does to one bill (db/views/v_staff_reversal_bill.sql)."""
    pk = models.CompositePrimaryKey("payment_id", "bill_id")
    payment_id = models.PositiveIntegerField()
    bill_id = models.PositiveIntegerField()
    bill_no = models.CharField(max_length=20)
    account_id = models.PositiveIntegerField()
    allocated = models.DecimalField(**MONEY)
    amount_open = models.DecimalField(**MONEY)
    rebate_revoked = models.DecimalField(**MONEY)
    amount_open_after = models.DecimalField(**MONEY)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_reversal_bill"
        ordering = ["bill_id"]


class Reversal(ReadOnlyModel):
    """What reversing a payment does to its account (db/views/v_staff_reversal.sql)."""
    payment_id = models.PositiveIntegerField(primary_key=True)
    account_id = models.PositiveIntegerField()
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=20)
    status = models.CharField(max_length=10)
    bills_reopened = models.PositiveIntegerField()
    rebates_revoked = models.DecimalField(**MONEY)
    balance_now = models.DecimalField(**MONEY)
    balance_after = models.DecimalField(**MONEY)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_reversal"


class MeterContext(ReadOnlyModel):
    """A meter's latest point, typical daily use and the numbers of record_reading's checks
    (db/views/v_staff_meter_context.sql)."""
    meter_id = models.PositiveIntegerField(primary_key=True)
    serial_no = models.CharField(max_length=40)
    account_id = models.PositiveIntegerField()
    dial_digits = models.PositiveSmallIntegerField()
    multiplier = models.DecimalField(max_digits=12, decimal_places=4)
    capacity = models.PositiveBigIntegerField()
    last_read_on = models.DateField(null=True)
    last_register = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    last_status = models.CharField(max_length=10, null=True)
    history_days = models.IntegerField(null=True)
    history_kwh = models.DecimalField(**KWH, null=True)
    daily_kwh = models.DecimalField(**KWH, null=True)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_meter_context"


# --- notices (issue 23; db/views/v_notices.sql, v_contact_preferences.sql, v_dunning.sql) ---------
class Notice(ReadOnlyModel):
    notice_id = models.PositiveBigIntegerField(primary_key=True)
    customer_id = models.PositiveIntegerField()
    account_id = models.PositiveIntegerField(null=True)
    kind = models.CharField(max_length=20)
    bill_id = models.PositiveIntegerField(null=True)
    payment_id = models.PositiveIntegerField(null=True)
    refund_id = models.PositiveIntegerField(null=True)
    status = models.CharField(max_length=10)
    skip_reason = models.CharField(max_length=100, null=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True)
    attempts = models.PositiveIntegerField()
    last_error = models.CharField(max_length=1000, null=True)
    next_attempt_at = models.DateTimeField()
    message_id = models.CharField(max_length=255, null=True)
    bill_no = models.CharField(max_length=16, null=True)
    email = models.CharField(max_length=254, null=True)
    customer_no = models.CharField(max_length=20, null=True)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_notices"
        ordering = ["-created_at", "-notice_id"]


class ContactPreferences(ReadOnlyModel):
    customer_id = models.PositiveIntegerField(primary_key=True)
    email = models.CharField(max_length=254, null=True)
    email_bills = models.BooleanField()
    email_reminders = models.BooleanField()
    paperless = models.BooleanField()

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_contact_preferences"


class Dunning(ReadOnlyModel):
    account_id = models.PositiveIntegerField(primary_key=True)
    account_no = models.CharField(max_length=12)
    customer_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, null=True)
    level = models.CharField(max_length=20)
    level_no = models.PositiveSmallIntegerField()
    amount_overdue = models.DecimalField(**MONEY)
    oldest_due_date = models.DateField()
    last_notice_kind = models.CharField(max_length=20, null=True)
    last_notice_at = models.DateTimeField(null=True)
    customer_id = models.PositiveIntegerField()
    email = models.CharField(max_length=254, null=True)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_dunning"
        ordering = ["-level_no", "-amount_overdue", "account_id"]   # as AgingReport's


class DunningKept(ReadOnlyModel):
    """db/views/v_dunning_kept.sql: the dunning list as the 5-minute job last took it
    (refresh_dunning_snapshot), in the list's order, with its figures as they were then; the
    page shows each row's figures now from Dunning."""
    account_id = models.PositiveIntegerField(primary_key=True)
    account_no = models.CharField(max_length=12)
    customer_id = models.PositiveIntegerField()
    customer_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, null=True)
    email = models.CharField(max_length=254, null=True)
    level_no = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=20)
    amount_overdue = models.DecimalField(**MONEY)
    oldest_due_date = models.DateField()

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_dunning_kept"
        ordering = ["-level_no", "-amount_overdue", "account_id"]  # the list's: its kept index


# --- the bill as a document (issue 21): read by the portal's bill and the notices' PDF ---

class BillAccountSummary(ReadOnlyModel):
    """db/views/v_bill_account_summary.sql: the account summary of a bill (previous balance,
    payments, adjustments, this bill, the rebate its credit earned at issue, balance after),
    from the ledger."""
    bill_id = models.PositiveIntegerField(primary_key=True)
    account_id = models.PositiveIntegerField()
    prev_bill_id = models.PositiveIntegerField(null=True)
    previous_balance = models.DecimalField(**MONEY)
    payments = models.DecimalField(**MONEY)
    adjustments = models.DecimalField(**MONEY)
    new_charges = models.DecimalField(**MONEY)
    rebate_at_issue = models.DecimalField(**MONEY)     # earned by the account's credit
    balance_after = models.DecimalField(**MONEY)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_bill_account_summary"


class BillAccountActivity(ReadOnlyModel):
    """db/views/v_bill_account_activity.sql: the ledger entries between the previous bill and
    this one (payments with their dates and receipts, late fees, rebates, credit notes, ...)."""
    entry_id = models.PositiveBigIntegerField(primary_key=True)
    bill_id = models.PositiveIntegerField()
    entry_date = models.DateField()
    entry_type = models.CharField(max_length=20)
    amount = models.DecimalField(**MONEY)
    payment_id = models.PositiveIntegerField(null=True)
    receipt_no = models.CharField(max_length=20, null=True)
    method = models.CharField(max_length=20, null=True)
    about_bill_id = models.PositiveIntegerField(null=True)
    about_bill_no = models.CharField(max_length=16, null=True)
    credit_note_no = models.CharField(max_length=16, null=True)
    refund_id = models.PositiveIntegerField(null=True)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_bill_account_activity"
        ordering = ["entry_id"]


class BillLineWords(ReadOnlyModel):
    """db/views/v_bill_line_words.sql: a bill's energy and fixed lines' segment and block limits
    (the customer's share), for the lines in words."""
    pk = models.CompositePrimaryKey("bill_id", "line_no")
    bill_id = models.PositiveIntegerField()
    line_no = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20)
    seg_start = models.DateField()
    seg_end = models.DateField()
    seg_days = models.PositiveIntegerField()
    period_days = models.PositiveIntegerField()
    segments = models.PositiveIntegerField()
    version_from = models.DateField()
    new_price = models.BooleanField()
    block_no = models.PositiveSmallIntegerField(null=True)
    first_block = models.BooleanField(null=True)
    open_block = models.BooleanField(null=True)
    block_from_kwh = models.DecimalField(**KWH, null=True)
    block_to_kwh = models.DecimalField(**KWH, null=True)
    block_size_kwh = models.DecimalField(**KWH, null=True)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_bill_line_words"


class BillReadingWords(ReadOnlyModel):
    """db/views/v_bill_reading_words.sql: the meter factor, a meter exchange inside the window
    and the estimate a bill corrects."""
    bill_id = models.PositiveIntegerField(primary_key=True)
    multiplier = models.DecimalField(max_digits=8, decimal_places=2)
    register_advance = models.DecimalField(max_digits=12, decimal_places=2)
    one_meter = models.BooleanField()
    meter_exchanged = models.BooleanField()
    prev_estimated = models.BooleanField()
    corrects_bill_id = models.PositiveIntegerField(null=True)
    corrects_bill_no = models.CharField(max_length=16, null=True)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_bill_reading_words"

# --- bill review: previews of runs, why a bill differs, late fees charged (issue 20) ----------
class BillingPreview(ReadOnlyModel):
    preview_id = models.PositiveIntegerField(primary_key=True)
    period_start = models.DateField()
    period_end = models.DateField()
    issue_date = models.DateField()
    due_days = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10)             # running / completed / failed
    accounts_considered = models.PositiveIntegerField()
    accounts_done = models.PositiveIntegerField()
    bills = models.PositiveIntegerField()
    exceptions = models.PositiveIntegerField()
    estimated_bills = models.PositiveIntegerField()
    flagged = models.PositiveIntegerField()
    high = models.PositiveIntegerField()
    low = models.PositiveIntegerField()
    zero = models.PositiveIntegerField()
    total_billed = models.DecimalField(**MONEY)
    created_by = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_billing_preview"
        ordering = ["-preview_id"]


class PreviewBill(ReadOnlyModel):
    pk = models.CompositePrimaryKey("preview_id", "account_id")
    preview_id = models.PositiveIntegerField()
    account_id = models.PositiveIntegerField()
    account_no = models.CharField(max_length=12)
    customer_name = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    days_billed = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    consumption_kwh = models.DecimalField(**KWH)
    total_amount = models.DecimalField(**MONEY)
    estimated = models.BooleanField()
    final = models.BooleanField()
    flag = models.CharField(max_length=4, null=True)     # HIGH / LOW / ZERO
    prev_bill_id = models.PositiveIntegerField(null=True)
    prev_bill_no = models.CharField(max_length=16, null=True)
    prev_total = models.DecimalField(null=True, **MONEY)
    prev_consumption_kwh = models.DecimalField(null=True, **KWH)
    prev_days = models.PositiveSmallIntegerField(null=True)
    usage_effect = models.DecimalField(null=True, **MONEY)
    other_effect = models.DecimalField(null=True, **MONEY)
    last_year_bill_id = models.PositiveIntegerField(null=True)
    last_year_total = models.DecimalField(null=True, **MONEY)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_preview_bills"
        ordering = ["account_no"]


class PreviewLine(ReadOnlyModel):
    pk = models.CompositePrimaryKey("preview_id", "account_id", "line_no")
    preview_id = models.PositiveIntegerField()
    account_id = models.PositiveIntegerField()
    line_no = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20)
    description = models.CharField(max_length=200)
    quantity_kwh = models.DecimalField(null=True, **KWH)
    rate = models.DecimalField(max_digits=12, decimal_places=6, null=True)
    amount = models.DecimalField(**MONEY)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_preview_lines"
        ordering = ["line_no"]


class PreviewException(ReadOnlyModel):
    pk = models.CompositePrimaryKey("preview_id", "account_id")
    preview_id = models.PositiveIntegerField()
    account_id = models.PositiveIntegerField()
    account_no = models.CharField(max_length=12)
    customer_name = models.CharField(max_length=200)
    code = models.CharField(max_length=30)
    detail = models.CharField(max_length=500)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_preview_exceptions"
        ordering = ["account_no"]


class BillExplanation(ReadOnlyModel):
    """db/views/v_bill_explanation.sql: the numbers of "why this bill differs", signs apart."""
    bill_id = models.PositiveIntegerField(primary_key=True)
    period_start = models.DateField()
    period_end = models.DateField()
    prev_bill_id = models.PositiveIntegerField(null=True)
    prev_bill_no = models.CharField(max_length=16, null=True)
    prev_period_start = models.DateField(null=True)
    prev_period_end = models.DateField(null=True)
    comparison_available = models.BooleanField()
    total_change = models.DecimalField(null=True, **MONEY)
    change_sign = models.IntegerField(null=True)
    change_abs = models.DecimalField(null=True, **MONEY)
    usage_effect = models.DecimalField(null=True, **MONEY)
    usage_sign = models.IntegerField(null=True)
    usage_abs = models.DecimalField(null=True, **MONEY)
    other_effect = models.DecimalField(null=True, **MONEY)
    other_sign = models.IntegerField(null=True)
    other_abs = models.DecimalField(null=True, **MONEY)
    kwh_per_day = models.DecimalField(max_digits=16, decimal_places=1, null=True)
    prev_kwh_per_day = models.DecimalField(max_digits=16, decimal_places=1, null=True)
    kwh_per_day_sign = models.IntegerField(null=True)
    kwh_per_day_change = models.DecimalField(max_digits=16, decimal_places=1, null=True)
    last_year_bill_id = models.PositiveIntegerField(null=True)
    last_year_bill_no = models.CharField(max_length=16, null=True)
    last_year_period_start = models.DateField(null=True)
    last_year_period_end = models.DateField(null=True)
    last_year_total = models.DecimalField(null=True, **MONEY)
    last_year_consumption_kwh = models.DecimalField(null=True, **KWH)
    last_year_kwh_per_day = models.DecimalField(max_digits=16, decimal_places=1, null=True)
    new_price_from = models.DateField(null=True)      # a tariff version since the previous bill

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_bill_explanation"


class BillUsagePeriod(ReadOnlyModel):
    """db/views/v_bill_usage_history.sql: a bill's last 13 periods, for its usage chart."""
    pk = models.CompositePrimaryKey("bill_id", "period_bill_id")
    bill_id = models.PositiveIntegerField()
    period_bill_id = models.PositiveIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    consumption_kwh = models.DecimalField(**KWH)
    days_billed = models.PositiveSmallIntegerField()
    estimated = models.BooleanField()
    period_rank = models.PositiveSmallIntegerField()
    is_this_bill = models.BooleanField()
    is_last_year = models.BooleanField()
    max_kwh = models.DecimalField(**KWH)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_bill_usage_history"
        ordering = ["period_end"]


class LateFeeCharged(ReadOnlyModel):
    """db/views/v_staff_late_fee.sql: one row per late fee charged (a ledger debit)."""
    entry_id = models.PositiveBigIntegerField(primary_key=True)
    entry_date = models.DateField()
    posted_at = models.DateTimeField()
    actor = models.CharField(max_length=100)
    fee = models.DecimalField(**MONEY)
    bill_id = models.PositiveIntegerField()
    bill_no = models.CharField(max_length=16)
    account_id = models.PositiveIntegerField()
    account_no = models.CharField(max_length=12)
    customer_name = models.CharField(max_length=200)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_staff_late_fee"
        ordering = ["entry_id"]


# --- the tariff what-if (simulate_tariff; db/views/v_tariff_simulation*.sql) -----------------
class TariffSimulation(ReadOnlyModel):
    simulation_id = models.PositiveIntegerField(primary_key=True)
    tariff_id = models.PositiveIntegerField()
    tariff_code = models.CharField(max_length=20)
    tariff_name = models.CharField(max_length=100)
    date_from = models.DateField()
    date_to = models.DateField()
    fixed_charge = models.DecimalField(**MONEY)
    tax_rate_pct = models.DecimalField(max_digits=5, decimal_places=2)
    current_version_id = models.PositiveIntegerField(null=True)
    current_effective_from = models.DateField(null=True)
    status = models.CharField(max_length=10)
    bills = models.PositiveIntegerField()
    accounts = models.PositiveIntegerField()
    revenue_now = models.DecimalField(max_digits=18, decimal_places=2)
    revenue_proposed = models.DecimalField(max_digits=18, decimal_places=2)
    revenue_change = models.DecimalField(max_digits=18, decimal_places=2)
    revenue_change_pct = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    accounts_up = models.PositiveIntegerField()
    accounts_down = models.PositiveIntegerField()
    accounts_same = models.PositiveIntegerField()
    created_by = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_tariff_simulation_summary"


class TariffSimulationBlock(ReadOnlyModel):
    pk = models.CompositePrimaryKey("simulation_id", "block_no")
    simulation_id = models.PositiveIntegerField()
    block_no = models.PositiveSmallIntegerField()
    up_to_kwh = models.DecimalField(**KWH, null=True)
    rate = models.DecimalField(max_digits=14, decimal_places=6)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_tariff_simulation_block"
        ordering = ["simulation_id", "block_no"]


class TariffSimulationAccount(ReadOnlyModel):
    pk = models.CompositePrimaryKey("simulation_id", "account_id")
    simulation_id = models.PositiveIntegerField()
    account_id = models.PositiveIntegerField()
    account_no = models.CharField(max_length=16)
    customer_name = models.CharField(max_length=200)
    bills = models.PositiveIntegerField()
    consumption_kwh = models.DecimalField(max_digits=18, decimal_places=4)
    total_now = models.DecimalField(max_digits=18, decimal_places=2)
    total_proposed = models.DecimalField(max_digits=18, decimal_places=2)
    change_amount = models.DecimalField(max_digits=18, decimal_places=2)
    change_pct = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    bucket_no = models.PositiveSmallIntegerField()

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_tariff_simulation_account"


class TariffSimulationBucket(ReadOnlyModel):
    pk = models.CompositePrimaryKey("simulation_id", "bucket_no")
    simulation_id = models.PositiveIntegerField()
    bucket_no = models.PositiveSmallIntegerField()
    lower_pct = models.DecimalField(max_digits=9, decimal_places=2, null=True)
    upper_pct = models.DecimalField(max_digits=9, decimal_places=2, null=True)
    accounts = models.PositiveIntegerField()
    share_pct = models.DecimalField(max_digits=8, decimal_places=1)
    bar_pct = models.DecimalField(max_digits=8, decimal_places=1)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_tariff_simulation_histogram"
        ordering = ["simulation_id", "bucket_no"]


class TariffSimulationTypical(ReadOnlyModel):
    pk = models.CompositePrimaryKey("simulation_id", "consumption_kwh")
    simulation_id = models.PositiveIntegerField()
    consumption_kwh = models.DecimalField(**KWH)
    period_days = models.PositiveSmallIntegerField()
    total_now = models.DecimalField(**MONEY, null=True)
    total_proposed = models.DecimalField(**MONEY)
    change_amount = models.DecimalField(**MONEY, null=True)
    change_pct = models.DecimalField(max_digits=14, decimal_places=2, null=True)

    class Meta(ReadOnlyModel.Meta):
        db_table = "v_tariff_simulation_typical"
        ordering = ["simulation_id", "consumption_kwh"]
