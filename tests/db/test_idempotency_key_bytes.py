"""Idempotency keys arrive as bytes and must be UTF-8 (post_payment, refund_credit).

The probe: in a session with sql_mode '', post_payment(..., b'KEY\\xff', ...) stored the key as
'KEY?' (the LONGTEXT parameter converted the bytes on the way in), and then b'KEY\\xfe' was taken
for a replay of it: the second payment was silently dropped. In a strict session the same call
failed with a raw 1366 before the body ran. The key parameters are LONGBLOB now: the bytes
arrive as sent in any sql_mode, bytes that are not UTF-8 are refused with 45002, and valid keys
are compared byte for byte as before (through the key's unique index).
"""
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.bills import make_bill
from helpers.db import DbError
from helpers.factories import ACTOR, make_metered_account

ROOT = Path(__file__).resolve().parents[2]
MODES = ["", None]          # sql_mode '' and the server's default (strict)
NOT_UTF8 = [b"KEY\xff", b"KEY\xfe", b"\xc3", b"K\xc3\x28", b"\xe2\x82", b"\xc0\x80", b"\x80abc"]


@pytest.fixture(params=MODES, ids=["sql_mode_empty", "sql_mode_default"])
def mode(request, db):
    if request.param is not None:
        db.execute("SET SESSION sql_mode = %s", request.param)
    yield request.param
    db.execute("SET SESSION sql_mode = DEFAULT")


@pytest.fixture
def acc(db):
    a = make_metered_account(db).account_id
    make_bill(db, a, "100.00", "2026-02-15")
    return a


def payments(db):
    return db.rows("SELECT payment_id, idempotency_key AS k FROM payment ORDER BY payment_id")


def test_the_probes_two_keys_are_refused_not_merged(db, mode, acc):
    before = db.snapshot()
    for key in (b"KEY\xff", b"KEY\xfe"):
        with pytest.raises(DbError) as e:
            db.call("post_payment", acc, "1.00", "cash", None, key, "staff:probe")
        assert (e.value.errno, e.value.message) == (45002, "idempotency_key is not valid UTF-8 text")
    assert db.snapshot() == before
    # 'KEY?' is an ordinary key of its own, not a replay of anything
    r = db.call("post_payment", acc, "1.00", "cash", None, "KEY?", "staff:probe")
    assert r["replayed"] == 0
    assert [p["k"] for p in payments(db)] == [b"KEY?"]


@pytest.mark.parametrize("key", NOT_UTF8)
def test_bytes_that_are_not_utf8_are_refused_by_both_procedures(db, mode, acc, key):
    db.call("post_payment", acc, "150.00", "cash", "2026-02-01 10:00:00", "k-credit", ACTOR)
    before = db.snapshot()
    for proc, args in (("post_payment", (acc, "1.00", "cash", None, key, ACTOR)),
                       ("refund_credit", (acc, "1.00", "cheque", key, ACTOR))):
        with pytest.raises(DbError) as e:
            db.call(proc, *args)
        assert (e.value.errno, e.value.message) == (45002, "idempotency_key is not valid UTF-8 text"), proc
    assert db.snapshot() == before


def test_hex_literal_bytes_are_refused_too(db, mode, acc):
    """The bytes as a SQL client writes them (x'...'), no driver in between."""
    with pytest.raises(DbError) as e:
        db.rows(f"CALL post_payment({acc}, '1.00', 'cash', NULL, x'4B4559FF', 'staff:probe')")
    assert e.value.errno == 45002


