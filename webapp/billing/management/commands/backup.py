"""manage.py backup: a consistent dump of the billing schema (tables and data, routines,
triggers, events, views, and yoyo's migration log) to a file.

    manage.py backup                                   # var/backups/<db>-<timestamp>.sql.gz
    manage.py backup --output /srv/backups/billing.sql.gz
    manage.py backup --output /srv/backups/          # a directory (made if missing): <db>-<timestamp>.sql.gz in it
    manage.py backup --url mysql://owner@localhost/billing?unix_socket=/run/mysqld/mysqld.sock

It runs `mariadb-dump` (or `mysqldump`) with --single-transaction (one consistent InnoDB
snapshot, no table locks: the app keeps running), --routines --triggers --events, --hex-blob,
utf8mb4, and without CREATE DATABASE/USE so that the file restores into any database name
(manage.py restore). The connection comes from BILLING_DATABASE_URL (or --url) through a
temporary option file (mode 600; the password is never on a command line). The account needs
SELECT, SHOW VIEW, TRIGGER, EVENT and (for routines) SELECT on mysql.proc / SHOW_ROUTINE: use the
schema owner. A `.gz` name compresses. The file is written under a temporary name and renamed
when the dump succeeded, so a failed backup never leaves a truncated file with the final name.

Routines, views and triggers are dumped with their DEFINER (the schema owner, e.g.
`root`@`localhost`): restoring on the same server, or one with that account, just works.

Exit codes: 0 written, 2 failure.
"""
import gzip
import os
import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from billing.management import jobs

DUMP_OPTIONS = ["--single-transaction", "--routines", "--triggers", "--events", "--hex-blob",
                "--default-character-set=utf8mb4", "--no-tablespaces", "--skip-dump-date"]


class Command(BaseCommand):
    help = "Dumps the billing schema (data, routines, triggers, events) consistently to a file."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file or directory to write to (default: "
                            "var/backups/); a directory is one that exists or a name ending "
                            "in '/' (created); in it the name is "
                            "<database>-<YYYYmmdd-HHMMSS>.sql.gz; .gz compresses")
        parser.add_argument("--url", help="database URL (default: BILLING_DATABASE_URL)")

    def handle(self, *args, **o):
        url = o["url"] or settings.BILLING_DATABASE_URL
        dump = jobs.find_tool("mariadb-dump", "mysqldump")
        options, database = jobs.client_options_file(url)
        try:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            out = Path(o["output"]) if o["output"] else Path(settings.VAR_DIR) / "backups"
            # "/srv/backups/" names a directory even before it exists (Path drops the slash)
            if not o["output"] or out.is_dir() or o["output"].endswith(os.sep):
                out = out / f"{database}-{stamp}.sql.gz"
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_name(out.name + ".part")
            cmd = [dump, f"--defaults-extra-file={options}", *DUMP_OPTIONS, database]
            try:
                with open(tmp, "wb") as raw:
                    os.chmod(tmp, 0o600)
                    sink = gzip.GzipFile(fileobj=raw, mode="wb") if out.suffix == ".gz" else raw
                    with tempfile.TemporaryFile() as errors, subprocess.Popen(
                            cmd, stdout=subprocess.PIPE, stderr=errors) as p:
                        shutil.copyfileobj(p.stdout, sink, 1 << 20)
                        p.wait()
                        errors.seek(0)
                        err = errors.read().decode(errors="replace")
                    if sink is not raw:
                        sink.close()
                if p.returncode != 0:
                    raise jobs.failure(f"backup of {database} failed ({Path(dump).name} exit "
                                       f"{p.returncode}): {err.strip()}")
                os.replace(tmp, out)
            finally:
                if tmp.exists():
                    tmp.unlink()
        finally:
            os.unlink(options)
        self.stdout.write(f"backup of {database}: {out} ({out.stat().st_size} bytes)")
