"""Messages print an amount as the caller gave it, without the trailing zeros of the wide local
it was converted into (DECIMAL(30,10)): 'not 0.001', not 'not 0.0010000000'; 'refund 100000.00
is above the unallocated credit 13.02', not 'refund 100000.0000000000 ...'. Money keeps at least
two decimals. Every such message stays within MySQL's 128 characters.
"""
import re
from pathlib import Path

import pytest

from helpers.bills import make_bill
from helpers.db import DbError
from helpers.factories import ACTOR, make_metered_account

LIMIT = 128
AMOUNT_RULE = "amount must be above 0, at most 1000000.00 and have at most two decimals, not "


def fails(db, errno, proc, *args):
    with pytest.raises(DbError) as e:
        db.call(proc, *args)
    assert e.value.errno == errno, e.value.message
    assert len(e.value.message) <= LIMIT, (len(e.value.message), e.value.message)
    return e.value.message


@pytest.fixture
def acc(db):
    return make_metered_account(db).account_id


@pytest.mark.parametrize("given, printed", [
    ("0.001", "0.001"), ("0.0010", "0.001"), ("12.345", "12.345"), ("1000000.01", "1000000.01"),
    ("2000000", "2000000.00"), ("-5", "-5.00"), ("0", "0.00"), ("0.000", "0.00"),
    ("1.0000000001", "1.0000000001"),
    ("99999999999999999999.9999999999", "99999999999999999999.9999999999"),
])
def test_the_amount_rule_prints_the_amount_as_given(db, acc, given, printed):
    assert fails(db, 45020, "post_payment", acc, given, "cash", None, "k1", ACTOR) == \
        AMOUNT_RULE + printed
    assert fails(db, 45020, "preview_payment", acc, given, ACTOR) == AMOUNT_RULE + printed
    assert fails(db, 45020, "refund_credit", acc, given, "cheque", "r1", ACTOR) == \
        AMOUNT_RULE + printed


def test_a_null_amount_says_null(db, acc):
    assert fails(db, 45020, "post_payment", acc, None, "cash", None, "k1", ACTOR) == \
        AMOUNT_RULE + "NULL"


def test_a_refund_above_the_credit_prints_both_amounts_in_money(db, acc):
    make_bill(db, acc, "100.00", "2026-02-15")
    db.call("post_payment", acc, "113.02", "cash", "2026-02-01 10:00:00", "k-credit", ACTOR)
    assert fails(db, 45024, "refund_credit", acc, "100000", "cheque", "r1", ACTOR) == \
        f"refund 100000.00 is above the unallocated credit 13.02 of account {acc}"
    assert fails(db, 45024, "refund_credit", acc, "13.030", "cheque", "r2", ACTOR) == \
        f"refund 13.03 is above the unallocated credit 13.02 of account {acc}"


def test_a_reading_with_a_third_decimal_is_printed_as_given(db):
    a = make_metered_account(db)
    assert fails(db, 45002, "record_reading", a.serial, "2026-02-01", "12.345", "field", ACTOR) \
        == "value 12.345 has more than two decimals"


def test_decimal_text(db):
    for value, min_decimals, text in [("0.0010000000", 2, "0.001"), ("100000", 2, "100000.00"),
                                      ("7.5", 0, "7.5"), ("-12.3400", 2, "-12.34"),
                                      ("5.000", 0, "5"), ("0", 2, "0.00")]:
        assert db.value(f"SELECT _decimal_text({value}, %s)", min_decimals) == text
    assert db.value("SELECT _decimal_text(NULL, 2)") is None


def test_no_message_prints_a_wide_decimal_as_it_is():
    """From the source: no _fail message CONCATs a DECIMAL local or parameter with more than two
    decimals bare (wrap it in _decimal_text, or ROUND(x, 2) where two decimals are right)."""
    from static.messages import declarations, sql_without_comments
    root = Path(__file__).resolve().parents[2] / "db"
    bad = []
    for f in sorted(root.rglob("*.sql")):
        sql = f.read_text()
        wide = {n for n, t in declarations(sql).items()
                if (m := re.match(r"\s*DECIMAL\s*\(\s*\d+\s*,\s*(\d+)", t, re.I))
                and int(m.group(1)) > 2}
        body = sql_without_comments(sql)
        for m in re.finditer(r"_fail\s*\(", body):
            i, depth = m.end(), 1
            while depth:
                depth += {"(": 1, ")": -1}.get(body[i], 0)
                i += 1
            call = body[m.start():i]
            call = re.sub(r"_decimal_text\(\s*\w+\s*,\s*\d+\)|ROUND\(\s*\w+\s*,\s*2\s*\)", "", call)
            used = {n.lower() for n in re.findall(r"\b([pv]_\w+)\b", call)} & wide
            if used:
                bad.append(f"{f.relative_to(root)}: {' '.join(call.split())[:120]}")
    assert not bad, "\n".join(bad)
