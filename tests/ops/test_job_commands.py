"""The batch-job commands as cron runs them (a subprocess, no terminal): run_billing,
apply_late_fees, check_integrity, fold_report_deltas; their output and documented exit codes (0 success, 1 done with
exceptions, 2 failure, 3 another run of the period is running)."""
import io
import time
from datetime import timedelta
from decimal import Decimal as D

from django.core.management.base import OutputWrapper

from billing.management.jobs import Progress, lock_name  # noqa: F401 - webapp on sys.path
from helpers.factories import make_metered_account, make_tariff
from helpers.real_clock import real
from ops.jobhelp import manage, start_manage


# The rules bill only periods that are over, issued today or later (billing-rules.md), and a
# job's session runs on the real clock: the tests bill the last full month, issued today (`real`,
# read when a test runs).
def period():
    """The job's period arguments: the last full month, issued today."""
    return ["--period-start", str(real.last), "--period-end", str(real.last_end),
            "--issue-date", str(real.today), "--due-days", "14"]


def run_name():
    return f"{real.last}..{real.last_end}"


def billable(db, n, tariff=None):
    tariff = tariff or make_tariff(db)
    accounts = []
    for i in range(n):
        acc = make_metered_account(db, tariff_code=tariff, opened_on=real.last, initial_read=100)
        db.call("record_reading", acc.serial, real.last_end, 200 + i, "field", "staff:test")
        accounts.append(acc)
    return accounts


def test_run_billing_bills_and_rerun_is_a_no_op(db):
    accounts = billable(db, 5)
    # one worker bills the chunks in account order, so the numbers follow the accounts (with
    # more, they do within each chunk: test_workers_bill_every_account_once_numbers_gapless)
    out = manage(db.url, "run_billing", *period(), "--workers", "1")
    assert out.returncode == 0, out.stderr
    assert "5 accounts considered, 5 bills created, 0 skipped, total billed 51.00" in out.stdout
    bills = db.rows("SELECT account_id, bill_no, period_start, period_end, issue_date, due_date "
                    "FROM v_bill_summary ORDER BY bill_no")
    assert [b["account_id"] for b in bills] == [a.account_id for a in accounts]
    assert [b["bill_no"] for b in bills] == [f"{real.today.year}-00000{i}" for i in range(1, 6)]
    assert {(b["period_start"], b["period_end"], b["issue_date"], b["due_date"]) for b in bills} \
        == {(real.last, real.last_end, real.today, real.today + timedelta(days=14))}
    run = db.row("SELECT status, started_by FROM v_billing_run")
    assert run == {"status": "completed", "started_by": "batch:billing"}

    again = manage(db.url, "run_billing", *period())
    assert again.returncode == 0, again.stderr
    assert "0 accounts considered, 0 bills created, 0 skipped" in again.stdout
    assert db.value("SELECT COUNT(*) FROM bill") == 5
    assert db.rows("SELECT * FROM v_ledger_integrity") == []


def test_workers_bill_every_account_once_numbers_gapless(db):
    accounts = billable(db, 24)
    out = manage(db.url, "run_billing", *period(), "--workers", "3", "--chunk-size", "2")
    assert out.returncode == 0, out.stderr
    assert "24 accounts, 3 workers" in out.stdout
    assert "24 accounts considered, 24 bills created, 0 skipped" in out.stdout
    assert sorted(r["account_id"] for r in db.rows("SELECT account_id FROM bill")) == \
        [a.account_id for a in accounts]
    nos = [r["bill_no"] for r in db.rows("SELECT bill_no FROM bill ORDER BY bill_no")]
    assert nos == [f"{real.today.year}-{i:06d}" for i in range(1, 25)]
    # each chunk of 2 accounts took two consecutive numbers, in account order
    by_account = [r["bill_no"] for r in db.rows("SELECT bill_no FROM bill ORDER BY account_id")]
    for k in range(0, 24, 2):
        assert int(by_account[k + 1][5:]) == int(by_account[k][5:]) + 1
    run = db.row("SELECT status, chunks_total, chunks_done FROM billing_run")
    assert run == {"status": "completed", "chunks_total": 12, "chunks_done": 12}
    # the sessions that billed the chunks: more than one (3 workers, 12 chunks)
    assert db.value("SELECT COUNT(DISTINCT done_connection) FROM billing_run_chunk") >= 2
    assert db.rows("SELECT * FROM v_ledger_integrity") == []


def test_resume_works_a_run_nobody_works(db):
    """A run started (start_billing_run) whose starter stopped before working it stays
    'running'; --resume RUN_ID bills its chunks with the run's own period and dates."""
    accounts = billable(db, 6)
    db.execute("SET @billing_chunk_size = 2")
    run_id = db.call("start_billing_run", real.last, real.last_end, real.today, 14,
                     "staff:test")["run_id"]
    db.execute("SET @billing_chunk_size = NULL")
    out = manage(db.url, "run_billing", "--resume", str(run_id), "--workers", "2")
    assert out.returncode == 0, out.stderr
    assert f"billing run {run_id} {run_name()} resumed, 2 workers" in out.stdout
    assert "6 accounts considered, 6 bills created, 0 skipped" in out.stdout
    assert db.row("SELECT status, chunks_done FROM billing_run WHERE run_id = %s", run_id) == \
        {"status": "completed", "chunks_done": 3}
    assert db.value("SELECT COUNT(*) FROM bill") == len(accounts)
    again = manage(db.url, "run_billing", "--resume", str(run_id))
    assert again.returncode == 2
    assert f"--resume: run {run_id} is completed, not running; nothing to do" in again.stderr
    missing = manage(db.url, "run_billing", "--resume", "999999")
    assert missing.returncode == 2 and "--resume: no billing run 999999" in missing.stderr


