"""Writes: every change goes through one stored procedure of the billing schema.

`call_procedure(name, *args)` is the only way this app changes billing data. It runs
`CALL name(args)` on the `billing` connection in autocommit, reads the procedure's last result
set (the contract's one-row result) and returns it as a dict. The procedure is its own
transaction: it commits on success and rolls back on error, so it must never run inside
`transaction.atomic` (its COMMIT would silently commit the caller's transaction too);
call_procedure refuses to.

Errors: a contract error (MYSQL_ERRNO 45001..45060) becomes a `billing.errors.BillingError`
subclass (see errors.py). A deadlock or lock wait timeout still there after the attempts (below)
becomes `errors.Busy` in call_procedure (execute_call re-raises the database's error): the
account is busy, nothing was done. Any other database error is re-raised as is (it is a bug or
an outage, not a user's mistake).

Retries, one layer (docs/payments.md, "Who retries"): the owner of a transaction retries it,
nobody else. A single-transaction procedure (post_payment, reverse_payment, apply_late_fees,
start_billing_run, every master-data procedure) is one CALL = one transaction, so this module
owns its retry: a deadlock (1213) or lock wait timeout (1205) retries the whole call, up to
MAX_ATTEMPTS times with a short growing backoff. A retry is safe: the failed call was rolled
back entirely, and callers of procedures that must not run twice pass the same idempotency key
(post_payment) on every attempt. A multi-transaction procedure (SELF_RETRYING: run_billing,
bill_account, work_billing_run) retries its own chunks inside; a 1213/1205 that reaches Python
has exhausted those attempts and is re-raised as is, never retried here (a second CALL of
run_billing would open a second billing run), and never Busy (its committed chunks stay). The
other multi-transaction procedures do no harm when called again, so this module retries them as
a whole: post_payment_batch commits chunk by chunk and a second call posts only the lines still
pending (its Busy means the posting stopped: the bank file's page says so); preview_billing,
preview_bill_account and simulate_tariff change no money (a preview or simulation that failed
is marked failed and the retry makes a new one; both are discarded after 7 days).

By the contract, every procedure's last argument is `p_actor` (`staff:<username>`, ...); it is
logged with the procedure name.

How long an attempt waits for a lock is the session's innodb_lock_wait_timeout: for the web,
settings.BILLING_LOCK_WAIT_TIMEOUT (the connection's init_command); the batch work sets the
server's own back (use_server_lock_wait).

The per-procedure functions below are one line each, keyword-only, named and ordered as in
../shared/spec/sql-api.md. No arithmetic on money happens here: amounts go to the database as
given (Decimal or str) and come back as the database computed them.
"""
import json
import logging
import random
import re
import time
from decimal import Decimal

import MySQLdb
from django.db import Error as DjangoDbError
from django.db import connections

from billing import errors

log = logging.getLogger("billing.services")

BILLING_ALIAS = "billing"
RETRY_ERRNOS = errors.BUSY_ERRNOS            # 1213 deadlock, 1205 lock wait timeout
MAX_ATTEMPTS = 3
# Procedures that commit more than one transaction and retry their own chunks (their headers
# say "retried inside"): never retried here.
SELF_RETRYING = frozenset({"run_billing", "bill_account", "work_billing_run"})
BACKOFF_SECONDS = 0.05          # attempt n waits about n * BACKOFF_SECONDS (with jitter)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ProcedureCallError(RuntimeError):
    """The call was not made: wrong usage (inside a transaction, bad procedure name)."""


def actor_for(user):
    """The p_actor of a staff user: `staff:<username>`."""
    return f"staff:{user.get_username()}"


def _errno(exc):
    args = getattr(exc, "args", ())
    return errors.normalize_errno(args[0]) if args and isinstance(args[0], int) else None


def _message(exc):
    args = getattr(exc, "args", ())
    return str(args[1]) if len(args) > 1 else str(exc)


