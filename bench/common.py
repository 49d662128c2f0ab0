"""Shared helpers of the benchmark: connections to the bench server, timing, percentiles."""
import sys
import time
from pathlib import Path

import MySQLdb
import MySQLdb.cursors

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "db"))
from dburl import connect_kwargs  # noqa: E402
BENCH_DIR = ROOT / "var" / "bench-db"
SOCK = BENCH_DIR / "mysqld.sock"
WORK_DB = "bench_work"          # numbers table, floors, scratch tables of the Python loop


def connect(db=None, autocommit=True):
    return MySQLdb.connect(**{**connect_kwargs(url(db or "")), "autocommit": autocommit})


def url(db):
    return f"mysql://root@localhost/{db}?unix_socket={SOCK}"


class Sql:
    """One autocommit connection with small helpers."""

    def __init__(self, db=None):
        self.db = db
        self.conn = connect(db)

    def close(self):
        self.conn.close()

    def execute(self, sql, *args):
        cur = self.conn.cursor()
        try:
            cur.execute(sql, args or None)
            while cur.nextset():
                pass
            return cur.rowcount
        finally:
            cur.close()

    def rows(self, sql, *args):
        cur = self.conn.cursor(MySQLdb.cursors.DictCursor)
        try:
            cur.execute(sql, args or None)
            return list(cur.fetchall())
        finally:
            cur.close()

    def row(self, sql, *args):
        r = self.rows(sql, *args)
        return r[0] if r else None

    def value(self, sql, *args):
        cur = self.conn.cursor()
        try:
            cur.execute(sql, args or None)
            r = cur.fetchone()
            return r[0] if r else None
        finally:
            cur.close()

    def call(self, proc, *args):
        """CALL proc(args); the first row of the last result set, as a dict."""
        cur = self.conn.cursor(MySQLdb.cursors.DictCursor)
        try:
            cur.execute(f"CALL `{proc}`({', '.join(['%s'] * len(args))})", args)
            last = None
            while True:
                if cur.description is not None:
                    last = list(cur.fetchall())
                if not cur.nextset():
                    break
            return last[0] if last else None
        finally:
            cur.close()

    def timed(self, sql, *args):
        t = time.perf_counter()
        n = self.execute(sql, *args)
        return time.perf_counter() - t, n


def pct(sorted_values, p):
    """The p-th percentile (nearest rank) of an already sorted list."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)
