"""The demo data (bin/demo-data: a year of customers, bills and payments) for the tests that read
a realistic database.

    from helpers.demo import load_demo, run_demo
    d, out = load_demo(db_url, tables) # emptied billing tables, then the demo data: a Db on it
                                       # and bin/demo-data's CompletedProcess
"""
import subprocess
import sys
from pathlib import Path

from helpers.db import Db, truncate_all

ROOT = Path(__file__).resolve().parents[2]


def run_demo(url, *extra):
    """Runs bin/demo-data on the database of `url`; a CompletedProcess (text)."""
    return subprocess.run([sys.executable, str(ROOT / "bin" / "demo-data"), *extra, url],
                          capture_output=True, text=True, timeout=300)


def load_demo(db_url, tables):
    """Empties `tables` (as the `db` fixture does) and loads the demo data; returns a Db on
    db_url, for the caller to close, and bin/demo-data's CompletedProcess."""
    d = Db(db_url)
    truncate_all(d, tables)
    out = run_demo(db_url)
    assert out.returncode == 0, out.stdout + out.stderr
    return d, out
