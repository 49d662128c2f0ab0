"""manage.py run_billing: the monthly billing run, worked by several sessions at once, with
progress and exit codes.

Defaults: the previous calendar month (of the database's CURRENT_DATE), issued today, due after
settings.BILLING_DUE_DAYS days (env BILLING_DUE_DAYS, default 14), actor `batch:billing`.

    manage.py run_billing                                   # last month
    manage.py run_billing --period-start 2026-10-01 --period-end 2026-10-31 \\
                          --issue-date 2026-11-01 --due-days 14

Only one run of a period at a time: the command takes the named lock
`billing_run:<database>:<start>:<end>` with GET_LOCK(name, 0) on its own connection and holds it
until the run ends; a second run of the same period fails at once (exit 3) and does nothing.
The lock belongs to the connection, so a killed job leaves no stale lock. Re-running a period is
safe: run_billing bills only the accounts without a bill for it (after a crash, a failure or a
fixed exception, just run it again).

The run (docs/billing-runs.md): CALL start_billing_run (the candidates, chunked, committed as
one run), then --workers threads, each on its own database connection, CALL work_billing_run
until it bills no more chunks; the session that commits the last chunk completes the run. The
default is one worker per core of this machine (os.cpu_count(), at most 8): the database server
cannot be asked portably how many cores it has, and the job runs on the database host or one
like it; on a server shared with the web traffic, give fewer. --workers 1 bills the chunks in
account order, as run_billing does. When every worker is done and the run is still running (a
chunk was held by a session that has just died), the command claims what is left itself,
polling, until the run completes or fails.
While the workers run, the main thread polls v_billing_run from its own connection: a progress
bar on a terminal, a log line every --log-every seconds otherwise.

--resume RUN_ID works a run that is still running with nobody working it (the job or web
process that started it stopped): the same workers claim the chunks left; nothing is billed
twice. The period, issue date and due days are the run's own.

Exit codes: 0 every considered account billed; 1 done, but accounts were skipped with an
exception (listed; see v_billing_exceptions); 2 failure (bad arguments, refused by the database,
database unreachable); 3 another run of this period is running.
"""
import os
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connections

from billing import services
from billing.errors import BillingError
from billing.management import jobs


MAX_DEFAULT_WORKERS = 8


def default_workers():
    """One worker per core of this machine, 1 to MAX_DEFAULT_WORKERS."""
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


def _last_of_month(d):
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


