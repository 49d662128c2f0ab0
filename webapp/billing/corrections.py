"""Corrections as staff run them (issue 19): re-billing a cancelled bill's days, and the
true-down of an estimate that was too high (cancel the estimated bill, record the actual
reading, re-bill). Every step is one procedure through billing.services; this module only
chains them and says, in one result, how far the chain got (a later step refused leaves the
earlier ones done: each procedure is its own transaction, and each step stands on its own: a
cancelled bill is re-billed later, a reading recorded later).
"""
import datetime
from dataclasses import dataclass, field

from billing import selectors, services
from billing.errors import BillingError

DEFAULT_DUE_DAYS = 14


def billing_period_of(bill):
    """The billing period (and due days) a bill was billed for: its run's period when it has one
    (the thresholds and fixed charge are prorated by the run's P), else the bill's own days."""
    run = selectors.get_run(run_id=bill.run_id) if bill.run_id else None
    if run is not None:
        return run.period_start, run.period_end, run.due_days
    return bill.period_start, bill.period_end, DEFAULT_DUE_DAYS


def rebill(*, bill, issue_date, due_days, actor):
    """bill_account for the cancelled `bill`'s billing period: the procedure's result
    (bill_id None when the account was not billed; the reason is an exception of run_id)."""
    start, end, _ = billing_period_of(bill)
    return services.bill_account(account_id=bill.account_id, period_start=start,
                                 period_end=end, issue_date=issue_date, due_days=due_days,
                                 actor=actor)


@dataclass
class RebillPreview:
    """What the re-bill would bill now (preview_bill_account, then discarded): the bill
    (a PreviewBill) and its lines, or the exceptions that stop it."""
    bill: object = None
    lines: list = field(default_factory=list)
    exceptions: list = field(default_factory=list)


def rebill_preview(*, bill, issue_date, due_days, actor):
    """The re-bill of the cancelled `bill`'s billing period as bill_account would make it now,
    kept nowhere: previewed by the same engine, read, and the preview discarded."""
    start, end, _ = billing_period_of(bill)
    p = services.preview_bill_account(account_id=bill.account_id, period_start=start,
                                      period_end=end, issue_date=issue_date,
                                      due_days=due_days, actor=actor)
    try:
        previewed = selectors.preview_bill(preview_id=p["preview_id"], account_id=bill.account_id)
        return RebillPreview(
            bill=previewed,
            lines=selectors.preview_lines(preview_id=p["preview_id"], account_id=bill.account_id),
            exceptions=list(selectors.preview_exceptions(preview_id=p["preview_id"])))
    finally:
        services.discard_preview(preview_id=p["preview_id"], actor=actor)


@dataclass
class TrueDown:
    """How far the true-down got. `failed_step` is None when every step was done."""
    bill: object                                   # the estimated bill (BillSummary)
    cancelled: dict = None                         # cancel_bill's result
    reading: dict = None                           # record_reading's result
    rebilled: dict = None                          # bill_account's result
    failed_step: str = None                        # 'cancel', 'reading' or 'rebill'
    error: BillingError = None
    exceptions: list = field(default_factory=list)  # why the account was not re-billed


def estimate_in_the_way(*, serial_no, value):
    """For a reading refused as backwards (45010): the bill whose estimated end reading is the
    meter's latest point and lies above `value`, or None when no estimate is in the way."""
    point = selectors.latest_point(serial_no=serial_no)
    if point is None or point.kind != "estimated" or not point.value > value:
        return None
    return selectors.bill_ending_on_reading(reading_id=point.reading_id)


def true_down(*, bill, reason, serial_no, read_on, value, source, actor, issue_date=None):
    """Cancel `bill` (whose estimate is too high), record the actual reading, re-bill the
    account's days for the bill's billing period, issued `issue_date` (today by default)."""
    out = TrueDown(bill=bill)
    _, _, due_days = billing_period_of(bill)
    try:
        out.cancelled = services.cancel_bill(bill_id=bill.bill_id, reason=reason, actor=actor)
    except BillingError as error:
        out.failed_step, out.error = "cancel", error
        return out
    try:
        out.reading = services.record_reading(serial_no=serial_no, read_on=read_on, value=value,
                                              source=source, actor=actor)
    except BillingError as error:
        out.failed_step, out.error = "reading", error
        return out
    try:
        out.rebilled = rebill(bill=bill, issue_date=issue_date or datetime.date.today(),
                              due_days=due_days, actor=actor)
    except BillingError as error:
        out.failed_step, out.error = "rebill", error
        return out
    if out.rebilled["bill_id"] is None:
        out.failed_step = "rebill"
        out.exceptions = selectors.run_exceptions(run_id=out.rebilled["run_id"])
    return out
