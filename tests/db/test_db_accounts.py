"""bin/db-accounts: the contract's server accounts get exactly their grants, idempotently;
bin/webapp-serve serves the web app as billing_app; bin/dbserver's private server lets root in
by its unix socket only (issue 16, finding 9).

Account names are global to the server, so these tests use the script's --prefix (t<pid>_...)
and drop their accounts at the end. A view of their own (dropped again) makes the view grants
testable whatever views exist yet.
"""
import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import MySQLdb
import pytest

from helpers.db import Db, DbError, connect_kwargs, with_database

ROOT = Path(__file__).resolve().parents[2]
PREFIX = f"t{os.getpid()}_"
ROLES = ("billing_app", "billing_report", "billing_batch", "billing_web")
PASSWORDS = {"BILLING_APP_PASSWORD": "app-Secret-1", "BILLING_REPORT_PASSWORD": "rep-Secret-2",
             "BILLING_BATCH_PASSWORD": "bat-Secret-3", "BILLING_WEB_PASSWORD": "web-Secret-5"}
VIEW = "zz_test_accounts_view"


def run_script(db_url, env_file, passwords=PASSWORDS):
    env = {k: v for k, v in os.environ.items() if k not in PASSWORDS}
    env.update(passwords)
    out = subprocess.run([sys.executable, str(ROOT / "bin" / "db-accounts"), "--prefix", PREFIX,
                          "--env-file", str(env_file), db_url],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def login(db_url, role, password, database=None):
    kw = connect_kwargs(db_url, database=database)
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
    # every password came from the environment; the env file keeps them for the next run
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600
    assert dict(line.split("=", 1) for line in accounts.read_text().splitlines()
                if "=" in line and not line.startswith("#")) == PASSWORDS
    assert not any(v in out for v in PASSWORDS.values())       # never printed

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
    # EXECUTE only (sql-api.md): the jobs read views as billing_report
    # (tests/ops/test_jobs_as_contract_accounts.py)
    assert errno_of(lambda: batch.rows(f"SELECT COUNT(*) AS n FROM {VIEW}")) == 1142
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

    # billing_web (Django's own tables): rows of Django's schema, nothing of the billing schema
    with pytest.raises(MySQLdb.OperationalError) as e:
        login(db_url, "billing_web", PASSWORDS["BILLING_WEB_PASSWORD"])
    assert e.value.args[0] == 1044                  # not even USE of the billing schema
    web = login(db_url, "billing_web", PASSWORDS["BILLING_WEB_PASSWORD"], database="")
    schema = db.value("SELECT DATABASE()")
    assert errno_of(lambda: web.rows(f"SELECT * FROM `{schema}`.customer")) == 1142
    assert errno_of(lambda: web.rows(f"SELECT * FROM `{schema}`.{VIEW}")) == 1142
    assert errno_of(lambda: web.call(f"{schema}`.`create_customer", "X", None, None, None,
                                     "x")) == 1370
    web.close()
    for host in ("%", "localhost"):
        assert [g for g in show_grants(db, "billing_web")[host] if "ON *.*" not in g] == [
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON `billing_web`.* TO `{PREFIX}billing_web`@`{host}`"]


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
    assert len(set(values.values())) == 4
    assert not any(v in out for v in values.values())       # never printed
    run_script(db_url, accounts, passwords={})
    assert accounts.read_text() == text
    app = login(db_url, "billing_app", values["BILLING_APP_PASSWORD"])
    assert app.call("create_customer", "Gen", None, None, None, "staff:x")["customer_id"]
    app.close()


def test_a_password_from_the_environment_is_kept_by_the_next_run(db, db_url, accounts):
    """BILLING_REPORT_PASSWORD set once: a later run without it keeps that password (the env
    file holds what the accounts were given), where it used to set the file's old one again."""
    run_script(db_url, accounts, passwords={})
    run_script(db_url, accounts, passwords={"BILLING_REPORT_PASSWORD": "rep-Given-6"})
    run_script(db_url, accounts, passwords={})
    report = login(db_url, "billing_report", "rep-Given-6")
    assert report.rows(f"SELECT COUNT(*) AS n FROM {VIEW}") == [{"n": 0}]
    report.close()
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600
    assert "BILLING_REPORT_PASSWORD=rep-Given-6" in accounts.read_text().splitlines()


def test_an_owner_who_may_not_create_accounts_is_told_what_it_needs(db, db_url, accounts):
    """An owner with every privilege on the schema but not CREATE USER: a sentence naming the
    privileges, exit 1, no traceback."""
    user = f"{PREFIX}owner"
    schema = db.value("SELECT DATABASE()")
    for host in ("%", "localhost"):     # a unix socket or TCP, whichever the tests use
        db.execute(f"CREATE USER '{user}'@'{host}' IDENTIFIED BY 'own-Secret-7'")
    try:
        for host in ("%", "localhost"):
            db.execute(f"GRANT ALL ON `{schema}`.* TO '{user}'@'{host}' WITH GRANT OPTION")
        kw = connect_kwargs(db_url)
        sock = kw.get("unix_socket")
        url = (f"mysql://{user}:own-Secret-7@localhost/{schema}?unix_socket={sock}" if sock else
               f"mysql://{user}:own-Secret-7@{kw['host']}:{kw.get('port', 3306)}/{schema}")
        env = {k: v for k, v in os.environ.items() if k not in PASSWORDS}
        out = subprocess.run([sys.executable, str(ROOT / "bin" / "db-accounts"), "--prefix",
                              PREFIX, "--env-file", str(accounts), url],
                             capture_output=True, text=True, env=env, timeout=60)
        assert out.returncode == 1, out.stdout + out.stderr
        assert "CREATE USER" in out.stderr and "Traceback" not in out.stderr, out.stderr
    finally:
        for host in ("%", "localhost"):
            db.execute(f"DROP USER IF EXISTS '{user}'@'{host}'")


# --- the web app is served as billing_app (make run -> bin/webapp-serve) ---------------------

def test_make_run_serves_the_web_app_as_billing_app(db, db_url, accounts):
    """`make run`'s last step is bin/webapp-serve; its Django process reaches the billing schema
    as billing_app and Django's own schema as billing_web, after bin/webapp-setup migrated
    Django's tables as the owner (and, on a real server, made no demo login)."""
    # --no-print-directory: under `make test` this make is nested and would print its directory
    out = subprocess.run(["make", "--no-print-directory", "-n", "run"], cwd=ROOT,
                         capture_output=True, text=True)
    last = [line for line in out.stdout.splitlines() if line.strip()][-1]
    assert last.strip().startswith("bin/webapp-serve"), out.stdout

    web = db.value("SELECT DATABASE()") + "_srv"
    owner_web_url = with_database(db_url, web)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BILLING_", "DJANGO_SETTINGS"))}
    env.update(PASSWORDS, BILLING_DATABASE_URL=db_url, BILLING_WEB_DATABASE_URL=owner_web_url,
               BILLING_ACCOUNT_PREFIX=PREFIX, DJANGO_SECRET_KEY="tests-only")
    try:
        subprocess.run([sys.executable, str(ROOT / "bin" / "db-accounts"), "--env-file",
                        str(accounts), db_url], env=env, check=True, capture_output=True)
        setup = subprocess.run([str(ROOT / "bin" / "webapp-setup")], env=env,
                               capture_output=True, text=True, timeout=300)
        assert setup.returncode == 0, setup.stdout + setup.stderr
        # a real server (BILLING_DATABASE_URL set): no demo logins with their published password
        assert "no demo logins" in setup.stdout, setup.stdout
        assert db.value(f"SELECT COUNT(*) FROM `{web}`.auth_user") == 0
        probe = (
            "from django.db import connections\n"
            "from django.contrib.sessions.backends.db import SessionStore\n"
            "for alias in ('billing', 'default'):\n"
            "    c = connections[alias].cursor(); c.execute('SELECT USER(), DATABASE()')\n"
            "    print(alias, *c.fetchone())\n"
            "c = connections['billing'].cursor()\n"
            "try:\n"
            "    c.execute('SELECT COUNT(*) FROM customer'); print('table read allowed')\n"
            "except Exception as e:\n"
            "    print('table read refused', e.args[0])\n"
            "s = SessionStore(); s['k'] = 1; s.create(); print('session saved')\n")
        run = subprocess.run([str(ROOT / "bin" / "webapp-serve"), "shell", "-c", probe], env=env,
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
        lines = run.stdout.splitlines()
        assert f"billing {PREFIX}billing_app@localhost {db.value('SELECT DATABASE()')}" in lines, \
            run.stdout
        assert f"default {PREFIX}billing_web@localhost {web}" in lines, run.stdout
        assert "table read refused 1142" in lines, run.stdout
        assert "session saved" in lines, run.stdout
    finally:
        db.execute(f"DROP DATABASE IF EXISTS `{web}`")


# --- the private server: root by its unix socket only ------------------------------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dbserver(env, command):
    out = subprocess.run([str(ROOT / "bin" / "dbserver"), command], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, f"bin/dbserver {command}: {out.stdout}{out.stderr}"
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""


def _mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_private_server_root_only_by_unix_socket_and_private_files(db_url):
    """An install made the old way (passwordless root for 127.0.0.1, ::1 and the host name,
    world-writable directories) is fixed by its next start, and keeps its data; a second start
    keeps it so."""
    base = Path(tempfile.mkdtemp(prefix="billacc-", dir="/tmp"))     # short: socket path limit
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "BILLING_DATABASE_URL"}
    env.update(BILLING_DB_DIR=str(base), BILLING_DB_PORT=str(port), BILLING_DB_NAME="billing",
               BILLING_DB_BUFFER_POOL="64M")
    data = base / "data"
    try:
        as_root = ["--user=root"] if os.getuid() == 0 else []
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={data}", *as_root,
                        "--skip-test-db", "--auth-root-authentication-method=normal"],
                       check=True, capture_output=True)
        os.chmod(base, 0o777)
        os.chmod(data, 0o777)
        url = _dbserver(env, "start")
        d = Db(url)
        d.execute("CREATE TABLE kept (v INT)")
        d.execute("INSERT INTO kept VALUES (42)")
        d.close()
        _dbserver(env, "stop")
        for _ in range(2):                      # the data kept, and a second start alike
            url = _dbserver(env, "start")
            d = Db(url)
            assert d.value("SELECT v FROM kept") == 42
            hosts = d.rows("SELECT user AS user, host AS host, plugin FROM mysql.user WHERE user IN ('root', '') "
                           "ORDER BY user, host")
            assert hosts == [{"user": "root", "host": "localhost", "plugin": "unix_socket"}]
            me = pwd.getpwuid(os.getuid()).pw_name        # the owner: the OS user, by socket
            assert d.value("SELECT USER()") == f"{me}@localhost"
            d.close()
            for password in (None, ""):             # root over TCP: refused
                kw = {"passwd": password} if password is not None else {}
                with pytest.raises(MySQLdb.OperationalError) as e:
                    MySQLdb.connect(host="127.0.0.1", port=port, user="root", connect_timeout=5,
                                    **kw)
                assert e.value.args[0] in (1045, 1698), e.value.args
            for path in (base, data, base / "tmp"):
                assert _mode(path) & 0o077 == 0, oct(_mode(path))
            assert _mode(base / "mysqld.sock") & 0o007 == 0, oct(_mode(base / "mysqld.sock"))
            _dbserver(env, "stop")
    finally:
        subprocess.run([str(ROOT / "bin" / "dbserver"), "stop"], env=env, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)

