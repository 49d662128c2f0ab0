"""Connections to the test database, calls of the SQL contract, the session clock, and the
schema itself (migrations, emptying, a fresh database).

The tests talk to a real server (tests/conftest.py says where it comes from). `Db.call` runs one
procedure of the contract and returns its one-row result as a dict, or raises `DbError` with
the server's error number.

The clock. "Today" in SQL is the session's CURRENT_DATE, and the rules refuse what is not yet
(billing-rules.md: a billing period must be over, bills are issued today or later, late fees are
not assessed as of a day to come, a payment is not dated in the future). Tests that bill the
past move the session clock instead of breaking the rules:
- `db.set_clock("2027-01-01")` moves that connection's CURRENT_DATE/NOW() for the rest of the
  test (a date means its noon; None: the real clock again);
- `with db.at("2026-02-01"): ...` runs the block on that day, then goes back to the clock before;
- `db.call("run_billing", ...)` and `db.call("bill_account", ...)` outside an `at` block run on
  their issue date, as a billing job of that day would, and come back to the clock before (a
  test that wants another day, e.g. to see a period that is not over refused, says so with
  `db.at`).

The schema: `apply_migrations(url)` runs the production yoyo migrations; `new_database(server_url,
name)` makes a database with the whole schema for a `with` block and drops it after;
`billing_tables(db)` names the billing tables and `truncate_all(db, tables)` empties them.
"""
import contextlib
import datetime as dt
import sys
from pathlib import Path

import MySQLdb
import MySQLdb.cursors

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "db"))
from dburl import connect_kwargs, with_database  # noqa: E402,F401  (the one URL parser; tests import them from here)


@contextlib.contextmanager
def holding_account_lock(url, account_id):
    """Another session holds the account's row lock (what every procedure that writes money on
    the account locks first) until the block ends, then rolls back."""
    conn = MySQLdb.connect(**{**connect_kwargs(url), "autocommit": True})
    try:
        cur = conn.cursor()
        cur.execute("START TRANSACTION")
        cur.execute("SELECT account_id FROM account WHERE account_id = %s FOR UPDATE",
                    (account_id,))
        yield
    finally:
        conn.rollback()
        conn.close()


class DbError(Exception):
    def __init__(self, errno, message):
        super().__init__(f"{errno}: {message}")
        self.errno = errno
        self.message = message


def _close(cur):
    """Close a cursor; on a connection the server dropped, closing raises too (it tries to read
    the remaining results): the error that matters has been raised already."""
    try:
        cur.close()
    except MySQLdb.Error:
        pass


def last_result_set(cur):
    """Reads every result set of the statement just executed on `cur` (a CALL may return several,
    then its status) and returns the last one's rows as a list (None if there was none)."""
    last = None
    while True:
        if cur.description is not None:
            last = list(cur.fetchall())
        if not cur.nextset():
            return last


# procedure -> position of its issue date argument: these bill on their issue date (see above)
ISSUE_DATE_ARG = {"run_billing": 2, "bill_account": 3, "preview_billing": 2, "preview_bill_account": 3}


def as_date(x):
    """x as a datetime.date (a datetime's day, a date, or 'YYYY-MM-DD'); None if it is none."""
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    try:
        return dt.date.fromisoformat(str(x))
    except ValueError:
        return None


class Db:
    """One autocommit connection to the billing schema, with helpers for the tests."""
    clock = None        # the day/time set by set_clock(); None: the server's real clock
    _pinned = False     # inside at(): billing calls keep that clock

    def __init__(self, url):
        self.url = url
        self.conn = MySQLdb.connect(**connect_kwargs(url))

    def set_clock(self, when):
        """Moves this session's NOW()/CURRENT_DATE to `when` from now on (a date means its noon;
        None: the server's real clock again). Billing calls still run on their issue date and
        come back to this clock."""
        self._set_timestamp(when)
        self.clock = when

    def _set_timestamp(self, when):
        if when is None:
            self.execute("SET timestamp = DEFAULT")
            return
        if not isinstance(when, dt.datetime):
            d = as_date(when)
            when = (dt.datetime.combine(d, dt.time(12, 0)) if d
                    else dt.datetime.fromisoformat(str(when)))
        self.execute("SET timestamp = UNIX_TIMESTAMP(%s)", when.strftime("%Y-%m-%d %H:%M:%S"))

    @contextlib.contextmanager
    def at(self, when):
        """Runs the block with this session's clock on `when`, billing calls included; then the
        clock is what it was before."""
        pinned = self._pinned
        self._set_timestamp(when)
        self._pinned = True
        try:
            yield self
        finally:
            self._pinned = pinned
            self._set_timestamp(self.clock)

    def close(self):
        self.conn.close()

    def _cursor(self):
        return self.conn.cursor(MySQLdb.cursors.DictCursor)

    def call(self, proc, *args):
        """CALL proc(args) and return the first row of its last result set (a dict)."""
        rows = self.call_rows(proc, *args)
        return rows[0] if rows else None

    def call_rows(self, proc, *args):
        pos = ISSUE_DATE_ARG.get(proc)
        if not self._pinned and pos is not None and len(args) > pos and as_date(args[pos]):
            with self.at(as_date(args[pos])):
                return self.call_rows(proc, *args)
        placeholders = ", ".join(["%s"] * len(args))
        cur = self._cursor()
        try:
            cur.execute(f"CALL `{proc}`({placeholders})", args)
            return last_result_set(cur)
        except MySQLdb.Error as e:
            raise DbError(e.args[0], e.args[1] if len(e.args) > 1 else "") from None
        finally:
            _close(cur)

    def rows(self, sql, *args):
        cur = self._cursor()
        try:
            cur.execute(sql, args or None)
            return list(cur.fetchall()) if cur.description else []
        except MySQLdb.Error as e:
            raise DbError(e.args[0], e.args[1] if len(e.args) > 1 else "") from None
        finally:
            _close(cur)

    def row(self, sql, *args):
        rows = self.rows(sql, *args)
        return rows[0] if rows else None

    def value(self, sql, *args):
        row = self.row(sql, *args)
        return None if row is None else next(iter(row.values()))

    def execute(self, sql, *args):
        cur = self.conn.cursor()
        try:
            cur.execute(sql, args or None)
            return cur.rowcount
        except MySQLdb.Error as e:
            raise DbError(e.args[0], e.args[1] if len(e.args) > 1 else "") from None
        finally:
            _close(cur)

    def snapshot(self):
        """Row counts of every billing table, to prove that a failed call wrote nothing."""
        return {t: self.value(f"SELECT COUNT(*) FROM `{t}`") for t in billing_tables(self)}


