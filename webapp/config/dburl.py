"""Database URLs (mysql://USER[:PW]@HOST[:PORT]/DB[?unix_socket=PATH]) -> Django DATABASES entries.

The same URL form as bin/dbserver, the yoyo migrations and the tests use.
"""
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

CHECKOUT = Path(__file__).resolve().parents[2]

# Every connection: utf8mb4, strict mode. Django's default for MySQL is READ COMMITTED; the
# procedures are written for REPEATABLE READ (the server default, see docs/routines.md) and run
# in the caller's session, so the billing connection asks for it explicitly.
BASE_OPTIONS = {
    "charset": "utf8mb4",
    "init_command": "SET sql_mode='STRICT_ALL_TABLES,ONLY_FULL_GROUP_BY'",
}


def private_server_url():
    """The URL that `bin/dbserver url` prints (the checkout's private server, schema billing)."""
    try:
        out = subprocess.run([str(CHECKOUT / "bin" / "dbserver"), "url"], capture_output=True,
                             text=True, timeout=10, check=True)
        return out.stdout.strip().splitlines()[-1]
    except (OSError, subprocess.SubprocessError, IndexError):
        return f"mysql://root@localhost/billing?unix_socket={CHECKOUT}/var/db/mysqld.sock"


def with_database(url, database):
    """The same server URL with another database (schema) name."""
    return urlparse(url)._replace(path="/" + database).geturl()


def database_settings(url, *, isolation_level=None, lock_wait_timeout=None):
    """A Django DATABASES entry for `url`. `lock_wait_timeout`: the seconds a session waits for a
    row lock (innodb_lock_wait_timeout, set by the same init_command statement as sql_mode: no
    extra round trip per connection); None: the server's own (50 s by default)."""
    u = urlparse(url)
    if u.scheme not in ("mysql", "mariadb"):
        raise ValueError(f"not a mysql:// URL: {url!r}")
    socket = parse_qs(u.query).get("unix_socket")
    options = dict(BASE_OPTIONS)
    if isolation_level:
        options["isolation_level"] = isolation_level
    if lock_wait_timeout is not None:
        options["init_command"] += f", innodb_lock_wait_timeout={int(lock_wait_timeout)}"
    return {
        "ENGINE": "django.db.backends.mysql",
        "NAME": u.path.lstrip("/"),
        "USER": unquote(u.username or "root"),
        "PASSWORD": unquote(u.password or ""),
        # Django's MySQL backend treats a HOST that starts with "/" as a unix socket path.
        "HOST": socket[0] if socket else (u.hostname or "127.0.0.1"),
        "PORT": "" if socket else str(u.port or 3306),
        "OPTIONS": options,
    }


def server_kwargs(url):
    """mysqlclient connect() arguments for the server of `url`, without a database."""
    s = database_settings(url)
    kw = {"user": s["USER"], "charset": "utf8mb4"}
    if s["PASSWORD"]:
        kw["passwd"] = s["PASSWORD"]
    if s["HOST"].startswith("/"):
        kw["unix_socket"] = s["HOST"]
    else:
        kw["host"], kw["port"] = s["HOST"], int(s["PORT"])
    return kw
