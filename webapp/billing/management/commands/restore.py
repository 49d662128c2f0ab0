"""manage.py restore: loads a dump made by manage.py backup into a database.

    manage.py restore var/backups/billing-20261101-020000.sql.gz --database billing_restored
    manage.py restore FILE --database billing --replace      # over a live schema: see below

The server is the one of BILLING_DATABASE_URL (or --url); --database names the target schema
(default: the URL's). The target is created when missing; it must be empty unless --replace is
given (then it is dropped and created again: stop the web app and the jobs first). The dump is
piped into the `mariadb` (or `mysql`) client with the connection in a temporary option file
and --comments (so the routines keep the comments inside their bodies).
The account needs CREATE/DROP on the target and must be allowed to create routines, views and
triggers with the DEFINER recorded in the dump (the schema owner, or SUPER / SET USER): on the
same server that is the owner account. After a restore run bin/db-accounts for the target (the
grants are per object) and `manage.py check_integrity`.

Exit codes: 0 restored, 2 failure (nothing is dropped unless --replace).
"""
import gzip
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import MySQLdb
from django.conf import settings
from django.core.management.base import BaseCommand

from billing.management import jobs
from config.dburl import server_kwargs


class Command(BaseCommand):
    help = "Restores a dump of manage.py backup into a (new or empty) database."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="the dump (.sql or .sql.gz)")
        parser.add_argument("--database", help="target schema (default: the URL's database)")
        parser.add_argument("--url", help="database URL (default: BILLING_DATABASE_URL)")
        parser.add_argument("--replace", action="store_true",
                            help="drop the target first when it has tables")

    def handle(self, *args, **o):
        url = o["url"] or settings.BILLING_DATABASE_URL
        path = Path(o["file"])
        if not path.is_file():
            raise jobs.failure(f"no such dump file: {path}")
        client = jobs.find_tool("mariadb", "mysql")
        options, url_database = jobs.client_options_file(url)
        target = o["database"] or url_database
        if not target or "`" in target:
            os.unlink(options)
            raise jobs.failure(f"not a database name: {target!r}")
        try:
            self._prepare(url, target, o["replace"])
            opener = gzip.open if path.suffix == ".gz" else open
            # --comments: the client strips comments from what it sends unless told not to, so
            # the restored routines would lose the comments inside their bodies
            cmd = [client, f"--defaults-extra-file={options}", "--binary-mode", "--comments",
                   target]
            # stderr to a file: a pipe that nobody reads could fill up and stall the client
            with opener(path, "rb") as src, tempfile.TemporaryFile() as errors, \
                    subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     stderr=errors) as p:
                try:
                    shutil.copyfileobj(src, p.stdin, 1 << 20)
                except BrokenPipeError:
                    pass                          # the client stopped on an error: see below
                finally:
                    try:
                        p.stdin.close()
                    except BrokenPipeError:
                        pass
                p.wait()
                errors.seek(0)
                err = errors.read()
            if p.returncode != 0:
                raise jobs.failure(f"restore into {target} failed ({Path(client).name} exit "
                                   f"{p.returncode}): {err.decode(errors='replace').strip()}")
        except OSError as exc:
            raise jobs.failure(f"restore into {target} failed: {exc}") from exc
        finally:
            os.unlink(options)
        self.stdout.write(f"restored {path} into {target}")

    def _prepare(self, url, target, replace):
        try:
            conn = MySQLdb.connect(**server_kwargs(url))
        except MySQLdb.Error as exc:
            raise jobs.failure(f"database server unreachable: {exc}") from exc
        try:
            cur = conn.cursor()
            cur.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s",
                        [target])
            tables = cur.fetchone()[0]
            if tables and not replace:
                raise jobs.failure(f"database {target} has {tables} tables; restore into a new "
                                   "or empty database, or give --replace to drop it first")
            if tables:
                cur.execute(f"DROP DATABASE `{target}`")
            cur.execute(f"CREATE DATABASE IF NOT EXISTS `{target}` "
                        "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        finally:
            conn.close()
