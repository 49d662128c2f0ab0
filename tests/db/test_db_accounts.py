"""bin/db-accounts: the contract's server accounts get exactly their grants, idempotently.

Account names are global to the server, so these tests use the script's --prefix (t<pid>_...)
and drop their accounts at the end. A view of their own (dropped again) makes the view grants
testable whatever views exist yet.
"""
import os
import stat
import subprocess
import sys
from pathlib import Path

import MySQLdb
import pytest

from support import Db, DbError, connect_kwargs

ROOT = Path(__file__).resolve().parents[2]
PREFIX = f"t{os.getpid()}_"
ROLES = ("billing_app", "billing_report", "billing_batch")
PASSWORDS = {"BILLING_APP_PASSWORD": "app-Secret-1", "BILLING_REPORT_PASSWORD": "rep-Secret-2",
             "BILLING_BATCH_PASSWORD": "bat-Secret-3"}
VIEW = "zz_test_accounts_view"


def run_script(db_url, env_file, passwords=PASSWORDS):
    env = {k: v for k, v in os.environ.items() if k not in PASSWORDS}
    env.update(passwords)
    out = subprocess.run([sys.executable, str(ROOT / "bin" / "db-accounts"), "--prefix", PREFIX,
                          "--env-file", str(env_file), db_url],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def login(db_url, role, password):
    kw = connect_kwargs(db_url)
    kw.update(user=PREFIX + role, passwd=password)
    d = Db.__new__(Db)
    d.url, d.conn = db_url, MySQLdb.connect(**kw)
    return d


def show_grants(db, role):
    out = {}
    for host in ("%", "localhost"):
        cur = db.conn.cursor()
        cur.execute(f"SHOW GRANTS FOR '{PREFIX}{role}'@'{host}'")
        out[host] = sorted(r[0] for r in cur.fetchall())
        cur.close()
    return out


@pytest.fixture
def accounts(db, db_url, tmp_path):
    db.execute(f"CREATE VIEW {VIEW} AS SELECT customer_id, customer_no FROM customer")
    try:
        yield tmp_path / "accounts.env"
    finally:
        db.execute(f"DROP VIEW IF EXISTS {VIEW}")
        for role in ROLES:
            for host in ("%", "localhost"):
                db.execute(f"DROP USER IF EXISTS '{PREFIX}{role}'@'{host}'")


def errno_of(fn):
    with pytest.raises(DbError) as e:
        fn()
    return e.value.errno


def test_each_account_gets_exactly_the_contract_grants(db, db_url, accounts):
    out = run_script(db_url, accounts)
    assert "from the environment" in out
    assert not accounts.exists()           # every password came from the environment

    app = login(db_url, "billing_app", PASSWORDS["BILLING_APP_PASSWORD"])
    r = app.call("create_customer", "Via App", None, None, None, "staff:app")
    assert r["customer_no"] == "C0000001"
    assert app.rows(f"SELECT customer_no FROM {VIEW}") == [{"customer_no": "C0000001"}]
    assert errno_of(lambda: app.execute(
        "INSERT INTO customer (customer_no, full_name) VALUES ('X1', 'x')")) == 1142
    assert errno_of(lambda: app.execute("UPDATE customer SET full_name = 'x'")) == 1142
    assert errno_of(lambda: app.execute("DELETE FROM customer")) == 1142
    assert errno_of(lambda: app.rows("SELECT * FROM customer")) == 1142
    assert errno_of(lambda: app.call("_fail", 45001, "x")) == 1370   # internal helper
    tables = db.rows("SELECT table_name AS t, (SELECT column_name FROM information_schema.columns c "
                     "WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name "
                     "ORDER BY ordinal_position LIMIT 1) AS c FROM information_schema.tables t "
                     "WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'")
    assert len(tables) >= 18
    for t in tables:   # no billing table can be written by the app, whatever its name
        assert errno_of(lambda: app.execute(f"INSERT INTO `{t['t']}` () VALUES ()")) == 1142, t
        assert errno_of(lambda: app.execute(f"UPDATE `{t['t']}` SET `{t['c']}` = `{t['c']}`")) == 1142, t
        assert errno_of(lambda: app.execute(f"DELETE FROM `{t['t']}`")) == 1142, t
    app.close()

    report = login(db_url, "billing_report", PASSWORDS["BILLING_REPORT_PASSWORD"])
    assert report.rows(f"SELECT customer_no FROM {VIEW}") == [{"customer_no": "C0000001"}]
    assert errno_of(lambda: report.call("create_customer", "X", None, None, None, "x")) == 1370
    assert errno_of(lambda: report.rows("SELECT * FROM customer")) == 1142
    assert errno_of(lambda: report.execute("DELETE FROM customer")) == 1142
    report.close()

    batch = login(db_url, "billing_batch", PASSWORDS["BILLING_BATCH_PASSWORD"])
    assert batch.call("create_customer", "Via Batch", None, None, None, "batch:test")
    assert batch.rows(f"SELECT COUNT(*) AS n FROM {VIEW}") == [{"n": 2}]
    assert errno_of(lambda: batch.execute("UPDATE customer SET full_name = 'x'")) == 1142
    assert errno_of(lambda: batch.rows("SELECT * FROM customer")) == 1142
    batch.close()

    # every public procedure is granted, no table and nothing on db.*
    procs = {r["n"] for r in db.rows(
        "SELECT routine_name AS n FROM information_schema.routines WHERE routine_schema = "
        "DATABASE() AND routine_type = 'PROCEDURE' AND routine_name NOT LIKE '\\_%%'")}
    app_grants = show_grants(db, "billing_app")["localhost"]
    granted = {line.split("`.`")[1].split("`")[0] for line in app_grants
               if line.startswith("GRANT EXECUTE ON PROCEDURE")}
    assert granted == procs
    assert not [g for g in app_grants if ".*" in g and "ON *.*" not in g]


def test_rerunning_is_idempotent_and_resyncs_and_updates_passwords(db, db_url, accounts):
    run_script(db_url, accounts)
    first = {role: show_grants(db, role) for role in ROLES}
    db_name = db.value("SELECT DATABASE()")
    # hand-made grants that the contract does not give: the next run takes them away
    db.execute(f"GRANT SELECT, INSERT ON `{db_name}`.customer TO '{PREFIX}billing_app'@'localhost'")
    db.execute(f"GRANT EXECUTE ON PROCEDURE `{db_name}`.create_customer "
               f"TO '{PREFIX}billing_report'@'%'")
    db.execute(f"GRANT SELECT ON `{db_name}`.* TO '{PREFIX}billing_batch'@'localhost'")
    new = dict(PASSWORDS, BILLING_REPORT_PASSWORD="rep-Changed-4")
    run_script(db_url, accounts, new)
    for role in ("billing_app", "billing_batch"):
        assert show_grants(db, role) == first[role]
    for host in ("%", "localhost"):     # the same grants (the password line differs)
        assert [g for g in show_grants(db, "billing_report")[host] if "ON *.*" not in g] == \
            [g for g in first["billing_report"][host] if "ON *.*" not in g]
    report = login(db_url, "billing_report", "rep-Changed-4")
    assert report.rows(f"SELECT COUNT(*) AS n FROM {VIEW}") == [{"n": 0}]
    report.close()
    with pytest.raises(MySQLdb.OperationalError):
        login(db_url, "billing_report", PASSWORDS["BILLING_REPORT_PASSWORD"])


def test_generated_passwords_are_kept_private_and_reused(db, db_url, accounts):
    out = run_script(db_url, accounts, passwords={})
    assert str(accounts) in out
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600
    text = accounts.read_text()
    values = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    assert set(values) == set(PASSWORDS)
    assert len(set(values.values())) == 3
    assert not any(v in out for v in values.values())       # never printed
    run_script(db_url, accounts, passwords={})
    assert accounts.read_text() == text
    app = login(db_url, "billing_app", values["BILLING_APP_PASSWORD"])
    assert app.call("create_customer", "Gen", None, None, None, "staff:x")["customer_id"]
    app.close()
