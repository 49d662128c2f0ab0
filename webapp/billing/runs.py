"""Billing runs started from the back office, in a background thread.

run_billing takes long (it bills every account, committing every chunk), so the page does not
wait for it: `start()` runs the procedure in a thread with its own database connection (Django's
connections are per thread; the thread closes its connections at the end) and returns a `Job`.
That connection waits for row locks as long as the server says, like the job commands'
(services.use_server_lock_wait), not the pages' settings.BILLING_LOCK_WAIT_TIMEOUT.
The run commits its billing_run row first and every chunk its progress, so the progress
(accounts_done, the chunks committed) is read from v_staff_billing_run by a small JSON endpoint
that the page polls.

Jobs live in this process's memory (enough for `runserver` and one worker; the runs themselves
are in the database, and the list of runs shows them whatever happened to the process). Only one
job per period may run at a time in this process.
"""
import logging
import threading
import uuid
from dataclasses import dataclass, field

from django.db import connections
from django.utils.translation import ngettext

from billing import formatting, selectors, services
from billing.errors import BillingError

log = logging.getLogger("billing.runs")

_jobs = {}
_lock = threading.Lock()


@dataclass
class Job:
    token: str
    period_start: object
    period_end: object
    issue_date: object
    due_days: int
    actor: str
    after_run_id: int                     # the newest run before this one started
    preview_id: int = None                # the preview this run issues ("Issue these bills")
    kind: str = "run"                     # "run" (run_billing), "resume" (work_billing_run of
                                          # a run already started) or "preview" (preview_billing)
    after_preview_id: int = 0             # a preview job: the newest preview before it started
    state: str = "running"                # running / completed / failed
    run_id: int = None
    result: dict = None
    error: BillingError = None
    failure: str = None                   # a person-readable reason when failed
    thread: threading.Thread = field(default=None, repr=False)

    def find_run(self):
        """The job's billing_run row (None until run_billing has committed it)."""
        if self.run_id is not None:
            return selectors.get_run(run_id=self.run_id)
        run = selectors.find_run(after_run_id=self.after_run_id, period_start=self.period_start,
                                 period_end=self.period_end, started_by=self.actor)
        if run is not None:
            self.run_id = run.run_id
        return run


    def find_preview(self):
        """A preview job's billing_preview row (None until preview_billing has committed it)."""
        if self.preview_id is not None:
            return selectors.get_preview(preview_id=self.preview_id)
        preview = selectors.find_preview(after_preview_id=self.after_preview_id,
                                         period_start=self.period_start,
                                         period_end=self.period_end, created_by=self.actor)
        if preview is not None:
            self.preview_id = preview.preview_id
        return preview


class Busy(Exception):
    """A run of the same period is still running in this process."""


def get(token):
    return _jobs.get(token)


def start(*, period_start, period_end, issue_date, due_days, actor, preview_id=None):
    """Starts run_billing in a background thread; returns the Job. Raises Busy when this
    process is running the same period already. `preview_id`: the preview whose arguments
    these are (the run's page then compares its counts with the preview's)."""
    after = selectors.latest_run_id()
    with _lock:
        for job in _jobs.values():
            if job.kind in ("run", "resume") and job.state == "running" and (
                    job.period_start, job.period_end) == (period_start, period_end):
                raise Busy(job.token)
        job = Job(token=uuid.uuid4().hex, period_start=period_start, period_end=period_end,
                  issue_date=issue_date, due_days=due_days, actor=actor, after_run_id=after,
                  preview_id=preview_id)
        _jobs[job.token] = job
    job.thread = threading.Thread(target=_work, args=(job,), name=f"billing-run-{job.token[:8]}",
                                  daemon=True)
    job.thread.start()
    return job


def resume(*, run, actor):
    """Works a run that is still running (work_billing_run) in a background thread, e.g. after
    the process that started it stopped; returns the Job. Safe while others work it too: each
    session claims chunks of its own. Raises Busy when this process works that run already."""
    with _lock:
        for job in _jobs.values():
            if job.kind in ("run", "resume") and job.state == "running" \
                    and job.run_id == run.run_id:
                raise Busy(job.token)
        job = Job(token=uuid.uuid4().hex, period_start=run.period_start,
                  period_end=run.period_end, issue_date=run.issue_date, due_days=run.due_days,
                  actor=actor, after_run_id=0, run_id=run.run_id, kind="resume")
        _jobs[job.token] = job
    job.thread = threading.Thread(target=_work, args=(job,),
                                  name=f"billing-resume-{job.token[:8]}", daemon=True)
    job.thread.start()
    return job