def billing_tables(d):
    """The base tables of the connection's schema (yoyo's own left out), by name."""
    return [r["t"] for r in d.rows(
        "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() "
        "AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_yoyo%' ORDER BY table_name")]


def used_tables(d, tables):
    """Those of `tables` that a TRUNCATE would change: with a row, or empty with an AUTO_INCREMENT
    moved on since the last TRUNCATE (an INSERT rolled back leaves no row but a used id, and a
    test may expect the first id). Two statements, about 2 ms; the second names its tables, as
    information_schema opens every table of the schema for AUTO_INCREMENT otherwise (12 ms)."""
    if not tables:
        return []
    full = {r["t"] for r in d.rows(" UNION ALL ".join(
        f"SELECT '{t}' AS t FROM DUAL WHERE EXISTS (SELECT 1 FROM `{t}`)" for t in tables))}
    empty = [t for t in tables if t not in full]
    moved = set()
    if empty:
        # MySQL caches information_schema's AUTO_INCREMENT for a day unless told not to;
        # MariaDB reads it from the table and has no such variable
        try:
            d.execute("SET SESSION information_schema_stats_expiry = 0")
        except DbError:
            pass
        names = ", ".join(f"'{t}'" for t in empty)
        moved = {r["t"] for r in d.rows(
            "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = "
            f"DATABASE() AND table_name IN ({names}) AND auto_increment > 1")}
    return [t for t in tables if t in full or t in moved]


def truncate_all(d, tables):
    """Empties `tables` on the Db `d` (TRUNCATE: triggers do not fire, so the append-only rules
    stay in force for everything else): each one that has a row or a used AUTO_INCREMENT id
    (used_tables), so that every table is as a fresh schema has it. TRUNCATE re-creates the
    table's file, 2-3 ms a table: all 53 on every test cost 0.14 s, about a fifth of the suite."""
    tables = used_tables(d, tables)
    if not tables:
        return
    # TRUNCATE re-creates an InnoDB table, and a FULLTEXT index takes the session's stopword
    # setting when it is created: as in migration 0017, without stopwords
    d.execute("SET SESSION innodb_ft_enable_stopword = OFF")
    d.execute("SET FOREIGN_KEY_CHECKS = 0")
    for t in tables:
        d.execute(f"TRUNCATE TABLE `{t}`")
    d.execute("SET FOREIGN_KEY_CHECKS = 1")


def apply_migrations(url):
    """Runs the production yoyo migrations (migrations/) on the database of `url`."""
    from yoyo import get_backend, read_migrations
    backend = get_backend(url)
    try:
        with backend.lock():
            backend.apply_migrations(backend.to_apply(read_migrations(str(ROOT / "migrations"))))
    finally:
        backend.connection.close()


@contextlib.contextmanager
def tables_in_the_system_tablespace(cur):
    """While the block runs, new InnoDB tables go to the system tablespace (innodb_file_per_table
    OFF), and stay there: a TRUNCATE of such a table re-creates it without a file of its own, 2 ms
    a table instead of 10 (20 tables: 40 ms against 205, medians of ten on this 2-core machine),
    and `truncate_all` runs before every test (it took a third of a run of four test files).
    Rows, keys and locks are InnoDB's alike in either tablespace. The server's setting is put back
    when the block ends; a named lock keeps two test processes from taking each other's OFF for
    the setting to put back. An account that may not set it (SUPER or SYSTEM_VARIABLES_ADMIN)
    leaves the server as it is: the tests only take longer."""
    cur.execute("SELECT GET_LOCK('billing_tests_file_per_table', 600)")
    try:
        cur.execute("SELECT @@GLOBAL.innodb_file_per_table")
        before = cur.fetchone()[0]
        try:
            cur.execute("SET GLOBAL innodb_file_per_table = OFF")
            changed = True
        except MySQLdb.MySQLError:   # 1227: not allowed
            changed = False
        try:
            yield
        finally:
            if changed:
                cur.execute(f"SET GLOBAL innodb_file_per_table = {'ON' if before else 'OFF'}")
    finally:
        cur.execute("DO RELEASE_LOCK('billing_tests_file_per_table')")


@contextlib.contextmanager
def new_database(server_url, name):
    """A database `name` on the server of `server_url` (made anew) with the whole schema, its
    tables in the system tablespace where the account may put them there (see above): yields its
    URL; the database is dropped when the block ends."""
    base = MySQLdb.connect(**connect_kwargs(server_url, database=""))
    cur = base.cursor()
    try:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        url = with_database(server_url, name)
        with tables_in_the_system_tablespace(cur):
            apply_migrations(url)
        yield url
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        base.close()
