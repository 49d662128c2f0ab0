"""The benchmark's own private server (bin/dbserver with BILLING_DB_DIR=var/bench-db).

Durable settings: innodb_flush_log_at_trx_commit=1 (bin/dbserver sets it), no binary log
(--skip-log-bin; so sync_binlog does not apply), innodb_doublewrite on (default), a buffer pool
of 2 GiB (12 GiB from 1,000,000 accounts on, where the data is about 25 GB; BENCH_BUFFER_POOL
overrides), a 512 MiB redo log, performance_schema on with statement history (used only for
the profile of one billing run; every instrument and consumer is switched off after it), its
own tmpdir var/bench-db/tmp.
"""
import os
import subprocess

from common import BENCH_DIR, ROOT, WORK_DB, Sql, log, url

EXTRA_ARGS = ("--skip-log-bin --innodb-log-file-size=512M --innodb-doublewrite=1 "
              "--performance-schema=ON "
              "--performance-schema-events-statements-history-long-size=20000 "
              "--max-connections=400")
BUFFER_POOL = os.environ.get("BENCH_BUFFER_POOL") or (
    "12G" if int(os.environ.get("BENCH_SCALE", "100000")) >= 1000000 else "2G")


def _env():
    env = dict(os.environ)
    env.pop("BILLING_DATABASE_URL", None)
    env["BILLING_DB_DIR"] = str(BENCH_DIR)
    env["BILLING_DB_BUFFER_POOL"] = BUFFER_POOL
    # its own tmpdir: the shared /tmp gets cleaned under a running server's temporary files
    env["BILLING_DB_EXTRA_ARGS"] = f"{EXTRA_ARGS} --tmpdir={BENCH_DIR / 'tmp'}"
    env["BILLING_DB_NAME"] = "bench_billing"
    return env


def start():
    """(Re)starts the bench server, so that it always runs with the settings above."""
    stop()
    (BENCH_DIR / "tmp").mkdir(parents=True, exist_ok=True)
    out = subprocess.run([str(ROOT / "bin" / "dbserver"), "start"], env=_env(),
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"bench: the bench server did not start:\n{out.stderr}")
    log(f"bench server: {out.stdout.strip().splitlines()[-1]} (port {(BENCH_DIR / 'port').read_text().strip()})")


def stop():
    subprocess.run([str(ROOT / "bin" / "dbserver"), "stop"], env=_env(), capture_output=True, text=True)


def fresh_database(name):
    """Drops and creates `name`, applies every migration; returns its URL."""
    s = Sql()
    s.execute(f"DROP DATABASE IF EXISTS `{name}`")
    s.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    s.execute(f"CREATE DATABASE IF NOT EXISTS {WORK_DB}")
    s.close()
    return migrate(name)


def migration_files():
    return sorted(p.name for p in (ROOT / "migrations").iterdir() if p.suffix in (".sql", ".py"))


def migrate(name):
    """Applies the migrations `name` does not have yet (all of them to a new one); its URL."""
    u = url(name)
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "yoyo"), "apply", "--batch", "--database", u,
                          str(ROOT / "migrations")], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"bench: migrations failed on {name}:\n{out.stdout}\n{out.stderr}")
    return u


def settings():
    s = Sql()
    names = ["version", "innodb_flush_log_at_trx_commit", "log_bin", "sync_binlog",
             "innodb_buffer_pool_size", "innodb_log_file_size", "innodb_doublewrite",
             "transaction_isolation", "performance_schema", "innodb_flush_method"]
    rows = s.rows("SHOW GLOBAL VARIABLES WHERE Variable_name IN (%s)" % ",".join(["%s"] * len(names)),
                  *names)
    s.close()
    return {r["Variable_name"]: r["Value"] for r in rows}