class Command(BaseCommand):
    help = "Bills every billable account for a period (default: the previous calendar month)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--period-start", help="first day (default: 1st of last month)")
        parser.add_argument("--period-end",
                            help="last day (default: the last day of period-start's month)")
        parser.add_argument("--issue-date", help="issue date of the bills (default: today)")
        parser.add_argument("--due-days", type=int,
                            help="days from issue to due date (default: settings.BILLING_DUE_DAYS)")
        parser.add_argument("--actor", default="batch:billing")
        parser.add_argument("--chunk-size", type=int,
                            help="accounts per committed chunk (default: the procedure's: 1%% "
                                 "of the accounts, at most 10,000)")
        parser.add_argument("--workers", type=int, default=None,
                            help="sessions billing chunks at once (default: the cores of this "
                                 f"machine, os.cpu_count(), at most {MAX_DEFAULT_WORKERS}; the "
                                 "database server's cores cannot be read portably)")
        parser.add_argument("--poll", type=float, default=0.5,
                            help="seconds between progress polls (default 0.5)")
        parser.add_argument("--resume", type=int, default=None, metavar="RUN_ID",
                            help="work a run still running that nobody works (its own period)")
        parser.add_argument("--log-every", type=float, default=10.0,
                            help="without a terminal: seconds between progress lines (default 10)")

    def handle(self, *args, **o):
        try:
            # a batch job: the server's lock wait, not the web's (settings.DATABASES)
            services.use_server_lock_wait()
            today = jobs.value("SELECT CURRENT_DATE")
        except Exception as exc:  # noqa: BLE001 - an outage: exit 2 with the reason
            raise jobs.failure(f"billing database unreachable: {exc}") from exc
        resumed = None
        if o["resume"] is not None:
            rows = jobs.read("SELECT run_id, status, period_start, period_end, issue_date, "
                             "due_days FROM v_billing_run WHERE run_id = %s", [o["resume"]])
            if not rows:
                raise jobs.failure(f"--resume: no billing run {o['resume']}")
            if rows[0]["status"] != "running":
                raise jobs.failure(f"--resume: run {o['resume']} is {rows[0]['status']}, "
                                   "not running; nothing to do")
            resumed = rows[0]
            o.update(period_start=str(resumed["period_start"]),
                     period_end=str(resumed["period_end"]),
                     issue_date=str(resumed["issue_date"]), due_days=resumed["due_days"])
        if o["period_start"]:
            start = jobs.parse_date(o["period_start"], "--period-start")
        else:
            start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        end = (jobs.parse_date(o["period_end"], "--period-end") if o["period_end"]
               else _last_of_month(start))
        issue = jobs.parse_date(o["issue_date"], "--issue-date") if o["issue_date"] else today
        due_days = o["due_days"] if o["due_days"] is not None else getattr(
            settings, "BILLING_DUE_DAYS", 14)
        period = f"{start}..{end}"

        name = jobs.lock_name(start, end)
        if not jobs.get_lock(name):
            raise jobs.failure(
                f"another run of the period {period} is running (lock {name!r} held by "
                f"connection {jobs.lock_holder(name)}); nothing done", jobs.EXIT_BUSY)
        try:
            return self._run(start, end, issue, due_days, o, period,
                             resumed and resumed["run_id"])
        finally:
            jobs.release_lock(name)

    def _run(self, start, end, issue, due_days, o, period, resume_run_id=None):
        workers = o["workers"] if o["workers"] is not None else default_workers()
        if workers < 1:
            raise jobs.failure("--workers: at least 1")
        if resume_run_id is not None:
            self.stdout.write(f"billing run {resume_run_id} {period} resumed, {workers} workers")
            return self._work(resume_run_id, o, period, workers)
        try:
            if o["chunk_size"]:
                with connections[services.BILLING_ALIAS].cursor() as cur:
                    cur.execute("SET @billing_chunk_size = %s", [o["chunk_size"]])
            started = services.start_billing_run(
                period_start=start, period_end=end, issue_date=issue, due_days=due_days,
                actor=o["actor"])
        except BillingError as exc:
            raise jobs.failure(f"run_billing {period} refused: {exc.code} ({exc.errno}): "
                               f"{exc.message}") from exc
        except Exception as exc:  # noqa: BLE001 - an outage or a bug: exit 2 with the reason
            raise jobs.failure(f"run_billing {period} failed: {exc}") from exc
        run_id = started["run_id"]
        self.stdout.write(f"billing run {run_id} {period}, issued {issue}, due after {due_days} "
                          f"days: {started['accounts_total']} accounts, {workers} workers")
        return self._work(run_id, o, period, workers)

    def _work(self, run_id, o, period, workers):
        """Works the run with `workers` sessions until it is no longer running; reports."""
        errors = []

        def work():
            try:
                services.use_server_lock_wait()          # this thread's own connection
                while True:             # until a call bills nothing: no chunk left to claim
                    r = services.work_billing_run(run_id=run_id, actor=o["actor"])
                    if not r["chunks_done"]:
                        break
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(exc)
            finally:
                connections.close_all()          # this thread's connections

        threads = [threading.Thread(target=work, name=f"run_billing-{k}", daemon=True)
                   for k in range(workers)]
        for th in threads:
            th.start()
        progress = jobs.Progress(self.stdout, f"run {period}", every=o["log_every"])

        def poll():
            try:
                rows = jobs.read("SELECT status, accounts_done, accounts_total FROM v_billing_run "
                                 "WHERE run_id = %s", [run_id])
            except Exception:  # noqa: BLE001 - progress is a nicety; the run goes on
                return None
            if rows:
                progress.update(rows[0]["accounts_done"], rows[0]["accounts_total"])
                return rows[0]["status"]
            return None

        while any(th.is_alive() for th in threads):
            for th in threads:
                th.join(o["poll"] / len(threads))
            poll()
        # Every worker found nothing to claim; a chunk may still be held by a session that is
        # finishing it or has died (its rollback makes the chunk claimable): claim until the
        # run is no longer running.
        while not errors and poll() == "running":
            try:
                if not services.work_billing_run(run_id=run_id, actor=o["actor"])["chunks_done"]:
                    time.sleep(o["poll"])
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        if errors:
            exc = errors[0]
            if progress.drawn:
                self.stdout.write("")
            if isinstance(exc, BillingError):
                raise jobs.failure(f"run_billing {period} refused: {exc.code} ({exc.errno}): "
                                   f"{exc.message}") from exc
            raise jobs.failure(f"run_billing {period} failed: {exc}") from exc

        outcome = {"result": jobs.read(
            "SELECT run_id, status, accounts_total AS accounts_considered, bills_created, "
            "accounts_skipped, total_billed FROM v_billing_run WHERE run_id = %s", [run_id])[0]}
        if outcome["result"]["status"] != "completed":
            raise jobs.failure(f"run_billing {period}: run {run_id} is "
                               f"{outcome['result']['status']} (failed in another session; see "
                               f"the audit trail, billing_run_failed)")
        r = outcome["result"]
        progress.finish(r["accounts_considered"], r["accounts_considered"])
        self.stdout.write(
            f"run {r['run_id']} {period}: {r['accounts_considered']} accounts considered, "
            f"{r['bills_created']} bills created, {r['accounts_skipped']} skipped, "
            f"total billed {r['total_billed']}")
        exceptions = jobs.read(
            "SELECT account_no, code, detail FROM v_billing_exceptions WHERE run_id = %s "
            "ORDER BY account_no", [r["run_id"]])
        if not exceptions:
            return
        self.stdout.write(f"{len(exceptions)} accounts skipped with an exception "
                          f"(SELECT * FROM v_billing_exceptions WHERE run_id = {r['run_id']}):")
        for e in exceptions[:50]:
            self.stdout.write(f"  {e['account_no']} {e['code']}: {e['detail']}")
        if len(exceptions) > 50:
            self.stdout.write(f"  ... and {len(exceptions) - 50} more")
        raise SystemExit(jobs.EXIT_EXCEPTIONS)
