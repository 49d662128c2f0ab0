"""create_customer: validation, numbering, nothing written after an error."""
import pytest

from helpers.db import DbError
from helpers.factories import ACTOR, make_customer


def test_creates_a_customer_with_the_next_number(db):
    r = db.call("create_customer", "  Ada Lovelace ", "ada@example.org", "555-0100",
                "1 Main St", "staff:alice")
    row = db.row("SELECT * FROM customer WHERE customer_id = %s", r["customer_id"])
    assert r["customer_no"] == "C0000001" == row["customer_no"]
    assert (row["full_name"], row["email"], row["phone"], row["address"]) == \
        ("Ada Lovelace", "ada@example.org", "555-0100", "1 Main St")
    r2 = db.call("create_customer", "Bob", None, None, None, ACTOR)
    assert r2["customer_no"] == "C0000002"
    assert r2["customer_id"] != r["customer_id"]


def test_the_actor_goes_into_the_audit_trail(db):
    cid = make_customer(db, actor="staff:alice")
    assert db.value("SELECT actor FROM audit_log WHERE table_name = 'customer' "
                    "AND row_key = %s AND action = 'insert'", str(cid)) == "staff:alice"


def test_empty_optional_fields_are_stored_as_null(db):
    r = db.call("create_customer", "Ada", "", "  ", "", ACTOR)
    row = db.row("SELECT email, phone, address FROM customer WHERE customer_id = %s",
                 r["customer_id"])
    assert row == {"email": None, "phone": None, "address": None}


def test_numbers_stay_gapless_after_a_failed_call(db):
    make_customer(db)
    with pytest.raises(DbError):
        db.call("create_customer", "X", "bad", None, None, ACTOR)
    assert db.call("create_customer", "Y", None, None, None, ACTOR)["customer_no"] == "C0000002"


@pytest.mark.parametrize("email", ["a@b.co", "first.last+tag@mail.example.org", "x@sub-1.example.io"])
def test_accepts_plausible_emails(db, email):
    r = db.call("create_customer", "Ada", email, None, None, ACTOR)
    assert db.value("SELECT email FROM customer WHERE customer_id = %s", r["customer_id"]) == email


@pytest.mark.parametrize("name, email, phone, address, actor", [
    (None, None, None, None, ACTOR),                     # no name
    ("", None, None, None, ACTOR),                       # empty name
    ("   ", None, None, None, ACTOR),                    # blank name
    ("x" * 201, None, None, None, ACTOR),                # name too long
    ("Ada", "ada", None, None, ACTOR),                   # no @
    ("Ada", "ada@example", None, None, ACTOR),           # no dot in the domain
    ("Ada", "a@b@example.org", None, None, ACTOR),      # two @
    ("Ada", "ada lovelace@example.org", None, None, ACTOR),  # a space
    ("Ada", "@example.org", None, None, ACTOR),          # nothing before @
    ("Ada", "ada@.org", None, None, ACTOR),              # nothing before the dot
    ("Ada", "ada@example.", None, None, ACTOR),          # nothing after the dot
    ("Ada", "a" * 250 + "@example.org", None, None, ACTOR),  # too long
    ("Ada", None, "1" * 41, None, ACTOR),                # phone too long
    ("Ada", None, None, "x" * 501, ACTOR),               # address too long
    ("Ada", None, None, None, None),                     # no actor
    ("Ada", None, None, None, ""),                       # empty actor
    ("Ada", None, None, None, "x" * 101),                # actor too long
])
def test_invalid_arguments_are_45002_and_write_nothing(db, name, email, phone, address, actor):
    make_customer(db)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("create_customer", name, email, phone, address, actor)
    assert e.value.errno == 45002
    assert db.snapshot() == before


def test_numbers_past_seven_digits_keep_growing(db):
    db.execute("INSERT INTO number_counter VALUES ('customer', 0, 9999998)")
    assert db.call("create_customer", "A", None, None, None, ACTOR)["customer_no"] == "C9999999"
    assert db.call("create_customer", "B", None, None, None, ACTOR)["customer_no"] == "C10000000"


def test_concurrent_creates_get_distinct_gapless_numbers(db, connect):
    import threading
    conns = [connect() for _ in range(3)]
    got, errors = [], []

    def work(c):
        try:
            for i in range(10):
                got.append(c.call("create_customer", f"N{i}", None, None, None, ACTOR)["customer_no"])
        except Exception as e:          # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(c,)) for c in conns]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert sorted(got) == [f"C{n:07d}" for n in range(1, 31)]
