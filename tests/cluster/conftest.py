"""The cluster tests (`make test-cluster`; `make test` leaves this directory out).

One 3-node Galera cluster with HAProxy for the whole session, made by bin/dbcluster in a
directory and on ports of its own (var/cluster-test, ports 4400..4447: a developer's cluster
under var/cluster is left alone), from nothing: `clean`, then `start`. The schema is applied
once through HAProxy's write port with the yoyo migrations, as tests/conftest.py does. Each test
starts with every node synced (a test that failed half-way is repaired by `start`) and makes
accounts of its own. The cluster is stopped at the end.
"""
import hashlib
import os
import subprocess
from decimal import Decimal as D
from pathlib import Path
from types import SimpleNamespace

import pytest

from helpers.bills import make_bill
from helpers.db import Db, apply_migrations
from helpers.factories import make_metered_account, make_tariff

ROOT = Path(__file__).resolve().parents[2]
DIR = Path(os.environ.get("BILLING_CLUSTER_TEST_DIR") or ROOT / "var" / "cluster-test")
if len(str(DIR)) > 80:      # socket paths (DIR/nodeN/mysqld.sock) must stay under 108 bytes
    DIR = Path("/tmp") / ("billing-cluster-" + hashlib.sha1(str(ROOT).encode()).hexdigest()[:8])
BASE = int(os.environ.get("BILLING_CLUSTER_TEST_PORT") or 4400)


def _env():
    env = {k: v for k, v in os.environ.items()
           if k not in ("BILLING_DATABASE_URL", "BILLING_CLUSTER_FLUSH", "BILLING_CLUSTER_BINLOG")}
    env.update(BILLING_CLUSTER_DIR=str(DIR), BILLING_CLUSTER_PORT=str(BASE),
               BILLING_DB_NAME="billing")
    return env


def dbcluster(*args, check=True, timeout=300):
    out = subprocess.run([str(ROOT / "bin" / "dbcluster"), *args], env=_env(),
                         capture_output=True, text=True, timeout=timeout)
    if check:
        assert out.returncode == 0, f"bin/dbcluster {' '.join(args)}:\n{out.stdout}{out.stderr}"
    return out


@pytest.fixture(scope="session")
def cluster():
    dbcluster("clean")
    dbcluster("start")
    c = SimpleNamespace(
        write_url=f"mysql://root@127.0.0.1:{BASE + 6}/billing",
        read_url=f"mysql://root@127.0.0.1:{BASE + 7}/billing",
        socks=[DIR / f"node{n}" / "mysqld.sock" for n in (1, 2, 3)],
        log=lambda n: DIR / f"node{n}" / "mysqld.log",
        run=dbcluster)
    try:
        apply_migrations(c.write_url)
        yield c
    finally:
        dbcluster("stop", check=False)


@pytest.fixture
def healthy(cluster):
    """Every node synced and HAProxy up before the test."""
    if dbcluster("status", check=False).returncode != 0:
        dbcluster("start")
    assert dbcluster("status", check=False).returncode == 0
    return cluster


def make_accounts(url, n=8, bills=5):
    """n accounts, each with `bills` bills (no rebates: the expected balance is then exactly
    what was billed minus what was paid and not reversed). Returns (accounts, billed)."""
    db = Db(url)
    try:
        tariff = make_tariff(db)
        accounts, billed = [], {}
        for i in range(n):
            a = make_metered_account(db, tariff_code=tariff).account_id
            accounts.append(a)
            billed[a] = D(0)
            for j in range(bills):
                total = D(4000 + 1371 * (i + j) % 9000) / 100
                make_bill(db, a, total, f"2026-0{2 + j % 6}-15",
                          issue_date=f"2026-0{2 + j % 6}-01", period_end=f"2026-01-{1 + j:02d}")
                billed[a] += total
        return accounts, billed
    finally:
        db.close()