def test_default_workers_are_the_cores_of_the_machine_at_most_8():
    import os

    from billing.management.commands.run_billing import default_workers
    assert default_workers() == max(1, min(os.cpu_count() or 1, 8))


def test_run_billing_defaults_previous_month_issued_today(db):
    today = db.value("SELECT CURRENT_DATE")
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    last = today.replace(day=1) - timedelta(days=1)
    out = manage(db.url, "run_billing")
    assert out.returncode == 0, out.stderr
    run = db.row("SELECT period_start, period_end, issue_date, due_days FROM v_billing_run")
    assert run == {"period_start": first, "period_end": last, "issue_date": today,
                   "due_days": 14}


def test_due_days_from_the_setting(db):
    from ops.jobhelp import job_env
    out = manage(db.url, "run_billing", "--period-start", real.last,
                 env=job_env(db.url, BILLING_DUE_DAYS="21"))
    assert out.returncode == 0, out.stderr
    assert db.row("SELECT period_end, due_days FROM v_billing_run") == {
        "period_end": real.last_end, "due_days": 21}


def test_run_with_exceptions_exits_1_and_lists_them(db):
    billable(db, 2)
    late = make_tariff(db, versions=[dict(effective_from=real.last + timedelta(days=14),
                                          fixed_charge="0",
                                          tax_rate_pct="0", late_fee_pct="0", early_pay_pct="0",
                                          early_pay_days=0, blocks=[(None, "0.10")])])
    odd = billable(db, 1, tariff=late)[0]
    out = manage(db.url, "run_billing", *period())
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert "3 accounts considered, 2 bills created, 1 skipped" in out.stdout
    assert "1 accounts skipped with an exception" in out.stdout
    assert f"  {odd.account_no} NO_TARIFF: " in out.stdout
    assert db.value("SELECT COUNT(*) FROM bill") == 2


def test_invalid_period_exits_2_and_writes_nothing(db):
    billable(db, 1)
    before = db.snapshot()
    out = manage(db.url, "run_billing", "--period-start", "2026-10-31", "--period-end",
                 "2026-10-01", "--issue-date", "2026-11-01")
    assert out.returncode == 2
    assert "PERIOD_INVALID (45040)" in out.stderr
    assert db.snapshot() == before
    bad = manage(db.url, "run_billing", "--period-start", "2026-02-30")
    assert bad.returncode == 2 and "--period-start: not a date" in bad.stderr


def test_unreachable_database_exits_2(db):
    out = manage("mysql://nobody@127.0.0.1:1/billing", "run_billing", *period(), timeout=60)
    assert out.returncode == 2 and "unreachable" in out.stderr
    out = manage("mysql://nobody@127.0.0.1:1/billing", "check_integrity", timeout=60)
    assert out.returncode == 2


def test_second_run_of_the_same_period_fails_at_once(db, connect):
    billable(db, 2)
    holder = connect()
    database = db.value("SELECT DATABASE()")
    name = f"billing_run:{database}:{real.last}:{real.last_end}"
    assert holder.value("SELECT GET_LOCK(%s, 0)", name) == 1   # a run of the month under way
    before = db.snapshot()
    started = time.monotonic()
    out = manage(db.url, "run_billing", *period())
    assert out.returncode == 3, (out.stdout, out.stderr)
    assert f"another run of the period {run_name()} is running" in out.stderr
    assert time.monotonic() - started < 20                  # at once: no waiting for the lock
    assert db.snapshot() == before
    # another period is not blocked
    other = manage(db.url, "run_billing", "--period-start", real.before)
    assert other.returncode == 0, other.stderr
    holder.execute("DO RELEASE_LOCK(%s)", name)
    assert manage(db.url, "run_billing", *period()).returncode == 0
    assert db.value("SELECT COUNT(*) FROM bill WHERE period_end = %s", real.last_end) == 2


