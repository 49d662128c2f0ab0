"""The counts the tariffs page shows, kept by triggers (migration 0120, issue 24 §4) instead of
counted on every read: tariff_open_account (account_open_count_insert, _update, _delete), each
tariff's open accounts (closed_on NULL), read by v_staff_tariff_version.accounts (counting took
0.7 s at 1M); discount_assignment_count (account_discount_count_insert, _update, _delete), each
discount's assignments, read by v_staff_discount.assignments (17-40 ms at 1M). Each is always
the count itself: through the procedures, after a refused call, after direct SQL (a row moved,
re-opened, deleted), and as the migration counts the rows already there."""
import re
from pathlib import Path

import pytest

from helpers.db import DbError
from helpers.factories import (ACTOR, give_discount, make_account, make_discount,
                               make_metered_account, make_tariff)

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


def assigned(db):
    """{discount code: assignments} counted from account_discount, every discount."""
    return {r["code"]: int(r["n"]) for r in db.rows(
        "SELECT d.code, (SELECT COUNT(*) FROM account_discount ad "
        "WHERE ad.discount_id = d.discount_id) AS n FROM discount d")}


def assignments_shown(db):
    return {r["code"]: r["assignments"] for r in db.rows(
        "SELECT code, assignments FROM v_staff_discount")}


def test_the_kept_assignments_are_the_count(db):
    make_tariff(db, code="RES")
    for code in ("SENIOR", "GREEN", "NONE"):
        make_discount(db, code=code)
    a, b = (make_account(db, tariff_code="RES", opened_on="2026-01-01") for _ in range(2))
    assert assignments_shown(db) == assigned(db) == {"SENIOR": 0, "GREEN": 0, "NONE": 0}
    give_discount(db, a, "SENIOR", valid_from="2026-01-01")
    give_discount(db, b, "SENIOR", valid_from="2026-01-01", valid_to="2026-03-31")
    give_discount(db, b, "SENIOR", valid_from="2026-04-01")
    green = give_discount(db, a, "GREEN", valid_from="2026-01-01")
    assert assignments_shown(db) == assigned(db) == {"SENIOR": 3, "GREEN": 1, "NONE": 0}
    with pytest.raises(DbError):          # overlapping days: refused, nothing counted
        give_discount(db, a, "SENIOR", valid_from="2026-02-01")
    assert assignments_shown(db) == assigned(db) == {"SENIOR": 3, "GREEN": 1, "NONE": 0}
    # direct SQL: an assignment moved to another discount, its dates changed, one deleted
    none = db.value("SELECT discount_id FROM discount WHERE code = 'NONE'")
    db.execute("UPDATE account_discount SET discount_id = %s WHERE account_discount_id = %s",
               none, green)
    db.execute("UPDATE account_discount SET valid_to = '2026-12-31' "
               "WHERE account_discount_id = %s", green)
    assert assignments_shown(db) == assigned(db) == {"SENIOR": 3, "GREEN": 0, "NONE": 1}
    db.execute("DELETE FROM account_discount WHERE account_discount_id = %s", green)
    assert assignments_shown(db) == assigned(db) == {"SENIOR": 3, "GREEN": 0, "NONE": 0}


def test_the_migration_counts_the_rows_already_there(db):
    make_tariff(db, code="RES")
    make_tariff(db, code="SMB")
    make_discount(db, code="SENIOR")
    for code in ("RES", "RES", "SMB"):
        give_discount(db, make_account(db, tariff_code=code, opened_on="2026-01-01"), "SENIOR")
    db.call("close_account", make_account(db, tariff_code="SMB", opened_on="2026-01-01"),
            "2026-01-31", ACTOR)
    sql = (ROOT / "migrations" / "0120_page_counts.sql").read_text()
    for table, key in (("tariff_open_account", "tariff_id"),
                       ("discount_assignment_count", "discount_id")):
        kept = db.rows(f"SELECT * FROM {table} ORDER BY {key}")
        db.execute(f"DELETE FROM {table}")
        [insert] = re.findall(rf"^INSERT INTO {table} .*?;", sql, re.M | re.S)
        db.execute(insert.rstrip(";"))
        assert db.rows(f"SELECT * FROM {table} ORDER BY {key}") == kept
    assert shown(db) == counted(db) == {"RES": 2, "SMB": 1}
    assert assignments_shown(db) == assigned(db) == {"SENIOR": 3}
