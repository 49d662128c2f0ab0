"""Backups: manage.py backup dumps the schema consistently, manage.py restore loads it into a
new database, and the copy is the same: row counts of every table, balances, routines, triggers,
views; the integrity view is empty and the procedures work there."""
import gzip
import subprocess
from pathlib import Path

import MySQLdb
import pytest

from helpers.db import Db, connect_kwargs, with_database
from helpers.factories import make_metered_account, make_tariff
from ops.jobhelp import manage

ROOT = Path(__file__).resolve().parents[2]
OBJECTS = ("SELECT routine_type AS kind, routine_name AS name FROM information_schema.routines "
           "WHERE routine_schema = DATABASE() UNION ALL "
           "SELECT 'TRIGGER', trigger_name FROM information_schema.triggers "
           "WHERE trigger_schema = DATABASE() UNION ALL "
           "SELECT 'VIEW', table_name FROM information_schema.views WHERE table_schema = DATABASE() "
           "ORDER BY kind, name")
# every body as the server keeps it, in-body comments included
BODIES = ("SELECT routine_type AS kind, routine_name AS name, routine_definition AS body "
          "FROM information_schema.routines WHERE routine_schema = DATABASE() UNION ALL "
          "SELECT 'TRIGGER', trigger_name, action_statement FROM information_schema.triggers "
          "WHERE trigger_schema = DATABASE() ORDER BY kind, name")


@pytest.fixture
def restored(db):
    """The name of a database for the restore; dropped afterwards."""
    name = db.value("SELECT DATABASE()") + "_restored"
    server = MySQLdb.connect(**connect_kwargs(db.url, database=""))
    server.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
    yield name
    server.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
    server.close()


def some_data(db):
    tariff = make_tariff(db)
    accounts = []
    for i in range(4):
        acc = make_metered_account(db, tariff_code=tariff, opened_on="2026-09-01",
                                   initial_read=100, name=f"Zoë {i} ‏עברית 🙂")
        db.call("record_reading", acc.serial, "2026-10-31", 150 + 10 * i, "field", "staff:t")
        accounts.append(acc)
    db.call("run_billing", "2026-10-01", "2026-10-31", "2026-11-01", 14, "batch:t")
    db.call("post_payment", accounts[0].account_id, "3.00", "cash", "2026-11-05 10:00:00",
            "bk-1", "staff:t")
    db.call("post_payment", accounts[1].account_id, "50.00", "card", "2026-11-06 10:00:00",
            "bk-2", "staff:t")
    return accounts


def test_backup_and_restore_into_a_new_database(db, restored, tmp_path):
    accounts = some_data(db)
    dump = tmp_path / "billing.sql.gz"
    out = manage(db.url, "backup", "--output", dump)
    assert out.returncode == 0, out.stderr
    assert f"backup of {db.value('SELECT DATABASE()')}: {dump}" in out.stdout
    text = gzip.open(dump, "rt", encoding="utf-8").read()
    for needle in ("CREATE TABLE `bill`", "PROCEDURE `run_billing`", "TRIGGER",
                   "VIEW `v_account_balance`", "INSERT INTO `_yoyo_migration`"):
        assert needle in text, needle
    assert "CREATE DATABASE" not in text and "\nUSE " not in text
    assert not list(tmp_path.glob("*.part"))

    out = manage(db.url, "restore", dump, "--database", restored)
    assert out.returncode == 0, out.stderr
    copy = Db(with_database(db.url, restored))
    try:
        assert copy.snapshot() == db.snapshot()
        assert copy.rows(OBJECTS) == db.rows(OBJECTS)
        # restored bodies keep their comments (the client strips them unless --comments)
        bodies = db.rows(BODIES)
        assert any("-- " in r["body"] for r in bodies if r["name"] == "post_payment")
        assert copy.rows(BODIES) == bodies
        balances = "SELECT * FROM v_account_balance ORDER BY account_id"
        assert copy.rows(balances) == db.rows(balances)
        assert copy.rows("SELECT * FROM v_bill_summary ORDER BY bill_id") == db.rows(
            "SELECT * FROM v_bill_summary ORDER BY bill_id")
        assert copy.value("SELECT customer_name FROM v_account_balance WHERE account_id = %s",
                          accounts[0].account_id) == "Zoë 0 ‏עברית 🙂"
        assert copy.rows("SELECT * FROM v_ledger_integrity") == []
        # the restored schema works: the procedures and the append-only triggers are there
        r = copy.call("post_payment", accounts[2].account_id, "1.00", "cash",
                      "2026-11-07 10:00:00", "bk-3", "staff:t")
        assert r["replayed"] == 0
        assert copy.call("post_payment", accounts[0].account_id, "3.00", "cash",
                         "2026-11-05 10:00:00", "bk-1", "staff:t")["replayed"] == 1
        with pytest.raises(Exception) as e:
            copy.execute("DELETE FROM ledger_entry")
        assert e.value.errno == 45060
        assert copy.rows("SELECT * FROM v_ledger_integrity") == []
        assert db.value("SELECT COUNT(*) FROM payment") == 2        # the original is untouched
    finally:
        copy.close()
    check = manage(with_database(db.url, restored), "check_integrity")
    assert check.returncode == 0, check.stdout
    # the copy runs what the files under db/ say (bin/verify-routines)
    verify = subprocess.run([str(ROOT / "bin" / "verify-routines"), with_database(db.url, restored)],
                            capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_restore_refuses_a_database_with_tables(db, tmp_path):
    dump = tmp_path / "billing.sql"
    assert manage(db.url, "backup", "-o", dump).returncode == 0
    before = db.snapshot()
    out = manage(db.url, "restore", dump)                  # into the live schema itself
    assert out.returncode == 2 and "restore into a new or empty database" in out.stderr
    assert db.snapshot() == before
    missing = manage(db.url, "restore", tmp_path / "nothing.sql", "--database", "x")
    assert missing.returncode == 2 and "no such dump file" in missing.stderr


def test_failed_backup_leaves_no_file(db, tmp_path):
    dump = tmp_path / "b.sql"
    out = manage(with_database(db.url, "no_such_database_here"), "backup", "-o", dump)
    assert out.returncode == 2 and "backup of no_such_database_here failed" in out.stderr
    assert list(tmp_path.iterdir()) == []


def test_backup_into_a_directory_names_the_file(db, tmp_path):
    out = manage(db.url, "backup", "--output", tmp_path)
    assert out.returncode == 0, out.stderr
    files = list(tmp_path.iterdir())
    database = db.value("SELECT DATABASE()")
    assert len(files) == 1 and files[0].name.startswith(f"{database}-")
    assert files[0].name.endswith(".sql.gz") and files[0].stat().st_mode & 0o077 == 0


def test_backup_into_a_directory_not_there_yet(db, tmp_path):
    """`--output /srv/backups/` on a machine without that directory: the trailing slash names a
    directory, which is created, not a file called "backups"."""
    target = tmp_path / "backups"
    out = manage(db.url, "backup", "--output", f"{target}/")
    assert out.returncode == 0, out.stderr
    assert target.is_dir()
    files = list(target.iterdir())
    assert len(files) == 1 and files[0].name.endswith(".sql.gz")