def _run(connection, sql, args, all_rows=False):
    """Executes one CALL and returns the first row of its last result set as a dict (None when
    the procedure returned no result set); with all_rows, every row of it (a list of dicts)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        last = [] if all_rows else None
        while True:
            if cursor.description is not None:
                columns = [c[0] for c in cursor.description]
                rows = cursor.fetchall()
                if all_rows:
                    last = [dict(zip(columns, r)) for r in rows]
                else:
                    last = dict(zip(columns, rows[0])) if rows else None
            if not cursor.nextset():
                break
        return last


def _rollback_quietly(connection):
    """Defensive: after a failed CALL nothing may stay open on the connection. The procedures
    roll back themselves (EXIT HANDLER); this is a no-op then."""
    raw = getattr(connection, "connection", None)
    if raw is not None:
        try:
            raw.rollback()
        except Exception:  # noqa: BLE001 - the connection may be gone; Django reconnects
            pass


def execute_call(connection, name, args, *, sleep=time.sleep, all_rows=False):
    """call_procedure on a given connection (the seam the retry unit test uses); all_rows: the
    whole last result set (a procedure that returns many rows, e.g. preview_late_fees)."""
    if not _NAME.match(name):
        raise ProcedureCallError(f"not a procedure name: {name!r}")
    if connection.in_atomic_block or not connection.get_autocommit():
        raise ProcedureCallError(
            f"CALL {name} inside a transaction: billing procedures commit their own "
            "transaction and must be called in autocommit (never inside transaction.atomic)")
    actor = args[-1] if args else None
    sql = f"CALL `{name}`({', '.join(['%s'] * len(args))})"
    for attempt in range(1, MAX_ATTEMPTS + 1):
        started = time.monotonic()
        try:
            result = _run(connection, sql, args, all_rows)
        except (DjangoDbError, MySQLdb.Error) as exc:
            _rollback_quietly(connection)
            errno = _errno(exc)
            if errno in RETRY_ERRNOS and attempt < MAX_ATTEMPTS and name not in SELF_RETRYING:
                log.warning("CALL %s actor=%s: %s (%s), retrying (attempt %d of %d)",
                            name, actor, RETRY_ERRNOS[errno], errno, attempt + 1, MAX_ATTEMPTS)
                sleep(BACKOFF_SECONDS * attempt * (1 + random.random()))
                continue
            if errors.is_contract_errno(errno):
                error = errors.error_for(errno, _message(exc))
                log.info("CALL %s actor=%s refused: %s %s", name, actor, error.code, error.message)
                raise error from exc
            log.error("CALL %s actor=%s failed: %s", name, actor, exc)
            raise
        log.info("CALL %s actor=%s ok in %.0f ms", name, actor,
                 (time.monotonic() - started) * 1000)
        return result
    raise AssertionError("unreachable")  # pragma: no cover


def _call_billing(name, args, *, all_rows=False):
    """execute_call on the billing connection; a deadlock or lock wait timeout that outlasted
    its attempts becomes errors.Busy (not for SELF_RETRYING procedures: their chunks committed
    before it stay, so "nothing was done" would be wrong; they re-raise the database's error)."""
    try:
        return execute_call(connections[BILLING_ALIAS], name, args, all_rows=all_rows)
    except (DjangoDbError, MySQLdb.Error) as exc:
        errno = _errno(exc)
        if errno in RETRY_ERRNOS and name not in SELF_RETRYING:
            raise errors.error_for(errno, _message(exc)) from exc
        raise


def call_procedure(name, *args):
    """CALL name(args) on the billing database; the procedure's one-row result as a dict."""
    return _call_billing(name, args)


def call_procedure_rows(name, *args):
    """CALL name(args) on the billing database; every row of its last result set (dicts)."""
    return _call_billing(name, args, all_rows=True)


def use_server_lock_wait():
    """This thread's billing session waits for a row lock as long as the server says
    (innodb_lock_wait_timeout = DEFAULT: the global value, 50 s unless the DBA set another), not
    the web's settings.BILLING_LOCK_WAIT_TIMEOUT: for the batch work (a billing run, in a job
    command or in a page's thread, and the other job commands), which waits behind the counter's
    short transactions and retries its own chunks."""
    with connections[BILLING_ALIAS].cursor() as cursor:
        cursor.execute("SET SESSION innodb_lock_wait_timeout = DEFAULT")


# --- master data ------------------------------------------------------------------------------
def create_customer(*, full_name, email, phone, address, actor):
    return call_procedure("create_customer", full_name, email, phone, address, actor)


def update_customer(*, customer_id, full_name, email, phone, address, actor):
    return call_procedure("update_customer", customer_id, full_name, email, phone, address, actor)


def open_account(*, customer_id, tariff_code, service_address, opened_on, actor):
    return call_procedure("open_account", customer_id, tariff_code, service_address, opened_on, actor)


def close_account(*, account_id, closed_on, actor):
    return call_procedure("close_account", account_id, closed_on, actor)


def create_tariff(*, code, name, actor):
    return call_procedure("create_tariff", code, name, actor)


def remove_tariff(*, code, actor):
    """Not in the contract: the back office's removal of a tariff nothing refers to."""
    return call_procedure("remove_tariff", code, actor)


def add_tariff_version(*, tariff_code, effective_from, fixed_charge, tax_rate_pct, late_fee_pct,
                       early_pay_pct, early_pay_days, blocks, actor):
    """`blocks`: a JSON string or a list like [{"up_to_kwh": 100, "rate": Decimal("0.12")}]."""
    blocks_json = blocks if isinstance(blocks, str) else _blocks_json(blocks)
    return call_procedure("add_tariff_version", tariff_code, effective_from, fixed_charge,
                          tax_rate_pct, late_fee_pct, early_pay_pct, early_pay_days, blocks_json,
                          actor)


def _blocks_json(blocks):
    """JSON with exact numbers: a Decimal or str rate is written as the number it spells (no
    float round trip)."""
    def number(x):
        if x is None:
            return "null"
        return str(Decimal(str(x)))
    return "[" + ", ".join(
        "{" + ", ".join(f"{json.dumps(k)}: {number(v)}" for k, v in b.items()) + "}"
        for b in blocks) + "]"


def simulate_tariff(*, tariff_code, fixed_charge, tax_rate_pct, blocks, date_from, date_to,
                    actor):
    """The tariff what-if; `blocks` as for add_tariff_version. Returns the summary row
    (simulation_id, bills, revenue_now, revenue_proposed, accounts_up/down/same)."""
    blocks_json = blocks if isinstance(blocks, str) else _blocks_json(blocks)
    return call_procedure("simulate_tariff", tariff_code, fixed_charge, tax_rate_pct, blocks_json,
                          date_from, date_to, actor)


def create_discount(*, code, name, pct, actor):
    return call_procedure("create_discount", code, name, pct, actor)


def assign_discount(*, account_id, discount_code, valid_from, valid_to, actor):
    return call_procedure("assign_discount", account_id, discount_code, valid_from, valid_to, actor)


# --- meters and readings ----------------------------------------------------------------------
def install_meter(*, account_id, serial_no, dial_digits, multiplier, installed_on, initial_read,
                  actor):
    return call_procedure("install_meter", account_id, serial_no, dial_digits, multiplier,
                          installed_on, initial_read, actor)


def record_reading(*, serial_no, read_on, value, source, actor):
    return call_procedure("record_reading", serial_no, read_on, value, source, actor)


def preview_readings(*, rows, actor):
    """What recording `rows` (dicts of serial_no, read_on, value, source) in order would do,
    nothing kept: one dict per row (line_no, outcome, consumption_kwh, errno, message)."""
    return call_procedure_rows("preview_readings", json.dumps(rows, default=str), actor)


def exchange_meter(*, account_id, exchanged_on, old_final_read, new_serial_no, new_dial_digits,
                   new_multiplier, new_initial_read, actor):
    return call_procedure("exchange_meter", account_id, exchanged_on, old_final_read,
                          new_serial_no, new_dial_digits, new_multiplier, new_initial_read, actor)


def approve_reading(*, reading_id, actor):
    return call_procedure("approve_reading", reading_id, actor)


def reject_reading(*, reading_id, reason, actor):
    return call_procedure("reject_reading", reading_id, reason, actor)


# --- billing ----------------------------------------------------------------------------------
def run_billing(*, period_start, period_end, issue_date, due_days, actor):
    return call_procedure("run_billing", period_start, period_end, issue_date, due_days, actor)


def bill_account(*, account_id, period_start, period_end, issue_date, due_days, actor):
    return call_procedure("bill_account", account_id, period_start, period_end, issue_date,
                          due_days, actor)


def apply_late_fees(*, as_of, actor):
    return call_procedure("apply_late_fees", as_of, actor)


def preview_late_fees(*, as_of, actor):
    """One dict per bill that apply_late_fees would charge (bill_id, bill_no, account_no, open,
    fee, ...); nothing is charged."""
    return call_procedure_rows("preview_late_fees", as_of, actor)


def start_billing_run(*, period_start, period_end, issue_date, due_days, actor):
    return call_procedure("start_billing_run", period_start, period_end, issue_date, due_days,
                          actor)


def work_billing_run(*, run_id, actor):
    return call_procedure("work_billing_run", run_id, actor)


def cancel_bill(*, bill_id, reason, actor):
    return call_procedure("cancel_bill", bill_id, reason, actor)


# --- simulations --------------------------------------------------------------------------------
def preview_billing(*, period_start, period_end, issue_date, due_days, actor):
    return call_procedure("preview_billing", period_start, period_end, issue_date, due_days, actor)


def preview_bill_account(*, account_id, period_start, period_end, issue_date, due_days, actor):
    return call_procedure("preview_bill_account", account_id, period_start, period_end,
                          issue_date, due_days, actor)


def discard_preview(*, preview_id, actor):
    return call_procedure("discard_preview", preview_id, actor)


# --- payments ---------------------------------------------------------------------------------
def post_payment(*, account_id, amount, method, paid_at, idempotency_key, actor):
    return call_procedure("post_payment", account_id, amount, method, paid_at, idempotency_key,
                          actor)


def reverse_payment(*, payment_id, reason, actor):
    return call_procedure("reverse_payment", payment_id, reason, actor)


def refund_credit(*, account_id, amount, method, idempotency_key, actor):
    return call_procedure("refund_credit", account_id, amount, method, idempotency_key, actor)


def stage_payment_batch(*, batch_ref, lines, actor):
    """`lines`: a list of dicts with the keys account_no, amount, method, paid_at, key (values
    as text or None), sent as the contract's JSON array."""
    return call_procedure("stage_payment_batch", batch_ref, json.dumps(lines), actor)


def preview_payment(*, account_id, amount, actor):
    """What a payment would do now (allocated, credit, rebates), nothing written (not in the
    contract; the portal's pay form)."""
    return call_procedure("preview_payment", account_id, amount, actor)


def post_payment_batch(*, batch_id, actor):
    """Commits one transaction per chunk and posts only pending lines, so a retry of the whole
    CALL here (1213/1205) never posts a line twice."""
    return call_procedure("post_payment_batch", batch_id, actor)


# --- the audit trail (not in the contract: docs/routines.md, "The audit trail") ---------------
def record_audit_event(*, action, object, key, detail, actor):
    """`detail`: a dict (written as a JSON object) or None."""
    return call_procedure("record_audit_event", action, object, str(key),
                          None if detail is None else json.dumps(detail), actor)


# Notices (claim_notices returns several rows: billing/notices.py calls it)
def set_contact_preferences(*, customer_id, email_bills, email_reminders, paperless, actor):
    return call_procedure("set_contact_preferences", customer_id, email_bills, email_reminders,
                          paperless, actor)


def queue_reminders(*, as_of, actor):
    return call_procedure("queue_reminders", as_of, actor)


def fold_report_deltas():
    return call_procedure("fold_report_deltas")


def refresh_kpi_snapshot():
    return call_procedure("refresh_kpi_snapshot")


def refresh_dunning_snapshot():
    return call_procedure("refresh_dunning_snapshot")


def refresh_aging_snapshot():
    return call_procedure("refresh_aging_snapshot")


def retry_notice(*, notice_id, actor):
    return call_procedure("retry_notice", notice_id, actor)
