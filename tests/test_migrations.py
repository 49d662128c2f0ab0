"""The schema comes from the migrations alone; every routine file under db/ is deployed by the
repeatable step (migrations/9999_routines.py, db/deploy.py), fresh or by upgrade, and verified."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import MySQLdb
import pytest

from helpers.db import Db, apply_migrations, connect_kwargs, with_database
from helpers.servers import private_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "db"))
import deploy  # noqa: E402

# the last commit where routines were created by pinned migrations 0002..0019 (the old mechanism)
OLD_MECHANISM = "9b3110b"


def routine_files():
    return sorted(p.relative_to(ROOT / "db").as_posix()
                  for sub in ("procedures", "functions", "triggers", "views")
                  for p in (ROOT / "db" / sub).glob("*.sql"))


def verify(url):
    return subprocess.run([str(ROOT / "bin" / "verify-routines"), url],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def scratch_db(server_url):
    """Makes empty databases on the test server (dropped at the end)."""
    base = MySQLdb.connect(**connect_kwargs(server_url, database=""))
    cur = base.cursor()
    made = []

    def _make(suffix):
        name = f"{connect_kwargs(server_url).get('db') or 'billing'}_{suffix}{os.getpid()}"
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        made.append(name)
        return with_database(server_url, name)

    yield _make
    for name in made:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    base.close()


def definitions(url):
    conn = deploy.connect(url)
    try:
        cur = conn.cursor()
        return deploy.server_definitions(cur)
    finally:
        conn.close()


def test_every_routine_file_is_named_after_its_object():
    for f in routine_files():
        kind, name, _ = deploy.parse(f)
        assert Path(f).stem == name, f"{f} creates {kind} {name}"
        assert Path(f).parts[0] == deploy.DIRS[kind], f


def test_no_public_procedure_has_a_typed_twin():
    """One routine, one file: a contract procedure converts its arguments itself (issue 18)."""
    names = {Path(f).stem for f in routine_files() if f.startswith("procedures/")}
    twins = sorted(f"_{n}" for n in names if not n.startswith("_") and f"_{n}" in names)
    assert not twins


def test_every_routine_file_exists_in_the_migrated_database(db):
    present = {(r["k"], r["n"]) for r in db.rows(
        "SELECT routine_type AS k, routine_name AS n FROM information_schema.routines "
        "WHERE routine_schema = DATABASE() "
        "UNION ALL SELECT 'TRIGGER', trigger_name FROM information_schema.triggers "
        "WHERE trigger_schema = DATABASE() "
        "UNION ALL SELECT 'VIEW', table_name FROM information_schema.views WHERE table_schema = DATABASE()")}
    missing = [f for f in routine_files() if deploy.parse(f)[:2] not in present]
    assert not missing


def test_a_routine_comment_is_its_file_header_and_hash(db):
    comments = {r["n"]: r["c"] for r in db.rows(
        "SELECT routine_name AS n, routine_comment AS c FROM information_schema.routines "
        "WHERE routine_schema = DATABASE()")}
    for f in routine_files():
        kind, name, _ = deploy.parse(f)
        if kind in ("PROCEDURE", "FUNCTION"):
            assert comments[name] == (f"{deploy.header(f)}\n(db/{f} sha256 {deploy.file_hash(f)})")
            assert len(comments[name].encode()) <= deploy.COMMENT_MAX
    recorded = {(r["kind"], r["name"]): r["sha256"] for r in db.rows(
        "SELECT kind, name, sha256 FROM _yoyo_routine")}
    assert recorded == {deploy.parse(f)[:2]: deploy.file_hash(f) for f in routine_files()}


def test_reapplying_the_migrations_changes_nothing(db_url, db):
    from yoyo import get_backend, read_migrations
    before = db.rows("SELECT * FROM _yoyo_routine ORDER BY kind, name")
    backend = get_backend(db_url)
    try:
        pending = backend.to_apply(read_migrations(str(ROOT / "migrations")))
        assert [m.id for m in pending] == ["9999_routines"]   # the repeatable step, always
    finally:
        backend.connection.close()
    apply_migrations(db_url)
    assert db.rows("SELECT * FROM _yoyo_routine ORDER BY kind, name") == before


def test_verify_is_clean_on_the_migrated_database(db_url):
    out = verify(db_url)
    assert out.returncode == 0, out.stdout + out.stderr


def test_verify_reports_a_change_made_by_hand_and_apply_repairs_it(db_url, db):
    try:
        db.execute("CREATE OR REPLACE VIEW v_aging AS SELECT 1 AS hot_fix")
        db.execute("DROP PROCEDURE close_account")
        db.execute("CREATE PROCEDURE close_account(IN p_account_id LONGTEXT, IN p_closed_on "
                   "LONGTEXT, IN p_actor LONGTEXT) SQL SECURITY DEFINER BEGIN END")
        db.execute("DROP TRIGGER customer_audit_delete")
        db.execute("CREATE FUNCTION hand_made() RETURNS INT DETERMINISTIC RETURN 1")
        out = verify(db_url)
        assert out.returncode == 1
        assert sorted(out.stdout.splitlines()) == sorted([
            "PROCEDURE close_account: changed on the server since it was deployed",
            "VIEW v_aging: changed on the server since it was deployed",
            "TRIGGER customer_audit_delete: missing",
            "FUNCTION hand_made: no file",
        ])
    finally:
        apply_migrations(db_url)
    assert verify(db_url).returncode == 0
    assert db.rows("SELECT routine_name FROM information_schema.routines "
                   "WHERE routine_schema = DATABASE() AND routine_name = 'hand_made'") == []


def test_fresh_and_upgraded_databases_have_the_same_routines(scratch_db, tmp_path):
    fresh = scratch_db("fresh")
    apply_migrations(fresh)

    # the old history: migrations 0001..0019 of the pinned-hash mechanism, with their db/ files
    old = tmp_path / "old"
    old.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", OLD_MECHANISM, "migrations", "db"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    upgraded = scratch_db("upgraded")
    subprocess.run([str(ROOT / ".venv" / "bin" / "yoyo"), "apply", "--batch", "--database",
                    upgraded, str(old / "migrations")], check=True, capture_output=True)
    before = definitions(upgraded)
    assert ("PROCEDURE", "post_payment") in before and ("VIEW", "v_aging") in before
    out = verify(upgraded)                  # nothing recorded yet: everything is to deploy
    assert out.returncode == 1 and "PROCEDURE post_payment: not deployed at the hash of " \
        "db/procedures/post_payment.sql" in out.stdout.splitlines()
    apply_migrations(upgraded)

    assert definitions(upgraded) == definitions(fresh)
    assert verify(upgraded).returncode == 0 and verify(fresh).returncode == 0


def test_new_files_are_created_gone_files_dropped_changed_files_re_created(scratch_db, tmp_path):
    url = scratch_db("files")
    apply_migrations(url)
    files = tmp_path / "db"
    shutil.copytree(ROOT / "db", files, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (files / "functions" / "zz_added.sql").write_text(
        "-- zz_added: a new function.\nCREATE FUNCTION zz_added() RETURNS INT\n"
        "    DETERMINISTIC\n    NO SQL\n    SQL SECURITY INVOKER\nRETURN 7\n")
    (files / "views" / "zz_on_zz.sql").write_text(       # a view on a view that sorts after it
        "-- zz_on_zz: reads zz_view.\nCREATE VIEW zz_on_zz AS SELECT n + 1 AS m FROM zz_view\n")
    (files / "views" / "zz_view.sql").write_text(
        "-- zz_view: calls a new function.\nCREATE VIEW zz_view AS SELECT zz_added() AS n\n")
    (files / "views" / "v_aging.sql").unlink()
    for changed in ("triggers/customer_audit_delete.sql", "procedures/close_account.sql"):
        (files / changed).write_text((files / changed).read_text() + "\n")
    routines = deploy.load(files)
    d = Db(url)
    user = f"'zz_grants{os.getpid()}'@'localhost'"
    schema = d.value("SELECT DATABASE()")
    d.execute(f"CREATE USER {user}")
    conn = deploy.connect(url)
    try:
        d.execute(f"GRANT EXECUTE ON PROCEDURE `{schema}`.close_account TO {user}")
        d.execute(f"GRANT EXECUTE ON PROCEDURE `{schema}`.open_account TO {user}")
        done = deploy.deploy(conn, routines, log=lambda *_: None)
        assert sorted(done) == sorted([
            ("drop", "VIEW", "v_aging"), ("create", "FUNCTION", "zz_added"),
            ("create", "VIEW", "zz_view"), ("create", "VIEW", "zz_on_zz"),
            ("create", "TRIGGER", "customer_audit_delete"),
            ("create", "PROCEDURE", "close_account")])
        assert deploy.verify(conn, routines) == []
        assert deploy.deploy(conn, routines) == []
        assert d.value("SELECT m FROM zz_on_zz") == 8
        # the re-created procedure keeps the grants others had on it
        grants = " ".join(next(iter(r.values())) for r in d.rows(f"SHOW GRANTS FOR {user}"))
        assert "`close_account`" in grants and "`open_account`" in grants
    finally:
        conn.close()
        d.execute(f"DROP USER {user}")
        d.close()


def test_a_new_database_collation_re_creates_the_routines(scratch_db):
    """Parameters and locals take the database's default collation when a routine is created:
    after ALTER DATABASE, the routines are re-created under the new one."""
    url = scratch_db("coll")
    apply_migrations(url)
    d = Db(url)
    d.execute(f"ALTER DATABASE `{d.value('SELECT DATABASE()')}` COLLATE utf8mb4_general_ci")
    out = verify(url)
    assert out.returncode == 1
    assert "PROCEDURE post_payment: created under the database collation utf8mb4_unicode_ci, " \
           "now utf8mb4_general_ci" in out.stdout.splitlines()
    apply_migrations(url)
    assert verify(url).returncode == 0
    assert d.value("SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = "
                   "DATABASE() AND database_collation <> 'utf8mb4_general_ci'") == 0
    d.close()


def test_the_binary_log_without_trust_stops_the_deploy_with_what_to_do():
    with private_server("billbl-", buffer_pool="32M",
                        extra_args="--log-bin={dir}/binlog --server-id=1") as server:
        url = server.start()
        root = Db(url)
        root.execute("SET GLOBAL log_bin_trust_function_creators = 0")
        root.execute("CREATE USER 'owner'@'localhost' IDENTIFIED BY 'pw'")
        root.execute("GRANT ALL ON billing.* TO 'owner'@'localhost'")
        root.close()
        kw = connect_kwargs(url)
        owner = (f"mysql://owner:pw@localhost/billing?unix_socket={kw['unix_socket']}"
                 if "unix_socket" in kw else f"mysql://owner:pw@{kw['host']}:{kw['port']}/billing")
        out = subprocess.run([str(ROOT / ".venv" / "bin" / "yoyo"), "apply", "--batch",
                              "--database", owner, str(ROOT / "migrations")],
                             capture_output=True, text=True, timeout=300)
        assert out.returncode != 0
        assert deploy.BINLOG_MESSAGE in out.stdout + out.stderr


def test_database_matches_the_sql_contract(db_url):
    check = ROOT.parent / "shared" / "bin" / "check-contract"
    out = subprocess.run([sys.executable, str(check), db_url],      # every object built
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
