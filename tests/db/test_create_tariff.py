"""create_tariff: code and name rules, duplicates."""
import pytest

from helpers.db import DbError
from helpers.factories import ACTOR, make_tariff


def test_creates_a_tariff(db):
    r = db.call("create_tariff", " RES ", " Residential ", "staff:alice")
    row = db.row("SELECT * FROM tariff WHERE tariff_id = %s", r["tariff_id"])
    assert (row["code"], row["name"]) == ("RES", "Residential")
    assert db.value("SELECT COUNT(*) FROM tariff_version") == 0
    assert db.value("SELECT actor FROM audit_log WHERE table_name = 'tariff' AND row_key = %s",
                    str(r["tariff_id"])) == "staff:alice"
    r2 = db.call("create_tariff", "X" * 20, "Twenty", ACTOR)
    assert r2["tariff_id"] != r["tariff_id"]


@pytest.mark.parametrize("code, name, actor", [
    (None, "Residential", ACTOR),
    ("", "Residential", ACTOR),
    ("   ", "Residential", ACTOR),
    ("X" * 21, "Residential", ACTOR),
    ("res", "Residential", ACTOR),             # codes: 1-20 of A-Z, 0-9, _ and - (issue 16, #7)
    ("A/B", "Residential", ACTOR),
    ("..", "Residential", ACTOR),
    ("RÉS", "Residential", ACTOR),
    ("R S", "Residential", ACTOR),
    ("RES\n", "Residential", ACTOR),
    ("RES", None, ACTOR),
    ("RES", "  ", ACTOR),
    ("RES", "n" * 101, ACTOR),
    ("RES", "Residential", None),
    ("RES", "Residential", ""),
])
def test_invalid_arguments_are_45002_and_write_nothing(db, code, name, actor):
    make_tariff(db, code="OTHER")
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("create_tariff", code, name, actor)
    assert e.value.errno == 45002
    assert db.snapshot() == before


@pytest.mark.parametrize("code", ["RES", " RES "])
def test_duplicate_code_is_45003_and_writes_nothing(db, code):
    make_tariff(db, code="RES")
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("create_tariff", code, "Again", ACTOR)
    assert e.value.errno == 45003
    assert db.snapshot() == before


def test_factory_makes_unique_codes_and_a_default_version(db):
    a, b = make_tariff(db), make_tariff(db)
    assert a.code != b.code
    assert len(a.version_ids) == 1
    assert db.value("SELECT COUNT(*) FROM tariff_block WHERE tariff_version_id = %s",
                    a.version_ids[0]) == 1


# ---- code characters (issue 16, finding 7) -------------------------------------------------
BAD_CODES = ["res", "Res", "A/B", "..", "A B", "RÉS", "AB\n", "ÀB", "A.B", "", " RES"]
GOOD_CODES = ["RES-STD", "A_B9", "X" * 20, "0", "-"]


@pytest.mark.parametrize("table", ["tariff", "discount"])
def test_the_table_refuses_codes_outside_the_rule(db, table):
    """The CHECK constraint (migration 0021) holds the rule for any writer, not only the
    procedures: 4025 on MariaDB, 3819 on MySQL."""
    cols = "code, name" if table == "tariff" else "code, name, pct"
    vals = "%s, 'n'" if table == "tariff" else "%s, 'n', 1"
    for code in BAD_CODES:
        with pytest.raises(DbError) as e:
            db.execute(f"INSERT INTO {table} ({cols}) VALUES ({vals})", code)
        assert e.value.errno in (4025, 3819), (code, e.value)
    for code in GOOD_CODES:
        db.execute(f"INSERT INTO {table} ({cols}) VALUES ({vals})", code)
    assert sorted(r["code"] for r in db.rows(f"SELECT code FROM {table}")) == sorted(GOOD_CODES)


@pytest.mark.parametrize("code", GOOD_CODES)
def test_codes_of_the_rule_are_accepted(db, code):
    r = db.call("create_tariff", code, "Fine", ACTOR)
    assert db.value("SELECT code FROM tariff WHERE tariff_id = %s", r["tariff_id"]) == code
    d = db.call("create_discount", code, "Fine", "5", ACTOR)
    assert db.value("SELECT code FROM discount WHERE discount_id = %s", d["discount_id"]) == code
