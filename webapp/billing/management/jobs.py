"""Shared pieces of the batch-job commands (run_billing, apply_late_fees, check_integrity,
backup, restore).

Exit codes of every job command (docs/operations.md):
  0  success
  1  done with exceptions (run_billing: accounts skipped with an exception, see
     v_billing_exceptions; check_integrity: v_ledger_integrity has rows)
  2  failure (bad arguments, a refusal by the database, an outage)
  3  another run of the same period is running (run_billing), nothing done

The procedures are called through billing.services (call_procedure: autocommit, retries on
1213/1205, contract errors as BillingError). The commands call procedures on the `billing`
alias, i.e. BILLING_DATABASE_URL; in production that names the `billing_batch` account, which may
only EXECUTE procedures (sql-api.md): their reads of views (read() below, and the ORM through
config.routers) go to BILLING_READ_DATABASE_URL there (the billing_report account), else to
`billing` too.
"""
import hashlib
import logging
import sys
import time
from datetime import date

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections

from billing.services import BILLING_ALIAS
from config.routers import READ_ALIAS

EXIT_OK, EXIT_EXCEPTIONS, EXIT_FAILURE, EXIT_BUSY = 0, 1, 2, 3

log = logging.getLogger("billing.jobs")


def failure(message, code=EXIT_FAILURE):
    """A CommandError that makes manage.py print the message and exit with `code`."""
    return CommandError(message, returncode=code)


def parse_date(value, name):
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise failure(f"{name}: not a date (YYYY-MM-DD): {value!r}") from None


def query(sql, args=None, *, alias=BILLING_ALIAS):
    """Rows (as dicts) of one SELECT on this thread's connection of `alias`."""
    with connections[alias].cursor() as cur:
        cur.execute(sql, args)
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]


def read(sql, args=None):
    """Rows of one SELECT of views: on the `billing_read` alias when settings define it (the
    jobs' account cannot read views), else on `billing`."""
    return query(sql, args, alias=READ_ALIAS if READ_ALIAS in settings.DATABASES else BILLING_ALIAS)


def value(sql, args=None, *, alias=BILLING_ALIAS):
    rows = query(sql, args, alias=alias)
    return next(iter(rows[0].values())) if rows else None


def lock_name(*parts):
    """A server-wide lock name for `parts` in this database. Named locks are per server, so the
    database name is part of it (two schemas on one server do not block each other); MySQL
    allows 64 characters, a long database name is replaced by a hash."""
    database = value("SELECT DATABASE()") or ""
    name = ":".join(["billing_run", database, *map(str, parts)])
    if len(name) > 64:
        digest = hashlib.sha1(database.encode()).hexdigest()[:16]
        name = ":".join(["billing_run", digest, *map(str, parts)])[:64]
    return name


def get_lock(name):
    """GET_LOCK(name, 0) on this thread's billing connection: True when we hold it now. The lock
    is the connection's: it is released by release_lock() or when the connection ends (also
    when the process dies), so a crashed job never leaves a stale lock behind."""
    return value("SELECT GET_LOCK(%s, 0)", [name]) == 1


def lock_holder(name):
    return value("SELECT IS_USED_LOCK(%s)", [name])


def release_lock(name):
    try:
        value("SELECT RELEASE_LOCK(%s)", [name])
    except Exception:  # noqa: BLE001 - the connection may be gone; the lock went with it
        pass


class Progress:
    """Progress of a long job: a bar redrawn in place on a terminal, plain log lines otherwise
    (one when the count moved and at least `every` seconds passed, for cron mails and journald)."""

    def __init__(self, out, label, *, tty=None, every=10.0, width=30):
        self.out = out
        self.label = label
        self.tty = out.isatty() if tty is None else tty
        self.every = every
        self.width = width
        self.last_line = None
        self.last_time = 0.0
        self.drawn = False

    def update(self, done, total):
        if self.tty:
            frac = (done / total) if total else 0.0
            filled = int(round(frac * self.width))
            bar = "#" * filled + "-" * (self.width - filled)
            self.out.write(f"\r{self.label} [{bar}] {done}/{total} ({frac:.0%})", ending="")
            self.out.flush()
            self.drawn = True
            return
        now = time.monotonic()
        if (done, total) != self.last_line and now - self.last_time >= self.every:
            pct = f" ({done / total:.0%})" if total else ""
            self.out.write(f"{self.label}: {done}/{total} accounts{pct}")
            self.out.flush()
            self.last_line, self.last_time = (done, total), now

    def finish(self, done, total):
        if self.tty:
            self.update(done, total)
            self.out.write("")
        elif (done, total) != self.last_line:
            self.every = 0
            self.update(done, total)


def is_tty(stream):
    try:
        return stream.isatty()
    except Exception:  # noqa: BLE001
        return False


def stdout_is_tty():
    return is_tty(sys.stdout)


# --- backups: the server's own dump and client tools ------------------------------------------
def find_tool(*names):
    """The first of `names` on PATH (mariadb-dump/mysqldump, mariadb/mysql)."""
    import shutil
    for n in names:
        path = shutil.which(n)
        if path:
            return path
    raise failure(f"none of {', '.join(names)} is installed (the MariaDB/MySQL client tools)")


def client_options_file(url):
    """A temporary option file (mode 600) with the connection data of `url`
    (mysql://USER[:PW]@HOST[:PORT]/DB[?unix_socket=PATH]): the password never appears on a
    command line. Returns (path, database name); the caller deletes the file."""
    import os
    import tempfile

    from config.dburl import database_settings
    s = database_settings(url)
    lines = ["[client]", f"user={s['USER']}"]
    if s["PASSWORD"]:
        lines.append(f"password=\"{s['PASSWORD']}\"")
    if s["HOST"].startswith("/"):
        lines.append(f"socket={s['HOST']}")
    else:
        lines += [f"host={s['HOST']}", f"port={s['PORT']}", "protocol=tcp"]
    lines.append("default-character-set=utf8mb4")
    fd, path = tempfile.mkstemp(prefix="billing-client-", suffix=".cnf")
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path, s["NAME"]
