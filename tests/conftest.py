"""Where the test database comes from, and a clean billing schema for every test.

The server, in this order:
1. BILLING_TEST_DATABASE_URL (mysql://USER[:PW]@HOST[:PORT]/DB[?unix_socket=PATH]): a server
   of yours; the account needs CREATE and DROP DATABASE. The tests use their own database
   (DB_t<pid>) on it and drop it at the end.
2. testcontainers with a MySQL 8.4 image, when a Docker engine answers.
3. the private server of this checkout (bin/dbserver start, under var/db).
No server means an error, never a skip.

The schema is built once per test session with the same yoyo migrations production uses;
`db` empties every billing table before its test (TRUNCATE: triggers do not fire, so the
append-only rules stay in force for everything else). The helpers behind these fixtures, and
every other helper of the tests, are in tests/helpers/ (its __init__.py is the map).
"""
import os
import subprocess
import time
from pathlib import Path

import pytest

from helpers.db import Db, billing_tables, connect_kwargs, new_database, truncate_all
from helpers.demo import load_demo

ROOT = Path(__file__).resolve().parent.parent


def _docker_answers():
    try:
        import docker
        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def server_url():
    """URL of a server (its database part is only a default name)."""
    url = os.environ.get("BILLING_TEST_DATABASE_URL")
    if url:
        yield url
        return
    if _docker_answers():
        from testcontainers.community.mysql import MySqlContainer
        with MySqlContainer("mysql:8.4", username="root", password="test", dbname="billing") as c:
            host, port = c.get_container_host_ip(), c.get_exposed_port(3306)
            yield f"mysql://root:test@{host}:{port}/billing"
        return
    out = subprocess.run([str(ROOT / "bin" / "dbserver"), "start"], capture_output=True, text=True)
    if out.returncode != 0:
        pytest.fail(f"no database server for the tests: bin/dbserver start said:\n{out.stderr}",
                    pytrace=False)
    yield out.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def db_url(server_url):
    """A new database with the whole schema, for this test session; dropped at the end."""
    name = f"{connect_kwargs(server_url).get('db') or 'billing'}_t{os.getpid()}"
    with new_database(server_url, name) as url:
        yield url


@pytest.fixture(scope="session")
def _tables(db_url):
    d = Db(db_url)
    tables = billing_tables(d)
    d.close()
    return tables


# True while the billing schema holds the demo data as `demo` loaded it (a `db` test empties it);
# "seconds" and "out": how long the last load took and what bin/demo-data printed (read by
# tests/test_demo_data.py)
_demo_loaded = {"yes": False, "seconds": None, "out": None}


def pytest_collection_modifyitems(items):
    """The tests that read the demo data run first, each module's in their order, so that the
    demo year is loaded once for all of them rather than once per module (about 20 s a load):
    a `db` test empties the schema, and the next module's demo tests would load it again.
    tests/test_demo_data.py's come first of all: they read the data as bin/demo-data left it,
    before another test adds a payment or a refresh."""
    demo = [i for i in items if "demo" in getattr(i, "fixturenames", ())]
    demo.sort(key=lambda i: i.path.name != "test_demo_data.py")   # stable: the rest keep order
    if demo:
        items[:] = demo + [i for i in items if "demo" not in getattr(i, "fixturenames", ())]


@pytest.fixture
def db(db_url, _tables):
    """A connection to an emptied billing schema."""
    d = Db(db_url)
    _demo_loaded["yes"] = False
    truncate_all(d, _tables)
    yield d
    d.close()


@pytest.fixture(scope="module")
def demo(db_url, _tables):
    """The demo data (bin/demo-data), loaded into an emptied billing schema, for tests that read
    it: loaded again only when a `db` test emptied the schema since (the demo tests run first:
    pytest_collection_modifyitems). What a demo test adds (a refreshed kept list, a payment)
    stays for the next module's, so each compares figures it reads itself, never counts."""
    if _demo_loaded["yes"]:
        d = Db(db_url)
    else:
        t0 = time.monotonic()
        d, out = load_demo(db_url, _tables)
        _demo_loaded.update(yes=True, seconds=time.monotonic() - t0, out=out)
    yield d
    d.close()


@pytest.fixture
def demo_load(demo):
    """How `demo` last loaded the data: bin/demo-data's CompletedProcess and its seconds."""
    return _demo_loaded["out"], _demo_loaded["seconds"]


@pytest.fixture
def connect(db_url):
    """Opens more connections (for concurrency tests); closes them after the test."""
    opened = []

    def _connect():
        d = Db(db_url)
        opened.append(d)
        return d

    yield _connect
    for d in opened:
        try:
            d.close()
        except Exception:
            pass
