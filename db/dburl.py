"""Database URLs -> mysqlclient (MySQLdb) connect() arguments: the one parser the tests, the
benchmark and the bin/ scripts share (the web app turns the same URLs into Django settings in
webapp/config/dburl.py).

    mysql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?unix_socket=PATH]

USER defaults to root, HOST to 127.0.0.1, PORT to 3306; user and password are %-decoded; a
unix_socket in the query wins over host and port. Every connection is utf8mb4 and autocommit
(the procedures run their own transactions).

Import it by putting the checkout's db/ directory on sys.path (as migrations/9999_routines.py
does for deploy.py):
    sys.path.insert(0, str(ROOT / "db")); from dburl import connect_kwargs
No import of MySQLdb here, so a script can parse a URL before it has found its virtualenv.
"""
from urllib.parse import parse_qs, unquote, urlparse


def connect_kwargs(url, database=None, default_database=""):
    """connect() arguments for `url`. `database` replaces the URL's database ("" for none);
    `default_database` is used when the URL names none. No "db" key when there is no database."""
    u = urlparse(url)
    kw = {"user": unquote(u.username or "root"), "charset": "utf8mb4", "autocommit": True}
    if u.password:
        kw["passwd"] = unquote(u.password)
    sock = parse_qs(u.query).get("unix_socket")
    if sock:
        kw["unix_socket"] = sock[0]
    else:
        kw["host"] = u.hostname or "127.0.0.1"
        kw["port"] = u.port or 3306
    db = database if database is not None else (u.path.lstrip("/") or default_database)
    if db:
        kw["db"] = db
    return kw


def with_database(url, database):
    """The same server URL with another database name."""
    return urlparse(url)._replace(path="/" + database).geturl()