def test_two_concurrent_runs_one_bills_the_other_is_refused(db, connect):
    billable(db, 30)
    blocker = connect()       # holds the bill number counter: the first run waits in its CALL
    blocker.execute("START TRANSACTION")
    blocker.execute("INSERT INTO number_counter (counter_name, counter_year, last_number) "
                    "VALUES ('bill', %s, 0)", real.today.year)
    first = start_manage(db.url, "run_billing", *period(), "--chunk-size", "1", "--poll", "0.05",
                         "--log-every", "0")
    try:
        deadline = time.monotonic() + 60
        while db.value("SELECT COUNT(*) FROM v_billing_run WHERE status = 'running'") == 0:
            assert time.monotonic() < deadline and first.poll() is None, first.communicate()
            time.sleep(0.05)
        second = manage(db.url, "run_billing", *period())
        assert second.returncode == 3, (second.stdout, second.stderr)
        assert f"another run of the period {run_name()} is running" in second.stderr
    finally:
        blocker.execute("ROLLBACK")
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert db.value("SELECT COUNT(*) FROM bill") == 30
    assert db.rows("SELECT status, accounts_done FROM v_billing_run") == [
        {"status": "completed", "accounts_done": 30}]
    # without a terminal: plain progress lines, then the summary
    assert f"run {run_name()}: 0/30 accounts (0%)\n" in out          # while blocked
    assert f"run {run_name()}: 30/30 accounts (100%)\n" in out and "\r" not in out
    assert "30 accounts considered, 30 bills created, 0 skipped" in out


def test_progress_bar_on_a_terminal_and_lines_otherwise():
    buf = io.StringIO()
    bar = Progress(OutputWrapper(buf), "run", tty=True, width=10)
    bar.update(5, 20)
    bar.finish(20, 20)
    assert buf.getvalue() == "\rrun [##--------] 5/20 (25%)\rrun [##########] 20/20 (100%)\n"
    buf = io.StringIO()
    lines = Progress(OutputWrapper(buf), "run", tty=False, every=0)
    lines.update(5, 20)
    lines.update(5, 20)                     # unchanged: no new line
    lines.finish(20, 20)
    assert buf.getvalue() == "run: 5/20 accounts (25%)\nrun: 20/20 accounts (100%)\n"


def test_apply_late_fees(db):
    t = make_tariff(db, versions=[dict(
        effective_from="2000-01-01", fixed_charge="0", tax_rate_pct="0", late_fee_pct="10",
        early_pay_pct="0", early_pay_days=0, blocks=[(None, "0.10")])])
    acc = make_metered_account(db, tariff_code=t, opened_on=real.before, initial_read=100)
    db.call("record_reading", acc.serial, real.before_end, 200, "field", "staff:test")
    # a bill of 10.00 issued on the 1st of last month (the test's session bills on that day),
    # due 14 days later: overdue by the 20th of last month, before today
    db.call("run_billing", real.before, real.before_end, real.last, 14, "batch:billing")
    as_of = real.last + timedelta(days=19)
    out = manage(db.url, "apply_late_fees", "--as-of", as_of)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"late fees as of {as_of}: 1 bills charged, total fees 1.00"
    again = manage(db.url, "apply_late_fees")                 # today: charged once only
    assert again.returncode == 0, again.stderr
    assert "0 bills charged, total fees 0.00" in again.stdout
    assert db.value("SELECT late_fee FROM v_bill_summary") == D("1.00")
    assert manage(db.url, "apply_late_fees", "--as-of", "soon").returncode == 2
    later = manage(db.url, "apply_late_fees", "--as-of", real.today + timedelta(days=1))
    assert later.returncode == 2 and "INVALID_ARGUMENT" in later.stderr   # not after today


def test_check_integrity(db):
    out = manage(db.url, "check_integrity")
    assert out.returncode == 0 and "ok" in out.stdout
    billable(db, 1)
    assert manage(db.url, "run_billing", *period()).returncode == 0
    assert manage(db.url, "check_integrity").returncode == 0
    bill = db.row("SELECT bill_id, account_id FROM bill")
    db.execute("INSERT INTO ledger_entry (account_id, entry_type, amount, bill_id, entry_date, "
               "actor) VALUES (%s, 'late_fee', 1.00, %s, '2026-11-20', 'test:tamper')",
               bill["account_id"], bill["bill_id"])
    out = manage(db.url, "check_integrity")
    assert out.returncode == 1
    assert "broken invariants" in out.stdout
    assert f"check_name=bill_ledger account_id={bill['account_id']} bill_id={bill['bill_id']}" \
        in out.stdout


def test_fold_report_deltas(db):
    """The 5-minute job: folds the billing run's and the readings' deltas, says how many; the
    report views read the same figures before and after; an unreachable database exits 2."""
    billable(db, 2)
    assert manage(db.url, "run_billing", *period()).returncode == 0
    before = (db.rows("SELECT * FROM v_report_revenue"),
              db.rows("SELECT * FROM v_report_consumption"))
    deltas = db.value("SELECT COUNT(*) FROM report_revenue_part WHERE folded = 0")
    assert deltas > 0
    out = manage(db.url, "fold_report_deltas")
    assert out.returncode == 0, out.stderr
    assert f"report deltas folded: {deltas} revenue, 0 collections, 2 consumption" in out.stdout
    assert db.value("SELECT COUNT(*) FROM report_revenue_part WHERE folded = 0") == 0
    assert (db.rows("SELECT * FROM v_report_revenue"),
            db.rows("SELECT * FROM v_report_consumption")) == before
    out = manage("mysql://nobody@127.0.0.1:1/billing", "fold_report_deltas", timeout=60)
    assert out.returncode == 2 and "fold_report_deltas failed" in out.stderr
