"""db/dburl.py: the one parser of database URLs into mysqlclient connect() arguments, and no
copy of it elsewhere. No server needed."""
import re
import sys
from pathlib import Path

import helpers.db

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "db"))
from dburl import connect_kwargs, with_database  # noqa: E402


def test_a_socket_url():
    assert connect_kwargs("mysql://root@localhost/billing?unix_socket=/x/y/mysqld.sock") == {
        "user": "root", "charset": "utf8mb4", "autocommit": True,
        "unix_socket": "/x/y/mysqld.sock", "db": "billing"}


def test_a_tcp_url_with_an_encoded_password_and_defaults():
    assert connect_kwargs("mysql://ann%40x:p%2Fw%3Ad@db.example:3307/b2") == {
        "user": "ann@x", "passwd": "p/w:d", "charset": "utf8mb4", "autocommit": True,
        "host": "db.example", "port": 3307, "db": "b2"}
    assert connect_kwargs("mysql://@/") == {
        "user": "root", "charset": "utf8mb4", "autocommit": True,
        "host": "127.0.0.1", "port": 3306}


def test_the_database_can_be_replaced_removed_or_defaulted():
    url = "mysql://root@localhost/billing?unix_socket=/s"
    assert connect_kwargs(url, database="other")["db"] == "other"
    assert "db" not in connect_kwargs(url, database="")
    assert connect_kwargs("mysql://root@h/", default_database="billing")["db"] == "billing"
    assert connect_kwargs(url, default_database="zz")["db"] == "billing"
    assert with_database(url, "t1") == "mysql://root@localhost/t1?unix_socket=/s"


def test_the_tests_helpers_are_the_shared_ones():
    assert helpers.db.connect_kwargs is connect_kwargs and helpers.db.with_database is with_database


def test_no_other_script_parses_database_urls_itself():
    """Whoever turns a URL into connect() arguments imports db/dburl.py (the web app's Django
    settings, webapp/config/dburl.py, are the other form)."""
    files = [p for d in ("bench", "bin", "tests", "db") for p in (ROOT / d).rglob("*")
             if p.is_file() and "__pycache__" not in p.parts
             and (p.suffix == ".py" or (d == "bin" and p.read_bytes()[:40].find(b"python") >= 0))]
    copies = [str(p.relative_to(ROOT)) for p in files
              if p != ROOT / "db" / "dburl.py" and p != Path(__file__)
              and re.search(r"parse_qs\(|unquote\(\w+\.(username|password)", p.read_text(errors="replace"))]
    assert copies == []
