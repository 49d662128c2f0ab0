"""tariff_open_account (migration 0120) and its triggers account_open_count_insert, _update and
_delete: each tariff's count of open accounts (closed_on NULL), which the tariffs page reads
from v_staff_tariff_version.accounts instead of counting the accounts (0.7 s at 1M, issue 24
§4), is always the count itself: after opening and closing through the procedures, after a
failed close, after direct SQL (an account moved to another tariff, opened again, deleted), and
as the migration counts the accounts already there."""
import re
from pathlib import Path

import pytest

from helpers.db import DbError
from helpers.factories import ACTOR, make_account, make_metered_account, make_tariff

ROOT = Path(__file__).resolve().parents[2]


def counted(db):
    """{tariff code: open accounts} counted from the accounts, every tariff."""
    return {r["code"]: int(r["n"]) for r in db.rows(
        "SELECT t.code, (SELECT COUNT(*) FROM account a WHERE a.tariff_id = t.tariff_id "
        "AND a.closed_on IS NULL) AS n FROM tariff t")}


def shown(db):
    """{tariff code: accounts} as the tariffs page reads them."""
    return {r["tariff_code"]: r["accounts"] for r in db.rows(
        "SELECT DISTINCT tariff_code, accounts FROM v_staff_tariff_version")}


def test_the_kept_count_is_the_count_through_opening_and_closing(db):
    make_tariff(db, code="RES")
    make_tariff(db, code="SMB")
    make_tariff(db, code="NEW", versions=[])
    assert shown(db) == counted(db) == {"RES": 0, "SMB": 0, "NEW": 0}
    res = [make_metered_account(db, tariff_code="RES", opened_on="2026-01-01").account_id
           for _ in range(3)]
    smb = make_account(db, tariff_code="SMB", opened_on="2026-01-01")
    assert shown(db) == counted(db) == {"RES": 3, "SMB": 1, "NEW": 0}
    db.call("close_account", res[0], "2026-02-28", ACTOR)
    db.call("close_account", smb, "2026-01-31", ACTOR)
    assert shown(db) == counted(db) == {"RES": 2, "SMB": 0, "NEW": 0}
    # a close that is refused changes nothing (closed already; before the opening)
    for account, day in ((res[0], "2026-03-31"), (res[1], "2025-12-31")):
        with pytest.raises(DbError):
            db.call("close_account", account, day, ACTOR)
    assert shown(db) == counted(db) == {"RES": 2, "SMB": 0, "NEW": 0}


def test_direct_sql_keeps_the_count_too(db):
    """No procedure moves, re-opens or deletes an account; a DBA's statement may."""
    make_tariff(db, code="RES")
    make_tariff(db, code="SMB")
    a, b, c = (make_account(db, tariff_code="RES", opened_on="2026-01-01") for _ in range(3))
    sid = db.value("SELECT tariff_id FROM tariff WHERE code = 'SMB'")
    db.execute("UPDATE account SET tariff_id = %s WHERE account_id = %s", sid, a)
    assert shown(db) == counted(db) == {"RES": 2, "SMB": 1}
    db.call("close_account", b, "2026-01-31", ACTOR)
    db.execute("UPDATE account SET tariff_id = %s WHERE account_id = %s", sid, b)   # closed
    assert shown(db) == counted(db) == {"RES": 1, "SMB": 1}
    db.execute("UPDATE account SET closed_on = NULL WHERE account_id = %s", b)       # re-opened
    assert shown(db) == counted(db) == {"RES": 1, "SMB": 2}
    db.execute("UPDATE account SET service_address = 'elsewhere' WHERE account_id = %s", c)
    assert shown(db) == counted(db) == {"RES": 1, "SMB": 2}
    db.execute("DELETE FROM account WHERE account_id = %s", c)
    db.execute("UPDATE account SET closed_on = '2026-02-01' WHERE account_id = %s", a)
    db.execute("DELETE FROM account WHERE account_id = %s", a)                      # closed
    assert shown(db) == counted(db) == {"RES": 0, "SMB": 1}


def test_the_migration_counts_the_accounts_already_there(db):
    make_tariff(db, code="RES")
    make_tariff(db, code="SMB")
    for code in ("RES", "RES", "SMB"):
        make_account(db, tariff_code=code, opened_on="2026-01-01")
    db.call("close_account", make_account(db, tariff_code="SMB", opened_on="2026-01-01"),
            "2026-01-31", ACTOR)
    kept = db.rows("SELECT * FROM tariff_open_account ORDER BY tariff_id")
    db.execute("DELETE FROM tariff_open_account")
    sql = (ROOT / "migrations" / "0120_tariff_open_account.sql").read_text()
    [insert] = re.findall(r"^INSERT INTO tariff_open_account.*?;", sql, re.M | re.S)
    db.execute(insert.rstrip(";"))
    assert db.rows("SELECT * FROM tariff_open_account ORDER BY tariff_id") == kept
    assert shown(db) == counted(db) == {"RES": 2, "SMB": 1}
