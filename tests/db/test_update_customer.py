"""update_customer: every field replaced, same validation as create_customer."""
import pytest

from helpers.db import DbError
from helpers.factories import ACTOR, make_customer


def test_replaces_all_fields(db):
    cid = make_customer(db, name="Ada", email="ada@example.org", phone="1", address="A")
    no = db.value("SELECT customer_no FROM customer WHERE customer_id = %s", cid)
    r = db.call("update_customer", cid, " Ada King ", "king@example.com", "", None, "staff:bob")
    assert r == {"customer_id": cid}
    row = db.row("SELECT customer_no, full_name, email, phone, address FROM customer "
                 "WHERE customer_id = %s", cid)
    assert row == {"customer_no": no, "full_name": "Ada King", "email": "king@example.com",
                   "phone": None, "address": None}
    assert db.value("SELECT actor FROM audit_log WHERE table_name = 'customer' "
                    "AND action = 'update' AND row_key = %s", str(cid)) == "staff:bob"


def test_other_customers_are_untouched(db):
    a, b = make_customer(db, name="A"), make_customer(db, name="B", email="b@example.org")
    db.call("update_customer", a, "A2", None, None, None, ACTOR)
    assert db.row("SELECT full_name, email FROM customer WHERE customer_id = %s", b) == \
        {"full_name": "B", "email": "b@example.org"}


def test_unknown_customer_is_45001(db):
    make_customer(db)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("update_customer", 999, "Ada", None, None, None, ACTOR)
    assert e.value.errno == 45001
    assert db.snapshot() == before


@pytest.mark.parametrize("cid, name, email, phone, address, actor", [
    ("own", None, None, None, None, ACTOR),
    ("own", "  ", None, None, None, ACTOR),
    ("own", "x" * 201, None, None, None, ACTOR),
    ("own", "Ada", "ada@example", None, None, ACTOR),
    ("own", "Ada", "a da@example.org", None, None, ACTOR),
    ("own", "Ada", "a@b@example.org", None, None, ACTOR),
    ("own", "Ada", None, "1" * 41, None, ACTOR),
    ("own", "Ada", None, None, "x" * 501, ACTOR),
    ("own", "Ada", None, None, None, None),
    ("own", "Ada", None, None, None, ""),
    (None, "Ada", None, None, None, ACTOR),
])
def test_invalid_arguments_are_45002_and_write_nothing(db, cid, name, email, phone, address, actor):
    own = make_customer(db, name="Before", email="before@example.org")
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("update_customer", own if cid == "own" else cid, name, email, phone, address, actor)
    assert e.value.errno == 45002
    assert db.snapshot() == before
    assert db.row("SELECT full_name, email FROM customer WHERE customer_id = %s", own) == \
        {"full_name": "Before", "email": "before@example.org"}