def test_valid_utf8_keys_are_kept_byte_for_byte_and_replayed(db, mode, acc):
    keys = ["KEYé", "KEYe", "KEYÉ", "KEY ", "KEY", "日本語-🙂", "k" * 100, "é" * 100, "🙂" * 100]
    ids = {}
    for k in keys:
        r = db.call("post_payment", acc, "1.00", "cash", None, k, ACTOR)
        assert r["replayed"] == 0, k
        ids[k] = r["payment_id"]
    # the stored bytes are the key's UTF-8 bytes
    assert {p["payment_id"]: p["k"] for p in payments(db)} == \
        {ids[k]: k.encode() for k in keys}
    # the same key, as text or as its bytes, is a replay of its own payment only
    for k in keys:
        for sent in (k, k.encode()):
            r = db.call("post_payment", acc, "1.00", "cash", None, sent, ACTOR)
            assert (r["replayed"], r["payment_id"]) == (1, ids[k]), k


def test_refund_keys_as_bytes(db, mode, acc):
    db.call("post_payment", acc, "150.00", "cash", "2026-02-01 10:00:00", "k-credit", ACTOR)
    first = db.call("refund_credit", acc, "1.00", "cheque", "RÉF-1".encode(), ACTOR)
    assert first["replayed"] == 0
    again = db.call("refund_credit", acc, "1.00", "cheque", "RÉF-1", ACTOR)
    assert (again["replayed"], again["refund_id"]) == (1, first["refund_id"])
    other = db.call("refund_credit", acc, "1.00", "cheque", "RéF-1", ACTOR)
    assert other["replayed"] == 0
    assert db.value("SELECT idempotency_key FROM refund WHERE refund_id = %s",
                    first["refund_id"]) == "RÉF-1".encode()


def test_length_and_blank_rules_count_characters(db, acc):
    with pytest.raises(DbError) as e:
        db.call("post_payment", acc, "1.00", "cash", None, "é" * 101, ACTOR)
    assert e.value.errno == 45002
    with pytest.raises(DbError) as e:
        db.call("refund_credit", acc, "1.00", "cheque", "é" * 101, ACTOR)
    assert e.value.errno == 45002
    for blank in (b"\t", b" \r\n", "\u3000".encode()):
        for proc, args in (("post_payment", (acc, "1.00", "cash", None, blank, ACTOR)),
                           ("refund_credit", (acc, "1.00", "cheque", blank, ACTOR))):
            with pytest.raises(DbError) as e:
                db.call(proc, *args)
            assert e.value.errno == 45002, (proc, blank)
    # NULL is still "no key": every call is a payment of its own
    a = db.call("post_payment", acc, "1.00", "cash", None, None, ACTOR)
    b = db.call("post_payment", acc, "1.00", "cash", None, None, ACTOR)
    assert a["payment_id"] != b["payment_id"] and a["replayed"] == b["replayed"] == 0


def test_the_key_lookups_use_the_unique_index(db, acc):
    """The procedures look a key up as a utf8mb4 local (post_payment: `idempotency_key = v_key`;
    refund_credit: `= CAST(v_key AS BINARY)`) against the VARBINARY column, compared on bytes:
    the plan is a lookup in the key's unique index, not a scan."""
    for i in range(30):
        db.call("post_payment", acc, "10.00", "cash", None, f"KEY-{i}", ACTOR)
    for i in range(3):
        db.call("refund_credit", acc, "1.00", "cheque", f"R-{i}", ACTOR)
    db.execute("ANALYZE TABLE payment, refund")
    for table, key, expr, index in (("payment", "KEY-1", "@k", "uk_payment_key"),
                                    ("refund", "R-1", "CAST(@k AS BINARY)", "uk_refund_key")):
        db.execute("SET @k = CONVERT(%s USING utf8mb4) COLLATE utf8mb4_unicode_ci", key)
        rows = db.rows(f"EXPLAIN SELECT {table}_id FROM {table} WHERE idempotency_key = {expr}")
        assert [(r["type"], r["key"]) for r in rows] == [("const", index)], rows
        assert db.value(f"SELECT COUNT(*) FROM {table} WHERE idempotency_key = {expr}") == 1


def test_the_contract_still_names_the_parameters(db_url):
    out = subprocess.run([sys.executable, str(ROOT.parent / "shared" / "bin" / "check-contract"),
                          db_url, "post_payment", "refund_credit"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