def start_preview(*, period_start, period_end, issue_date, due_days, actor):
    """Starts preview_billing in a background thread (a preview takes about as long as the run
    it shows); returns the Job, whose preview_id is known once the procedure has committed its
    billing_preview row. Previews never conflict with each other or with runs."""
    job = Job(token=uuid.uuid4().hex, period_start=period_start, period_end=period_end,
              issue_date=issue_date, due_days=due_days, actor=actor, after_run_id=0,
              kind="preview", after_preview_id=selectors.latest_preview_id())
    with _lock:
        _jobs[job.token] = job
    job.thread = threading.Thread(target=_work, args=(job,),
                                  name=f"billing-preview-{job.token[:8]}", daemon=True)
    job.thread.start()
    return job


def _work(job):
    try:
        # the batch work's lock wait (the server's), not the pages' short one (settings)
        services.use_server_lock_wait()
        if job.kind == "resume":
            # until a call bills nothing; then the run is done, or another session finishes it
            while services.work_billing_run(run_id=job.run_id, actor=job.actor)["chunks_done"]:
                pass
            job.result = {"run_id": job.run_id}
            job.state = "completed"
            return
        if job.kind == "preview":
            result = services.preview_billing(
                period_start=job.period_start, period_end=job.period_end,
                issue_date=job.issue_date, due_days=job.due_days, actor=job.actor)
            job.result = result
            job.preview_id = result["preview_id"]
            job.state = "completed"
            return
        result = services.run_billing(period_start=job.period_start, period_end=job.period_end,
                                      issue_date=job.issue_date, due_days=job.due_days,
                                      actor=job.actor)
        job.result = result
        job.run_id = result["run_id"]
        job.state = "completed"
    except BillingError as error:
        job.error = error
        job.failure = error.sentence
        job.state = "failed"
    except Exception as exc:  # noqa: BLE001 - reported on the page and in the log
        log.exception("billing %s %s failed", job.kind, job.token)
        job.failure = f"The billing {'preview' if job.kind == 'preview' else 'run'} failed: {exc}"
        job.state = "failed"
    finally:
        connections.close_all()           # this thread's connections only


def progress_text(*, done, total, state, billed=None, skipped=None, preview=False):
    """The words of the progress line (its state follows them), the same on the page and in
    the JSON that billing/progress.js puts in the page: while a run works, how far it got, "120
    of 300 accounts"; once it completed, what happened, "3 accounts considered: 0 billed, 3
    skipped" (a preview: "3 accounts considered: 0 bills, 3 exceptions"). A full bar alone said
    "billed" for a run that billed nobody."""
    if state == "completed" and total is not None and billed is not None:
        considered = ngettext("%(n)s account considered", "%(n)s accounts considered",
                              total) % {"n": formatting.count(total)}
        if preview:
            what = (ngettext("%(n)s bill", "%(n)s bills", billed)
                    % {"n": formatting.count(billed)} + ", "
                    + ngettext("%(n)s exception", "%(n)s exceptions", skipped or 0)
                    % {"n": formatting.count(skipped or 0)})
        else:
            what = (f"{formatting.count(billed)} billed, "
                    f"{formatting.count(skipped or 0)} skipped")
        return f"{considered}: {what}"
    total_text = formatting.count(total) if total is not None else "?"
    return f"{formatting.count(done or 0)} of {total_text} accounts"


def status(job):
    """The job's progress as a JSON-able dict."""
    if job.kind == "preview":
        return _preview_status(job)
    run = job.find_run()
    data = {"token": job.token, "state": job.state, "run_id": job.run_id,
            "period_start": str(job.period_start), "period_end": str(job.period_end),
            "accounts_done": None, "accounts_total": None, "run_status": None,
            "error": job.failure, "preview_id": job.preview_id}
    if run is not None:
        data.update(accounts_done=run.accounts_done, accounts_total=run.accounts_total,
                    run_status=run.status, bills_created=run.bills_created,
                    accounts_skipped=run.accounts_skipped, total_billed=str(run.total_billed),
                    exceptions=run.exceptions)
    data["progress_text"] = progress_text(
        done=data["accounts_done"], total=data["accounts_total"], state=job.state,
        billed=data.get("bills_created"), skipped=data.get("accounts_skipped"))
    return data


def _preview_status(job):
    preview = job.find_preview()
    data = {"token": job.token, "kind": "preview", "state": job.state,
            "preview_id": job.preview_id, "run_id": None,
            "period_start": str(job.period_start), "period_end": str(job.period_end),
            "accounts_done": None, "accounts_total": None, "run_status": None,
            "error": job.failure}
    if preview is not None:
        data.update(accounts_done=preview.accounts_done,
                    accounts_total=preview.accounts_considered, run_status=preview.status,
                    bills=preview.bills, exceptions=preview.exceptions)
    data["progress_text"] = progress_text(
        done=data["accounts_done"], total=data["accounts_total"], state=job.state,
        billed=data.get("bills"), skipped=data.get("exceptions"), preview=True)
    return data
